"""Audio parameters, genre lists and the data-root setting.

Everything that fixes the shape of a feature is defined here, once. The frame
count 388 is derived from the parameters, never typed.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import difflib
import os
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "AUDIO",
    "AudioParams", "display_path",
    "DATA_ENV",
    "DEMO_KIND",
    "GTZAN_KIND",
    "DEFAULT_GENRES",
    "DEFAULT_SEED",
    "EPOCHS",
    "HOP_SECONDS",
    "GTZAN_GENRES",
    "cache_dir",
    "cache_limit_bytes",
    "check_genres",
    "data_root",
    "default_data_root",
    "models_dir",
    "pretrained_dir",
    "repo_dir",
]

#: The ten GTZAN genres, in the order of the original archive.
GTZAN_GENRES: tuple[str, ...] = (
    "blues", "classical", "country", "disco", "hiphop",
    "jazz", "metal", "pop", "reggae", "rock",
)

#: The five genres of the 2018 reference experiment, in its order.
DEFAULT_GENRES: tuple[str, ...] = ("metal", "classical", "hiphop", "country", "reggae")

#: Seed used by every random step unless the caller passes another.
DEFAULT_SEED: int = 2018

#: Training epochs of the reference experiment (where the 2018 original's early stopping ended).
EPOCHS: int = 27

#: Seconds between the starts of the 9 s windows of a whole song (a 30 s clip gives 5 windows).
HOP_SECONDS: float = 4.5

#: The two kinds of data, as every result names them: the generated demo, or real GTZAN.
DEMO_KIND = "synthetic demo"
GTZAN_KIND = "GTZAN"

#: Environment variable that points genre_lab at a dataset (demo or real GTZAN).
DATA_ENV = "GENRE_LAB_DATA"

#: Environment variable that moves the feature cache and trained models.
CACHE_ENV = "GENRE_LAB_CACHE"


@dataclass(frozen=True)
class AudioParams:
    """Audio and spectrogram parameters of the reference experiment.

    Frozen: a feature computed with one set of parameters can never be
    confused with another, and the parameters key every cache.

    Attributes
    ----------
    sample_rate : int
        Hz; GTZAN's native rate. Other rates are resampled to it.
    clip_seconds : float
        Seconds of audio per example (the first 9 s of each clip).
    n_fft : int
        FFT size of the short-time Fourier transform, in samples.
    hop_length : int
        Hop between STFT frames, in samples.
    n_mels : int
        Number of mel bands.
    top_db : float
        Dynamic range kept by the dB conversion, below each clip's peak.

    Examples
    --------
    >>> AUDIO.n_frames, AUDIO.n_mels
    (388, 128)

    Notebook: 01_mel_spectrograms.ipynb
    """

    sample_rate: int = 22_050
    clip_seconds: float = 9.0
    n_fft: int = 1024
    hop_length: int = 512
    n_mels: int = 128
    top_db: float = 80.0

    @property
    def n_samples(self) -> int:
        """Samples in one clip: 9 s x 22,050 Hz = 198,450."""
        return int(round(self.clip_seconds * self.sample_rate))

    @property
    def n_frames(self) -> int:
        """STFT frames of one clip with centred frames: 1 + 198,450 // 512 = 388."""
        return 1 + self.n_samples // self.hop_length

    @property
    def feature_shape(self) -> tuple[int, int]:
        """Shape of one clip's feature: ``(n_frames, n_mels)``, time x mel."""
        return (self.n_frames, self.n_mels)

    @property
    def frame_seconds(self) -> float:
        """Seconds between two frames (hop / sample rate)."""
        return self.hop_length / self.sample_rate

    def to_dict(self) -> dict:
        """Plain dict of the parameters (for JSON metadata and cache keys)."""
        return asdict(self)


#: The one set of audio parameters used across the package.
AUDIO = AudioParams()


