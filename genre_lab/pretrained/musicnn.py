"""musicnn written out in Keras 3, read top to bottom, with its published weights loaded by variable name.

musicnn (Pons and Serra, 2019) tags 3 s patches of a log-mel spectrogram,
``(187 frames, 96 mel bands)`` at 16 kHz. Its front-end is "musically
motivated": wide-in-frequency filters for timbre, long-in-time filters for
rhythm, each max-pooled over all frequencies so that what is left is a
sequence over time. A mid-end of three 1-D convolutions with residual
connections and a back-end that pools over time follow:

==========  =====================================================================
front-end   batch norm on the input;
            timbral: Conv 7x38 and 7x67 (204 filters each; time zero-padded by 3);
            temporal: Conv 128x1, 64x1, 32x1 (51 filters each, "same" padding);
            each followed by batch norm and a max over all frequencies
            -> 561 channels per frame
mid-end     three Conv 7 x channels -> 64, each + batch norm, the 2nd and 3rd
            with a residual connection; the front-end and the three outputs are
            concatenated (dense connections) -> 753 channels per frame
back-end    max and mean over time (1,506 numbers), batch norm, Dense(200, relu),
            batch norm (the 200-d *penultimate* layer, our embedding),
            Dense(50) -> sigmoid: one independent probability per tag
==========  =====================================================================

Its dropouts are inactive at inference and left out. The layers are named
for what they do; :data:`CHECKPOINT_NAMES` maps each to the TensorFlow 1
variable scope its weights come from, and a test checks the port against the
original graph run from the wheel's ``.meta`` file.

Notebook: 10_musicnn_zero_shot.ipynb
"""

from __future__ import annotations

import functools

import numpy as np

from ..backend import keras_quietly as _keras
from .weights import MUSICNN_MODELS, PretrainedError, musicnn_checkpoint

__all__ = ["CHECKPOINT_NAMES", "MSD_TAGS", "MTT_TAGS", "MUSICNN_TAGS", "PATCH_FRAMES", "N_MELS_MUSICNN",
           "build_musicnn", "load_musicnn"]

#: Input of one patch: 187 frames (3 s at 16 kHz, hop 256) x 96 mel bands.
PATCH_FRAMES = 187
N_MELS_MUSICNN = 96

#: The 50 tags of each model, in output order (musicnn's configuration.py). MSD's are last.fm tags: words
#: listeners typed, genres beside decades, moods and "female vocalists".
MSD_TAGS = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s", "alternative rock",
    "jazz", "beautiful", "metal", "chillout", "male vocalists", "classic rock", "soul", "indie rock", "Mellow",
    "electronica", "80s", "folk", "90s", "chill", "instrumental", "punk", "oldies", "blues", "hard rock", "ambient",
    "acoustic", "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country", "easy listening",
    "sexy", "catchy", "funk", "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop", "sad", "House",
    "happy",
)
MTT_TAGS = (
    "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast", "piano", "ambient",
    "beat", "violin", "vocal", "synth", "female", "indian", "opera", "male", "singing", "vocals", "no vocals",
    "harpsichord", "loud", "quiet", "flute", "woman", "male vocal", "no vocal", "pop", "soft", "sitar", "solo", "man",
    "classic", "choir", "voice", "new age", "dance", "male voice", "female vocal", "beats", "harp", "cello",
    "no voice", "weird", "country", "metal", "female voice", "choral",
)
MUSICNN_TAGS = {"msd": MSD_TAGS, "mtt": MTT_TAGS}

#: Our layer name -> the TensorFlow 1 variable scope of its weights (creation order in musicnn's models.py).
CHECKPOINT_NAMES = {
    "input_bn": "batch_normalization",
    "timbral_7x38": "conv2d", "timbral_7x38_bn": "batch_normalization_1",
    "timbral_7x67": "conv2d_1", "timbral_7x67_bn": "batch_normalization_2",
    "temporal_128": "conv2d_2", "temporal_128_bn": "batch_normalization_3",
    "temporal_64": "conv2d_3", "temporal_64_bn": "batch_normalization_4",
    "temporal_32": "conv2d_4", "temporal_32_bn": "batch_normalization_5",
    "midend_1": "conv2d_5", "midend_1_bn": "batch_normalization_6",
    "midend_2": "conv2d_6", "midend_2_bn": "batch_normalization_7",
    "midend_3": "conv2d_7", "midend_3_bn": "batch_normalization_8",
    "pooled_bn": "batch_normalization_9",
    "penultimate_dense": "dense", "penultimate": "batch_normalization_10",
    "tags": "dense_1",
}


