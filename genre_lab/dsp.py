"""The log-mel spectrogram in numpy, step by step as librosa computes it: STFT, power, mel filterbank, dB.

Each step is written out (and pinned to librosa by the tests) because extracting
features then needs no librosa import and runs faster on short clips; notebook 01
derives the same steps with librosa and checks them against :func:`log_mel`.
In the style of libfmp: short functions, shapes in the docstrings.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import functools
import threading

import numpy as np

from .audio import audio_blocks
from .config import AUDIO, AudioParams

__all__ = ["log_mel", "file_mel_power"]


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default, ``htk=False``): linear below 1 kHz, logarithmic above."""
    f = np.asarray(f, dtype=np.float64)
    return np.where(f < 1000.0, 3.0 * f / 200.0, 15.0 + np.log(np.maximum(f, 1000.0) / 1000.0) / (np.log(6.4) / 27.0))


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    return np.where(m < 15.0, 200.0 * m / 3.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)))


@functools.lru_cache(maxsize=8)
def _mel_basis(params: AudioParams) -> np.ndarray:
    """Mel filterbank ``(n_mels, 1 + n_fft // 2)``: ``librosa.filters.mel`` with its defaults, built once.

    Triangles equally spaced on Slaney's mel scale from 0 Hz to Nyquist, each
    scaled to unit area (``norm="slaney"``). Written out with numpy (equal to
    librosa's within 1e-6, tested) so that extracting features does not
    import librosa: that import (scipy.signal and numba) costs 1.8 s in every
    fresh process, as long as extracting 500 clips (bench/features.py).
    Notebook 01 builds it with librosa and plots it.
    """
    sr, n_fft, n_mels = params.sample_rate, params.n_fft, params.n_mels
    fft_hz = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(sr / 2.0), n_mels + 2))
    ramps = edges[:, None] - fft_hz[None, :]
    width = np.diff(edges)
    rising, falling = -ramps[:-2] / width[:-1, None], ramps[2:] / width[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


@functools.lru_cache(maxsize=8)
def _window(params: AudioParams) -> np.ndarray:
    """The periodic Hann window ``librosa.stft`` uses (``scipy.signal.get_window("hann", n_fft)``), float32."""
    n = np.arange(params.n_fft)
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * n / params.n_fft)).astype(np.float32)


_scratch_space = threading.local()
#: Work arrays larger than this (a few minutes of audio, a batch of clips) are not kept for reuse.
SCRATCH_MAX_BYTES = 16 * 1024 ** 2


def _scratch(name: str, shape: tuple, dtype=np.float32) -> np.ndarray:
    """A per-thread work array, reused from one clip to the next.

    Allocating each clip's ~6 MB of temporaries afresh makes the allocator
    hand the memory back to the OS and page-fault it in again every time:
    40% of the extraction time of a fresh process (bench/features.py).
    """
    if int(np.prod(shape)) * np.dtype(dtype).itemsize > SCRATCH_MAX_BYTES:  # a long recording: not kept
        return np.empty(shape, dtype)
    bufs = _scratch_space.__dict__.setdefault("bufs", {})
    buf = bufs.get(name)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = bufs[name] = np.empty(shape, dtype)
    return buf


def _power_frames(y: np.ndarray, params: AudioParams, *, center: bool = True) -> np.ndarray:
    """Power spectrum of every frame, shape ``(..., n_frames, 1 + n_fft // 2)``.

    ``librosa.stft`` step for step (periodic Hann window; with ``center``, the
    signal zero-padded by ``n_fft // 2`` at both ends, as librosa's default
    ``pad_mode="constant"``), squared magnitude. Written with numpy's frame view
    and ``scipy.fft.rfft`` in float32 because it is 2.3x faster than
    ``librosa.stft`` on a 9 s clip (1.6 vs 3.6 ms: librosa's general-purpose
    checks and padding dominate at this size); tests pin it to librosa.

    The result is a scratch array of this thread, overwritten by the next
    call: use it before calling again.
    """
    import scipy.fft

    n_fft, half = params.n_fft, params.n_fft // 2
    y = np.asarray(y, dtype=np.float32)
    if center:
        padded = _scratch("padded", y.shape[:-1] + (y.shape[-1] + 2 * half,))
        padded[..., :half] = 0.0
        padded[..., -half:] = 0.0
        padded[..., half:-half] = y
        y = padded
    frames = np.lib.stride_tricks.sliding_window_view(y, n_fft, axis=-1)[..., :: params.hop_length, :]
    windowed = np.multiply(frames, _window(params), out=_scratch("windowed", frames.shape))
    D = scipy.fft.rfft(windowed, axis=-1)
    power = np.multiply(D.real, D.real, out=_scratch("power", D.shape))
    power += np.multiply(D.imag, D.imag, out=_scratch("imag", D.shape))
    return power


