"""What a network trained on real music hears: musicnn's input, tags of any recording, embeddings of a dataset.

musicnn's input is its own log-mel spectrogram, not the reference CNN's: 16 kHz,
n_fft 512, hop 256, 96 mel bands, compressed with ``log10(1 + 10000 S)`` (not dB
below the peak, so loudness is kept), cut into non-overlapping 187-frame (3 s)
patches, as musicnn's ``extractor.batch_data`` does. The tags of a recording
are the mean of its patches' tag probabilities, as musicnn's tagger reports.

Notebook: 10_musicnn_zero_shot.ipynb
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..audio import MIN_SECONDS, AudioError, audio_duration
from ..cache import exclusive, files_key, load_arrays, prune_cache, save_arrays
from ..config import AudioParams, cache_dir, data_root
from ..dsp import _mel_power, file_mel_power
from .musicnn import MUSICNN_TAGS, N_MELS_MUSICNN, PATCH_FRAMES, _check_patches, load_musicnn

__all__ = ["MUSICNN_AUDIO", "GENRE_TAGS", "EmbeddingSet", "musicnn_input", "musicnn_patches", "file_patches",
           "tag_patches", "tag_recording", "musicnn_embeddings", "top_genre_tag"]

log = logging.getLogger(__name__)

#: musicnn's spectrogram parameters (its configuration.py); ``clip_seconds`` is one patch, 187 frames.
MUSICNN_AUDIO = AudioParams(sample_rate=16_000, clip_seconds=PATCH_FRAMES * 256 / 16_000, n_fft=512,
                            hop_length=256, n_mels=N_MELS_MUSICNN)
#: Seconds covered by one patch: 187 x 256 / 16,000 = 2.992.
PATCH_SECONDS = PATCH_FRAMES * MUSICNN_AUDIO.hop_length / MUSICNN_AUDIO.sample_rate

#: The genre tags among each model's 50 (the rest are decades, moods, instruments, voices). Neither vocabulary
#: has reggae; MSD has no classical (its closest tags are "instrumental", "beautiful", "Mellow").
GENRE_TAGS = {
    "msd": ("rock", "pop", "alternative", "indie", "electronic", "dance", "alternative rock", "jazz", "metal",
            "classic rock", "soul", "indie rock", "electronica", "folk", "punk", "blues", "hard rock", "ambient",
            "experimental", "Hip-Hop", "country", "easy listening", "funk", "electro", "heavy metal",
            "Progressive rock", "rnb", "indie pop", "House"),
    "mtt": ("classical", "techno", "electronic", "rock", "ambient", "indian", "opera", "pop", "new age", "dance",
            "country", "metal", "choral"),
}

#: Bump when the patches or the embedding change, so old caches are not reused.
EMBEDDING_VERSION = 1


def musicnn_input(y: np.ndarray) -> np.ndarray:
    """musicnn's log-mel spectrogram of audio at 16 kHz, shape ``(n_frames, 96)``, time x mel.

    ``log10(1 + 10000 * melspectrogram(y, sr=16000, n_fft=512, hop_length=256,
    n_mels=96))``, with the power rounded to float16 first, as musicnn's
    extractor does (pinned to librosa in a test). One difference, on purpose:
    musicnn 0.1.0 also *multiplies* in float16, so a mel bin with power
    above 6.55 (loud low notes: 0.6% of a loud demo metal clip's bins)
    overflows to ``inf``; here the product is taken in float32.

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    S = _mel_power(np.asarray(y, dtype=np.float32), MUSICNN_AUDIO)
    return _compress(S)


def _compress(S: np.ndarray) -> np.ndarray:
    """``(96, n_frames)`` mel power -> ``(n_frames, 96)`` log-compressed, float32."""
    S16 = np.asarray(S.T, dtype=np.float16).astype(np.float32)  # musicnn's extractor rounds to float16
    return np.log10(10000.0 * S16 + 1.0).astype(np.float32)


def musicnn_patches(spectrogram: np.ndarray) -> tuple[np.ndarray, float]:
    """Cut a ``(n_frames, 96)`` spectrogram into non-overlapping 187-frame patches, as musicnn does.

    A spectrogram shorter than one patch is zero-padded to one (musicnn itself
    would fail on it); the trailing frames that do not fill a patch are dropped.

    Returns
    -------
    patches : np.ndarray
        ``(n_patches, 187, 96)`` float32; patch ``i`` starts at ``i * 2.992`` s.
    padded_seconds : float
        Seconds of silence added to a short recording (0.0 otherwise).

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    n = len(spectrogram)
    if n < PATCH_FRAMES:
        pad = PATCH_FRAMES - n
        spectrogram = np.concatenate([spectrogram, np.zeros((pad, spectrogram.shape[1]), np.float32)])
        return spectrogram[None].astype(np.float32), pad * MUSICNN_AUDIO.hop_length / MUSICNN_AUDIO.sample_rate
    k = n // PATCH_FRAMES
    return np.ascontiguousarray(spectrogram[: k * PATCH_FRAMES].reshape(k, PATCH_FRAMES, -1), np.float32), 0.0


def file_patches(path, *, seconds: float | None = None) -> tuple[np.ndarray, float, int]:
    """musicnn patches of a file of any format, length, channels and rate, in bounded memory.

    The file is decoded and resampled to 16 kHz in blocks
    (:func:`genre_lab.dsp.file_mel_power`); only its mel spectrogram
    (96 floats per 16 ms) is kept.

    Parameters
    ----------
    path : str or Path
    seconds : float or None
        Only the patches that fit in the first ``seconds`` (at least one);
        ``None``: the whole file.

    Returns
    -------
    patches : np.ndarray
        ``(n_patches, 187, 96)``.
    padded_seconds : float
    n_samples : int
        Samples decoded at 16 kHz.

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    S, n_samples = file_mel_power(path, params=MUSICNN_AUDIO)
    if n_samples < MIN_SECONDS * MUSICNN_AUDIO.sample_rate:
        raise AudioError(f"only {n_samples / MUSICNN_AUDIO.sample_rate:.2f} s of audio in {Path(path).name}; "
                         f"at least {MIN_SECONDS:g} s is needed", kind="too short")
    if seconds is not None:
        S = S[:, : max(1, int(seconds // PATCH_SECONDS)) * PATCH_FRAMES]
    patches, padded = musicnn_patches(_compress(S))
    return patches, padded, n_samples


def tag_patches(net, patches: np.ndarray, *, batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Tag probabilities ``(n, 50)`` and embeddings ``(n, 200)`` of musicnn patches ``(n, 187, 96)``.

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    patches = _check_patches(patches)
    tags, emb = [], []
    for i in range(0, len(patches), batch_size):
        t, e = net.predict_on_batch(patches[i:i + batch_size])
        tags.append(np.asarray(t))
        emb.append(np.asarray(e))
    if not tags:
        return np.zeros((0, len(net.tags)), np.float32), np.zeros((0, 200), np.float32)
    return np.concatenate(tags), np.concatenate(emb)


def top_genre_tag(tag_probabilities: np.ndarray, model: str = "msd") -> np.ndarray:
    """The most probable *genre* tag of each row (musicnn tags ``(n, 50)``), among :data:`GENRE_TAGS`.

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    tags = MUSICNN_TAGS[model]
    cols = [tags.index(t) for t in GENRE_TAGS[model]]
    P = np.atleast_2d(tag_probabilities)[:, cols]
    return np.asarray(GENRE_TAGS[model], dtype=object)[P.argmax(axis=1)]


def tag_recording(path, *, model: str = "msd", top: int = 5) -> dict:
    """musicnn's tags of any recording: its top tags and a timeline over 3 s patches.

    The contract of ``genre-lab predict``: nothing is raised for a bad file;
    the reason goes into ``error``.

    Returns
    -------
    dict
        ``file`` (name), ``seconds``, ``patches``, ``top`` (list of ``{tag,
        probability}``, the mean over patches), ``timeline`` (list of
        ``{start_s, end_s, tag, probability}``, each patch's top tag), ``flags``
        (``"padded"`` for a recording shorter than 3 s) and ``error`` (None, or
        why the file could not be used).

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    net = load_musicnn(model)
    n_tags = len(net.tags)
    if not 1 <= top <= n_tags:
        raise ValueError(f"--top must be between 1 and {n_tags} (musicnn has {n_tags} tags), got {top}")
    path = Path(path)
    out = {"file": path.name, "seconds": None, "patches": 0, "top": [], "timeline": [], "flags": [], "error": None}
    try:
        patches, padded, _ = file_patches(path)
    except (OSError, AudioError) as err:  # missing, unreadable, undecodable, too short, NaN samples
        out["error"] = f"{type(err).__name__}: {err}".replace(str(path), path.name)
        return out
    proba, _ = tag_patches(net, patches)
    seconds = audio_duration(path)
    out["seconds"] = round(seconds, 2) if seconds is not None else None
    out["patches"] = int(len(proba))
    if padded:
        out["flags"].append(f"padded: shorter than {PATCH_SECONDS:.2f} s, {padded:.1f} s of silence appended")
    mean = proba.mean(axis=0)
    out["top"] = [{"tag": net.tags[i], "probability": round(float(mean[i]), 4)} for i in np.argsort(-mean)[:top]]
    out["timeline"] = [{"start_s": round(i * PATCH_SECONDS, 2), "end_s": round((i + 1) * PATCH_SECONDS, 2),
                        "tag": net.tags[int(p.argmax())], "probability": round(float(p.max()), 4)}
                       for i, p in enumerate(proba)]
    return out


@dataclass
class EmbeddingSet:
    """musicnn's view of a track table, patch by patch.

    Attributes
    ----------
    embeddings : np.ndarray
        ``(n_patches, 200)``: the penultimate layer of every 3 s patch.
    tags : np.ndarray
        ``(n_patches, 50)``: tag probabilities of every patch.
    patches : pandas.DataFrame
        One row per patch: the track's columns plus ``start_s``.
    skipped : pandas.DataFrame
        ``path``, ``reason`` of files that could not be used.
    model : str
        ``"msd"`` or ``"mtt"``.
    from_cache : bool
    """

    embeddings: np.ndarray
    tags: np.ndarray
    patches: pd.DataFrame
    skipped: pd.DataFrame
    model: str
    from_cache: bool = False

    def per_track(self, *, first_seconds: float | None = None) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        """Mean embedding and mean tags per track (over all patches, or those inside the first seconds).

        Returns
        -------
        embeddings : ``(n_tracks, 200)``; tags : ``(n_tracks, 50)``; tracks : one row per track, in table order.
        """
        keep = np.ones(len(self.patches), bool)
        if first_seconds is not None:  # patches that end within the first seconds (at least the first patch)
            keep = (self.patches["start_s"].to_numpy() + PATCH_SECONDS <= first_seconds + 1e-6) | \
                   (self.patches["start_s"].to_numpy() == 0)
        rows = self.patches[keep]
        codes, order = pd.factorize(rows["track_id"], sort=False)
        E = np.zeros((len(order), self.embeddings.shape[1]))
        T = np.zeros((len(order), self.tags.shape[1]))
        np.add.at(E, codes, self.embeddings[keep])
        np.add.at(T, codes, self.tags[keep])
        counts = np.bincount(codes, minlength=len(order))[:, None]
        tracks = rows.drop_duplicates("track_id").drop(columns=["start_s"]).reset_index(drop=True)
        return (E / counts).astype(np.float32), (T / counts).astype(np.float32), tracks


def _cache_key(tracks: pd.DataFrame, root: Path, model: str, seconds: float | None) -> str:
    return files_key(root, tracks["path"], version=EMBEDDING_VERSION, model=model, seconds=seconds,
                     params=MUSICNN_AUDIO.to_dict())


def _patches_or_error(path: Path, seconds: float | None):
    """Worker: one file's patches, or why it cannot be used (a bad file, never a bug)."""
    try:
        patches, _, _ = file_patches(path, seconds=seconds)
        return patches, None
    except (OSError, AudioError) as err:
        return None, f"{type(err).__name__}: {err}".replace(str(path), path.name)


def musicnn_embeddings(tracks: pd.DataFrame, root=None, *, model: str = "msd", seconds: float | None = None,
                       n_jobs: int = -1, cache: bool = True) -> EmbeddingSet:
    """musicnn embeddings and tags of every 3 s patch of every track, in parallel and cached.

    Files are decoded and transformed on worker threads while the network
    runs on the patches already made. The result is cached like the features
    (keyed by the model, the parameters and every file's path, size and
    modification time; the same bounded cache folder).

    Parameters
    ----------
    tracks : pandas.DataFrame
        Track table (``track_id``, ``genre``, ``path`` relative to ``root``).
    root : str or Path or None
        Data root.
    model : {"msd", "mtt"}
    seconds : float or None
        Only the patches within each track's first ``seconds`` (9: the three
        patches of the reference CNN's input); ``None``: whole tracks.
    n_jobs : int
        Decoding threads (``-1``: all cores).
    cache : bool

    Returns
    -------
    EmbeddingSet

    Notebook: 11_transfer_learning.ipynb
    """
    root = data_root(root)
    seconds = None if seconds is None else float(seconds)  # 9 and 9.0 are one cache entry
    tracks = tracks.reset_index(drop=True)
    key = _cache_key(tracks, root, model, seconds)
    path = cache_dir() / f"musicnn-{model}-{key[:20]}.npz"
    if not cache:
        return _embed(tracks, root, model, seconds, n_jobs)[0]
    hit = _cached(path, key, tracks, model)
    if hit is not None:
        return hit
    with exclusive(path):  # two processes asking at once (a notebook and the test command's background): one computes
        hit = _cached(path, key, tracks, model)
        if hit is not None:
            return hit
        out, row = _embed(tracks, root, model, seconds, n_jobs)
        save_arrays(path, key, embeddings=out.embeddings, tags=out.tags, row=row,
                    start_s=out.patches["start_s"].to_numpy(),
                    skipped_path=out.skipped["path"].to_numpy(dtype=str),
                    skipped_reason=out.skipped["reason"].to_numpy(dtype=str))
    prune_cache(path.parent, keep=[path])
    return out


def _cached(path: Path, key: str, tracks: pd.DataFrame, model: str) -> EmbeddingSet | None:
    hit = load_arrays(path, key)
    if hit is None:
        return None
    rows = tracks.iloc[hit["row"]].reset_index(drop=True).assign(start_s=hit["start_s"])
    skipped = pd.DataFrame({"path": hit["skipped_path"].astype(str), "reason": hit["skipped_reason"].astype(str)})
    return EmbeddingSet(hit["embeddings"], hit["tags"], rows, skipped, model, from_cache=True)


def _embed(tracks: pd.DataFrame, root: Path, model: str, seconds: float | None, n_jobs: int):
    """Decode on worker threads while the network runs on the patches already made (several files per batch).

    Returns the :class:`EmbeddingSet` and, per patch, the row of ``tracks`` it comes from.
    """
    from joblib import Parallel, delayed
    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    net = load_musicnn(model)
    paths = [root / p for p in tracks["path"]]
    emb, tag, row, start, skipped, waiting = [], [], [], [], [], []

    def run_waiting():  # the network on the patches of several files at once: large batches run faster
        if waiting:
            t, e = tag_patches(net, np.concatenate([p for _, p in waiting]), batch_size=64)
            tag.append(t)
            emb.append(e)
            for i, p in waiting:
                row.extend([i] * len(p))
                start.append(np.arange(len(p)) * PATCH_SECONDS)
            waiting.clear()

    with threadpool_limits(1), tqdm(total=len(paths), desc=f"musicnn ({model})", unit="clip", leave=False) as bar:
        jobs = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
            delayed(_patches_or_error)(p, seconds) for p in paths)
        for i, (patches, err) in enumerate(jobs):
            bar.update(1)
            if err is not None:
                log.warning("skipping %s: %s", tracks.at[i, "path"], err)
                skipped.append((tracks.at[i, "path"], err))
                continue
            waiting.append((i, patches))
            if sum(len(p) for _, p in waiting) >= 64:
                run_waiting()
        run_waiting()
    E = np.concatenate(emb) if emb else np.zeros((0, 200), np.float32)
    T = np.concatenate(tag) if tag else np.zeros((0, len(MUSICNN_TAGS[model])), np.float32)
    row = np.asarray(row, np.int64)
    start_s = np.round(np.concatenate(start), 3) if start else np.zeros(0)
    skipped = pd.DataFrame(skipped, columns=["path", "reason"])
    rows = tracks.iloc[row].reset_index(drop=True).assign(start_s=start_s)
    return EmbeddingSet(E, T, rows, skipped, model, from_cache=False), row
