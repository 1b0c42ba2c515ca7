"""genre_lab: music genre classification from mel spectrograms, taught with notebooks.

A thin library behind the numbered notebooks in ``notebooks/``. Its public API
is flat, so a notebook writes ``gl.log_mel(y)``. Keras is imported only when a
model is built or loaded.
"""

import logging as _logging
import os as _os

# Quiet TensorFlow's C++ logging before anything imports it.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")
_logging.getLogger(__name__).addHandler(_logging.NullHandler())

from .config import (  # noqa: E402
    AUDIO, DATA_ENV, DEFAULT_GENRES, DEFAULT_SEED, GTZAN_GENRES, AudioParams, check_genres, data_root,
    display_path,
)
from .datasets import (  # noqa: E402
    KNOWN_BAD, DatasetError, dataset_kind, describe_data, ensure_dataset, find_tracks, scan_dataset, validate_dataset,
)
from .evaluate import (  # noqa: E402
    accuracy, classification_table, confusion, genre_timeline, make_baseline, mfcc_stats, most_confused,
    normalize_confusion, occlusion_map, song_probabilities, top_k,
)
from .experiment import (  # noqa: E402
    Experiment, default_model_path, evaluate_model, load_experiment, load_or_train, train_reference,
)
from .features import (  # noqa: E402
    FeatureSet, clip_feature, extract_features, extract_windows, fix_length, load_audio, log_mel, window_features,
)
from .model import (  # noqa: E402
    HISTORICAL, REFERENCE, band_statistics, build_historical_cnn, build_reference_cnn, check_input, load_model,
    predict_logits, predict_proba, save_model, seed_everything, to_model_layout, train_model,
)
from .fetch import FetchError, fetch_filtered_split, fetch_gtzan  # noqa: E402
from .notebooks import run_notebooks  # noqa: E402
from .plots import (  # noqa: E402
    plot_confusion, plot_history, plot_mel, plot_mel_grid, plot_occlusion, plot_split, plot_timeline, plot_top_k,
    plot_waveform,
)
from .split import (  # noqa: E402
    SPLITS, load_manifest, load_or_make_split, manifest_path, save_manifest, split_from_lists, split_tracks,
)
from .synth import DEMO_GENRES, demo_recipe, make_demo_dataset, read_demo_marker, synthesize_clip  # noqa: E402

__version__ = "0.1.0"
