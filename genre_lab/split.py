"""Song-level train / validation / test splits, saved as manifests and reloaded.

A split assigns whole songs: every window of a song lands in the same set,
so the model is never tested on a song it heard in training. The split is
saved as a CSV manifest next to the data and reloaded, so every student and
every CI run sees the same one.

Notebook: 03_dataset_split.ipynb
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import atomic_write
from .config import DEFAULT_SEED, cache_dir, data_root

__all__ = ["SPLITS", "split_tracks", "manifest_path", "save_manifest", "load_manifest", "load_or_make_split",
           "split_from_lists"]

log = logging.getLogger(__name__)

#: Split names, in the order they are reported.
SPLITS = ("train", "validation", "test")


def split_tracks(tracks: pd.DataFrame, *, train: float = 0.75, test: float = 0.15, validation: float = 0.10,
                 seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Split songs into train, validation and test, stratified by genre and seeded.

    Parameters
    ----------
    tracks : pandas.DataFrame
        Track table with ``track_id`` and ``genre`` (one row per song).
    train, test, validation : float
        Fractions of songs; they must sum to 1. On 500 songs: 375 / 75 / 50.
    seed : int
        Random seed; the same tracks and seed give the same split.

    Returns
    -------
    pandas.DataFrame
        ``track_id``, ``genre``, ``split`` (one of :data:`SPLITS`), in the
        order of ``tracks``.

    Notebook: 03_dataset_split.ipynb
    """
    from sklearn.model_selection import train_test_split

    if not np.isclose(train + test + validation, 1.0):
        raise ValueError(f"split fractions must sum to 1, got {train} + {test} + {validation}")
    if tracks["track_id"].duplicated().any():
        raise ValueError("split songs, not windows: the table has repeated track_id values")
    n = len(tracks)
    n_test, n_val = int(round(test * n)), int(round(validation * n))
    idx = np.arange(n)
    genre = tracks["genre"].to_numpy()
    rest, test_idx = train_test_split(idx, test_size=n_test, stratify=genre, random_state=seed)
    if n_val:
        train_idx, val_idx = train_test_split(rest, test_size=n_val, stratify=genre[rest], random_state=seed)
    else:
        train_idx, val_idx = rest, rest[:0]
    split = np.empty(n, dtype=object)
    split[train_idx], split[val_idx], split[test_idx] = "train", "validation", "test"
    return pd.DataFrame({"track_id": tracks["track_id"].to_numpy(), "genre": genre, "split": split})


def manifest_path(root=None, genres=None, seed: int = DEFAULT_SEED) -> Path:
    """Where the split manifest of a root, genre selection and seed lives.

    Next to the data (``<root>/splits/``) when that folder is writable, else
    in the cache folder.

    Parameters
    ----------
    root : str or Path or None
        Data root.
    genres : sequence of str or None
        The selected genres (their sorted names are part of the file name).
    seed : int
        Split seed (part of the file name).

    Returns
    -------
    Path
        ``.../split_<genres>_seed<S>.csv``.

    Notebook: 03_dataset_split.ipynb
    """
    root = data_root(root)
    tag = "-".join(sorted(genres)) if genres is not None else "all"
    name = f"split_{tag}_seed{seed}.csv"
    folder = root / "splits"
    if os.access(root, os.W_OK) or folder.is_dir() and os.access(folder, os.W_OK):
        return folder / name
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:10]
    return cache_dir() / "splits" / f"{digest}_{name}"


def save_manifest(split: pd.DataFrame, path) -> Path:
    """Write a split manifest (CSV: track_id, genre, split) atomically."""
    path = Path(path)
    with atomic_write(path) as tmp:
        split[["track_id", "genre", "split"]].to_csv(tmp, index=False)
    return path


