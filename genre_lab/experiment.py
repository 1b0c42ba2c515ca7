"""The reference experiment end to end: data -> split -> features -> model -> metrics.

The notebooks and the ``genre-lab`` command share these few steps so that
both give the same numbers. Each step is one call into the modules that own
the concept; read those to see how it works.

Notebook: 04_train_cnn.ipynb, 05_evaluation.ipynb
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config import DATA_ENV, DEFAULT_SEED, DEMO_KIND, EPOCHS, HOP_SECONDS, check_genres, models_dir
from .datasets import scan_dataset
from .demo import ensure_dataset, read_demo_marker
from .features import extract_features, extract_windows
from .model import BUILDERS, REFERENCE, band_statistics
from .saving import load_model, save_model
from .split import SPLITS, load_or_make_split
from .training import train_model

__all__ = ["Experiment", "load_experiment", "experiment_of_model", "default_model_path", "train_reference",
           "load_or_train", "results_over_seeds"]

log = logging.getLogger(__name__)


@dataclass
class Experiment:
    """Everything the model needs, aligned row by row.

    Attributes
    ----------
    root : Path
        Data root.
    kind : str
        ``"synthetic demo"`` or ``"GTZAN"``: say it next to every result.
    genres : tuple of str
        Class names; ``y`` indexes into it.
    tracks : pandas.DataFrame
        One row per song: track_id, genre, path, split.
    X : np.ndarray
        ``(n_songs, 388, 128)`` features of the first 9 s.
    y : np.ndarray
        ``(n_songs,)`` genre indices.
    skipped : pandas.DataFrame
        Files left out, with the reason.
    seed : int
        Seed of the split (and default training seed).
    split_name : str
        ``"seed<S>"`` for a seeded split, ``"filtered"`` for the published list files.
    split_lists : Path or None
        Folder of the list files, for a list-file split.
    """

    root: Path
    kind: str
    genres: tuple
    tracks: pd.DataFrame
    X: np.ndarray
    y: np.ndarray
    skipped: pd.DataFrame
    seed: int
    split_name: str = ""
    split_lists: Path | None = None

    def part(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` of one split: ``"train"``, ``"validation"`` or ``"test"``."""
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; use one of {SPLITS}")
        mask = (self.tracks["split"] == name).to_numpy()
        return self.X[mask], self.y[mask]

    def windows(self, split: str = "test", *, hop_seconds: float = HOP_SECONDS):
        """Window features of one split's songs (whole clips), for song-level voting.

        Returns
        -------
        FeatureSet
            ``X`` ``(n_windows, 388, 128)``; ``tracks`` says which song each row is from.
        """
        songs = self.tracks[self.tracks["split"] == split]
        return extract_windows(songs, self.root, hop_seconds=hop_seconds)


