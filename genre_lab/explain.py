"""What a trained network does with a recording: genre over time, and where its evidence lies.

Notebook: 04_confusion_matrix.ipynb, 05_your_own_recording.ipynb, 06_right_for_the_right_reason.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import AUDIO, AudioParams

__all__ = ["genre_timeline", "occlusion_map", "predict_recording", "file_timeline", "decision_flips", "plant_cue", "occlusion_by_genre",
           "nearest_songs", "reliability_table", "expected_calibration_error", "fit_temperature", "softmax"]


def genre_timeline(model, y: np.ndarray, genres, *, hop_seconds: float = 1.5, params: AudioParams = AUDIO) -> pd.DataFrame:
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

    Notebook: 04_confusion_matrix.ipynb
    """
    from .features import window_features
    from .model import predict_proba

    X, starts = window_features(y, hop_seconds=hop_seconds, params=params)
    proba = predict_proba(model, X)
    return pd.DataFrame(proba, columns=list(genres), index=pd.Index(np.round(starts, 2), name="start_s"))


def occlusion_map(model, x: np.ndarray, *, target: int | None = None, frames: int = 20, bands: int = 8,
                  fill: float | None = None) -> np.ndarray:
    """What the network attends to: how much hiding each patch lowers the evidence for a genre.

    The spectrogram is covered, one patch of ``frames`` x ``bands`` at a
    time, with its mean value, and the map holds the drop in the
    **log-odds** of ``target`` (``log p / (1 - p)``, from the scores before
    the softmax). Log-odds are used instead of probabilities because a
    confident network's probability sits at 0.9999 and barely moves, while
    its log-odds still show which regions carry the evidence. Positive
    values mark regions the decision relies on; negative ones argue against it.

    Parameters
    ----------
    model : keras.Model
    x : np.ndarray
        One clip's feature, shape ``(388, 128)``.
    target : int or None
        Genre index to explain; default the predicted one.
    frames, bands : int
        Patch size in time frames and mel bands.
    fill : float or None
        Value painted into the patch (default: the clip's mean).

    Returns
    -------
    np.ndarray
        ``(388, 128)`` drop in log-odds, same layout as ``x``.

    Notebook: 04_confusion_matrix.ipynb
    """
    from scipy.special import logsumexp

    from .model import predict_logits

    x = np.asarray(x, dtype=np.float32)
    fill = float(x.mean()) if fill is None else fill
    t_starts, b_starts = range(0, x.shape[0], frames), range(0, x.shape[1], bands)
    batch = [x]
    for t in t_starts:
        for b in b_starts:
            xo = x.copy()
            xo[t:t + frames, b:b + bands] = fill
            batch.append(xo)
    z = predict_logits(model, np.stack(batch))
    target = int(np.argmax(z[0])) if target is None else int(target)
    others = np.delete(z, target, axis=1)
    log_odds = z[:, target] - logsumexp(others, axis=1)
    drops = log_odds[0] - log_odds[1:]
    heat = np.zeros_like(x)
    i = 0
    for t in t_starts:
        for b in b_starts:
            heat[t:t + frames, b:b + bands] = drops[i]
            i += 1
    return heat


def file_timeline(model, path, genres, *, hop_seconds: float = 4.5, params: AudioParams = AUDIO):
    """Genre probabilities of every 9 s window of an audio file, computed in blocks (any length, bounded memory).

    Returns
    -------
    timeline : pandas.DataFrame
        Index ``start_s`` (window start; the window covers ``start_s`` to
        ``start_s + 9``), one probability column per genre.
    padded_seconds : float
        Silence appended to a recording shorter than 9 s (0.0 otherwise).

    Notebook: 05_your_own_recording.ipynb
    """
    from .evaluate import predict_any
    from .features import file_windows

    probas, starts, padded = [], [], 0.0
    for X, st, pad in file_windows(path, hop_seconds=hop_seconds, params=params):
        probas.append(predict_any(model, X))
        starts.append(st)
        padded = pad
    index = pd.Index(np.round(np.concatenate(starts), 2), name="start_s")
    return pd.DataFrame(np.concatenate(probas), columns=list(genres), index=index), padded


