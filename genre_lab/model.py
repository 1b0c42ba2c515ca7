"""The reference CNN and its 2018 historical variant: the architectures, read top to bottom, and inference.

Training (seeding, ``fit``, the training cache) is in :mod:`genre_lab.training`;
saving and loading in :mod:`genre_lab.saving`.

Input is a batch of log-mel spectrograms ``(n_clips, 388, 128)``: time is the
sequence axis that ``Conv1D`` slides along and the 128 mel bands are its
channels, so every filter sees the whole spectrum of three neighbouring
frames. The 2018 original fed ``(128, 388)`` and so convolved over mel bands
with time frames as channels; :func:`build_historical_cnn` keeps that layout,
clearly named, for comparison.

Notebook: 04_train_cnn.ipynb
"""

from __future__ import annotations

import logging

import numpy as np

from .backend import keras_quietly as _keras
from .config import AUDIO, AudioParams, DEFAULT_SEED
from .training import seed_everything

__all__ = [
    "REFERENCE", "HISTORICAL", "BUILDERS", "band_statistics", "build_reference_cnn", "build_historical_cnn",
    "check_input", "to_model_layout", "model_layout", "predict_proba", "predict_logits", "embed",
]

log = logging.getLogger(__name__)

REFERENCE = "reference"
HISTORICAL = "historical-2018"

#: Defaults chosen so the reference CNN learns within 27 epochs (see build_reference_cnn).
LEARNING_RATE = 0.01
MOMENTUM = 0.9
DROPOUT = 0.3


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

    Notebook: 04_train_cnn.ipynb
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

    Notebook: 04_train_cnn.ipynb
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

    Notebook: 04_train_cnn.ipynb
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

    Notebook: 04_train_cnn.ipynb
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

    Notebook: 06_voting_attention_baseline.ipynb
    """
    keras = _keras()
    if seed is not None:
        seed_everything(seed)
    opts = dict(filters=128, kernel_size=3, pool_size=3, pool_stride=None, dropout=DROPOUT, dense_units=128,
                learning_rate=LEARNING_RATE, momentum=MOMENTUM)
    opts.update(kwargs)
    return _cnn(keras, params.feature_shape[::-1], n_genres, 1, band_mean, band_var, name=HISTORICAL, **opts)


def model_layout(model, params: AudioParams = AUDIO) -> str:
    """The input layout a model was built for, read from its input shape (never from its name).

    Notebook: 05_evaluation.ipynb
    """
    shape = tuple(model.input_shape[1:])
    if shape == params.feature_shape:
        return REFERENCE
    if shape == params.feature_shape[::-1]:
        return HISTORICAL
    raise ValueError(f"model {model.name!r} takes input {shape}, neither {params.feature_shape} (time x mel) "
                     f"nor {params.feature_shape[::-1]} (the 2018 mel x time layout)")



#: Layout name -> the function that builds a model for it (the CLI's ``--variant``, ``load_or_train``'s ``layout``).
BUILDERS = {REFERENCE: build_reference_cnn, HISTORICAL: build_historical_cnn}


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

    Notebook: 05_evaluation.ipynb
    """
    X = np.asarray(X, dtype=np.float32)
    check_input(X)
    return np.asarray(model.predict(to_model_layout(X, model_layout(model)), batch_size=batch_size, verbose=0))


def predict_logits(model, X: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """Scores before the softmax, shape ``(n_clips, n_genres)``, for features ``(n_clips, 388, 128)``.

    Unlike probabilities they do not saturate at 0 or 1, so small changes of
    the input still show (see :func:`genre_lab.explain.occlusion_map`).

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

    Notebook: 05_evaluation.ipynb
    """
    keras = _keras()
    X = np.asarray(X, dtype=np.float32)
    check_input(X)
    head = model.get_layer("genre")
    body = keras.Model(model.inputs, head.input)
    hidden = np.asarray(body.predict(to_model_layout(X, model_layout(model)), batch_size=batch_size, verbose=0))
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

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    keras = _keras()
    X = np.asarray(X, dtype=np.float32)
    check_input(X)
    body = keras.Model(model.inputs, model.get_layer("genre").input)
    return np.asarray(body.predict(to_model_layout(X, model_layout(model)), batch_size=batch_size, verbose=0))