def load_experiment(root=None, genres=None, *, seed: int = DEFAULT_SEED, split_lists=None,
                    data_seed: int | None = None) -> Experiment:
    """Find the tracks, load or make the split, and load or compute the features.

    Generates the demo dataset first if the default root is empty.

    Parameters
    ----------
    root : str or Path or None
        Data root (default: the data-root setting).
    genres : sequence of str or None
        Genres (default: the five of the reference experiment).
    seed : int
        Seed of the song-level split (saved as a manifest and reloaded).
    split_lists : str or Path or None
        A folder holding ``train_filtered.txt``, ``valid_filtered.txt`` and
        ``test_filtered.txt`` (see :func:`genre_lab.fetch.fetch_filtered_split`):
        use that published split instead; songs in none of the lists are left out.
    data_seed : int or None
        Seed of the demo songs: used when the demo dataset has to be generated first, and checked against an
        existing demo (a different one is an error, never silently ignored). None: 2018, and no check.

    Notebook: 03_dataset_split.ipynb
    """
    genres = check_genres(genres)
    data = ensure_dataset(root, seed=DEFAULT_SEED if data_seed is None else data_seed)
    root = data.root
    made = read_demo_marker(root) if data_seed is not None else None
    if made is not None and made.get("seed") not in (None, data_seed):
        raise ValueError(f"the demo dataset at {root.name} was generated with data seed {made['seed']}, not "
                         f"{data_seed}: run `genre-lab make-demo --data-seed {data_seed} --overwrite` first, or pass "
                         "another --root")
    tracks, skipped = scan_dataset(root, genres)
    feats = extract_features(tracks, root)
    if len(feats.skipped):
        skipped = pd.concat([skipped, feats.skipped], ignore_index=True)
        tracks = tracks[tracks["track_id"].isin(feats.tracks["track_id"])].reset_index(drop=True)
    if split_lists is not None:
        from .fetch import FILTERED_SPLIT_FILES
        from .split import split_from_lists

        folder = Path(split_lists)
        tracks, missing = split_from_lists(tracks, **{k: folder / v for k, v in FILTERED_SPLIT_FILES.items()})
        if len(missing):
            skipped = pd.concat([skipped, pd.DataFrame({"path": missing["entry"],
                                                        "reason": "listed in the split, not on disk"})])
        X = feats.X[feats.tracks["track_id"].isin(tracks["track_id"]).to_numpy()]
        split_name = "filtered"
    else:
        tracks = load_or_make_split(tracks, root, seed=seed)
        X, split_name = feats.X, f"seed{seed}"
    y = tracks["genre"].map({g: i for i, g in enumerate(genres)}).to_numpy()
    return Experiment(root, data.kind, genres, tracks, X, y, skipped, seed, split_name,
                      Path(split_lists) if split_lists is not None else None)


def experiment_of_model(meta: dict, name: str, *, root=None, split_lists=None) -> Experiment:
    """The data and split a saved model was trained on, from its metadata; ``root``/``split_lists`` override them.

    Parameters
    ----------
    meta : dict
        The model's metadata (:func:`genre_lab.load_model`).
    name : str
        The model file's name, for messages.
    root, split_lists : str or Path or None
        Another copy of the data, or the list files of a list-file split.

    Raises
    ------
    FileNotFoundError
        If the data the model was trained on is gone and no ``root`` is given.
    ValueError
        If the split cannot be the model's (list files for a seeded split, or none for a list-file split).

    Notebook: 05_evaluation.ipynb (``genre-lab evaluate``)
    """
    trained_on = meta.get("root")
    env = os.environ.get(DATA_ENV, "").strip()
    if root is None and trained_on and env and Path(env).resolve() != Path(trained_on):
        log.warning("evaluating on the data the model was trained on, not on $%s; pass --root to change", DATA_ENV)
    root = root or trained_on
    if root and not Path(root).is_dir():
        raise FileNotFoundError(f"the data {name} was trained on is gone ({root}); "
                                "pass --root DIR to evaluate on another copy")
    lists = split_lists or meta.get("split_lists")
    split = meta.get("split") or ""
    if split == "filtered" and not lists:
        raise ValueError(f"{name} was trained on the list-file split; pass --split-lists DIR")
    if split.startswith("seed") and split_lists:
        raise ValueError(f"{name} was trained on the seeded split {meta['split']}, "
                         "not on list files: its test songs may be in your lists' training set")
    return load_experiment(root, meta["genres"], seed=meta.get("split_seed", DEFAULT_SEED), split_lists=lists)


