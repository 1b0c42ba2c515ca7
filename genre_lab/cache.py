"""Safe writes and the bounded feature cache.

Every file genre_lab writes (features, split manifests, models, demo clips,
metadata) goes through :func:`atomic_write`: the content is written to a
unique temporary file in the target folder and renamed into place, so a reader
sees the old file or the whole new one, never half of one, and two writers of
the same name never share a temporary file.

The feature cache is a folder of ``.npz`` files keyed by every
parameter that changes their content. It is bounded: when it grows beyond
:data:`CACHE_LIMIT_BYTES` (or ``$GENRE_LAB_CACHE_LIMIT_MB``), the least
recently used files are deleted. Files are loaded without pickle.

Notebook: 03_dataset_split.ipynb
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import time
import zipfile
from pathlib import Path

import numpy as np

from .config import CACHE_LIMIT_BYTES, cache_limit_bytes

__all__ = ["atomic_write", "exclusive", "files_key", "load_arrays", "save_arrays", "prune_cache", "cache_usage",
           "remove_stale_temporaries", "CACHE_LIMIT_BYTES", "TMP_TAG", "CorruptCache"]

log = logging.getLogger(__name__)

#: Every temporary file genre_lab writes carries this tag, so stale ones can be found and removed.
TMP_TAG = ".genre_lab-tmp"
#: A temporary file older than this is left over from a killed process.
STALE_SECONDS = 24 * 3600


@contextlib.contextmanager
def atomic_write(path, *, suffix: str | None = None):
    """Yield a unique temporary path beside ``path``; rename it to ``path`` if the block succeeds.

    Parameters
    ----------
    path : str or Path
        Final file name. Its folder is created.
    suffix : str or None
        Suffix of the temporary name (default: the suffix of ``path``), for
        writers that choose the format from it (Keras ``.keras``, soundfile).

    Yields
    ------
    Path
        Where to write. On an exception the temporary file is deleted and the
        old ``path`` (if any) is left untouched.

    Examples
    --------
    >>> with atomic_write(tmp_path / "a.txt") as tmp:   # doctest: +SKIP
    ...     tmp.write_text("hello")

    Notebook: 03_dataset_split.ipynb
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tail = TMP_TAG + (path.suffix if suffix is None else suffix)
    while True:  # a unique name, created with the mode open() gives (0666 less the umask), unlike mkstemp's 0600
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}{tail}"
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def exclusive(path):
    """Hold an advisory lock named after ``path`` (``<path>.lock``) for the block; wait while another process holds it.

    Two processes that would compute the same file (two notebooks, or the
    test command's background training and notebook 06's seed study) take
    turns: the second finds the file made when it gets the lock and loads it
    instead of computing it again. Where there is no lock to take (Windows,
    which has no ``fcntl``; a read-only folder; a file system without
    ``flock``) the block runs unlocked: both may compute, and
    :func:`atomic_write` still keeps the file whole. Do not nest two
    ``exclusive`` blocks on one path in one process: the inner one would
    wait for the outer one forever.

    Notebook: 09_embeddings_calibration_seeds.ipynb (the seed study's models)
    """
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None
    fh = None
    if fcntl is not None:
        lock = Path(f"{path}.lock")
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fh = open(lock, "a")  # the lock file stays: removing it would race with a process about to lock it
            fcntl.flock(fh, fcntl.LOCK_EX)
        except OSError as err:
            log.info("no lock for %s (%s): going on without one", Path(path).name, err)
            if fh is not None:
                fh.close()
            fh = None
    try:
        yield
    finally:
        if fh is not None:
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()


