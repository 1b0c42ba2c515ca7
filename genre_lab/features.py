"""Load audio and turn it into log-mel spectrograms: one clip, windows, or a cached batch.

One clip's feature is the log-mel spectrogram of its first 9 seconds, shape
``(388, 128)``: 388 time frames x 128 mel bands, float32, in dB below the
clip's loudest bin. Time comes first because the CNN slides along time and
treats the mel bands as channels.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .audio import MIN_SECONDS, AudioError, fix_length, load_audio
from .cache import files_key, load_arrays, prune_cache, save_arrays
from .config import AUDIO, HOP_SECONDS, AudioParams, cache_dir, data_root
from .dsp import _mel_power, _to_db, file_mel_power, log_mel

__all__ = [
    "FeatureSet",
    "file_mel_power",
    "file_windows",
    "extract_features",
    "extract_windows",
    "cut_windows",
    "log_mel",
    "clip_feature",
    "window_features",
]

log = logging.getLogger(__name__)

#: Bump when the feature computation changes, so old caches are not reused.
FEATURE_VERSION = 3


def clip_feature(path, *, params: AudioParams = AUDIO) -> tuple[np.ndarray, float]:
    """Feature of one file: the log-mel spectrogram of its first ``clip_seconds``.

    Parameters
    ----------
    path : str or Path
        Any audio file :func:`load_audio` reads: any length, channels or sample rate.
    params : AudioParams
        Analysis parameters (default: the reference experiment's).

    Returns
    -------
    feature : np.ndarray
        Shape ``(388, 128)``, time x mel, float32.
    padded_seconds : float
        Seconds of silence appended because the file was shorter than a clip
        (0.0 for a full clip). Padding is also logged.

    Notebook: 01_mel_spectrograms.ipynb
    """
    y, pad = _first_clip(path, params)
    if pad:
        log.warning("%s is shorter than %.1f s: padded %.2f s of silence", Path(path).name,
                    params.clip_seconds, pad / params.sample_rate)
    return log_mel(y, params=params), pad / params.sample_rate


def _decode(path, params: AudioParams, duration: float | None = None) -> np.ndarray:
    """:func:`load_audio`, refusing files shorter than :data:`MIN_SECONDS` (truncated or corrupt)."""
    y = load_audio(path, params=params, duration=duration)
    if len(y) < MIN_SECONDS * params.sample_rate:
        raise AudioError(f"only {len(y) / params.sample_rate:.2f} s of audio could be decoded from "
                         f"{Path(path).name}; at least {MIN_SECONDS:g} s is needed (truncated or corrupt file?)",
                         kind="too short")
    return y


def _first_clip(path, params: AudioParams) -> tuple[np.ndarray, int]:
    """Decode only the first ``clip_seconds`` of a file and pad it to a full clip."""
    return fix_length(_decode(path, params, params.clip_seconds), params.n_samples)


def _window_hop_frames(hop_seconds: float, params: AudioParams) -> int:
    return max(1, int(round(hop_seconds * params.sample_rate / params.hop_length)))


def window_features(y: np.ndarray, *, hop_seconds: float = HOP_SECONDS, params: AudioParams = AUDIO) -> tuple[np.ndarray, np.ndarray]:
    """Log-mel features of fixed-length windows over a whole recording.

    The mel spectrogram of the whole recording is computed once and cut into
    windows of ``params.n_frames`` frames (9 s) every ``hop_seconds``
    (rounded to whole frames); each window is then converted to dB below its
    own peak, exactly like a single clip. Audio shorter than one window is
    zero-padded to one window.

    Parameters
    ----------
    y : np.ndarray
        Mono audio at ``params.sample_rate``, shape ``(n_samples,)``.
    hop_seconds : float
        Seconds between window starts.

    Returns
    -------
    windows : np.ndarray
        Shape ``(n_windows, 388, 128)``, float32.
    starts : np.ndarray
        Start time of each window in seconds, shape ``(n_windows,)``.

    Notebook: 06_voting_attention_baseline.ipynb
    """
    y = np.asarray(y, dtype=np.float32)
    if len(y) < params.n_samples:
        y, _ = fix_length(y, params.n_samples)
    S = _mel_power(y, params)  # (n_mels, T)
    hop = _window_hop_frames(hop_seconds, params)
    first = np.arange(1 + (S.shape[1] - params.n_frames) // hop)
    return cut_windows(S, first, hop, params), first * hop * params.hop_length / params.sample_rate


def cut_windows(S: np.ndarray, first: np.ndarray, hop: int, params: AudioParams = AUDIO) -> np.ndarray:
    """Windows ``first`` of a mel power spectrogram, each converted to dB below its own peak: the one window cutter.

    Parameters
    ----------
    S : np.ndarray
        ``(n_mels, n_frames_total)`` mel power of a whole recording.
    first : np.ndarray
        Indices of the windows to cut (window ``k`` starts at frame ``k * hop``).
    hop : int
        Frames between window starts.

    Returns
    -------
    np.ndarray
        ``(len(first), 388, 128)`` float32, time x mel, each exactly as :func:`log_mel` of that window's audio.

    Notebook: 06_voting_attention_baseline.ipynb
    """
    idx = np.asarray(first)[:, None] * hop + np.arange(params.n_frames)[None, :]
    db = _to_db(np.moveaxis(S[:, idx], 0, 1), params)  # (n, n_mels, n_frames)
    return np.ascontiguousarray(np.swapaxes(db, -1, -2), dtype=np.float32)


def file_windows(path, *, hop_seconds: float = HOP_SECONDS, params: AudioParams = AUDIO, batch: int = 64):
    """Window features of a whole file, in batches, in bounded memory.

    The file is decoded in blocks and its mel spectrogram computed once
    (:func:`file_mel_power`); windows of 9 s every ``hop_seconds`` are cut from
    it and converted to dB ``batch`` at a time, exactly as
    :func:`window_features` does for audio in memory. A file shorter than 9 s
    is zero-padded to one window.

    Yields
    ------
    X : np.ndarray
        ``(n, 388, 128)`` float32, ``n <= batch``.
    starts : np.ndarray
        Window start times in seconds, ``(n,)``.
    padded_seconds : float
        Seconds of silence appended to a short file (0.0 otherwise).

    Notebook: 07_your_own_recording.ipynb
    """
    S, n_samples = file_mel_power(path, params=params)
    if n_samples < MIN_SECONDS * params.sample_rate:
        raise AudioError(f"only {n_samples / params.sample_rate:.2f} s of audio in {Path(path).name}; at least "
                         f"{MIN_SECONDS:g} s is needed", kind="too short")
    padded = 0.0
    if S.shape[1] < params.n_frames:  # shorter than one window: pad the audio, as for a single clip
        y, pad = fix_length(load_audio(path, params=params), params.n_samples)
        S, padded = _mel_power(y, params), pad / params.sample_rate
    hop = _window_hop_frames(hop_seconds, params)
    n_win = 1 + (S.shape[1] - params.n_frames) // hop
    for first in range(0, n_win, batch):
        k = np.arange(first, min(n_win, first + batch))
        yield cut_windows(S, k, hop, params), k * hop * params.hop_length / params.sample_rate, padded


# --------------------------------------------------------------------------
# Batches: parallel, cached
# --------------------------------------------------------------------------

@dataclass
class FeatureSet:
    """Features of a track table, aligned row by row.

    Attributes
    ----------
    X : np.ndarray
        ``(n_examples, 388, 128)`` float32: one row per clip (or per window).
    tracks : pandas.DataFrame
        One row per example: ``track_id``, ``genre``, ``path``, plus
        ``start_s`` (window start) and ``padded_s`` (seconds of padding).
    skipped : pandas.DataFrame
        Files that could not be decoded: ``path``, ``reason``.
    from_cache : bool
        Whether the features were loaded from the disk cache.
    """

    X: np.ndarray
    tracks: pd.DataFrame
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["path", "reason"]))
    from_cache: bool = False


def _failure(err: Exception, path: Path) -> str:
    """Why a file was skipped, without the machine's path in it."""
    return f"{type(err).__name__}: {err}".replace(str(path), path.name)


def _extract_windows_one(path: Path, hop_seconds: float, params: AudioParams):
    """Worker: one file's window features (decoded once, in blocks), or the error."""
    try:
        parts, starts, padded = [], [], 0.0
        for X, st, pad in file_windows(path, hop_seconds=hop_seconds, params=params):
            parts.append(X)
            starts.append(st)
            padded = pad
        return np.concatenate(parts), np.concatenate(starts), padded, None
    except (OSError, AudioError) as err:  # a corrupt or vanished file must not sink the batch (a bug must)
        return None, None, 0.0, _failure(err, path)


def _extract_chunk(paths, mode, hop_seconds, params):
    """Worker: a chunk of files, each decoded once and transformed at once.

    Clip by clip, each through the same per-thread work arrays
    (:func:`_scratch`), rather than stacked into one batch of new arrays.

    Returns one ``(X, starts, padded_seconds, error)`` tuple per file.
    """
    if mode != "clip":
        return [_extract_windows_one(p, hop_seconds, params) for p in paths]
    out = []
    for p in paths:
        try:
            y, pad = _first_clip(p, params)
        except (OSError, AudioError) as err:  # a corrupt or vanished file must not sink the batch (a bug must)
            out.append((None, None, 0.0, _failure(err, p)))
            continue
        out.append((log_mel(y, params=params)[None], np.zeros(1), pad / params.sample_rate, None))
    return out


def _cache_key(tracks: pd.DataFrame, root: Path, mode: str, hop_seconds: float, params: AudioParams) -> str:
    return files_key(root, tracks["path"], version=FEATURE_VERSION, mode=mode,
                     hop_seconds=hop_seconds if mode == "windows" else None, params=params.to_dict())


def _extract(tracks, root, mode, hop_seconds, params, n_jobs, cache) -> FeatureSet:
    from joblib import Parallel, delayed, effective_n_jobs
    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    root = data_root(root)
    tracks = tracks.reset_index(drop=True)
    key = _cache_key(tracks, root, mode, hop_seconds, params)
    path = cache_dir() / f"{mode}-{key[:20]}.npz"
    if cache:
        hit = load_arrays(path, key)
        if hit is not None:
            log.info("loaded %s features of %d tracks from cache", mode, len(tracks))
            rows = tracks.iloc[hit["row"]].reset_index(drop=True).assign(start_s=hit["start_s"], padded_s=hit["padded_s"])
            skipped = pd.DataFrame({"path": hit["skipped_path"].astype(str), "reason": hit["skipped_reason"].astype(str)})
            return FeatureSet(hit["X"], rows, skipped, from_cache=True)

    paths = [root / p for p in tracks["path"]]
    n_workers = effective_n_jobs(n_jobs)
    size = max(1, min(16, int(np.ceil(len(paths) / (4 * n_workers)))))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    results = []
    # Threads, not processes: decoding, the FFTs and the matrix products release
    # the GIL, and threads start at once where each process would import
    # numpy, scipy and soundfile again.
    # One BLAS thread each, since the workers already fill the cores.
    with threadpool_limits(1), tqdm(total=len(paths), desc=f"log-mel ({mode})", unit="clip", leave=False) as bar:
        for out in Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
                delayed(_extract_chunk)(c, mode, hop_seconds, params) for c in chunks):
            results.extend(out)
            bar.update(len(out))

    X_parts, rows, starts, padded, skipped = [], [], [], [], []
    for i, (X, st, pad, err) in enumerate(results):
        rel = tracks.at[i, "path"]
        if err is not None:
            log.warning("skipping %s: %s", rel, err)
            skipped.append((rel, err))
            continue
        if pad:
            log.warning("%s is shorter than %.1f s: padded %.2f s of silence", rel, params.clip_seconds, pad)
        X_parts.append(X)
        rows += [i] * len(X)
        starts.append(st)
        padded += [pad] * len(X)
    X = np.concatenate(X_parts) if X_parts else np.zeros((0, *params.feature_shape), np.float32)
    row = np.asarray(rows, dtype=np.int64)
    start_s = np.concatenate(starts) if starts else np.zeros(0)
    padded_s = np.asarray(padded, dtype=np.float64)
    skipped = pd.DataFrame(skipped, columns=["path", "reason"])
    if cache:
        save_arrays(path, key, X=X, row=row, start_s=start_s, padded_s=padded_s,
                    skipped_path=skipped["path"].to_numpy(dtype=str), skipped_reason=skipped["reason"].to_numpy(dtype=str))
        prune_cache(path.parent, keep=[path])
    out_rows = tracks.iloc[row].reset_index(drop=True).assign(start_s=start_s, padded_s=padded_s)
    return FeatureSet(X, out_rows, skipped, from_cache=False)


