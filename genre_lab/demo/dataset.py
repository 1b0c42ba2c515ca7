"""The embedded demo dataset: write it, describe it, finish it, and never mix it up with real data.

``make_demo_dataset`` writes GTZAN's layout (``genres/<genre>/<genre>.000NN.au``,
22,050 Hz, mono, 16-bit, 30 s) with, beside every clip, its score
(``<genre>.000NN.mid``), one metadata table for the whole set
(``metadata.csv``: genre, sub-style, tempo, key, instruments, and any section
in another style with its start and end), and a JSON marker that says the
data are synthetic and how they were made.

* One seed gives the same bytes on every run and machine.
* The marker says ``"complete": false`` until the last clip is written, so
  an interrupted run is finished with the settings it started with.
* Clips of another seed, length or generator version are deleted before a
  new one is written, so old and new clips never sit side by side.
* A folder holding audio without the marker is never touched.
* Every file is written to a unique temporary name and renamed into place,
  so two processes generating one root at once (two notebooks) leave a
  complete, consistent dataset.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np

from ..cache import atomic_write
from ..config import AUDIO, DATA_ENV, DEFAULT_GENRES, DEFAULT_SEED, data_root, default_data_root
from ..datasets import (
    DEMO_MARKER, HOW_TO_GET_DATA, OLD_DEMO_MARKER, Dataset, DatasetError, is_demo_root, open_dataset,
)
from .recipes import RECIPES
from .score import write_score

__all__ = ["DEMO_GENRES", "CLIP_SECONDS", "GENERATOR_VERSION", "DEMO_MARKER", "synthesize_clip", "demo_recipe",
           "read_demo_marker", "make_demo_dataset", "ensure_dataset", "is_demo_root", "read_demo_metadata", "clip_score_path",
           "write_score"]

log = logging.getLogger(__name__)

SR = AUDIO.sample_rate
#: Length of one demo clip, as in GTZAN.
CLIP_SECONDS = 30.0
#: Genres the demo generator has a recipe for, in the reference experiment's order.
DEMO_GENRES = tuple(g for g in DEFAULT_GENRES if g in RECIPES)
#: Bump when the generator changes what a seed produces: older demo clips are then regenerated.
GENERATOR_VERSION = 8
#: Marker file at the root of a generated demo dataset (JSON).
METADATA = "metadata.csv"
_COLUMNS = ["track_id", "genre", "substyle", "bpm", "key", "instruments", "vocal", "vocal_seconds", "other_genre",
            "other_substyle", "other_start_s", "other_end_s"]


def _clip_seed(seed: int, genre: str, index: int) -> list[int]:
    from ..config import GTZAN_GENRES

    return [int(seed), GTZAN_GENRES.index(genre), int(index)]


def synthesize_clip(genre: str, seed, *, seconds: float = CLIP_SECONDS, style_change: bool | None = None) -> np.ndarray:
    """Make one demo clip of a genre (audio only; see :func:`.render.render_clip` for its score).

    Parameters
    ----------
    genre : str
        One of :data:`DEMO_GENRES`.
    seed : int or sequence of int
        The clip's seed; the same seed gives the same samples.
    seconds : float
        Length of the clip.
    style_change : bool or None
        Force or forbid a section in another genre's style (None: about one clip in ten).

    Returns
    -------
    np.ndarray
        Mono float32 audio at 22,050 Hz, shape ``(round(seconds * 22050),)``, peak below 0 dBFS.

    Examples
    --------
    >>> y = synthesize_clip("reggae", 7, seconds=3.0)
    >>> y.shape, y.dtype
    ((66150,), dtype('float32'))

    Notebook: 01_mel_spectrograms.ipynb
    """
    from .render import render_clip

    _check_genre(genre)
    y, _, _ = render_clip(genre, seed, seconds=seconds, sr=SR, style_change=style_change)
    return y


def _check_genre(genre: str) -> None:
    if genre not in DEMO_GENRES:
        raise ValueError(f"no demo recipe for genre {genre!r}; recipes exist for {', '.join(DEMO_GENRES)}. "
                         "Point GENRE_LAB_DATA at a real GTZAN copy for the other genres.")


def clip_score_path(audio_path) -> Path:
    """The score (``.mid``) saved beside a demo clip.

    Notebook: 01_mel_spectrograms.ipynb
    """
    return Path(audio_path).with_suffix(".mid")


def _write_clip(path: Path, genre: str, seed: int, index: int, seconds: float) -> dict:
    """Render one clip and write its audio and score atomically; return its metadata row."""
    import soundfile as sf

    from .render import render_clip

    y, pm, info = render_clip(genre, _clip_seed(seed, genre, index), seconds=seconds, sr=SR)
    with atomic_write(clip_score_path(path)) as tmp:
        write_score(pm, tmp)
    with atomic_write(path) as tmp:
        sf.write(tmp, y, SR, format="AU", subtype="PCM_16")
    return _row(path.stem, info)


def _row(track_id: str, info: dict) -> dict:
    row = {"track_id": track_id, **{k: info.get(k) for k in _COLUMNS if k != "track_id"}}
    row["instruments"] = "; ".join(info["instruments"])
    return row


def demo_recipe(genre: str, index: int, *, seed: int = DEFAULT_SEED, seconds: float = CLIP_SECONDS) -> dict:
    """How demo clip ``index`` of a genre was made, without rendering it.

    Parameters
    ----------
    genre : str
        One of :data:`DEMO_GENRES`.
    index : int
        Clip number (``reggae.00007`` is index 7).
    seed : int
        Dataset seed the clip was generated with.

    Returns
    -------
    dict
        ``genre``, ``substyle``, ``bpm``, ``key`` (e.g. ``"A minor"``),
        ``instruments``, ``vocal`` (the lead voice's style, "" for none),
        ``voice`` (the singer: ``part``, ``style``, ``formant_scale``, ``seed``; None for an
        instrumental: :func:`genre_lab.demo.render_vocal` sings the score's part with it), and ``other_genre``, ``other_start_s``,
        ``other_end_s`` for a section in another genre's style (None
        otherwise).

    Examples
    --------
    >>> sorted(demo_recipe("reggae", 0))[:4]
    ['bpm', 'genre', 'instruments', 'key']

    Notebook: 01_mel_spectrograms.ipynb
    """
    from .render import arrange, vocal_style

    _check_genre(genre)
    rng = np.random.default_rng(_clip_seed(seed, genre, index))
    plan, donor, window = arrange(genre, rng, seconds)
    return {"genre": genre, "substyle": plan.substyle, "bpm": round(plan.bpm, 1), "key": plan.key_name,
            "instruments": plan.instruments, "vocal": vocal_style(plan),
            "voice": next(({"part": name, "style": part["voice"]["style"], "seed": part["voice"]["seed"],
                            "formant_scale": part["voice"]["formant_scale"]}
                           for name, part in plan.parts.items() if "voice" in part), None),
            "other_genre": donor.genre if donor else None, "other_substyle": donor.substyle if donor else None,
            "other_start_s": round(window[0], 2) if window else None,
            "other_end_s": round(window[1], 2) if window else None}


def read_demo_marker(root) -> dict | None:
    """The settings a demo dataset was generated with, or None if ``root`` is not one.

    Returns
    -------
    dict or None
        ``seed``, ``clips_per_genre``, ``seconds``, ``genres``, ``generator``
        (version) and ``complete`` (False while, or if, generation was
        interrupted). A marker of the first generator reads as version 1.

    Notebook: 01_mel_spectrograms.ipynb
    """
    root = Path(root)
    marker = root / DEMO_MARKER
    if marker.is_file():
        try:
            data = json.loads(marker.read_text())
        except json.JSONDecodeError:  # a damaged marker: the set is treated as interrupted and finished
            return {"complete": False, "generator": GENERATOR_VERSION}
        data["genres"] = tuple(data.get("genres", ()))
        return data
    if (root / OLD_DEMO_MARKER).is_file():
        return {"complete": False, "generator": 1}
    return None


def read_demo_metadata(root):
    """The demo dataset's metadata table: one row per clip.

    Returns
    -------
    pandas.DataFrame
        ``track_id``, ``genre``, ``substyle``, ``bpm``, ``key``,
        ``instruments``, ``vocal`` (the lead voice's style: sung, twang, rap,
        toast, shout, growl or scream; "" for an instrumental),
        ``vocal_seconds`` (how long a voice is heard in the clip),
        ``other_genre``, ``other_substyle``, ``other_start_s``, ``other_end_s``.

    Raises
    ------
    FileNotFoundError
        If ``root`` is not a complete demo dataset.

    Notebook: 01_mel_spectrograms.ipynb
    """
    import pandas as pd

    path = Path(root) / METADATA
    if not path.is_file():
        raise FileNotFoundError(f"no {METADATA} in {Path(root).name}: not a (complete) demo dataset; "
                                "run `genre-lab make-demo`")
    table = pd.read_csv(path, dtype={"track_id": str})
    if "vocal" in table:  # an instrumental is "" (CSV reads an empty field as missing)
        table["vocal"] = table["vocal"].fillna("")
    return table


def _write_marker(root: Path, settings: dict, complete: bool) -> None:
    text = {"note": "genre_lab's SYNTHETIC demo dataset, generated offline in GTZAN's layout. It is not GTZAN, "
                    "and results on it say nothing about real music.",
            **settings, "genres": list(settings["genres"]), "complete": complete}
    with atomic_write(root / DEMO_MARKER) as tmp:
        tmp.write_text(json.dumps(text, indent=1) + "\n")


def make_demo_dataset(root, *, genres=DEMO_GENRES, clips_per_genre: int = 100, seed: int = DEFAULT_SEED,
                      seconds: float = CLIP_SECONDS, n_jobs: int = -1, overwrite: bool = False) -> Path:
    """Write the synthetic demo dataset in GTZAN's layout, with a score per clip and a metadata table.

    Parameters
    ----------
    root : str or Path
        Dataset root to create.
    genres : sequence of str
        Genres to generate; each must have a recipe (:data:`DEMO_GENRES`).
    clips_per_genre : int
        Clips per genre (GTZAN has 100).
    seed : int
        Dataset seed; clip ``k`` of genre ``g`` uses the seed ``[seed, g, k]``.
    seconds : float
        Clip length in seconds (GTZAN: 30).
    n_jobs : int
        Worker processes (``-1``: all cores).
    overwrite : bool
        Regenerate clips that already exist.

    Returns
    -------
    Path
        The root.

    Raises
    ------
    ValueError
        For a genre without a recipe, a bad clip count, or a folder that
        holds audio genre_lab did not generate.

    Notebook: 01_mel_spectrograms.ipynb
    """
    import pandas as pd
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    genres = tuple(genres)
    for g in genres:
        _check_genre(g)
    if clips_per_genre < 1 or clips_per_genre > 99_999:
        raise ValueError(f"clips_per_genre must be between 1 and 99999, got {clips_per_genre}")
    root = Path(root)
    old = read_demo_marker(root)
    if old is None and any(p.is_file() for p in (root / "genres").rglob("*")):
        raise ValueError(f"{root} holds files that genre_lab did not generate (no {DEMO_MARKER}); "
                         "it will not overwrite them. Choose another --root for the demo dataset.")
    if old is not None and (old.get("seed") != seed or old.get("seconds") != float(seconds)
                            or old.get("generator") != GENERATOR_VERSION):
        log.info("%s holds demo clips of another seed, length or generator: replacing them", root.name)
        overwrite = True
    settings = {"seed": int(seed), "clips_per_genre": int(clips_per_genre), "seconds": float(seconds),
                "genres": genres, "generator": GENERATOR_VERSION, "sample_rate": SR}
    # The marker says "incomplete" before anything is deleted or written, so an interruption is always finished
    _write_marker(root, settings, complete=False)
    if overwrite:  # clips of another recipe go, in every genre folder, requested or not
        for folder in sorted((root / "genres").glob("*")) if (root / "genres").is_dir() else []:
            if folder.is_dir() and folder.name not in genres:
                for clip in folder.iterdir():
                    if re.fullmatch(rf"{folder.name}\.\d{{5}}\.(au|mid)", clip.name):
                        clip.unlink(missing_ok=True)
    jobs = []
    for g in genres:
        folder = root / "genres" / g
        folder.mkdir(parents=True, exist_ok=True)
        for clip in sorted(folder.iterdir()):
            m = re.fullmatch(rf"{g}\.(\d{{5}})\.(au|mid)", clip.name)
            # Clips of another recipe are deleted before anything is written, so an interrupted run can never
            # leave old and new clips side by side; clips beyond the requested count are not part of the set.
            if m and (overwrite or int(m[1]) >= clips_per_genre):
                clip.unlink(missing_ok=True)
        for k in range(clips_per_genre):
            path = folder / f"{g}.{k:05d}.au"
            if not (path.is_file() and clip_score_path(path).is_file()):
                jobs.append((path, g, k))
    (root / OLD_DEMO_MARKER).unlink(missing_ok=True)
    rows = {}
    if jobs:
        log.info("rendering %d demo clips into %s", len(jobs), root.name)
        work = (delayed(_write_clip)(p, g, seed, k, seconds) for p, g, k in jobs)
        for row in tqdm(Parallel(n_jobs=n_jobs, return_as="generator", batch_size=2)(work),
                        total=len(jobs), desc="demo clips", unit="clip"):
            rows[row["track_id"]] = row
    for g in genres:  # clips already present: their metadata without rendering them again
        for k in range(clips_per_genre):
            tid = f"{g}.{k:05d}"
            if tid not in rows:
                rows[tid] = _row(tid, demo_recipe(g, k, seed=seed, seconds=seconds))
    table = pd.DataFrame([rows[f"{g}.{k:05d}"] for g in genres for k in range(clips_per_genre)], columns=_COLUMNS)
    with atomic_write(root / METADATA) as tmp:
        table.to_csv(tmp, index=False)
    _write_marker(root, settings, complete=True)
    return root


def ensure_dataset(root=None, *, seed: int = DEFAULT_SEED, clips_per_genre: int = 100) -> Dataset:
    """Return the data root, generating the demo dataset first if the default root is empty: provisioning.

    Discovery (:mod:`genre_lab.datasets`) only finds and checks tracks; making,
    finishing or regenerating the demo (on a new generator version) lives here.

    Only the default root (no argument, no ``$GENRE_LAB_DATA``) is generated
    on demand; a root the user named must exist, else :class:`DatasetError`
    says how to get data.

    Parameters
    ----------
    root : str or Path or None
        Data root (default: the data-root setting).
    seed, clips_per_genre : int
        Used only when the demo dataset is generated.

    Returns
    -------
    Dataset
        The data root and its kind, resolved once (a path-like).

    Notebook: 01_mel_spectrograms.ipynb
    """
    resolved = data_root(root)
    if resolved == default_data_root():
        marker = read_demo_marker(resolved)
        if marker is not None and marker.get("generator") != GENERATOR_VERSION:
            log.info("the demo dataset at %s was made by an older generator: regenerating it", resolved)
            make_demo_dataset(resolved, seed=seed, clips_per_genre=clips_per_genre)
        elif marker is None:
            log.info("no dataset at %s yet: generating the synthetic demo dataset", resolved)
            make_demo_dataset(resolved, seed=seed, clips_per_genre=clips_per_genre)
        elif not marker["complete"]:  # an interrupted generation: finish it with the settings it started with
            settings = {k: marker[k] for k in ("seed", "clips_per_genre", "seconds", "genres") if k in marker}
            settings["genres"] = tuple(settings.get("genres") or ()) or None
            settings = {k: v for k, v in settings.items() if v is not None}
            log.info("finishing the interrupted demo dataset at %s", resolved)
            make_demo_dataset(resolved, **{"seed": seed, "clips_per_genre": clips_per_genre, **settings})
    elif not resolved.is_dir():
        raise DatasetError(f"data root {resolved} does not exist. " + HOW_TO_GET_DATA.format(root=resolved, env=DATA_ENV))
    return open_dataset(resolved)
