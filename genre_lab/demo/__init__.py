"""The embedded demo dataset: GTZAN-shaped music made from recorded instruments, offline.

GTZAN cannot be downloaded everywhere, so genre_lab makes a stand-in the way
records are made: each genre is a recipe (:mod:`.recipes`: tempo, feel,
drums, parts, chords, form), a band plays it as a score with human timing
(:mod:`.plan`, :mod:`.score`, :mod:`.compose`, :mod:`.harmony`; :mod:`.render` puts the
steps together), every note is played from the recorded samples of a
General MIDI SoundFont (:mod:`.sampler`, each zone by :mod:`.zone`), and the parts are mixed through
amps, a room, compression and a recording chain (:mod:`.mix`); the singers and
rappers are a small voice synthesizer and eSpeak NG (:mod:`.vocals`). :mod:`.dataset` writes the
clips in GTZAN's layout with their scores and a metadata table, and provisions the demo
(:func:`ensure_dataset`: generated on first use, finished, or regenerated for a new generator).

The clips are **synthetic**: results on them say nothing about real music.

Notebook: 01_mel_spectrograms.ipynb
"""

from .dataset import (
    CLIP_SECONDS, DEMO_GENRES, DEMO_MARKER, GENERATOR_VERSION, clip_score_path, demo_recipe, ensure_dataset,
    is_demo_root, make_demo_dataset, read_demo_marker, read_demo_metadata, synthesize_clip,
)
from .recipes import RECIPES, recipe
from .render import arrange, compose, draw_plan, render_clip
from .sampler import SoundFont, SoundFontError, load_soundfont
from .vocals import VOICE_STYLES, render_vocal, vocal_spans

__all__ = [
    "CLIP_SECONDS", "DEMO_GENRES", "DEMO_MARKER", "GENERATOR_VERSION", "RECIPES", "SoundFont", "SoundFontError",
    "arrange", "clip_score_path", "compose", "demo_recipe", "draw_plan", "ensure_dataset", "is_demo_root", "load_soundfont",
    "make_demo_dataset", "read_demo_marker", "read_demo_metadata", "recipe", "render_clip", "render_vocal",
    "synthesize_clip", "VOICE_STYLES", "vocal_spans",
]
