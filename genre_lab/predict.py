"""What a trained model says about audio: one probability protocol for every model, timelines, whole recordings.

Notebook: 05_evaluation.ipynb, 07_your_own_recording.ipynb
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from .audio import AudioError, audio_blocks, audio_duration, is_silent
from .config import AUDIO, HOP_SECONDS, AudioParams
from .features import file_windows, window_features
from .model import predict_proba

__all__ = ["ProbabilityModel", "predict_any", "genre_timeline", "file_timeline", "predict_recording"]


@runtime_checkable
class ProbabilityModel(Protocol):
    """A model that gives genre probabilities itself, scikit-learn's way (the MFCC baseline)."""

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``(n_clips, n_genres)`` probabilities for features ``(n_clips, 388, 128)``."""


def predict_any(model, X: np.ndarray) -> np.ndarray:
    """Genre probabilities ``(n_clips, n_genres)`` from any model: a :class:`ProbabilityModel` or a Keras CNN.

    Notebook: 05_evaluation.ipynb
    """
    if isinstance(model, ProbabilityModel):
        return np.asarray(model.predict_proba(X))
    return predict_proba(model, X)  # a Keras CNN of either layout


def genre_timeline(model, y: np.ndarray, genres, *, hop_seconds: float = 1.5,
                   params: AudioParams = AUDIO) -> pd.DataFrame:
    """Genre probabilities over time across windows of a whole recording.

    Parameters
    ----------
    model : keras.Model
    y : np.ndarray
        Mono audio at 22,050 Hz, any length (see :func:`genre_lab.load_audio`).
    genres : sequence of str
    hop_seconds : float
        Seconds between windows of 9 s.

    Returns
    -------
    pandas.DataFrame
        Index ``start_s`` (window start), one probability column per genre.

    Notebook: 06_voting_attention_baseline.ipynb
    """
    X, starts = window_features(y, hop_seconds=hop_seconds, params=params)
    proba = predict_any(model, X)
    return pd.DataFrame(proba, columns=list(genres), index=pd.Index(np.round(starts, 2), name="start_s"))


def file_timeline(model, path, genres, *, hop_seconds: float = HOP_SECONDS, params: AudioParams = AUDIO):
    """Genre probabilities of every 9 s window of an audio file, computed in blocks (any length, bounded memory).

    Returns
    -------
    timeline : pandas.DataFrame
        Index ``start_s`` (window start; the window covers ``start_s`` to
        ``start_s + 9``), one probability column per genre.
    padded_seconds : float
        Silence appended to a recording shorter than 9 s (0.0 otherwise).

    Notebook: 07_your_own_recording.ipynb
    """
    probas, starts, padded = [], [], 0.0
    for X, st, pad in file_windows(path, hop_seconds=hop_seconds, params=params):
        probas.append(predict_any(model, X))
        starts.append(st)
        padded = pad
    index = pd.Index(np.round(np.concatenate(starts), 2), name="start_s")
    return pd.DataFrame(np.concatenate(probas), columns=list(genres), index=index), padded


def predict_recording(model, path, genres, *, hop_seconds: float = HOP_SECONDS, top: int = 3,
                      params: AudioParams = AUDIO) -> dict:
    """Genre of any recording: top genres of the whole, and a timeline over 9 s windows.

    The file is decoded and transformed in blocks (bounded memory, whatever
    its length), predicted a batch of windows at a time, and the song-level
    probabilities are the mean over windows. Nothing is raised for a bad
    file: the reason goes into ``error``.

    Parameters
    ----------
    model : keras.Model or MFCCBaseline
    path : str or Path
        Any format, length, channel count or sample rate.
    genres : sequence of str
        The model's genres, in output order.
    hop_seconds : float
        Seconds between window starts.
    top : int
        Genres listed in ``top``; at most ``len(genres)``.

    Returns
    -------
    dict
        ``file`` (name), ``seconds``, ``windows``, ``top`` (list of
        ``{genre, probability}``), ``timeline`` (list of ``{start_s, end_s,
        genre, probability}``), ``flags`` (``"padded"`` for a recording shorter
        than 9 s, ``"silent"``) and ``error`` (None, or why it failed).

    Notebook: 07_your_own_recording.ipynb
    """
    genres = list(genres)
    if not 1 <= top <= len(genres):
        raise ValueError(f"--top must be between 1 and {len(genres)} (the model knows {len(genres)} genres), got {top}")
    path = Path(path)
    out = {"file": path.name, "seconds": None, "windows": 0, "top": [], "timeline": [], "flags": [], "error": None}
    try:
        table, padded = file_timeline(model, path, genres, hop_seconds=hop_seconds, params=params)
    except (OSError, AudioError) as err:  # one bad file never stops a batch: its reason is reported (a bug is raised)
        out["error"] = f"{type(err).__name__}: {err}".replace(str(path), path.name)
        return out
    proba, starts = table.to_numpy(), table.index.to_numpy(dtype=float)
    seconds = audio_duration(path)
    out["seconds"] = round(seconds, 2) if seconds is not None else None
    out["windows"] = int(len(proba))
    if padded:
        out["flags"].append(f"padded: shorter than {params.clip_seconds:g} s, {padded:.1f} s of silence appended")
    try:
        silent = _silent_blocks(path, params)
    except (OSError, ValueError) as err:  # the file changed or vanished since it was predicted
        out["error"] = f"{type(err).__name__}: {err}".replace(str(path), path.name)
        return out
    if silent:
        out["flags"].append("silent: the recording holds no sound above -80 dBFS; its genres mean nothing")
    song = proba.mean(axis=0)
    order = np.argsort(-song)[:top]
    out["top"] = [{"genre": genres[i], "probability": round(float(song[i]), 4)} for i in order]
    out["timeline"] = [{"start_s": round(float(s), 2), "end_s": round(float(s) + params.clip_seconds, 2),
                        "genre": genres[int(p.argmax())], "probability": round(float(p.max()), 4)}
                       for s, p in zip(starts, proba)]
    return out


def _silent_blocks(path, params: AudioParams) -> bool:
    return all(is_silent(b) for b in audio_blocks(path, params=params))  # stops at the first block with sound