def predict_recording(model, path, genres, *, hop_seconds: float = 4.5, top: int = 3,
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

    Notebook: 05_your_own_recording.ipynb
    """
    from pathlib import Path

    genres = list(genres)
    if not 1 <= top <= len(genres):
        raise ValueError(f"--top must be between 1 and {len(genres)} (the model knows {len(genres)} genres), got {top}")
    path = Path(path)
    out = {"file": path.name, "seconds": None, "windows": 0, "top": [], "timeline": [], "flags": [], "error": None}
    try:
        table, padded = file_timeline(model, path, genres, hop_seconds=hop_seconds, params=params)
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as err:  # noqa: BLE001 - one bad file never stops a batch: its reason is reported
        out["error"] = f"{type(err).__name__}: {err}".replace(str(path), path.name)
        return out
    proba, starts = table.to_numpy(), table.index.to_numpy(dtype=float)
    from .audio import audio_duration

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
    from .audio import audio_blocks, is_silent

    return all(is_silent(b) for b in audio_blocks(path, params=params))  # stops at the first block with sound


# --------------------------------------------------------------------------
# Right for the right reason? (notebook 06)
# --------------------------------------------------------------------------

def plant_cue(X: np.ndarray, *, band: int = 100, level_db: float = -30.0) -> np.ndarray:
    """Add a faint, steady tone in one mel band to every frame of each clip: a planted shortcut ("horse").

    In the log-mel domain a steady tone ``level_db`` below the clip's peak
    raises one band to at least that level; everything else is unchanged.

    Parameters
    ----------
    X : np.ndarray
        ``(n_clips, 388, 128)`` log-mel features in dB.
    band : int
        The mel band holding the tone (100 is near 6 kHz).
    level_db : float
        Its level below each clip's peak (-30 dB: quiet, but steady).

    Returns
    -------
    np.ndarray
        A copy of ``X`` with the cue.

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    out = np.array(X, dtype=np.float32, copy=True)
    out[..., band] = np.maximum(out[..., band], level_db)
    return out


def occlusion_by_genre(model, X: np.ndarray, y: np.ndarray, genres, *, per_genre: int = 4,
                       frames: int = 388, bands: int = 8) -> dict:
    """Where the evidence lies: occlusion maps averaged over correctly classified clips of each genre.

    With ``frames=388`` each patch covers the whole 9 s of some mel bands, so
    the map says which *bands* the decision relies on; smaller ``frames`` also
    show *when*.

    Returns
    -------
    dict
        genre -> ``(388, 128)`` mean drop in log-odds (positive: evidence for the genre).

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    from .evaluate import predict_any

    pred = predict_any(model, X).argmax(1)
    out = {}
    for g, name in enumerate(genres):
        idx = np.flatnonzero((y == g) & (pred == g))[:per_genre]
        if len(idx):
            out[name] = np.mean([occlusion_map(model, X[i], target=g, frames=frames, bands=bands) for i in idx], axis=0)
    return out


def nearest_songs(query: np.ndarray, pool: np.ndarray, *, k: int = 3) -> np.ndarray:
    """Indices of the ``k`` rows of ``pool`` closest to ``query`` (cosine similarity of embeddings).

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    q = query / (np.linalg.norm(query) + 1e-9)
    p = pool / (np.linalg.norm(pool, axis=1, keepdims=True) + 1e-9)
    return np.argsort(-(p @ q))[:k]


def softmax(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of scores ``z / temperature``.

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    z = np.asarray(z, dtype=float) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def reliability_table(proba: np.ndarray, y: np.ndarray, *, n_bins: int = 5) -> pd.DataFrame:
    """Confidence against accuracy, in bins of confidence: the numbers behind a reliability diagram.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin: ``bin`` (e.g. ``"0.8-1.0"``), ``n``,
        ``confidence`` (mean top probability) and ``accuracy``.

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    conf = proba.max(axis=1)
    right = proba.argmax(axis=1) == np.asarray(y)
    edges = np.linspace(0, 1, n_bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        m = which == b
        if m.any():
            rows.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "n": int(m.sum()),
                         "confidence": float(conf[m].mean()), "accuracy": float(right[m].mean())})
    return pd.DataFrame(rows)


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, *, n_bins: int = 5) -> float:
    """ECE: the gap between confidence and accuracy, averaged over bins weighted by their size.

    0 means "80% sure" is right 80% of the time; a network that is always 99%
    sure and right 70% of the time has an ECE near 0.29.

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    t = reliability_table(proba, y, n_bins=n_bins)
    if t.empty:
        return float("nan")
    return float((t["n"] * (t["confidence"] - t["accuracy"]).abs()).sum() / max(1, t["n"].sum()))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature scaling: the one number T that makes ``softmax(logits / T)`` fit held-out labels best.

    Fit on the validation songs, never the test songs. T > 1 softens an
    over-confident network; the argmax (and so the accuracy) never changes.

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    from scipy.optimize import minimize_scalar

    y = np.asarray(y)

    def nll(log_t):
        p = softmax(logits, float(np.exp(log_t)))
        return -float(np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))

    return float(np.exp(minimize_scalar(nll, bounds=(-3, 4), method="bounded").x))


def decision_flips(model, X: np.ndarray, *, axis: str = "band", size: int = 8, seed: int = 0):
    """How many decisions change when one stripe of mel bands (or of time) is swapped between clips.

    Each clip gets the stripe of another clip (a seeded shuffle), all else
    unchanged: the stripe's information is scrambled, but it still looks like
    music (hiding it with a constant would draw a steady line, which is a
    pattern of its own). A model that is right for robust reasons should not
    hang on one narrow band or moment; a model that learned a shortcut
    ("horse") flips when the shortcut's stripe is scrambled.

    Parameters
    ----------
    model : keras.Model or MFCCBaseline
    X : np.ndarray
        ``(n_clips, 388, 128)`` features.
    axis : {"band", "time"}
        Swap ``size`` mel bands over the whole clip, or ``size`` frames over all bands.
    size : int
        Width of the stripe.
    seed : int
        Seed of the shuffle.

    Returns
    -------
    pandas.DataFrame
        One row per stripe: ``start``, ``stop`` (band or frame indices) and
        ``flipped`` (share of clips whose predicted genre changes).

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    from .evaluate import predict_any

    X = np.asarray(X, dtype=np.float32)
    base = predict_any(model, X).argmax(1)
    n = X.shape[2] if axis == "band" else X.shape[1]
    order = np.random.default_rng(seed).permutation(len(X))
    # a random cycle through the clips: each clip takes the stripe of the clip before it in the cycle,
    # so (with two or more clips) no clip keeps its own stripe
    other = np.empty_like(order)
    other[order] = np.roll(order, 1)
    rows = []
    for start in range(0, n, size):
        Xo = X.copy()
        if axis == "band":
            Xo[:, :, start:start + size] = X[other, :, start:start + size]
        else:
            Xo[:, start:start + size, :] = X[other, start:start + size, :]
        flipped = float(np.mean(predict_any(model, Xo).argmax(1) != base))
        rows.append({"start": start, "stop": min(n, start + size), "flipped": flipped})
    return pd.DataFrame(rows)
