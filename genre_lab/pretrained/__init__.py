"""Networks trained on real music: musicnn's published taggers, ported to Keras 3.

``weights`` fetches and checks the wheel that carries them, ``musicnn`` is the
network written out layer by layer with the weights loaded by name, and
``tagging`` turns any recording or a whole dataset into musicnn's tags and
embeddings.

Notebook: 10_musicnn_zero_shot.ipynb
"""

from .musicnn import (
    CHECKPOINT_NAMES, MSD_TAGS, MTT_TAGS, MUSICNN_TAGS, N_MELS_MUSICNN, PATCH_FRAMES, build_musicnn, load_musicnn,
)
from .tagging import (
    GENRE_TAGS, MUSICNN_AUDIO, PATCH_SECONDS, EmbeddingSet, file_patches, musicnn_embeddings, musicnn_input,
    musicnn_patches, tag_patches, tag_recording, top_genre_tag,
)
from .weights import MUSICNN_MODELS, MUSICNN_WHEEL_ENV, PretrainedError, fetch_musicnn, musicnn_checkpoint

__all__ = [
    "CHECKPOINT_NAMES", "GENRE_TAGS", "MSD_TAGS", "MTT_TAGS", "MUSICNN_AUDIO", "MUSICNN_MODELS", "MUSICNN_TAGS",
    "MUSICNN_WHEEL_ENV", "N_MELS_MUSICNN", "PATCH_FRAMES", "PATCH_SECONDS", "EmbeddingSet", "PretrainedError",
    "build_musicnn", "fetch_musicnn", "file_patches", "load_musicnn", "musicnn_checkpoint", "musicnn_embeddings",
    "musicnn_input", "musicnn_patches", "tag_patches", "tag_recording", "top_genre_tag",
]