def _mel_power(y: np.ndarray, params: AudioParams) -> np.ndarray:
    """Mel power spectrogram, shape ``(..., n_mels, n_frames)``.

    The same steps and defaults as ``librosa.feature.melspectrogram`` (centred
    STFT, power 2, Slaney mel filterbank) and equal to it within float32
    rounding (tested), but the filterbank is built once instead of on every
    call (a fifth of the cost of a 9 s clip) and applied with one matrix product.
    """
    P = _power_frames(y, params)  # (..., n_frames, n_freqs)
    return np.swapaxes(P @ _mel_basis(params).T, -1, -2)


def _to_db(S: np.ndarray, params: AudioParams) -> np.ndarray:
    """dB below each item's own peak, floored ``top_db`` below it.

    ``librosa.power_to_db(S, ref=np.max, top_db=top_db)`` per item (tested),
    written with numpy for the same reason as :func:`_mel_basis`; the same in
    librosa 0.11 and 1.0.
    """
    ref_db = 10.0 * np.log10(np.maximum(S.max(axis=(-2, -1), keepdims=True), 1e-10))
    db = np.maximum(S, 1e-10)  # one new array, then in place
    np.log10(db, out=db)
    db *= 10.0
    db -= ref_db
    return np.maximum(db, -params.top_db, out=db)


def log_mel(y: np.ndarray, *, params: AudioParams = AUDIO) -> np.ndarray:
    """Log-mel spectrogram, time first.

    Parameters
    ----------
    y : np.ndarray
        Audio at ``params.sample_rate``, shape ``(n_samples,)`` or a batch
        ``(n_clips, n_samples)``.
    params : AudioParams
        n_fft, hop and mel bands.

    Returns
    -------
    np.ndarray
        float32, shape ``(n_frames, n_mels)`` or ``(n_clips, n_frames, n_mels)``;
        dB relative to each clip's maximum, in ``[-top_db, 0]``. A silent clip
        gives zeros, never NaN or -inf.

    Examples
    --------
    >>> y = np.zeros(AUDIO.n_samples, dtype=np.float32)
    >>> log_mel(y).shape
    (388, 128)

    Notebook: 01_mel_spectrograms.ipynb
    """
    db = _to_db(_mel_power(np.asarray(y, dtype=np.float32), params), params)
    return np.ascontiguousarray(np.swapaxes(db, -1, -2), dtype=np.float32)


def file_mel_power(path, *, params: AudioParams = AUDIO, block_seconds: float = 60.0) -> tuple[np.ndarray, int]:
    """Mel power spectrogram of a whole file, computed block by block in bounded memory.

    Equals ``_mel_power(load_audio(path))`` (a centred STFT with zero padding,
    as ``librosa.stft(center=True)``): the audio is streamed by
    :func:`genre_lab.audio.audio_blocks` and framed across block boundaries, so
    only one block of audio is held at a time. The spectrogram itself (128
    floats per 23 ms, about 80 MB for an hour) is what is kept.

    Returns
    -------
    S : np.ndarray
        Shape ``(n_mels, n_frames)`` with ``n_frames = 1 + n_samples // hop``.
    n_samples : int
        Samples of audio decoded at the analysis rate.

    Notebook: 07_your_own_recording.ipynb
    """
    n_fft, hop, half = params.n_fft, params.hop_length, params.n_fft // 2
    basis = _mel_basis(params)
    buf = np.zeros(half, np.float32)  # the centre padding before the first sample
    parts, total, done = [], 0, 0

    def frames_of(seg: np.ndarray, n: int) -> np.ndarray:
        P = _power_frames(seg[: (n - 1) * hop + n_fft], params, center=False)
        return np.ascontiguousarray((P @ basis.T).T, dtype=np.float32)

    for block in audio_blocks(path, block_seconds=block_seconds, params=params):
        total += len(block)
        buf = np.concatenate([buf, block])
        n = 1 + (len(buf) - n_fft) // hop if len(buf) >= n_fft else 0
        if n > 0:
            parts.append(frames_of(buf, n))
            buf = buf[n * hop:]
            done += n
    want = 1 + total // hop
    if want > done:
        buf = np.concatenate([buf, np.zeros(half + n_fft, np.float32)])  # centre padding after the last sample
        parts.append(frames_of(buf, want - done))
    return np.concatenate(parts, axis=1), total
