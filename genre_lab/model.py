"""The reference CNN, its 2018 historical variant, seeded training, and save/load.

Input is a batch of log-mel spectrograms ``(n_clips, 388, 128)``: time is the
sequence axis that ``Conv1D`` slides along and the 128 mel bands are its
channels, so every filter sees the whole spectrum of three neighbouring
frames. The 2018 original fed ``(128, 388)`` and so convolved over mel bands
with time frames as channels; :func:`build_historical_cnn` keeps that layout,
clearly named, for comparison.

Notebook: 03_train_cnn.ipynb
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .cache import atomic_write
from .config import AUDIO, AudioParams, DEFAULT_SEED, check_genres

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__all__ = [
    "REFERENCE", "HISTORICAL", "band_statistics", "build_reference_cnn", "build_historical_cnn",
    "check_input", "to_model_layout", "train_model", "save_model", "load_model", "predict_proba", "predict_logits",
]

log = logging.getLogger(__name__)

REFERENCE = "reference"
HISTORICAL = "historical-2018"

#: Defaults chosen so the reference CNN learns within 27 epochs (see build_reference_cnn).
LEARNING_RATE = 0.01
MOMENTUM = 0.9
DROPOUT = 0.3


@contextlib.contextmanager
def _quiet_fd2():
    """Hold back the C++ start-up lines TensorFlow writes straight to file descriptor 2.

    They are captured, not discarded: if the block fails (a broken install,
    an unsupported CPU), what TensorFlow wrote is attached to the error.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as cap:
        try:
            os.dup2(cap.fileno(), 2)
            yield
        except Exception as err:  # (KeyboardInterrupt passes through unchanged)
            os.dup2(saved, 2)
            cap.seek(0)
            said = cap.read().decode(errors="replace").strip()
            if said:
                raise RuntimeError(f"importing TensorFlow/Keras failed ({type(err).__name__}: {err}); "
                                   f"TensorFlow said:\n{said[-4000:]}") from err
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _keras():
    """Import Keras (TensorFlow backend) with its start-up noise held back."""
    if "keras" not in sys.modules:
        with _quiet_fd2():
            import tensorflow  # noqa: F401  (its C++ logging starts here)
            import keras  # noqa: F401
    import keras

    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    return keras