def default_model_path(exp: Experiment, layout: str = REFERENCE, epochs: int = EPOCHS, *,
                       seed: int | None = None) -> Path:
    """Where a model of this data, genre list, split, layout, epoch budget and training seed is saved by default.

    Parameters
    ----------
    exp : Experiment
    layout : str
        ``"reference"`` or ``"historical-2018"``.
    epochs : int
        Epoch budget (part of the name, so a short run never replaces the 27-epoch model).
    seed : int or None
        Training seed; None or the split seed: the model notebooks 03-05 use. Any other seed adds
        ``_seed<S>`` to the name (the models of notebook 06's seed study).

    Returns
    -------
    Path
        ``<models>/<layout>_<demo|gtzan>-<data hash>_<n>genres-<genre-list hash>_<split>_<epochs>epochs.keras``:
        two selections of the same size (or order) never share a file, and
        a model trained on other data is never loaded for this data: the data
        hash is taken over the songs' features, labels and split, so a demo
        dataset regenerated with another seed or generator gets new models.

    Notebook: 04_train_cnn.ipynb
    """
    h = hashlib.sha256()
    if exp.X is None:  # an experiment without features (tests): its root stands for its data
        h.update(str(Path(exp.root).resolve()).encode())
    else:
        for a in (exp.X, exp.y, exp.tracks["split"].to_numpy(dtype=str)):
            h.update(np.ascontiguousarray(a))  # ~0.06 s for 500 clips; no copy
    tag = h.hexdigest()[:8]
    kind = "demo" if exp.kind == DEMO_KIND else "gtzan"
    split = exp.split_name or f"seed{exp.seed}"
    which = hashlib.sha256(",".join(exp.genres).encode()).hexdigest()[:6]
    name = f"{layout}_{kind}-{tag}_{len(exp.genres)}genres-{which}_{split}_{epochs}epochs"
    return models_dir() / (name + ("" if seed in (None, exp.seed) else f"_seed{seed}") + ".keras")


def train_reference(exp: Experiment, *, layout: str = REFERENCE, epochs: int = EPOCHS, seed: int | None = None,
                    out=None, verbose: int = 2, **model_kwargs):
    """Build, train and save the reference CNN (or the historical variant) on an experiment.

    Band statistics come from the training songs only; training is seeded;
    the model is saved with its genres, history, data kind, split and root.

    Parameters
    ----------
    exp : Experiment
    layout : str
        ``"reference"`` or ``"historical-2018"``.
    epochs : int
        27, as in the reference experiment.
    seed : int or None
        Training seed (default: the split seed).
    out : str or Path or None
        Model path ending in ``.keras`` (default :func:`default_model_path`).
    verbose : int
        2: one line per epoch; 0: silent.
    **model_kwargs
        Passed to the model builder (``learning_rate``, ``dropout``, ...).

    Returns
    -------
    model : keras.Model
    history : dict
    path : Path
        Where the model was saved (with its ``.json`` metadata).

    Notebook: 04_train_cnn.ipynb
    """
    seed = exp.seed if seed is None else seed
    path = Path(out) if out is not None else default_model_path(exp, layout, epochs, seed=seed)
    if path.suffix != ".keras":  # fail before training, not after
        raise ValueError(f"save models with the .keras suffix, got {path.name}")
    X_tr, y_tr = exp.part("train")
    X_va, y_va = exp.part("validation")
    mean, var = band_statistics(X_tr)
    if layout not in BUILDERS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(BUILDERS)}")
    model = BUILDERS[layout](len(exp.genres), band_mean=mean, band_var=var, seed=seed, **model_kwargs)
    history = train_model(model, X_tr, y_tr, X_va, y_va, epochs=epochs, seed=seed, verbose=verbose)
    save_model(model, path, genres=exp.genres, history=history, seed=seed, epochs=epochs, data=exp.kind,
                 split_seed=exp.seed, split=exp.split_name, root=str(Path(exp.root).resolve()),
                 split_lists=str(Path(exp.split_lists).resolve()) if exp.split_lists else None)
    return model, history, path


def load_or_train(exp: Experiment, *, layout: str = REFERENCE, path=None, epochs: int = EPOCHS, seed: int | None = None,
                  verbose: int = 2):
    """Load the saved model of this experiment, or train and save it when there is none.

    Parameters
    ----------
    exp : Experiment
    layout : str
        ``"reference"`` or ``"historical-2018"``.
    path : str or Path or None
        A model to load instead of the default one; it is never retrained or overwritten.
    epochs : int
        Epoch budget of the default model (part of its file name).
    seed : int or None
        Training seed of the default model (None: the split seed).

    Returns
    -------
    model : keras.Model
    meta : dict
        Saved metadata, including ``history``.

    Notebook: 05_evaluation.ipynb
    """
    if path is not None:  # a model the caller named: use it or fail, never overwrite it
        return load_model(path, genres=exp.genres)
    path = default_model_path(exp, layout, epochs, seed=seed)
    if path.is_file():
        try:
            return load_model(path, genres=exp.genres)
        except (ValueError, FileNotFoundError) as err:  # damaged (ModelFileError), mismatched or half-written
            kept = path.with_name(path.name + ".bad")
            path.replace(kept)  # never lost: the old file is kept beside the new one
            log.warning("not using %s (%s); kept it as %s and training a new model", path.name, err, kept.name)
    train_reference(exp, layout=layout, epochs=epochs, seed=seed, out=path, verbose=verbose)
    return load_model(path, genres=exp.genres)