@functools.lru_cache(maxsize=1)
def _temporal_conv_class():
    """The ``TemporalConv`` layer class, defined once Keras is imported."""
    keras = _keras()
    ops = keras.ops

    class TemporalConv(keras.layers.Layer):
        """``Conv2D(filters, (length, 1), padding="same", activation="relu")`` on ``(batch, time, freq, 1)``.

        The same numbers as that Conv2D (tested against the original graph),
        computed as one matrix product per block of 17 output frames: the
        kernel is laid out as a banded (Toeplitz) matrix, so a whole block of
        frames is one dense product instead of a convolution with a single
        input channel, which TensorFlow runs 2-3x slower on a CPU. Its weights
        are those of the Conv2D: ``kernel (length, 1, 1, filters)``, ``bias``.
        """

        def __init__(self, filters: int, length: int, *, block: int = 17, **kwargs):
            super().__init__(**kwargs)
            self.filters, self.length, self.block = filters, length, block

        def build(self, input_shape):
            if input_shape[1] % self.block:
                raise ValueError(f"TemporalConv computes blocks of {self.block} frames: {input_shape[1]} frames "
                                 f"is not a multiple of it (musicnn's patches have {PATCH_FRAMES} = 11 x 17)")
            self.kernel = self.add_weight(shape=(self.length, 1, 1, self.filters), name="kernel")
            self.bias = self.add_weight(shape=(self.filters,), name="bias", initializer="zeros")

        def call(self, x):
            L, S, C = self.length, self.block, self.filters
            n_frames, n_freq = x.shape[1], x.shape[2]
            n_blocks = n_frames // S  # 187 = 11 x 17
            # The banded matrix: input frame i of a block -> output frame s of it, filter c: kernel[i - s, c].
            lag = np.arange(S + L - 1)[:, None] - np.arange(S)[None, :]
            inside = (lag >= 0) & (lag < L)
            w = ops.take(ops.reshape(self.kernel, (L, C)), np.where(inside, lag, 0).reshape(-1), axis=0)
            w = ops.reshape(ops.reshape(w, (S + L - 1, S, C)) * inside[:, :, None].astype("float32"),
                            (S + L - 1, S * C))
            left = (L - 1) // 2  # TensorFlow's "same": the extra frame of an even kernel goes after
            padded = ops.pad(x[..., 0], [[0, 0], [left, L - 1 - left], [0, 0]])
            frames = (np.arange(n_blocks)[:, None] * S + np.arange(S + L - 1)[None, :]).reshape(-1)
            blocks = ops.reshape(ops.take(padded, frames, axis=1), (-1, n_blocks, S + L - 1, n_freq))
            y = ops.reshape(ops.einsum("bjif,ik->bjfk", blocks, w), (-1, n_blocks, n_freq, S, C))
            y = ops.reshape(ops.transpose(y, (0, 1, 3, 2, 4)), (-1, n_frames, n_freq, C))
            return ops.relu(y + self.bias)

        def get_config(self):
            return {**super().get_config(), "filters": self.filters, "length": self.length, "block": self.block}

    return TemporalConv