def band_statistics(X_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of every mel band over the training set only.

    Parameters
    ----------
    X_train : np.ndarray
        Training features, shape ``(n_clips, 388, 128)``.

    Returns
    -------
    mean, variance : np.ndarray
        Shape ``(128,)`` each. The model's first layer subtracts the mean and
        divides by the standard deviation, on every set, with these training
        statistics: validation and test data never leak into them.

    Notebook: 03_train_cnn.ipynb
    """
    X_train = np.asarray(X_train)
    check_input(X_train)
    mean = X_train.mean(axis=(0, 1), dtype=np.float64)
    var = X_train.var(axis=(0, 1), dtype=np.float64)
    return mean.astype(np.float32), np.maximum(var, 1e-6).astype(np.float32)


def check_input(X: np.ndarray, params: AudioParams = AUDIO, *, layout: str = REFERENCE) -> None:
    """Fail clearly unless ``X`` is a batch of features in the model's layout.

    Parameters
    ----------
    X : np.ndarray
        ``(n_clips, 388, 128)`` for the reference CNN (time x mel), or
        ``(n_clips, 128, 388)`` for the historical variant.
    layout : str
        ``"reference"`` or ``"historical-2018"``.

    Raises
    ------
    ValueError
        If the shape is wrong; a transposed batch gets a message explaining the
        2018 mistake and how to fix it.

    Notebook: 03_train_cnn.ipynb
    """
    want = params.feature_shape if layout == REFERENCE else params.feature_shape[::-1]
    shape = tuple(np.shape(X))
    if len(shape) == 2 and shape == want:
        raise ValueError(f"got one clip of shape {shape}; the model takes a batch (n_clips, {want[0]}, {want[1]}): "
                         "use X[None] for a single clip")
    if len(shape) != 3 or shape[1:] != want:
        msg = f"expected a batch of shape (n_clips, {want[0]}, {want[1]}), got {shape}"
        if len(shape) == 3 and shape[1:] == want[::-1]:
            if layout == REFERENCE:
                msg += (f": this is the transposed layout (mel x time) the 2018 code used, which makes Conv1D slide "
                        f"over mel bands with time frames as channels. Pass X.transpose(0, 2, 1) to put time first.")
            else:
                msg += ": the historical variant expects mel x time; use to_model_layout(X, 'historical-2018')"
        raise ValueError(msg)


def to_model_layout(X: np.ndarray, layout: str) -> np.ndarray:
    """Our ``(n, 388, 128)`` features in the layout a model variant expects (transposed for the historical one).

    Parameters
    ----------
    X : np.ndarray
        ``(n_clips, 388, 128)``, time x mel.
    layout : str
        ``"reference"`` (returned as is) or ``"historical-2018"`` (``(n_clips, 128, 388)``).

    Notebook: 03_train_cnn.ipynb
    """
    return np.swapaxes(X, 1, 2) if layout == HISTORICAL else X


def _cnn(keras, input_shape, n_genres, norm_axis, band_mean, band_var, *, filters, kernel_size, pool_size,
         pool_stride, dropout, dense_units, learning_rate, momentum, name):
    layers = keras.layers
    inputs = keras.Input(input_shape, name="log_mel")
    x = inputs
    if band_mean is not None:
        x = layers.Normalization(axis=norm_axis, mean=band_mean, variance=band_var, name="band_norm")(x)
    for i in (1, 2):
        x = layers.Conv1D(filters, kernel_size, activation="relu", name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.MaxPooling1D(pool_size, strides=pool_stride, name=f"pool{i}")(x)
        x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    outputs = layers.Dense(n_genres, activation="softmax", name="genre")(x)
    model = keras.Model(inputs, outputs, name=name)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def build_reference_cnn(n_genres: int = 5, *, band_mean=None, band_var=None, params: AudioParams = AUDIO,
                        filters: int = 128, kernel_size: int = 3, pool_size: int = 3, pool_stride: int | None = None,
                        dropout: float = DROPOUT, dense_units: int = 128, learning_rate: float = LEARNING_RATE,
                        momentum: float = MOMENTUM, seed: int | None = DEFAULT_SEED):
    """The reference CNN: two Conv1D blocks over time, then Dense(128) and a softmax.

    ``Input(388, 128)`` -> [Conv1D(128, 3, relu) -> BatchNorm -> MaxPool(3) ->
    Dropout] x 2 -> Flatten -> Dense(128, relu) -> Dense(n_genres, softmax);
    SGD on categorical cross-entropy, metric accuracy.

    Parameters
    ----------
    n_genres : int
        Output classes.
    band_mean, band_var : np.ndarray or None
        Per-mel-band training statistics (:func:`band_statistics`), applied by a
        Normalization layer that is saved with the model. ``None``: no
        normalisation layer.
    pool_stride : int or None
        Max-pooling stride; ``None`` means equal to the pool size (3), which
        shrinks 386 frames to 128 and then 126 to 42.
    dropout : float
        Dropout rate after each block. Default 0.3: enough to slow
        memorising 375 clips without stalling 27 epochs of SGD.
    learning_rate, momentum : float
        SGD settings. Default 0.01 with momentum 0.9: the 2018 code's plain
        SGD (0.01, no momentum) on unnormalised dB values learns too slowly to
        converge in 27 epochs; momentum with batch norm reaches a plateau well
        within them on the demo data.
    seed : int or None
        Seeds Keras (weights, dropout) before building; ``None`` leaves the
        global state alone.

    Returns
    -------
    keras.Model
        Compiled; 788,485 parameters for 5 genres (688,256 of them in the dense layer).

    Notebook: 03_train_cnn.ipynb
    """
    keras = _keras()
    if seed is not None:
        seed_everything(seed)
    return _cnn(keras, params.feature_shape, n_genres, -1, band_mean, band_var, filters=filters,
                kernel_size=kernel_size, pool_size=pool_size, pool_stride=pool_stride, dropout=dropout,
                dense_units=dense_units, learning_rate=learning_rate, momentum=momentum, name=REFERENCE)


def build_historical_cnn(n_genres: int = 5, *, band_mean=None, band_var=None, params: AudioParams = AUDIO,
                         seed: int | None = DEFAULT_SEED, **kwargs):
    """The 2018 original's layout, kept for comparison: convolution over mel bands.

    Input ``(128, 388)`` = mel x time, so Conv1D slides along the 128 mel
    bands and treats the 388 time frames as channels: each filter looks at 3
    neighbouring bands over the whole 9 s at once, and cannot find a rhythm
    anywhere in time. Same blocks and optimiser as :func:`build_reference_cnn`
    (keyword arguments are passed on). :func:`train_model` and
    :func:`predict_proba` transpose our ``(n, 388, 128)`` features for it.

    Parameters
    ----------
    n_genres : int
        Output classes.
    band_mean, band_var : np.ndarray or None
        Per-mel-band training statistics, as for the reference CNN.
    seed : int or None
        Seeds Keras before building.
    **kwargs
        ``filters``, ``kernel_size``, ``pool_size``, ``pool_stride``,
        ``dropout``, ``dense_units``, ``learning_rate``, ``momentum``.

    Returns
    -------
    keras.Model
        Compiled; input ``(128, 388)``.

    Notebook: 04_confusion_matrix.ipynb
    """
    keras = _keras()
    if seed is not None:
        seed_everything(seed)
    opts = dict(filters=128, kernel_size=3, pool_size=3, pool_stride=None, dropout=DROPOUT, dense_units=128,
                learning_rate=LEARNING_RATE, momentum=MOMENTUM)
    opts.update(kwargs)
    return _cnn(keras, params.feature_shape[::-1], n_genres, 1, band_mean, band_var, name=HISTORICAL, **opts)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the backend, and make TensorFlow ops deterministic.

    Parameters
    ----------
    seed : int
        The same seed gives bit-identical weights on the same machine and
        thread count; other CPUs may differ in the last bits.

    Notebook: 03_train_cnn.ipynb
    """
    keras = _keras()
    keras.utils.set_random_seed(int(seed))
    try:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    except (ImportError, AttributeError, RuntimeError) as err:  # another backend, or an old TensorFlow
        warnings.warn(f"training is seeded but not deterministic: TensorFlow op determinism is unavailable "
                      f"({type(err).__name__}: {err}); results may differ between runs", RuntimeWarning, stacklevel=2)


def _layout(model, params: AudioParams = AUDIO) -> str:
    """The input layout a model was built for, read from its input shape (never from its name)."""
    shape = tuple(model.input_shape[1:])
    if shape == params.feature_shape:
        return REFERENCE
    if shape == params.feature_shape[::-1]:
        return HISTORICAL
    raise ValueError(f"model {model.name!r} takes input {shape}, neither {params.feature_shape} (time x mel) "
                     f"nor {params.feature_shape[::-1]} (the 2018 mel x time layout)")


class ModelFileError(ValueError):
    """A saved model file that exists but cannot be loaded (truncated, damaged, not a .keras archive)."""


def train_model(model, X_train, y_train, X_val=None, y_val=None, *, epochs: int = 27, batch_size: int = 32,
                seed: int = DEFAULT_SEED, verbose: int = 2, cache: bool = False) -> dict:
    """Train a model, seeded end to end, and return its history.

    Parameters
    ----------
    model : keras.Model
        From :func:`build_reference_cnn` or :func:`build_historical_cnn`.
    X_train : np.ndarray
        ``(n_clips, 388, 128)`` (our layout; transposed here for the historical variant).
    y_train : np.ndarray
        Integer genre indices, shape ``(n_clips,)``.
    X_val, y_val : np.ndarray or None
        Validation set, evaluated after every epoch.
    epochs, batch_size : int
        27 epochs and batches of 32, as in the reference experiment.
    seed : int
        Seeds shuffling and dropout.
    verbose : int
        Non-zero prints one short line per epoch (loss and accuracy, training and validation); 0 is silent.
    cache : bool
        Keep the trained weights and history on disk, keyed by everything that
        decides them (architecture, initial weights, optimiser, data, labels,
        epochs, batch size, seed, Keras version). If this exact training ran
        before on this machine, its weights are loaded and its epoch lines
        printed again instead of training for another half minute: re-running
        a notebook costs seconds. ``False`` (the default) always trains.

    Returns
    -------
    dict
        ``{"accuracy": [...], "loss": [...], "val_accuracy": [...], "val_loss": [...]}``,
        one value per epoch.

    Notebook: 03_train_cnn.ipynb
    """
    keras = _keras()
    layout = _layout(model)
    X_train = np.asarray(X_train, dtype=np.float32)
    check_input(X_train)
    n = model.output_shape[-1]
    val = None
    if X_val is not None:
        check_input(X_val)
        val = (to_model_layout(np.asarray(X_val, np.float32), layout), keras.utils.to_categorical(y_val, n))
    stored = _trained_path(model, X_train, y_train, X_val, y_val, epochs, batch_size, seed) if cache else None
    if stored is not None:
        history = _load_trained(model, stored)
        if history is not None:
            if verbose:
                print(f"this exact training ran before ({stored.name}): weights and history loaded; "
                      "cache=False trains again")
                for epoch in range(epochs):
                    _print_epoch(epoch, epochs, {k: v[epoch] for k, v in history.items()})
            return history
    seed_everything(seed)
    callbacks = [_epoch_lines(epochs)] if verbose else []
    hist = model.fit(to_model_layout(X_train, layout), keras.utils.to_categorical(y_train, n),
                     validation_data=val, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0,
                     callbacks=callbacks)
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    if stored is not None:
        with atomic_write(stored, suffix=".weights.h5") as tmp, atomic_write(stored.with_suffix(".json")) as tmp_h:
            model.save_weights(tmp)
            tmp_h.write_text(json.dumps(history))
    return history


def _trained_path(model, X_train, y_train, X_val, y_val, epochs: int, batch_size: int, seed: int) -> Path:
    """Where :func:`train_model` keeps this training's result: a hash of everything that decides it."""
    from .config import models_dir

    keras = _keras()
    h = hashlib.sha256()
    optimizer = {k: v for k, v in model.optimizer.get_config().items() if k != "name"}  # "sgd", "sgd_1", ...
    h.update(json.dumps([model.get_config(), optimizer, str(model.loss), epochs, batch_size, int(seed),
                         keras.__version__], default=str, sort_keys=True).encode())
    for w in model.get_weights():  # the initial weights (built from a seed)
        h.update(np.ascontiguousarray(w))  # hashlib reads the array's memory: no copy
    for a in (X_train, y_train, X_val, y_val):
        h.update(b"-" if a is None else np.ascontiguousarray(a))
    return models_dir() / "trained" / f"{model.name}-{h.hexdigest()[:24]}.weights.h5"


def _load_trained(model, path: Path) -> dict | None:
    """Weights and history of an earlier identical training, or None (missing or damaged: train again)."""
    meta = path.with_suffix(".json")
    if not (path.is_file() and meta.is_file()):
        return None
    try:
        history = json.loads(meta.read_text())
        if not model.optimizer.built:  # so that the optimiser's state (momentum) is restored too
            model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
    except (OSError, ValueError, KeyError) as err:
        log.warning("cached training %s is damaged (%s: %s): training again", path.name, type(err).__name__, err)
        return None
    return history


def _print_epoch(epoch: int, epochs: int, logs: dict) -> None:
    parts = [f"{k.replace('val_', 'validation ')} {v:.3f}" for k, v in logs.items()
             if k in ("loss", "accuracy", "val_loss", "val_accuracy")]
    print(f"epoch {epoch + 1:>2}/{epochs}: " + ", ".join(parts), flush=True)


def _epoch_lines(epochs: int):
    """A Keras callback printing one short line per epoch (Keras' own log takes two, with timings).

    Built by a function so that Keras is imported only when a model is trained.
    """
    keras = _keras()

    class EpochLine(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            _print_epoch(epoch, epochs, logs or {})

    return EpochLine()


def predict_proba(model, X: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """Genre probabilities, shape ``(n_clips, n_genres)``, for features ``(n_clips, 388, 128)``.

    Parameters
    ----------
    model : keras.Model
        Reference or historical CNN (the historical one gets the data transposed).
    X : np.ndarray
        ``(n_clips, 388, 128)`` log-mel features, time x mel.
    batch_size : int
        Clips per forward pass.

    Returns
    -------
    np.ndarray
        ``(n_clips, n_genres)``, rows sum to 1.

    Notebook: 04_confusion_matrix.ipynb
    """
    X = np.asarray(X, dtype=np.float32)
    check_input(X)
    return np.asarray(model.predict(to_model_layout(X, _layout(model)), batch_size=batch_size, verbose=0))


def predict_logits(model, X: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """Scores before the softmax, shape ``(n_clips, n_genres)``, for features ``(n_clips, 388, 128)``.

    Unlike probabilities they do not saturate at 0 or 1, so small changes of
    the input still show (see :func:`genre_lab.evaluate.occlusion_map`).

    Parameters
    ----------
    model : keras.Model
        A CNN whose last layer is the softmax layer named ``genre``.
    X : np.ndarray
        ``(n_clips, 388, 128)`` log-mel features.
    batch_size : int
        Clips per forward pass.

    Returns
    -------
    np.ndarray
        ``(n_clips, n_genres)``; ``softmax`` of a row gives :func:`predict_proba`.

    Notebook: 04_confusion_matrix.ipynb
    """
    keras = _keras()
    X = np.asarray(X, dtype=np.float32)
    check_input(X)
    head = model.get_layer("genre")
    body = keras.Model(model.inputs, head.input)
    hidden = np.asarray(body.predict(to_model_layout(X, _layout(model)), batch_size=batch_size, verbose=0))
    weights, bias = head.get_weights()
    return hidden @ weights + bias


def embed(model, X: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """What the network has learned: the penultimate layer (``Dense(128)``) for each clip.

    Parameters
    ----------
    model : keras.Model
    X : np.ndarray
        ``(n_clips, 388, 128)`` log-mel features.

    Returns
    -------
    np.ndarray
        ``(n_clips, 128)``: the input of the softmax layer.

    Notebook: 06_right_for_the_right_reason.ipynb
    """
    keras = _keras()
    X = np.asarray(X, dtype=np.float32)
    check_input(X)
    body = keras.Model(model.inputs, model.get_layer("genre").input)
    return np.asarray(body.predict(to_model_layout(X, _layout(model)), batch_size=batch_size, verbose=0))


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

    Notebook: 03_train_cnn.ipynb
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"save models with the .keras suffix, got {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    genres = list(check_genres(genres))
    if len(genres) != model.output_shape[-1]:
        raise ValueError(f"{len(genres)} genres for a model with {model.output_shape[-1]} outputs")
    meta = {"genres": genres, "audio": params.to_dict(), "layout": _layout(model),
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

    Notebook: 04_confusion_matrix.ipynb
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
    if layout != _layout(model, params):
        raise ValueError(f"{path.name}: its metadata says layout {layout!r} but the model takes "
                         f"{tuple(model.input_shape[1:])}; the files do not belong together")
    want = params.feature_shape if layout == REFERENCE else params.feature_shape[::-1]
    if tuple(model.input_shape[1:]) != tuple(want):
        raise ValueError(f"{path.name} takes input {tuple(model.input_shape[1:])}, but {layout} features are {want}")
    if model.output_shape[-1] != len(meta["genres"]):
        raise ValueError(f"{path.name} has {model.output_shape[-1]} outputs but lists {len(meta['genres'])} genres")
    return model, meta
