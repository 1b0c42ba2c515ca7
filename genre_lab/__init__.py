"""genre_lab: music genre classification from mel spectrograms, taught with notebooks.

A thin library behind the numbered notebooks in ``notebooks/``. Its public API
is flat, so a notebook writes ``gl.log_mel(y)``.
"""

import logging as _logging
import os as _os

# Quiet TensorFlow's C++ start-up lines before anything imports it.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")
_logging.getLogger(__name__).addHandler(_logging.NullHandler())

from .config import (  # noqa: E402
    AUDIO, DATA_ENV, DEFAULT_GENRES, DEFAULT_SEED, GTZAN_GENRES, AudioParams, check_genres, data_root,
)
from .datasets import KNOWN_BAD, DatasetError, dataset_kind, ensure_dataset, find_tracks, scan_dataset  # noqa: E402
from .features import (  # noqa: E402
    FeatureSet, clip_feature, extract_features, extract_windows, fix_length, load_audio, log_mel, window_features,
)
from .synth import DEMO_GENRES, make_demo_dataset, synthesize_clip  # noqa: E402

__version__ = "0.1.0"