def extract_features(tracks: pd.DataFrame, root=None, *, params: AudioParams = AUDIO, n_jobs: int = -1,
                     cache: bool = True) -> FeatureSet:
    """Log-mel features of the first 9 s of every track, in parallel and cached.

    Each file is decoded once (only its first 9 s). The result is cached on
    disk keyed by the audio parameters and every file's path, size and
    modification time; a second call loads it (no pickle). The cache file is
    written to a temporary name and renamed into place, so an interrupted
    write never leaves a file that passes for valid.

    Parameters
    ----------
    tracks : pandas.DataFrame
        Track table from :func:`genre_lab.datasets.find_tracks`.
    root : str or Path or None
        Data root the ``path`` column is relative to.
    params : AudioParams
        Feature parameters.
    n_jobs : int
        Parallel workers (``-1``: all cores).
    cache : bool
        Read and write the disk cache.

    Returns
    -------
    FeatureSet
        ``X`` of shape ``(n_tracks, 388, 128)``; files that fail to decode are
        skipped with a warning and listed in ``skipped``.

    Notebook: 03_dataset_split.ipynb
    """
    return _extract(tracks, root, "clip", 0.0, params, n_jobs, cache)


def extract_windows(tracks: pd.DataFrame, root=None, *, hop_seconds: float = HOP_SECONDS, params: AudioParams = AUDIO,
                    n_jobs: int = -1, cache: bool = True) -> FeatureSet:
    """Log-mel features of 9 s windows over each whole track, for song-level voting.

    Like :func:`extract_features`, but every track gives several rows (one per
    window, see :func:`window_features`); ``tracks.start_s`` says where each
    window starts.

    Parameters
    ----------
    tracks : pandas.DataFrame
        Track table (``track_id``, ``genre``, ``path`` relative to ``root``).
    root : str or Path or None
        Data root.
    hop_seconds : float
        Seconds between window starts (4.5 s: 5 windows per 30 s clip).
    params : AudioParams
    n_jobs : int
        Worker threads (``-1``: all cores).
    cache : bool
        Load from and save to the feature cache.

    Returns
    -------
    FeatureSet
        ``X`` of shape ``(n_windows_total, 388, 128)``.

    Notebook: 06_voting_attention_baseline.ipynb
    """
    return _extract(tracks, root, "windows", float(hop_seconds), params, n_jobs, cache)
