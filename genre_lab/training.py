"""Seeded training, one line per epoch, and a training cache that makes re-running a notebook cost seconds.

Notebook: 04_train_cnn.ipynb
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from pathlib import Path

import numpy as np

from .backend import keras_quietly as _keras
from .cache import atomic_write
from .config import DEFAULT_SEED, EPOCHS, models_dir

__all__ = ["seed_everything", "train_model"]

log = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the backend, and make TensorFlow ops deterministic.

    Parameters
    ----------
    seed : int
        The same seed gives bit-identical weights on the same machine and
        thread count; other CPUs may differ in the last bits.

    Notebook: 04_train_cnn.ipynb
    """
    keras = _keras()
    keras.utils.set_random_seed(int(seed))
    try:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    except (ImportError, AttributeError, RuntimeError) as err:  # another backend, or an old TensorFlow
        warnings.warn(f"training is seeded but not deterministic: TensorFlow op determinism is unavailable "
                      f"({type(err).__name__}: {err}); results may differ between runs", RuntimeWarning, stacklevel=2)


def train_model(model, X_train, y_train, X_val=None, y_val=None, *, epochs: int = EPOCHS, batch_size: int = 32,
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

    Notebook: 04_train_cnn.ipynb
    """
    from .model import check_input, model_layout, to_model_layout  # (model builds on this module's seeding)

    keras = _keras()
    layout = model_layout(model)
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