def build_musicnn(n_tags: int = 50, *, n_frames: int = PATCH_FRAMES, n_mels: int = N_MELS_MUSICNN):
    """musicnn's inference graph in Keras 3 (untrained: see :func:`load_musicnn` for the weights).

    Parameters
    ----------
    n_tags : int
        Outputs of the last layer (50 for both published models).
    n_frames, n_mels : int
        Patch shape, ``(187, 96)`` for the published models.

    Returns
    -------
    keras.Model
        Input ``(n_patches, 187, 96)``; outputs ``[tags, embedding]``: the tag
        probabilities ``(n_patches, 50)`` and the penultimate layer
        ``(n_patches, 200)``.

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    keras = _keras()
    layers = keras.layers
    patch = keras.Input((n_frames, n_mels), name="log_mel_patch")
    image = layers.Reshape((n_frames, n_mels, 1), name="as_image")(patch)  # time x frequency x 1 channel
    x = layers.BatchNormalization(name="input_bn")(image)

    def frequency_max_pool(h, name):  # (time, freq, filters) -> (time, filters)
        h = layers.MaxPooling2D(pool_size=(1, h.shape[2]), name=f"{name}_freq_max")(h)
        return layers.Reshape((n_frames, h.shape[-1]), name=f"{name}_squeeze")(h)

    def conv_block(h, filters, kernel, name):
        if kernel[1] == 1:  # a temporal filter: Conv2D(filters, kernel, padding="same", relu), computed faster
            h = _temporal_conv_class()(filters, kernel[0], name=name)(h)
        else:
            h = layers.Conv2D(filters, kernel, activation="relu", name=name)(h)
        return frequency_max_pool(layers.BatchNormalization(name=f"{name}_bn")(h), name)

    # Front-end. Timbral filters span 40% and 70% of the mel bands over 7 frames; time is padded by 3 on each side
    # so that 187 frames come out ("same" in time, "valid" in frequency: the max over frequency follows anyway).
    padded = layers.ZeroPadding2D(((3, 3), (0, 0)), name="pad_time_3")(x)
    timbral = [conv_block(padded, 204, (7, int(0.4 * n_mels)), "timbral_7x38"),
               conv_block(padded, 204, (7, int(0.7 * n_mels)), "timbral_7x67")]
    # Temporal filters span one mel band over 128, 64 and 32 frames (about 2, 1 and 0.5 s): rhythm and tempo.
    temporal = [conv_block(x, 51, (length, 1), f"temporal_{length}") for length in (128, 64, 32)]
    front = layers.Concatenate(name="frontend")(timbral + temporal)  # (187, 561)

    # Mid-end: 1-D convolutions over time across all channels, residual from the second on.
    def midend_conv(h, name):
        h = layers.Conv1D(64, 7, padding="same", activation="relu", name=name)(h)
        return layers.BatchNormalization(name=f"{name}_bn")(h)

    m1 = midend_conv(front, "midend_1")
    m2 = layers.Add(name="midend_2_residual")([midend_conv(m1, "midend_2"), m1])
    m3 = layers.Add(name="midend_3_residual")([midend_conv(m2, "midend_3"), m2])
    features = layers.Concatenate(name="dense_connections")([front, m1, m2, m3])  # (187, 753)

    # Back-end: max and mean over time, interleaved per channel as musicnn flattens them ([max0, mean0, max1, ...]).
    channels = features.shape[-1]
    max_pool = layers.Reshape((channels, 1), name="max_over_time")(layers.GlobalMaxPooling1D()(features))
    mean_pool = layers.Reshape((channels, 1), name="mean_over_time")(layers.GlobalAveragePooling1D()(features))
    pooled = layers.Flatten(name="pooled")(layers.Concatenate(name="max_and_mean")([max_pool, mean_pool]))
    h = layers.BatchNormalization(name="pooled_bn")(pooled)
    h = layers.Dense(200, activation="relu", name="penultimate_dense")(h)
    embedding = layers.BatchNormalization(name="penultimate")(h)  # (200,): what musicnn's extractor returns
    tags = layers.Dense(n_tags, activation="sigmoid", name="tags")(embedding)
    return keras.Model(patch, [tags, embedding], name="musicnn")


def load_musicnn(model: str = "msd"):
    """musicnn with its published weights: ``"msd"`` (Million Song Dataset) or ``"mtt"`` (MagnaTagATune).

    The wheel is fetched and unpacked on first use (:func:`genre_lab.pretrained.fetch_musicnn`);
    every weight is read from the TensorFlow 1 checkpoint by its variable name.
    Loaded once per process.

    Returns
    -------
    keras.Model
        See :func:`build_musicnn`; ``model.tags`` (attribute) lists the 50 tag names.

    Notebook: 10_musicnn_zero_shot.ipynb
    """
    if model not in MUSICNN_MODELS:
        raise ValueError(f"unknown musicnn model {model!r}; choose one of {', '.join(MUSICNN_MODELS)}")
    return _load(model)


@functools.lru_cache(maxsize=2)
def _load(model: str):
    """:func:`load_musicnn`, cached by the model's name alone (however the caller spelled the call)."""
    folder = musicnn_checkpoint(model)
    keras = _keras()  # (before TensorFlow's checkpoint reader: its C++ start-up lines are held back)
    import tensorflow as tf

    net = build_musicnn(len(MUSICNN_TAGS[model]))
    reader = tf.compat.v1.train.NewCheckpointReader(str(folder) + "/")
    for layer_name, scope in CHECKPOINT_NAMES.items():
        layer = net.get_layer(layer_name)
        if isinstance(layer, keras.layers.BatchNormalization):
            names = ("gamma", "beta", "moving_mean", "moving_variance")
        else:
            names = ("kernel", "bias")
        values = []
        for name, current in zip(names, layer.get_weights()):
            try:
                value = reader.get_tensor(f"{scope}/{name}")
            except (tf.errors.NotFoundError, ValueError) as err:
                raise PretrainedError(f"{folder.name}: no variable {scope}/{name} for layer {layer_name}") from err
            values.append(value.reshape(current.shape))  # mid-end kernels: (7, C, 1, 64) -> Conv1D's (7, C, 64)
        layer.set_weights(values)
    net.tags = MUSICNN_TAGS[model]
    return net


def _check_patches(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 3 or X.shape[1:] != (PATCH_FRAMES, N_MELS_MUSICNN):
        raise ValueError(f"musicnn takes patches of shape (n, {PATCH_FRAMES}, {N_MELS_MUSICNN}) (3 s at 16 kHz: "
                         f"frames x mel bands), got {X.shape}; see gl.musicnn_patches")
    return X
