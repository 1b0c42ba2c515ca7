"""Find GTZAN tracks under a data root, in either common layout, and check them.

Two layouts are in circulation:

* the original archive: ``genres/<genre>/<genre>.000NN.au``;
* the widespread wav copy: ``.../genres_original/<genre>/<genre>.000NN.wav``
  (it ships one unreadable file, ``jazz.00054.wav``).

Both are found by the same rule: any file named ``<genre>.<5 digits>.au`` or
``.wav`` inside a folder named after its genre, anywhere below the root.
macOS ``._*`` files and stray files are ignored, and files are listed sorted.

Notebook: 03_dataset_split.ipynb
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .audio import CONTAINERS, DECODE_ERRORS, MIN_SECONDS
from .config import DATA_ENV, DEFAULT_SEED, DEMO_KIND, GTZAN_KIND, check_genres, data_root, default_data_root, display_path

__all__ = ["Dataset", "open_dataset", "describe_data", "validate_dataset", "KNOWN_BAD", "DatasetError", "find_tracks", "scan_dataset", "is_demo_root", "DEMO_MARKER", "dataset_kind"]

log = logging.getLogger(__name__)

#: Files known to be unreadable in circulating GTZAN copies, with the reason.
#: They are skipped without a decode attempt.
KNOWN_BAD: dict[str, str] = {
    "jazz.00054.wav": "known-bad file of the GTZAN wav copy: 'file does not start with RIFF id'",
}

_NAME = re.compile(r"^(?P<genre>[a-z]+)\.(?P<num>\d{5})\.(?P<ext>au|wav)$")

HOW_TO_GET_DATA = (
    "Generate the synthetic demo dataset with `genre-lab make-demo --root {root}`, "
    "or point {env} at a GTZAN copy (the folder holding `genres/` or `genres_original/`)."
)


class DatasetError(FileNotFoundError):
    """The data root is missing or holds no usable audio; the message says what to do."""


@dataclass(frozen=True)
class Dataset(os.PathLike):
    """The data a command or notebook works on, resolved once at the edge and passed down.

    It behaves as its root path: ``os.PathLike`` (every function that takes a
    data root takes it), ``root / "genres"``, and any other ``Path`` attribute
    (``.name``, ``.exists()``, ``.glob(...)``) is the root's. Functions that
    need the kind read it here instead of looking at the disk again.

    Attributes
    ----------
    root : Path
        The data root.
    kind : str
        ``"synthetic demo"`` or ``"GTZAN"``: the label every result carries.

    Notebook: 03_dataset_split.ipynb
    """

    root: Path
    kind: str

    def __fspath__(self) -> str:
        return os.fspath(self.root)

    def __truediv__(self, other) -> Path:
        return self.root / other

    def __getattr__(self, name):  # any other Path attribute: the root's
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.root, name)

    def __str__(self) -> str:
        return str(self.root)


def open_dataset(root=None) -> Dataset:
    """Resolve the data root once (argument, ``$GENRE_LAB_DATA``, or the demo folder) and name its kind.

    Nothing is generated here: :func:`genre_lab.demo.ensure_dataset` provisions the demo.

    Notebook: 03_dataset_split.ipynb
    """
    if isinstance(root, Dataset):
        return root
    path = data_root(root)
    return Dataset(path, DEMO_KIND if is_demo_root(path) else GTZAN_KIND)


def _check_file(path: Path) -> str | None:
    """Return why ``path`` cannot be used as a GTZAN track, or None if its header is fine.

    A track is refused when it is empty, unreadable, not in the format its
    extension says (libsndfile opens a header-less ``.au`` as raw 8 kHz u-law:
    that is garbage, not audio), or shorter than one second.
    """
    import soundfile as sf

    if path.name in KNOWN_BAD:
        return KNOWN_BAD[path.name]
    try:
        if path.stat().st_size == 0:
            return "empty file (0 bytes)"
        if not os.access(path, os.R_OK):
            return "unreadable: permission denied"
        info = sf.info(str(path))
    except FileNotFoundError:
        return "vanished while being scanned"
    except (OSError, *DECODE_ERRORS) as err:  # soundfile raises LibsndfileError, a RuntimeError
        return f"unreadable: {err}".replace(str(path), path.name)
    want = CONTAINERS.get(path.suffix.lower())
    if want is not None and info.format not in want:
        return (f"not a valid {path.suffix} file: no {'/'.join(sorted(want))} header "
                f"(libsndfile guessed {info.format}); damaged, truncated or renamed")
    if info.frames == 0:
        return "no audio frames"
    if info.frames < MIN_SECONDS * info.samplerate:
        return f"too short: {info.frames / info.samplerate:.2f} s of audio (at least {MIN_SECONDS:g} s needed)"
    return None


def _genre_files(root: Path, genres):
    """Every ``<genre>/<genre>.NNNNN.au|wav`` file of the selected genres below ``root``, in sorted order.

    Yields ``(path, match)``; hidden folders, macOS ``._`` files and stray
    files are passed over.
    """
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        folder = Path(dirpath)
        for name in sorted(filenames):
            m = _NAME.match(name)
            if m and m["genre"] == folder.name and m["genre"] in genres:
                yield folder / name, m


def scan_dataset(root=None, genres=None, *, check: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """List the tracks of the selected genres under a data root, and the files skipped.

    Parameters
    ----------
    root : str or Path or None
        Data root; ``None`` uses :func:`genre_lab.config.data_root`.
    genres : sequence of str or None
        GTZAN genres to keep (default: the five of the reference experiment).
    check : bool
        Open each file's header and skip the unreadable ones (fast: no decoding).

    Returns
    -------
    tracks : pandas.DataFrame
        Columns ``track_id`` (``"metal.00012"``), ``genre``, ``path`` (POSIX path
        relative to the root), sorted by genre (in the order selected) and id.
    skipped : pandas.DataFrame
        Columns ``path`` and ``reason`` for each file left out.

    Raises
    ------
    DatasetError
        If the root does not exist or holds no audio of the selected genres.
    ValueError
        If a genre name is not a GTZAN genre.

    Notebook: 03_dataset_split.ipynb
    """
    genres = check_genres(genres)
    root = data_root(root)
    if not root.is_dir():
        raise DatasetError(f"data root {root} does not exist. " + HOW_TO_GET_DATA.format(root=root, env=DATA_ENV))
    rows, skipped = {}, []
    for path, m in _genre_files(root, genres):
        rel = path.relative_to(root).as_posix()
        track_id = f"{m['genre']}.{m['num']}"
        if track_id in rows:
            skipped.append((rel, f"duplicate of {rows[track_id]['path']}"))
            continue
        reason = _check_file(path) if check else None
        if reason:
            log.warning("skipping %s: %s", rel, reason)
            skipped.append((rel, reason))
            continue
        rows[track_id] = {"track_id": track_id, "genre": m["genre"], "path": rel}
    tracks = pd.DataFrame(list(rows.values()), columns=["track_id", "genre", "path"])
    if tracks.empty:
        raise DatasetError(
            f"no audio of genres {', '.join(genres)} under {root} (looked for <genre>/<genre>.NNNNN.au or .wav). "
            + HOW_TO_GET_DATA.format(root=root, env=DATA_ENV)
        )
    order = {g: i for i, g in enumerate(genres)}
    tracks = tracks.sort_values(["genre", "track_id"], key=lambda c: c.map(order) if c.name == "genre" else c)
    tracks = tracks.reset_index(drop=True)
    missing = [g for g in genres if g not in set(tracks["genre"])]
    if missing:
        raise DatasetError(f"no tracks for genre(s) {', '.join(missing)} under {root}. "
                           "The demo dataset only has metal, classical, hiphop, country and reggae; "
                           f"for other genres point {DATA_ENV} at a real GTZAN copy.")
    return tracks, pd.DataFrame(skipped, columns=["path", "reason"])


def find_tracks(root=None, genres=None, *, check: bool = True) -> pd.DataFrame:
    """The track table of :func:`scan_dataset` (track_id, genre, path), without the skip report.

    Parameters
    ----------
    root : str or Path or None
        Data root (default: the data-root setting).
    genres : sequence of str or None
        Genres to keep (default: the five of the reference experiment).
    check : bool
        Skip files whose header cannot be read.

    Returns
    -------
    pandas.DataFrame
        ``track_id``, ``genre``, ``path`` (relative to the root).

    Examples
    --------
    >>> tracks = find_tracks()                # doctest: +SKIP
    >>> tracks.groupby("genre").size()        # doctest: +SKIP

    Notebook: 03_dataset_split.ipynb
    """
    return scan_dataset(root, genres, check=check)[0]


#: The file a generated demo dataset carries at its root (its settings, as JSON), and the first generator's.
DEMO_MARKER = "GENRE_LAB_DEMO.json"
OLD_DEMO_MARKER = "GENRE_LAB_DEMO.txt"


def is_demo_root(root) -> bool:
    """True if ``root`` holds a dataset generated by ``genre_lab.make_demo_dataset`` (any version).

    Notebook: 03_dataset_split.ipynb
    """
    return (Path(root) / DEMO_MARKER).is_file() or (Path(root) / OLD_DEMO_MARKER).is_file()


def dataset_kind(root=None) -> str:
    """``"synthetic demo"`` for a generated demo root, else ``"GTZAN"``; for labelling results.

    Notebook: 01_mel_spectrograms.ipynb
    """
    return open_dataset(root).kind


def describe_data(root=None) -> str:
    """One line saying which data the results come from, and how to switch.

    Every notebook prints it next to its first result, so nobody mistakes
    numbers on the synthetic demo for numbers on GTZAN.

    Parameters
    ----------
    root : str or Path or None
        Data root (default: the data-root setting).

    Returns
    -------
    str

    Notebook: 01_mel_spectrograms.ipynb
    """
    data = open_dataset(root)
    root = data.root
    if data.kind == DEMO_KIND:
        return (f"Data: the SYNTHETIC demo dataset generated by genre_lab ({display_path(root)}). "
                f"Results here say nothing about real music; set {DATA_ENV} to a GTZAN folder to use real data.")
    return f"Data: GTZAN at {display_path(root)} (from {DATA_ENV})."


def _inspect(path: Path) -> dict:
    """Decode one file fully: its duration, content hash, or why it cannot be read."""
    import hashlib

    import soundfile as sf

    out = {"seconds": None, "sha256": None, "error": None}
    reason = _check_file(path)
    if reason is not None:
        out["error"] = reason
        return out
    try:
        data = path.read_bytes()
        out["sha256"] = hashlib.sha256(data).hexdigest()
        if not data:
            raise ValueError("empty file (0 bytes)")
        y, sr = sf.read(str(path), dtype="float32", always_2d=True)
        if len(y) == 0:
            raise ValueError("no audio frames")
        out["seconds"] = round(len(y) / sr, 3)
    except (OSError, ValueError, *DECODE_ERRORS) as err:  # a bad file is a finding of the report (ValueError: the
        # two raised just above, and soundfile's for a malformed header)
        out["error"] = f"{type(err).__name__}: {err}".replace(str(path), path.name)
    return out


def validate_dataset(root=None, genres="all", *, expected_per_genre: int = 100, seconds: float = 30.0,
                     tolerance: float = 1.0, n_jobs: int = -1) -> dict:
    """Check a GTZAN copy: counts per genre, every file decodable, durations, duplicate audio.

    Every ``<genre>.NNNNN.au|wav`` file of the selected genres is decoded in
    full. Files on :data:`KNOWN_BAD` are reported as known, not as problems.

    Parameters
    ----------
    root : str or Path or None
        Data root (default: the data-root setting).
    genres : "all" or sequence of str
        Genres to check (default all ten GTZAN genres).
    expected_per_genre : int
        Files expected per genre (GTZAN: 100).
    seconds, tolerance : float
        Expected clip duration and the allowed deviation (GTZAN: 30 +- 1 s).

    Returns
    -------
    dict
        ``root``, ``kind``, ``files_per_genre``, ``unreadable`` (path, reason),
        ``known_bad``, ``bad_duration`` (path, seconds), ``duplicates`` (lists
        of paths with identical bytes), ``problems`` (one sentence each) and
        ``ok`` (no problem beyond the known-bad list).

    Notebook: README.md ("Using real GTZAN")
    """
    from joblib import Parallel, delayed

    genres = check_genres(genres)
    root = data_root(root)
    if not root.is_dir():
        raise DatasetError(f"data root {root} does not exist. " + HOW_TO_GET_DATA.format(root=root, env=DATA_ENV))
    files = {g: [] for g in genres}
    for path, m in _genre_files(root, genres):
        files[m["genre"]].append(path)
    paths = [p for g in genres for p in files[g]]
    todo = [p for p in paths if p.name not in KNOWN_BAD]
    results = dict(zip(todo, Parallel(n_jobs=n_jobs, prefer="threads")(delayed(_inspect)(p) for p in todo)))

    def rel(p):
        return p.relative_to(root).as_posix()

    report = {"root": display_path(root), "kind": dataset_kind(root),
              "files_per_genre": {g: len(files[g]) for g in genres}, "expected_per_genre": expected_per_genre,
              "unreadable": [], "known_bad": [rel(p) for p in paths if p.name in KNOWN_BAD],
              "bad_duration": [], "duplicates": [], "problems": []}
    by_hash: dict[str, list[str]] = {}
    for p, r in results.items():
        if r["error"]:
            report["unreadable"].append({"path": rel(p), "reason": r["error"]})
            continue
        if abs(r["seconds"] - seconds) > tolerance:
            report["bad_duration"].append({"path": rel(p), "seconds": r["seconds"]})
        by_hash.setdefault(r["sha256"], []).append(rel(p))
    report["duplicates"] = [group for group in by_hash.values() if len(group) > 1]
    problems = report["problems"]
    for g, n in report["files_per_genre"].items():
        if n != expected_per_genre:
            problems.append(f"{g}: {n} files, expected {expected_per_genre}")
    problems += [f"{u['path']} cannot be decoded ({u['reason']})" for u in report["unreadable"]]
    problems += [f"{b['path']} lasts {b['seconds']} s, expected {seconds} +- {tolerance} s"
                 for b in report["bad_duration"]]
    problems += [f"identical audio files: {', '.join(group)}" for group in report["duplicates"]]
    report["ok"] = not problems
    return report