def load_manifest(path) -> pd.DataFrame:
    """Read a split manifest and check it: known split names, no song twice.

    Parameters
    ----------
    path : str or Path
        A CSV with columns ``track_id``, ``genre``, ``split``.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ValueError
        If a column is missing, a split name is unknown or a song is listed twice.

    Notebook: 03_dataset_split.ipynb
    """
    split = pd.read_csv(path, dtype=str)
    missing = {"track_id", "genre", "split"} - set(split.columns)
    if missing:
        raise ValueError(f"{Path(path).name} is not a split manifest: missing columns {sorted(missing)}")
    bad = set(split["split"]) - set(SPLITS)
    if bad:
        raise ValueError(f"{Path(path).name} has unknown split names {sorted(bad)}; use {SPLITS}")
    if split["track_id"].duplicated().any():
        dup = split.loc[split["track_id"].duplicated(), "track_id"].tolist()[:5]
        raise ValueError(f"{Path(path).name} lists songs more than once (e.g. {dup}): a song must be in one set")
    return split


def load_or_make_split(tracks: pd.DataFrame, root=None, *, seed: int = DEFAULT_SEED, path=None) -> pd.DataFrame:
    """Reload the saved split for these tracks, or make it and save it.

    Parameters
    ----------
    tracks : pandas.DataFrame
        Track table (track_id, genre, ...).
    root : str or Path or None
        Data root (where the manifest is kept).
    seed : int
        Seed for a new split.
    path : str or Path or None
        Manifest path; default :func:`manifest_path`.

    Returns
    -------
    pandas.DataFrame
        ``tracks`` with a ``split`` column, same row order.

    Raises
    ------
    ValueError
        If a saved manifest does not cover exactly these tracks; the message
        says which differ and how to start afresh.

    Notebook: 03_dataset_split.ipynb
    """
    path = Path(path) if path is not None else manifest_path(root, sorted(set(tracks["genre"])), seed)
    if path.is_file():
        split = load_manifest(path)
        have, want = set(split["track_id"]), set(tracks["track_id"])
        if have != want:
            extra, lacking = sorted(have - want)[:5], sorted(want - have)[:5]
            raise ValueError(
                f"the saved split {path.name} does not match the tracks on disk (in the manifest only: {extra}; "
                f"on disk only: {lacking}). Delete {path.name} to make a new split, or restore the missing files.")
        log.info("reloaded split manifest %s", path.name)
    else:
        split = split_tracks(tracks, seed=seed)
        save_manifest(split, path)
        log.info("saved new split manifest %s", path.name)
    mapping = dict(zip(split["track_id"], split["split"]))
    return tracks.assign(split=tracks["track_id"].map(mapping))


def split_from_lists(tracks: pd.DataFrame, *, train, validation, test) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build a split from three list files, e.g. the published artist-filtered GTZAN split.

    Each file has one entry per line in the form ``genre/genre.NNNNN.wav``
    (``.au`` and bare ids also accepted). Entries of genres not selected are
    ignored; entries not found on disk are reported, not silently dropped.

    Parameters
    ----------
    tracks : pandas.DataFrame
        Track table of the songs on disk.
    train, validation, test : str or Path
        The three list files.

    Returns
    -------
    split : pandas.DataFrame
        The listed tracks found on disk with a ``split`` column.
    missing : pandas.DataFrame
        ``entry``, ``split``: listed songs of the selected genres not on disk.

    Notebook: 03_dataset_split.ipynb
    """
    genres = set(tracks["genre"])
    owner, missing = {}, []
    on_disk = set(tracks["track_id"])
    for name, file in (("train", train), ("validation", validation), ("test", test)):
        for line in Path(file).read_text().splitlines():
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            tid = Path(entry).name
            for ext in (".wav", ".au"):
                tid = tid.removesuffix(ext)
            if tid.split(".")[0] not in genres:
                continue
            if tid in owner and owner[tid] != name:
                raise ValueError(f"{tid} is listed in both {owner[tid]} and {name}: a song must be in one set")
            owner[tid] = name
            if tid not in on_disk:
                missing.append((entry, name))
    missing = pd.DataFrame(missing, columns=["entry", "split"])
    if len(missing):
        log.warning("%d listed tracks are not on disk (e.g. %s)", len(missing), missing["entry"].iloc[0])
    split = tracks[tracks["track_id"].isin(owner)].assign(split=lambda d: d["track_id"].map(owner))
    unlisted = len(tracks) - len(split)
    if unlisted:
        log.info("%d tracks on disk are in none of the lists and are left out", unlisted)
    return split.reset_index(drop=True), missing
