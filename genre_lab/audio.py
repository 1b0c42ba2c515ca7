"""Decode any audio file to mono float32 at 22,050 Hz: whole, a part, or in blocks.

``load_audio`` returns what ``librosa.load(path, sr=22050, mono=True)`` returns
(soundfile first, librosa's other decoders as a fallback); ``audio_blocks``
streams a long recording in blocks of bounded size, so an hour of audio is
never held at its native rate. Every failure says what happened: missing,
unreadable (permission), undecodable (with a conversion hint), too short,
non-finite samples. A silent recording is not an error, but
:func:`is_silent` lets callers flag it.

Notebook: 01_mel_spectrograms.ipynb, 07_your_own_recording.ipynb
"""

from __future__ import annotations

import errno
import logging
import os
import struct
import warnings
from pathlib import Path

import numpy as np

from .config import AUDIO, AudioParams

__all__ = ["AudioError", "DECODE_ERRORS", "load_audio", "audio_blocks", "audio_duration", "fix_length", "is_silent",
           "MIN_SECONDS", "SILENCE_PEAK"]

log = logging.getLogger(__name__)

#: What reading a bad file raises: libsndfile's errors are RuntimeErrors (``soundfile.LibsndfileError``), the
#: standard library's readers raise EOFError or struct.error. Caught only around the reading calls themselves and
#: reported as an AudioError; what happens after (mixing, resampling) is never caught: a bug there propagates.
DECODE_ERRORS: tuple[type[BaseException], ...] = (RuntimeError, EOFError, struct.error)

#: A recording shorter than this is refused as too short (scan and decode alike).
MIN_SECONDS = 1.0
#: A recording whose peak is below this (-80 dBFS) is flagged as silent.
SILENCE_PEAK = 1e-4


class AudioError(ValueError):
    """A file that exists but cannot be used as audio; ``kind`` says why.

    ``kind`` is one of ``"undecodable"``, ``"too short"``, ``"non-finite"``,
    ``"offset"``.
    """

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.kind = kind


def _ffmpeg_hint(path: Path) -> str:
    return (f"genre_lab reads wav, flac, ogg, mp3 and au; convert other formats first, "
            f"e.g. `ffmpeg -i {path.name} {path.stem}.wav`")


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise FileNotFoundError(f"no audio file at {path}")
    if not path.is_file():
        raise AudioError(f"{path.name} is not a file", kind="undecodable")
    if not os.access(path, os.R_OK):
        raise PermissionError(errno.EACCES, f"cannot read {path.name}: permission denied "
                                            "(check the file's owner and mode)")


def _check_finite(y: np.ndarray, path: Path) -> np.ndarray:
    if not np.all(np.isfinite(y)):
        bad = int(np.count_nonzero(~np.isfinite(y)))
        raise AudioError(f"{path.name} holds {bad} NaN or infinite samples: the file is damaged "
                         "(a float WAV written without clipping?); re-export it", kind="non-finite")
    return y


def load_audio(path, *, params: AudioParams = AUDIO, offset: float = 0.0, duration: float | None = None) -> np.ndarray:
    """Decode an audio file to mono float32 at the analysis sample rate.

    Stereo is mixed down and other sample rates are resampled (soxr, as
    ``librosa.load`` does); the result equals ``librosa.load(path, sr=22050,
    mono=True, offset=offset, duration=duration)`` (tested).

    Parameters
    ----------
    path : str or Path
        Any format soundfile reads (wav, au, flac, ogg, mp3), or audioread
        where librosa still offers it.
    params : AudioParams
        Supplies the target sample rate.
    offset, duration : float
        Seconds to skip, and seconds to read (``None``: to the end).

    Returns
    -------
    np.ndarray
        Shape ``(n_samples,)``, float32. May be shorter than asked for: see
        :func:`fix_length`.

    Raises
    ------
    FileNotFoundError, PermissionError
        Missing or unreadable file.
    AudioError
        Undecodable file (with a conversion hint), an offset past the end, no
        samples, or NaN/inf samples.

    Notebook: 01_mel_spectrograms.ipynb
    """
    path = Path(path)
    _check_readable(path)
    y = _read_soundfile(path, params.sample_rate, offset, duration)
    if y is None:  # a format soundfile cannot open: let librosa try its other decoders
        y = _read_librosa(path, params.sample_rate, offset, duration)
    if y.size == 0:
        raise AudioError(f"no audio samples could be decoded from {path.name} (empty or truncated file)",
                         kind="too short")
    return _check_finite(np.ascontiguousarray(y, dtype=np.float32), path)


def _undecodable(path: Path, err: BaseException) -> AudioError:
    detail = f"{type(err).__name__}: {err}".replace(str(path), path.name).rstrip(": ")
    return AudioError(f"cannot decode {path.name} ({detail}). {_ffmpeg_hint(path)}", kind="undecodable")


def _read_librosa(path: Path, sr: int, offset: float, duration: float | None) -> np.ndarray:
    import librosa

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=FutureWarning)
            warnings.filterwarnings("ignore", category=UserWarning, message="PySoundFile failed")
            y, _ = librosa.load(str(path), sr=sr, mono=True, offset=offset, duration=duration)
    except (MemoryError, PermissionError):
        raise
    except DECODE_ERRORS + (ValueError,) + _audioread_errors() as err:  # librosa's decoders: ValueError too
        raise _undecodable(path, err) from err
    return y


def _audioread_errors() -> tuple[type[BaseException], ...]:
    """audioread's decode errors (librosa 0.11's last fallback; librosa 1.0 has none)."""
    try:
        from audioread.exceptions import DecodeError
    except ImportError:
        return ()
    return (DecodeError,)