def results_over_seeds(exp: Experiment, *, seeds=(1, 2, 3, 4, 5), layouts=("reference", "historical-2018"),
                       epochs: int = EPOCHS, baseline: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Test accuracy over several training seeds: every model trained (or loaded) and scored by ``evaluate_model``.

    One test accuracy is one draw; the spread over training seeds says how
    much of a difference between two models is luck. Each model is saved
    beside the default one with its seed in the name, and its scores in a
    JSON file, so a second call costs nothing; two processes asking for the
    same model at once train it once (the second waits, then loads it; see
    :func:`genre_lab.cache.exclusive` for where no lock is available).

    Parameters
    ----------
    exp : Experiment
    seeds : sequence of int
        Training seeds (at least 2 for an interval). The split seed's model
        is the default model of notebooks 03-05, shared with them.
    layouts : sequence of str
        ``"reference"`` and/or ``"historical-2018"``.
    epochs : int
    baseline : bool
        Add the MFCC baseline (one row per seed; its fit does not depend on the seed).

    Returns
    -------
    runs : pandas.DataFrame
        One row per model and seed: ``model``, ``seed``, ``first_9s``, ``song_vote`` (test accuracy).
    summary : pandas.DataFrame
        Per model and measure: ``mean`` and the 95% t-interval ``low``, ``high`` over seeds.

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    import json

    from scipy import stats

    from .baseline import fit_baseline
    from .cache import atomic_write, exclusive
    from .evaluate import evaluate_model

    rows = []
    for layout in layouts:
        for seed in seeds:
            path = default_model_path(exp, layout, epochs, seed=seed)  # the split seed's: notebooks 03-05's model
            scores = path.with_suffix(".scores.json")
            with exclusive(path):  # another process (the test command's background training) may be making it
                res = None
                if path.is_file() and scores.is_file():
                    res = json.loads(scores.read_text())
                    if res.get("model_mtime_ns") != path.stat().st_mtime_ns:
                        res = None
                if res is None:
                    model, _ = load_or_train(exp, layout=layout, epochs=epochs, seed=seed, verbose=0)
                    mtime = path.stat().st_mtime_ns
                    full = evaluate_model(model, exp)
                    res = {"first_9s": full.accuracy["test"], "song_vote": full.accuracy_song_vote,
                           "model_mtime_ns": mtime}
                    with atomic_write(scores) as tmp:
                        tmp.write_text(json.dumps(res))
            rows.append({"model": layout, "seed": seed, "first_9s": res["first_9s"], "song_vote": res["song_vote"]})
    if baseline:
        base = evaluate_model(fit_baseline(*exp.part("train")), exp)
        rows.append({"model": "mfcc-baseline", "seed": None, "first_9s": base.accuracy["test"],
                     "song_vote": base.accuracy_song_vote})  # deterministic: one run, no interval
    runs = pd.DataFrame(rows)
    out = []
    for (name, measure), vals in runs.melt(id_vars=["model", "seed"], var_name="measure").groupby(
            ["model", "measure"], sort=False)["value"]:
        v = vals.to_numpy(dtype=float)
        half = float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else np.nan
        out.append({"model": name, "measure": measure, "mean": v.mean(), "low": v.mean() - half,
                    "high": v.mean() + half, "seeds": len(v)})
    return runs, pd.DataFrame(out)