def remove_stale_temporaries(folder, *, older_than: float = STALE_SECONDS) -> int:
    """Delete temporary files of :func:`atomic_write` older than ``older_than`` seconds below ``folder``.

    Returns
    -------
    int
        How many files were removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    now, removed = time.time(), 0
    for p in folder.rglob(f"*{TMP_TAG}*"):
        try:
            if p.is_file() and now - p.stat().st_mtime > older_than:
                p.unlink()
                removed += 1
        except FileNotFoundError:  # another process removed it first
            continue
    if removed:
        log.info("removed %d stale temporary file(s) below %s", removed, folder.name)
    return removed


def files_key(root, paths, **settings) -> str:
    """The cache key of something computed from files: the settings, the root and each file's path, size and mtime.

    Parameters
    ----------
    root : Path
        The folder the ``paths`` are relative to.
    paths : iterable of str
        The files, in the order the result depends on.
    **settings
        Everything else that decides the result (versions, parameters), JSON-serialisable.

    Returns
    -------
    str
        A SHA-256 hex digest: a changed, added, removed or vanished file gives another key.

    Notebook: 03_dataset_split.ipynb
    """
    root = Path(root)
    files = []
    for rel in paths:
        try:
            st = (root / rel).stat()
        except FileNotFoundError:  # vanished since the scan: it will be skipped and reported
            files.append([rel, None, None])
            continue
        files.append([rel, st.st_size, st.st_mtime_ns])
    blob = json.dumps({**settings, "root": str(root.resolve()), "files": files}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class CorruptCache(ValueError):
    """A cache file that exists but cannot be read as what it claims to be."""


def save_arrays(path, key: str, **arrays) -> Path:
    """Write arrays and their cache key to an ``.npz``, atomically.

    Notebook: 03_dataset_split.ipynb
    """
    with atomic_write(path) as tmp:
        with open(tmp, "wb") as fh:
            # uncompressed: zlib on 100-500 MB of float32 dB values costs more time than it saves (bench/features.py)
            np.savez(fh, key=np.array(key), **arrays)
    return Path(path)


def load_arrays(path, key: str) -> dict | None:
    """Arrays of a cache file written by :func:`save_arrays`, or None if absent or made with another key.

    A file proved corrupt (not a zip archive, a missing or damaged member) is
    deleted and None returned; any other error (out of memory, permission)
    propagates and the file is kept.

    Notebook: 03_dataset_split.ipynb
    """
    path = Path(path)
    try:
        z = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (zipfile.BadZipFile, EOFError, ValueError) as err:
        return _drop_corrupt(path, err)
    try:
        with z:
            if "key" not in z.files:
                return _drop_corrupt(path, "no key member")
            if str(z["key"]) != key:
                return None
            out = {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError, OSError) as err:
        if isinstance(err, OSError) and not isinstance(err, zipfile.BadZipFile) and err.errno is not None:
            raise  # a real I/O problem (permission, disk), not a damaged file
        return _drop_corrupt(path, err)
    try:
        os.utime(path)  # "recently used", for pruning
    except OSError:  # pruned by another process meanwhile, or a read-only cache: the data are in memory
        pass
    return out


def _drop_corrupt(path: Path, why) -> None:
    log.warning("cache file %s is damaged (%s): deleting it and recomputing", path.name, why)
    path.unlink(missing_ok=True)
    return None


def cache_usage(folder) -> tuple[int, int]:
    """``(n_files, total_bytes)`` of the cache files below ``folder``."""
    folder = Path(folder)
    files = [p for p in folder.glob("*.npz")] if folder.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files if p.exists())


def prune_cache(folder, *, limit_bytes: int | None = None, keep=()) -> list[str]:
    """Delete the least recently used cache files until the folder fits in ``limit_bytes``.

    Parameters
    ----------
    folder : str or Path
        The feature cache folder.
    limit_bytes : int or None
        Size limit (default :func:`cache_limit_bytes`).
    keep : iterable of Path
        Files never deleted (the one just written).

    Returns
    -------
    list of str
        Names of the deleted files.

    Notebook: 03_dataset_split.ipynb
    """
    folder = Path(folder)
    limit = cache_limit_bytes() if limit_bytes is None else int(limit_bytes)  # the setting, read in config
    keep = {Path(k).resolve() for k in keep}
    remove_stale_temporaries(folder)
    files = []
    for p in folder.glob("*.npz") if folder.is_dir() else []:
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        files.append((st.st_mtime, st.st_size, p))
    total = sum(s for _, s, _ in files)
    removed = []
    for _, size, p in sorted(files):  # oldest use first
        if total <= limit:
            break
        if p.resolve() in keep:
            continue
        try:
            p.unlink(missing_ok=True)
        except PermissionError:  # open in another process (Windows): leave it for the next prune
            continue
        total -= size
        removed.append(p.name)
    if removed:
        log.info("feature cache over %.0f MB: removed %d least recently used file(s)", limit / 1024 ** 2, len(removed))
    return removed
