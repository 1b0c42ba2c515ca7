"""Trained models on disk: a ``.keras`` file with a JSON sidecar (genres, audio parameters, layout, history).

Notebook: 04_train_cnn.ipynb (saving), 05_evaluation.ipynb (loading)
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from .backend import keras_quietly as _keras
from .cache import atomic_write
from .config import AUDIO, AudioParams, check_genres
from .model import REFERENCE, model_layout

__all__ = ["ModelFileError", "save_model", "load_model"]


class ModelFileError(ValueError):
    """A saved model file that exists but cannot be loaded (truncated, damaged, not a .keras archive)."""


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def save_model(model, path, *, genres, params: AudioParams = AUDIO, history: dict | None = None, **extra) -> Path:
    """Save a model as ``.keras`` with a JSON sidecar: genres, audio parameters, layout, history.

    Parameters
    ----------
    model : keras.Model
    path : str or Path
        Ends in ``.keras``; the sidecar is the same name with ``.json``.
    genres : sequence of str
        Class names in output order.
    history : dict or None
        From :func:`train_model`.
    **extra
        More JSON-serialisable metadata (seed, data kind, accuracies...).

    Returns
    -------
    Path
        The model path.

    Notebook: 04_train_cnn.ipynb
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"save models with the .keras suffix, got {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    genres = list(check_genres(genres))
    if len(genres) != model.output_shape[-1]:
        raise ValueError(f"{len(genres)} genres for a model with {model.output_shape[-1]} outputs")
    meta = {"genres": genres, "audio": params.to_dict(), "layout": model_layout(model),
            "input_shape": list(model.input_shape[1:]), "history": history or {}, **extra}
    # Both are complete before either is renamed into place; only an interruption between the two renames
    # can pair them wrongly, and load_model then refuses a genre count or layout that disagrees.
    with atomic_write(path) as tmp, atomic_write(_meta_path(path)) as tmp_meta:
        model.save(tmp)
        tmp_meta.write_text(json.dumps(meta, indent=1))
    return path


def load_model(path, *, genres=None, params: AudioParams = AUDIO):
    """Load a saved model and its metadata, refusing one that does not fit.

    Parameters
    ----------
    path : str or Path
        A ``.keras`` file written by :func:`save_model`.
    genres : sequence of str or None
        If given, the genres (in order) the caller expects.
    params : AudioParams
        The audio parameters the caller's features use.

    Returns
    -------
    model : keras.Model
    meta : dict
        The sidecar metadata (``genres``, ``audio``, ``layout``, ``history`` ...).

    Raises
    ------
    FileNotFoundError
        If the model or its sidecar is missing.
    ValueError
        If the genre list, the audio parameters or the input shape do not match.

    Notebook: 05_evaluation.ipynb
    """
    path = Path(path)
    meta_path = _meta_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model at {path}; train one with `genre-lab train` or notebook 03")
    if not meta_path.is_file():
        raise FileNotFoundError(f"{path.name} has no metadata file {meta_path.name}; save models with "
                                "genre_lab.save_model so the genre list travels with them")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as err:
        raise ModelFileError(f"{meta_path.name} is damaged ({err}); delete {path.name} and train again") from err
    if genres is not None and list(check_genres(genres)) != meta["genres"]:
        raise ValueError(f"{path.name} was trained on genres {meta['genres']}, not {list(genres)}; "
                         "retrain or select the same genres in the same order")
    if meta.get("audio") != params.to_dict():
        raise ValueError(f"{path.name} was trained on features with audio parameters {meta.get('audio')}, "
                         f"which differ from {params.to_dict()}")
    keras = _keras()
    try:
        model = keras.saving.load_model(path)
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError) as err:  # a truncated or damaged file
        raise ModelFileError(f"{path.name} is damaged and cannot be loaded ({type(err).__name__}: {err}); "
                             "delete it and train again (`genre-lab train` or notebook 03)") from err
    layout = meta.get("layout", REFERENCE)
    if layout != model_layout(model, params):
        raise ValueError(f"{path.name}: its metadata says layout {layout!r} but the model takes "
                         f"{tuple(model.input_shape[1:])}; the files do not belong together")
    want = params.feature_shape if layout == REFERENCE else params.feature_shape[::-1]
    if tuple(model.input_shape[1:]) != tuple(want):
        raise ValueError(f"{path.name} takes input {tuple(model.input_shape[1:])}, but {layout} features are {want}")
    if model.output_shape[-1] != len(meta["genres"]):
        raise ValueError(f"{path.name} has {model.output_shape[-1]} outputs but lists {len(meta['genres'])} genres")
    return model, meta
