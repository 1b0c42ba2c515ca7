"""musicnn's published weights, fetched the ecosystem's way: pip downloads the wheel, we check and unpack it.

The ``musicnn`` 0.1.0 wheel (ISC licence; Pons and Serra, ISMIR 2019
late-breaking demo) carries TensorFlow 1 checkpoints of two taggers trained on
real music: one on the Million Song Dataset (MSD), one on MagnaTagATune (MTT).
Its own code needs TensorFlow 1 and ``numpy<1.17`` and is never imported here;
only the two checkpoint folders are extracted.

``python -m pip download`` fetches the wheel, so the user's index, mirror and
proxy settings apply; its SHA-256 is pinned below. A wheel the user already has
is used with ``genre-lab tag --wheel PATH`` or ``$GENRE_LAB_MUSICNN_WHEEL``.
Nothing of the wheel is committed: it lives in the git-ignored data cache.

Notebook: 10_musicnn_zero_shot.ipynb
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from ..cache import TMP_TAG, exclusive
from ..config import pretrained_dir

__all__ = ["MUSICNN_MODELS", "MUSICNN_WHEEL_ENV", "PretrainedError", "fetch_musicnn", "musicnn_checkpoint"]

log = logging.getLogger(__name__)

#: The wheel pip fetches, and its SHA-256 (PyPI's file for musicnn 0.1.0, 29,292,476 bytes).
MUSICNN_REQUIREMENT = "musicnn==0.1.0"
MUSICNN_WHEEL = "musicnn-0.1.0-py3-none-any.whl"
MUSICNN_WHEEL_SHA256 = "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa"

#: Setting: the path of a musicnn wheel already on this machine (no download then).
MUSICNN_WHEEL_ENV = "GENRE_LAB_MUSICNN_WHEEL"

#: Our short model names -> the checkpoint folders inside the wheel.
MUSICNN_MODELS = {"msd": "MSD_musicnn", "mtt": "MTT_musicnn"}

#: The checkpoint files of each folder (TensorFlow 1 names them with an empty prefix).
_CHECKPOINT_FILES = (".data-00000-of-00001", ".index", ".meta")


class PretrainedError(RuntimeError):
    """The pretrained weights cannot be had: no network, a wrong file, a checksum mismatch."""


def musicnn_checkpoint(model: str = "msd", *, wheel=None, dest=None) -> Path:
    """The folder of one musicnn checkpoint, fetched and unpacked on first use.

    Parameters
    ----------
    model : {"msd", "mtt"}
        ``"msd"``: trained on the Million Song Dataset (50 last.fm tags);
        ``"mtt"``: trained on MagnaTagATune (50 tags).
    wheel, dest
        See :func:`fetch_musicnn`.

    Returns
    -------
    Path
        A folder holding ``.index``, ``.data-00000-of-00001`` and ``.meta``
        (read it with ``tf.compat.v1.train.NewCheckpointReader(str(folder) + "/")``).

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    if model not in MUSICNN_MODELS:
        raise ValueError(f"unknown musicnn model {model!r}; choose one of {', '.join(MUSICNN_MODELS)}")
    return fetch_musicnn(wheel=wheel, dest=dest) / MUSICNN_MODELS[model]


