"""genre_lab: music genre classification from mel spectrograms, taught with notebooks.

A thin library behind the numbered notebooks in ``notebooks/``. Its public API
is flat, so a notebook writes ``gl.log_mel(y)``. Keras is imported only when a
model is built or loaded. Importing the package changes nothing in the process
(environment, umask, global state): :func:`setup_environment` is called by the
command line and by :func:`setup_notebook`.
"""

import logging as _logging

_logging.getLogger(__name__).addHandler(_logging.NullHandler())  # the library logs; the application decides where

from .backend import setup_environment  # noqa: E402
from .audio import AudioError, audio_blocks, fix_length, is_silent, load_audio  # noqa: E402
from .cache import atomic_write, prune_cache  # noqa: E402
from .config import (  # noqa: E402
    AUDIO, DATA_ENV, DEFAULT_GENRES, DEFAULT_SEED, DEMO_KIND, EPOCHS, GTZAN_GENRES, GTZAN_KIND, HOP_SECONDS,
    AudioParams, check_genres, data_root,
    display_path,
)
from .datasets import (  # noqa: E402
    KNOWN_BAD, Dataset, DatasetError, dataset_kind, describe_data, find_tracks, open_dataset, scan_dataset,
    validate_dataset,
)
from .baseline import MFCCBaseline, fit_baseline, make_baseline, mfcc_stats  # noqa: E402
from .evaluate import (  # noqa: E402
    Evaluation, accuracy, accuracy_interval, classification_table, confusion, evaluate_model, most_confused,
    normalize_confusion,
    song_probabilities, top_k,
)
from .experiment import (  # noqa: E402
    Experiment, default_model_path, load_experiment, load_or_train, results_over_seeds, train_reference,
)
from .predict import ProbabilityModel, file_timeline, genre_timeline, predict_any, predict_recording  # noqa: E402
from .explain import decision_flips, nearest_songs, occlusion_by_genre, occlusion_map, plant_cue  # noqa: E402
from .calibration import expected_calibration_error, fit_temperature, reliability_table, softmax  # noqa: E402
from .features import (  # noqa: E402
    FeatureSet, clip_feature, extract_features, extract_windows, file_mel_power, file_windows, log_mel, window_features,
)
from .model import (  # noqa: E402
    BUILDERS, HISTORICAL, REFERENCE, band_statistics, build_historical_cnn, build_reference_cnn, check_input, embed,
    model_layout, predict_logits, predict_proba, to_model_layout,
)
from .saving import ModelFileError, load_model, save_model  # noqa: E402
from .training import seed_everything, train_model  # noqa: E402
from .fetch import FetchError, fetch_filtered_split, fetch_gtzan  # noqa: E402
from .notebooks import run_notebooks, setup_notebook  # noqa: E402
from .exercises import build_exercises, check  # noqa: E402
from .pretrained import (  # noqa: E402
    GENRE_TAGS, MSD_TAGS, MTT_TAGS, MUSICNN_AUDIO, MUSICNN_TAGS, EmbeddingSet, PretrainedError, build_musicnn,
    fetch_musicnn, load_musicnn, musicnn_embeddings, musicnn_input, musicnn_patches, tag_patches, tag_recording,
    top_genre_tag,
)
from .plots import (  # noqa: E402
    plot_confusion, plot_embedding, plot_history, plot_intervals, plot_mel, plot_mel_grid, plot_occlusion,
    plot_reliability, plot_score, plot_split, plot_timeline, plot_top_k, plot_waveform,
)
from .split import (  # noqa: E402
    SPLITS, load_manifest, load_or_make_split, manifest_path, save_manifest, split_from_lists, split_tracks,
)
from .demo import (  # noqa: E402
    DEMO_GENRES, clip_score_path, demo_recipe, ensure_dataset, make_demo_dataset, read_demo_marker, read_demo_metadata,
    synthesize_clip,
)

__version__ = "0.1.0"