def check_genres(genres=None) -> tuple[str, ...]:
    """Validate a genre selection and return it as a tuple.

    Parameters
    ----------
    genres : sequence of str or str or None
        GTZAN genre names; ``None`` selects :data:`DEFAULT_GENRES`; ``"all"``
        selects all ten.

    Returns
    -------
    tuple of str
        The genres, in the order given, without duplicates.

    Raises
    ------
    ValueError
        If a name is not a GTZAN genre; the message lists the valid names and
        suggests the closest one.

    Examples
    --------
    >>> check_genres(["metal", "jazz"])
    ('metal', 'jazz')

    Notebook: 03_dataset_split.ipynb
    """
    if genres is None:
        return DEFAULT_GENRES
    if isinstance(genres, str):
        genres = GTZAN_GENRES if genres == "all" else [g.strip() for g in genres.split(",")]
    out: list[str] = []
    for g in genres:
        if g not in GTZAN_GENRES:
            close = difflib.get_close_matches(str(g).lower().replace("-", ""), GTZAN_GENRES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"genre {g!r} is not in GTZAN{hint} Valid genres: {', '.join(GTZAN_GENRES)}."
            )
        if g not in out:
            out.append(g)
    if len(out) < 2:
        raise ValueError(f"select at least two genres to classify, got {out}")
    return tuple(out)


def repo_dir() -> Path | None:
    """The source checkout holding this package, or None when installed elsewhere."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() else None


def display_path(path, *, data: Path | None = None) -> str:
    """A path for showing to people: relative to the repo, the data root or the working directory.

    Never a machine's absolute path, so notebook outputs and logs read the
    same on every computer. ``data`` is the data root where the caller has
    resolved it already (the setting is then not read again).

    Notebook: 03_dataset_split.ipynb
    """
    path = Path(path).resolve()
    # (the data-root setting is read only if the repository does not hold the path: it is resolved at the edge)
    for base in (repo_dir(), None, Path.cwd()):
        base = (data if data is not None else data_root()) if base is None else base
        if base is not None:
            try:
                rel = path.relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
            if rel != ".":
                return rel
    return f"<{path.name}>"


def _work_dir() -> Path:
    """Git-ignored folder for generated data: ``<repo>/data`` or a user cache."""
    repo = repo_dir()
    if repo is not None:
        return repo / "data"
    import pooch

    return Path(pooch.os_cache("genre_lab"))


def default_data_root() -> Path:
    """Where the embedded demo dataset lives when :data:`DATA_ENV` is unset."""
    return _work_dir() / "demo"


def data_root(root=None) -> Path:
    """Resolve the data root: an explicit argument, else ``$GENRE_LAB_DATA``, else the demo folder.

    Parameters
    ----------
    root : str or Path or None
        Explicit root; wins over the environment variable.

    Returns
    -------
    Path
        The data root (not checked for existence here; see
        :func:`genre_lab.datasets.find_tracks`).

    Notebook: 03_dataset_split.ipynb
    """
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(DATA_ENV, "").strip()
    return Path(env).expanduser() if env else default_data_root()


def cache_dir() -> Path:
    """Folder for cached features: ``$GENRE_LAB_CACHE`` or ``<repo>/data/cache``."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else _work_dir() / "cache"


def models_dir() -> Path:
    """Folder for trained models: ``<cache parent>/models``."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return (Path(env).expanduser() / "models") if env else _work_dir() / "models"


#: Environment variable: the feature cache's size limit in megabytes.
CACHE_LIMIT_ENV = "GENRE_LAB_CACHE_LIMIT_MB"
#: Default size limit of the feature cache (2 GiB).
CACHE_LIMIT_BYTES = 2 * 1024 ** 3


def cache_limit_bytes() -> int:
    """The feature cache's size limit: ``$GENRE_LAB_CACHE_LIMIT_MB`` or :data:`CACHE_LIMIT_BYTES`."""
    env = os.environ.get(CACHE_LIMIT_ENV, "").strip()
    if not env:
        return CACHE_LIMIT_BYTES
    try:
        return int(float(env) * 1024 ** 2)
    except ValueError:
        raise ValueError(f"{CACHE_LIMIT_ENV} must be a number of megabytes, got {env!r}") from None


def pretrained_dir() -> Path:
    """Folder for pretrained weights fetched once per machine: ``<cache parent>/pretrained``."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return (Path(env).expanduser() / "pretrained") if env else _work_dir() / "pretrained"
