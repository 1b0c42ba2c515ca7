"""Real GTZAN: verified download from known mirrors, safe extraction, and the artist-filtered split.

``genre-lab fetch-gtzan`` downloads the GTZAN archive with pooch, checks its
SHA-256, extracts it safely and prints the data-root setting to use. Sources
are tried in order; a download that fails or does not match its checksum is
deleted and the next source is tried. An archive you downloaded yourself
works without network: ``genre-lab fetch-gtzan --url /path/to/genres.tar.gz``.

Extraction never writes outside the destination (absolute paths, ``..``
members, links and device files are refused), and it happens in a temporary
folder that is renamed into place only when complete, so a half-extracted
tree never looks like a dataset. A copy already fetched and checked is not
downloaded again.

Notebook: README.md ("Using real GTZAN")
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import shutil
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from .config import GTZAN_GENRES, _work_dir, display_path
from .datasets import _genre_files

__all__ = ["Source", "GTZAN_SOURCES", "FetchError", "default_gtzan_dir", "fetch_gtzan", "safe_extract",
           "fetch_filtered_split", "FILTERED_SPLIT_COUNTS"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """Where an archive can be had, and the SHA-256 it must have (``None``: not verifiable)."""

    name: str
    url: str
    sha256: str | None
    note: str = ""


#: Known GTZAN archives, tried in this order.
GTZAN_SOURCES = (
    Source("huggingface", "https://huggingface.co/datasets/marsyas/gtzan/resolve/main/data/genres.tar.gz",
           "b28cc067ff6199bd826f5d1a6931458586d64acae7f44b2e882b7a97af057531",
           "wav copy, about 1.2 GB; contains macOS ._ files and the unreadable jazz.00054.wav"),
    Source("uvic", "http://opihi.cs.uvic.ca/sound/genres.tar.gz",
           "24347e0223d2ba798e0a558c4c172d9d4a19c00bb7963fe055d183dadb4ef2c6",
           "the original .au archive, 1,225,571,541 bytes; offline since about 2022"),
)

#: The artist-filtered GTZAN split (Kereliuk, Sturm and Larsen 2015) as published by jongpillee/music_dataset_split.
FILTERED_SPLIT_URL = "https://raw.githubusercontent.com/jongpillee/music_dataset_split/master/GTZAN_split/"
FILTERED_SPLIT_FILES = {"train": "train_filtered.txt", "validation": "valid_filtered.txt", "test": "test_filtered.txt"}
#: Tracks per list: 443 + 197 + 290 = 930 of GTZAN's 1000.
FILTERED_SPLIT_COUNTS = {"train": 443, "validation": 197, "test": 290}
#: SHA-256 of the three list files. Not yet pinned (written without network access to the files): until they
#: are, each download is checked by its structure instead (line format, counts, no song twice) and its hash
#: is logged, to be pinned here.
FILTERED_SPLIT_SHA256: dict[str, str | None] = {"train": None, "validation": None, "test": None}

_MARKER = ".genre_lab_fetched.json"
_LIST_LINE = re.compile(r"^[a-z]+/[a-z]+\.\d{5}\.(wav|au)$")


class FetchError(RuntimeError):
    """Nothing could be fetched or extracted safely; the message lists what was tried and what to do."""


def default_gtzan_dir() -> Path:
    """Default destination of ``fetch-gtzan``: ``data/gtzan`` in the checkout (git-ignored)."""
    return _work_dir() / "gtzan"


def _is_local(url: str) -> bool:
    scheme = urlparse(url).scheme
    return scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt")  # C:\... on Windows


def _local_path(url: str) -> Path:
    return Path(urlparse(url).path if url.startswith("file://") else url).expanduser()


def _obtain(src: Source, folder: Path, progress: bool, *, per_source: bool = True) -> Path:
    """The archive of one source on disk: a local file checked in place, or a verified download."""
    import pooch

    if _is_local(src.url):
        path = _local_path(src.url)
        if not path.is_file():
            raise FileNotFoundError(f"no archive at {path}")
        if src.sha256:
            got = pooch.file_hash(str(path), alg="sha256")
            if got != src.sha256.lower():
                raise ValueError(f"SHA-256 mismatch: expected {src.sha256}, got {got} (the file was left in place)")
        return path
    name = PurePosixPath(urlparse(src.url).path).name or "archive"
    known = f"sha256:{src.sha256.lower()}" if src.sha256 else None
    path = folder / src.name if per_source else folder
    # pooch downloads to a temporary file and moves it into place only when the hash matches:
    # a failed, interrupted or mismatching download leaves nothing behind.
    if known is not None:
        return Path(pooch.retrieve(src.url, known_hash=known, fname=name, path=path, progressbar=progress))
    # Nothing to check a file on disk against: never reuse one, always download afresh -- into a new name,
    # so a good earlier copy survives a failed attempt.
    fresh = f".{name}.{os.getpid()}.download"
    (path / fresh).unlink(missing_ok=True)
    got = pooch.retrieve(src.url, known_hash=None, fname=fresh, path=path, progressbar=progress)
    os.replace(got, path / name)
    return path / name


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if "hash" in text.lower() and "does not match" in text.lower():
        text = "SHA-256 checksum mismatch: " + text
    return f"{type(err).__name__}: {text}"[:300]


#: Caps on what an archive may unpack: GTZAN is 1.3 GB in about 1,000 files.
MAX_EXTRACT_BYTES = 4 * 1024 ** 3
MAX_EXTRACT_MEMBERS = 20_000


def safe_extract(archive, dest, *, marker: dict | None = None, max_bytes: int = MAX_EXTRACT_BYTES,
                 max_members: int = MAX_EXTRACT_MEMBERS) -> Path:
    """Extract a tar archive into ``dest`` safely and atomically.

    Parameters
    ----------
    archive : str or Path
        A ``.tar``, ``.tar.gz`` or ``.tar.bz2`` file.
    dest : str or Path
        Folder to create. It appears only once extraction is complete: the
        archive is unpacked into a temporary sibling folder that is then
        renamed. An existing ``dest`` is replaced.
    marker : dict or None
        Written as JSON into the folder *before* the rename, so a folder
        carries the marker exactly when it is complete.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    FetchError
        If any member would write outside ``dest`` (absolute path, ``..``),
        is a symbolic or hard link, or is not a regular file or folder, or if
        the archive holds more than ``max_members`` members or would unpack to
        more than ``max_bytes`` (a sparse or "zip bomb" archive); nothing is
        extracted then. Permissions come from the data filter (Python >=
        3.11.4) or are reset to 0o644 / 0o755 after extraction; owners are
        never taken from the archive.

    Notebook: README.md ("Using real GTZAN")
    """
    archive, dest = Path(archive), Path(dest)
    tmp = dest.with_name(f".{dest.name}.extracting-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            bad = []
            for m in members:
                parts = PurePosixPath(m.name.replace("\\", "/")).parts
                if m.name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", m.name) or ".." in parts:
                    bad.append(f"{m.name} (outside the destination)")
                elif m.issym() or m.islnk():
                    bad.append(f"{m.name} (link to {m.linkname})")
                elif not (m.isfile() or m.isdir()):
                    bad.append(f"{m.name} (device or special file)")
            if bad:
                raise FetchError(f"refusing to extract {archive.name}: {len(bad)} unsafe member(s): "
                                 + "; ".join(bad[:5]))
            total = sum(m.size for m in members if m.isfile())
            if len(members) > max_members or total > max_bytes:
                raise FetchError(f"refusing to extract {archive.name}: {len(members):,} members and "
                                 f"{total / 1024 ** 3:.2f} GB unpacked exceed the caps ({max_members:,} members, "
                                 f"{max_bytes / 1024 ** 3:.1f} GB); this is not a GTZAN archive")
            tmp.mkdir(parents=True)
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, members=members, filter="data")
            else:  # Python < 3.11.4: no data filter; never apply the archive's owners, reset its modes
                for m in members:
                    m.uid = m.gid = os.getuid() if hasattr(os, "getuid") else 0
                    m.uname = m.gname = ""
                tar.extractall(tmp, members=members, numeric_owner=True)
                for p in tmp.rglob("*"):
                    p.chmod(0o755 if p.is_dir() else 0o644)
        if marker is not None:
            n_tracks = sum(1 for _ in _genre_files(tmp, GTZAN_GENRES))
            if not n_tracks:
                raise FetchError(f"{archive.name} holds no <genre>.NNNNN.au or .wav files: not a GTZAN archive")
            (tmp / _MARKER).write_text(json.dumps({**marker, "tracks": n_tracks}, indent=1))
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as err:  # truncated or corrupt archive
        raise FetchError(f"{archive.name} is not a readable tar archive ({err}); delete it and fetch again") from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _fetched(root: Path) -> dict | None:
    marker = root / _MARKER
    if not marker.is_file():
        return None
    try:
        return json.loads(marker.read_text())
    except ValueError:
        return None


def fetch_gtzan(dest=None, *, url: str | None = None, sha256: str | None = None, sources=None,
                progress: bool = True) -> Path:
    """Download (or take) the GTZAN archive, verify it, extract it safely, and return the data root.

    Parameters
    ----------
    dest : str or Path or None
        Destination folder (default :func:`default_gtzan_dir`). Downloads go
        to ``dest/downloads/<source>/``, the dataset to ``dest/gtzan/``.
    url : str or None
        Another mirror, or a local archive path (``/path/genres.tar.gz`` or
        ``file://...``), used instead of the known sources.
    sha256 : str or None
        Expected SHA-256 of ``url``'s archive. Without it a download is not
        verified (a warning says so, with the hash it had).
    sources : sequence of Source or None
        Sources to try in order (default :data:`GTZAN_SOURCES`).
    progress : bool
        Show a download progress bar.

    Returns
    -------
    Path
        The data root: set ``GENRE_LAB_DATA`` to it.

    Raises
    ------
    FetchError
        If every source failed; the message lists each with its reason and
        how to use an archive downloaded by hand.

    Notebook: README.md ("Using real GTZAN")
    """
    import pooch

    dest = Path(dest) if dest is not None else default_gtzan_dir()
    root = dest / "gtzan"
    done = _fetched(root)
    if done is not None:
        log.info("GTZAN already fetched from %s and checked: %s", done.get("source"), display_path(root))
        return root
    if root.is_dir() and any(root.iterdir()):
        raise FetchError(f"{display_path(root)} exists but was not made by fetch-gtzan (no {_MARKER}); "
                         "move it away or choose another --dest. If it holds GTZAN, just set "
                         "GENRE_LAB_DATA to it.")
    if url:
        candidates = [Source("user", url, sha256)]
        if not sha256 and not _is_local(url):
            log.warning("no --sha256 given for %s: the download cannot be verified", url)
    else:
        candidates = list(sources if sources is not None else GTZAN_SOURCES)
    tried = []
    for src in candidates:
        archive = None
        try:
            log.info("trying %s: %s", src.name, src.url)
            archive = _obtain(src, dest / "downloads", progress)
            digest = src.sha256 or pooch.file_hash(str(archive), alg="sha256")
            if not src.sha256:
                log.warning("%s has SHA-256 %s (not verified against a known value)", archive.name, digest)
            safe_extract(archive, root, marker={"source": src.name, "url": src.url, "sha256": digest})
        except (OSError, ValueError, FetchError) as err:  # network, HTTP (OSErrors), checksum (ValueError), missing
            # file, unsafe or corrupt archive (FetchError); anything else is a bug and propagates
            log.warning("%s failed: %s", src.name, _reason(err))
            tried.append(f"{src.name} <{src.url}>: {_reason(err)}")
            unusable = isinstance(err, FetchError) or not src.sha256  # not, say, a full disk while extracting
            if archive is not None and unusable and not _is_local(src.url):
                archive.unlink(missing_ok=True)  # a download that cannot be used is not kept
            continue
        log.info("GTZAN extracted to %s", display_path(root))
        return root
    raise FetchError(
        "could not fetch GTZAN. Tried:\n  - " + "\n  - ".join(tried) + "\n"
        "If you have the archive (genres.tar.gz, e.g. downloaded in a browser), use it without network:\n"
        "  genre-lab fetch-gtzan --url /path/to/genres.tar.gz [--sha256 HEX]\n"
        "or name another mirror with --url URL --sha256 HEX."
    )


def _check_list(path: Path, expected: int | None) -> list[str]:
    lines = [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]
    bad = [ln for ln in lines if not _LIST_LINE.match(ln)]
    if bad:
        raise ValueError(f"{path.name} has lines that are not 'genre/genre.NNNNN.wav', e.g. {bad[0]!r}")
    if expected is not None and len(lines) != expected:
        raise ValueError(f"{path.name} lists {len(lines)} tracks, expected {expected}")
    return lines


def fetch_filtered_split(dest=None, *, base_url: str = FILTERED_SPLIT_URL, sha256: dict | None = None,
                         expected: dict | None = FILTERED_SPLIT_COUNTS, progress: bool = False) -> dict[str, Path]:
    """Fetch the artist-filtered GTZAN split lists and check them.

    The filtered split (Kereliuk, Sturm and Larsen 2015) keeps every artist
    in one set only, so a model cannot score by recognising an artist's
    production; random splits of GTZAN overestimate accuracy for that reason.

    Parameters
    ----------
    dest : str or Path or None
        Folder for the lists (default ``<default_gtzan_dir>/splits``).
    base_url : str
        URL (or local folder) holding ``train_filtered.txt``,
        ``valid_filtered.txt`` and ``test_filtered.txt``.
    sha256 : dict or None
        Expected hashes per split (default :data:`FILTERED_SPLIT_SHA256`).
    expected : dict or None
        Expected tracks per list (default 443 / 197 / 290); a list that does
        not match, or lists a song twice, is deleted and an error raised.

    Returns
    -------
    dict
        ``{"train": Path, "validation": Path, "test": Path}``: pass them to
        :func:`genre_lab.split.split_from_lists`.

    Notebook: README.md ("The artist-filtered split")
    """
    import pooch

    dest = Path(dest) if dest is not None else default_gtzan_dir() / "splits"
    hashes = FILTERED_SPLIT_SHA256 if sha256 is None else sha256
    out, seen = {}, {}
    for split, name in FILTERED_SPLIT_FILES.items():
        url = base_url.rstrip("/") + "/" + name
        src = Source(f"filtered-{split}", url, hashes.get(split))
        try:
            path = _obtain(src, dest, progress, per_source=False)
        except (OSError, ValueError, FetchError) as err:  # network, HTTP, checksum
            raise FetchError(f"could not fetch {name} from {url}: {_reason(err)}") from err
        try:
            lines = _check_list(path, None if expected is None else expected.get(split))
            for ln in lines:
                if ln in seen:
                    raise ValueError(f"{ln} is listed in both {seen[ln]} and {split}")
                seen[ln] = split
        except ValueError as err:
            if not _is_local(url):
                path.unlink(missing_ok=True)
            raise FetchError(f"{name} from {url} is not the published split: {err}") from err
        if not hashes.get(split):
            log.info("%s: SHA-256 %s (structure checked; no pinned hash)", name, pooch.file_hash(str(path)))
        out[split] = path
    return out