#: The container format libsndfile must find in a file of each extension (a header-less file reads as RAW).
CONTAINERS = {".au": {"AU"}, ".snd": {"AU"}, ".wav": {"WAV", "WAVEX", "RF64"}, ".flac": {"FLAC"},
              ".ogg": {"OGG"},
              ".mp3": {"MP3", "MPEG"}, ".aiff": {"AIFF"}, ".aif": {"AIFF"}}


def _check_format(f, path: Path) -> None:
    """Refuse a file whose contents are not the format its name says (garbage read as raw u-law, say)."""
    want = CONTAINERS.get(path.suffix.lower())
    if want is not None and f.format not in want:
        raise AudioError(f"{path.name} is not a valid {path.suffix} file: no {'/'.join(sorted(want))} header "
                         f"(libsndfile guessed {f.format}); it is damaged, truncated or renamed. "
                         f"{_ffmpeg_hint(path)}", kind="undecodable")


def _read_soundfile(path: Path, sr: int, offset: float, duration: float | None) -> np.ndarray | None:
    """What ``librosa.load`` does when soundfile can read the file, step for step, or None when it cannot."""
    import soundfile as sf

    try:
        f = sf.SoundFile(str(path))
    except sf.LibsndfileError:
        return None
    with f:
        _check_format(f, path)
        native = f.samplerate
        if offset:
            start = int(offset * native)
            if f.frames > 0 and start >= f.frames:
                raise AudioError(f"offset {offset:g} s is past the end of {path.name} "
                                 f"({f.frames / native:.1f} s long)", kind="offset")
        frames = -1 if duration is None else int(duration * native)
        try:
            if offset:
                f.seek(start)
            y = f.read(frames=frames, dtype="float32", always_2d=True)
        except DECODE_ERRORS as err:  # a damaged file; nothing after this line is caught
            raise _undecodable(path, err) from err
    y = y.mean(axis=1) if y.shape[1] > 1 else y[:, 0]
    if native != sr:
        import librosa

        y = librosa.resample(y, orig_sr=native, target_sr=sr, res_type="soxr_hq")
    return y


def audio_duration(path) -> float | None:
    """Length of a file in seconds from its header, or None if soundfile cannot tell."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except (OSError, *DECODE_ERRORS):  # the header is optional information here
        return None
    return info.frames / info.samplerate if info.samplerate else None


def audio_blocks(path, *, block_seconds: float = 60.0, params: AudioParams = AUDIO):
    """Stream a recording as mono float32 blocks at the analysis rate, in bounded memory.

    The file is read ``block_seconds`` at a time at its native rate, mixed to
    mono and resampled with a streaming soxr resampler, so memory does not
    grow with the length of the file. Concatenated, the blocks equal
    :func:`load_audio` of the whole file (exactly at 22,050 Hz; within
    resampler rounding at other rates). Formats soundfile cannot stream are
    decoded whole as a fallback.

    Parameters
    ----------
    path : str or Path
    block_seconds : float
        Seconds per block read from the file.

    Yields
    ------
    np.ndarray
        Shape ``(n,)``, float32; the last block may be short.

    Notebook: 07_your_own_recording.ipynb
    """
    import soundfile as sf

    path = Path(path)
    _check_readable(path)
    try:
        f = sf.SoundFile(str(path))
    except sf.LibsndfileError:
        yield load_audio(path, params=params)
        return
    except DECODE_ERRORS as err:
        raise _undecodable(path, err) from err
    sr = params.sample_rate
    with f:
        _check_format(f, path)
        native = f.samplerate
        resampler = None
        if native != sr:
            import soxr

            resampler = soxr.ResampleStream(native, sr, 1, dtype="float32", quality="HQ")
        n_block = max(1, int(block_seconds * native))
        got_any = False
        while True:
            try:
                x = f.read(frames=n_block, dtype="float32", always_2d=True)
            except DECODE_ERRORS as err:  # a damaged frame in the middle of the file
                raise _undecodable(path, err) from err
            last = len(x) < n_block
            y = x.mean(axis=1) if x.shape[1] > 1 else x[:, 0]
            if resampler is not None:
                y = resampler.resample_chunk(np.ascontiguousarray(y), last=last)
            if len(y):
                got_any = True
                yield _check_finite(np.ascontiguousarray(y, dtype=np.float32), path)
            if last:
                break
    if not got_any:
        raise AudioError(f"no audio samples could be decoded from {path.name} (empty or truncated file)",
                         kind="too short")


def fix_length(y: np.ndarray, n_samples: int) -> tuple[np.ndarray, int]:
    """Cut or zero-pad audio to exactly ``n_samples``; also return how many samples were padded.

    Parameters
    ----------
    y : np.ndarray
        Mono audio, shape ``(n,)``.
    n_samples : int
        Length wanted (``AUDIO.n_samples`` = 198,450 for 9 s).

    Returns
    -------
    y : np.ndarray
        Shape ``(n_samples,)``.
    padded : int
        Samples of silence appended (0 when ``y`` was long enough).

    Notebook: 01_mel_spectrograms.ipynb
    """
    pad = max(0, n_samples - len(y))
    if pad:
        y = np.pad(y, (0, pad))
    return y[:n_samples], pad


def is_silent(y: np.ndarray, *, peak: float = SILENCE_PEAK) -> bool:
    """True if the audio never rises above ``peak`` (-80 dBFS): nothing to classify.

    Notebook: 07_your_own_recording.ipynb
    """
    y = np.asarray(y)
    return y.size == 0 or float(np.max(np.abs(y))) < peak