def fetch_musicnn(*, wheel=None, dest=None) -> Path:
    """Get the musicnn wheel with pip, check its SHA-256, and extract the two musicnn checkpoints.

    Runs once per machine: afterwards the extracted folders are found and
    nothing is downloaded or read again.

    Parameters
    ----------
    wheel : str or Path or None
        A ``musicnn-0.1.0-py3-none-any.whl`` you already have; default
        ``$GENRE_LAB_MUSICNN_WHEEL``, else ``pip download`` into ``dest``.
    dest : str or Path or None
        Where the wheel and the checkpoints go (default: the ``pretrained``
        folder of the data cache, see :func:`genre_lab.config.pretrained_dir`).

    Returns
    -------
    Path
        The folder holding ``MSD_musicnn/`` and ``MTT_musicnn/``.

    Raises
    ------
    PretrainedError
        pip could not fetch the wheel (offline: the message says what to run
        and where to put the file), or a wheel's checksum does not match (a
        wheel downloaded here is deleted then).

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    dest = Path(dest) if dest is not None else pretrained_dir()
    target = dest / "musicnn-0.1.0"
    if _complete(target):
        return target
    dest.mkdir(parents=True, exist_ok=True)
    with exclusive(target):  # two processes at once (the test command's stages): one downloads, the other waits
        if not _complete(target):
            _fetch(target, wheel)
    return target


def _fetch(target: Path, wheel) -> None:
    dest = target.parent
    given = wheel or os.environ.get(MUSICNN_WHEEL_ENV, "").strip() or None
    path = Path(given).expanduser() if given else dest / MUSICNN_WHEEL
    if given and not path.is_file():
        raise PretrainedError(f"no musicnn wheel at {path} (from --wheel or ${MUSICNN_WHEEL_ENV})")
    if not path.is_file():
        _pip_download(dest)
    digest = _sha256(path)
    if digest != MUSICNN_WHEEL_SHA256:
        if not given:
            path.unlink(missing_ok=True)  # a damaged download: the next call fetches it again
        raise PretrainedError(f"{path.name} has SHA-256 {digest[:16]}..., expected {MUSICNN_WHEEL_SHA256[:16]}... "
                              f"(the musicnn 0.1.0 wheel on PyPI); " +
                              ("it is not that wheel" if given else "the download was deleted: try again"))
    _extract(path, target)


def _complete(target: Path) -> bool:
    return all((target / folder / name).is_file() for folder in MUSICNN_MODELS.values() for name in _CHECKPOINT_FILES)


def _pip_download(dest: Path) -> None:
    """``python -m pip download musicnn==0.1.0 --no-deps --only-binary=:all: -d dest``."""
    cmd = [sys.executable, "-m", "pip", "download", MUSICNN_REQUIREMENT, "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(dest)]
    log.info("fetching the musicnn wheel with pip (29 MB, once per machine)")
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as err:
        done = None
        why = f"{type(err).__name__}: {err}"
    else:
        said = (done.stderr or done.stdout).strip().splitlines()
        why = (said[-1] if said else f"exit code {done.returncode}") if done.returncode else None
    if done is None or done.returncode != 0 or not (dest / MUSICNN_WHEEL).is_file():
        raise PretrainedError(
            f"pip could not download the musicnn wheel ({why or 'no file'}). On a machine with internet, run\n"
            f"  python -m pip download {MUSICNN_REQUIREMENT} --no-deps --only-binary=:all: -d .\n"
            f"then copy {MUSICNN_WHEEL} to {dest} (or pass --wheel PATH, or set ${MUSICNN_WHEEL_ENV})")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _extract(wheel: Path, target: Path) -> None:
    """Extract only the checkpoint files of the two musicnn folders, then move them into place at once."""
    tmp = target.with_name(f"{target.name}{TMP_TAG}{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with zipfile.ZipFile(wheel) as zf:
            for folder in MUSICNN_MODELS.values():
                (tmp / folder).mkdir(parents=True)
                for name in _CHECKPOINT_FILES:
                    # fixed member names, written to fixed file names: nothing in the archive chooses a path
                    with zf.open(f"musicnn/{folder}/{name}") as src, open(tmp / folder / name, "wb") as out:
                        shutil.copyfileobj(src, out)
        if _complete(target):  # another process finished first
            return
        shutil.rmtree(target, ignore_errors=True)  # a partial folder from an interrupted extraction
        os.replace(tmp, target)
    except (zipfile.BadZipFile, KeyError) as err:
        raise PretrainedError(f"{wheel.name} is not a usable musicnn wheel: {err}") from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
