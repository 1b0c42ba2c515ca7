"""The demo-music synthesiser behind the embedded, GTZAN-shaped demo dataset.

GTZAN cannot be downloaded here, so genre_lab makes a stand-in: 30-second
clips written in GTZAN's layout and format (``genres/<genre>/<genre>.000NN.au``,
22,050 Hz, mono, 16-bit). The clips are **synthetic**: they are built from
musical building blocks -- kick, snare and hi-hat sounds in genre patterns,
plucked and bowed strings, distorted power chords, bass lines, offbeat organ
chords, a buzzy formant "voice" -- at a tempo, key, instrumentation and mix
drawn at random for every clip. Results on them say nothing about real music;
they exist so that every notebook runs offline and shows real structure
(onsets, harmonics, rhythm) in a mel spectrogram.

The genres overlap on purpose, the way real ones do: hiphop and reggae share
tempi, bass-heavy drums and sometimes offbeat chords; classical and country
share plucked and bowed acoustic timbres; metal sometimes opens with a clean
classical intro. A share of clips open with a section borrowed from another
genre, so the first 9 seconds can mislead while the whole 30 seconds do not.

Everything is deterministic: one seed gives the same bytes on every run.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import signal

from .config import AUDIO, DEFAULT_GENRES, DEFAULT_SEED

__all__ = ["DEMO_GENRES", "CLIP_SECONDS", "synthesize_clip", "demo_recipe", "read_demo_marker", "make_demo_dataset", "is_demo_root"]

log = logging.getLogger(__name__)

SR = AUDIO.sample_rate
#: Length of one demo clip, as in GTZAN.
CLIP_SECONDS = 30.0
#: Genres the synthesiser has a recipe for.
DEMO_GENRES = DEFAULT_GENRES
#: Marker file written at the root of a generated demo dataset.
DEMO_MARKER = "GENRE_LAB_DEMO.txt"

_STEPS = 16  # sixteenth-note steps per 4/4 bar


# --------------------------------------------------------------------------
# Instruments: each returns a float32 one-shot or note
# --------------------------------------------------------------------------

def _t(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.float32) / SR


def _midi_hz(m: float) -> float:
    return 440.0 * 2.0 ** ((m - 69) / 12.0)


def _kick(rng, tone: float = 1.0) -> np.ndarray:
    n = int(0.35 * SR)
    t = _t(n)
    f0, f1 = rng.uniform(110, 170), rng.uniform(40, 60)
    freq = f1 + (f0 - f1) * np.exp(-t * rng.uniform(18, 35))
    phase = 2 * np.pi * np.cumsum(freq) / SR
    body = np.sin(phase) * np.exp(-t * rng.uniform(7, 14))
    click = rng.standard_normal(n).astype(np.float32) * np.exp(-t * 300) * 0.3 * tone
    return (body + click).astype(np.float32)


def _snare(rng, rim: bool = False) -> np.ndarray:
    n = int((0.08 if rim else 0.22) * SR)
    t = _t(n)
    noise = rng.standard_normal(n).astype(np.float32)
    sos = signal.butter(2, [rng.uniform(900, 1500), rng.uniform(5000, 8000)], "bandpass", fs=SR, output="sos")
    noise = signal.sosfilt(sos, noise).astype(np.float32)
    decay = rng.uniform(40, 60) if rim else rng.uniform(14, 24)
    tone = np.sin(2 * np.pi * rng.uniform(170, 240) * t) * np.exp(-t * 30)
    if rim:
        tone = np.sin(2 * np.pi * rng.uniform(700, 1100) * t) * np.exp(-t * 60)
    return ((noise * 0.8 + tone * 0.6) * np.exp(-t * decay)).astype(np.float32)


def _hihat(rng, open_: bool = False) -> np.ndarray:
    n = int((0.3 if open_ else 0.06) * SR)
    t = _t(n)
    noise = rng.standard_normal(n).astype(np.float32)
    sos = signal.butter(2, rng.uniform(6000, 8500), "highpass", fs=SR, output="sos")
    noise = signal.sosfilt(sos, noise).astype(np.float32)
    return (noise * np.exp(-t * (8 if open_ else rng.uniform(50, 80)))).astype(np.float32)


def _crash(rng) -> np.ndarray:
    n = int(1.2 * SR)
    t = _t(n)
    noise = rng.standard_normal(n).astype(np.float32)
    sos = signal.butter(2, 3500, "highpass", fs=SR, output="sos")
    return (signal.sosfilt(sos, noise) * np.exp(-t * 3.0) * 0.6).astype(np.float32)


def _harmonic(freq: float, n: int, *, n_harm: int, rolloff: float, decay: float = 0.0,
              decay_per_harm: float = 0.0, vibrato: tuple[float, float] = (0.0, 0.0),
              attack: float = 0.005, release: float = 0.03, weights=None) -> np.ndarray:
    """Additive tone: ``n_harm`` harmonics with amplitude ``k**-rolloff``, each decaying."""
    t = _t(n)
    k = np.arange(1, n_harm + 1, dtype=np.float32)
    k = k[k * freq < 0.45 * SR]
    rate, depth = vibrato
    if depth:
        inst = freq * (1 + depth * np.sin(2 * np.pi * rate * t))
        phase = 2 * np.pi * np.cumsum(inst, dtype=np.float64).astype(np.float32) / SR
    else:
        phase = 2 * np.pi * freq * t
    amp = k ** -rolloff if weights is None else weights(k * freq)
    env = np.exp(-np.outer(t, decay + decay_per_harm * (k - 1)))
    tone = (np.sin(np.outer(phase, k)) * env) @ amp.astype(np.float32)
    a = max(1, int(attack * SR))
    r = max(1, min(n // 2, int(release * SR)))
    tone[:a] *= np.linspace(0, 1, a, dtype=np.float32)
    tone[-r:] *= np.linspace(1, 0, r, dtype=np.float32)
    return tone.astype(np.float32)


def _pluck(freq, dur, rng, bright=1.0):
    """Plucked string (guitar, harp, piano-like): bright attack, higher harmonics die first."""
    return _harmonic(freq, int(dur * SR), n_harm=10, rolloff=1.3 / bright, decay=rng.uniform(2.5, 5),
                     decay_per_harm=1.6, attack=0.002, release=0.05)


def _bowed(freq, dur, rng, vib=True):
    """Bowed string (violin, cello, fiddle): slow attack, sawtooth-like spectrum, vibrato."""
    return _harmonic(freq, int(dur * SR), n_harm=9, rolloff=1.0,
                     vibrato=(rng.uniform(4.5, 6.5), rng.uniform(0.003, 0.008) if vib else 0.0),
                     attack=min(0.25, dur / 3), release=min(0.2, dur / 3))


def _power_chord(freq, dur, rng, drive=6.0, palm=False):
    """Distorted guitar power chord (root, fifth, octave) through a tanh clipper."""
    n = int(dur * SR)
    x = sum(_harmonic(f, n, n_harm=8, rolloff=0.9, decay=(9 if palm else 0.7), attack=0.003, release=0.02)
            for f in (freq, freq * 1.4983, freq * 2))
    y = np.tanh(drive * x / 3).astype(np.float32)
    sos = signal.butter(2, 5500, "lowpass", fs=SR, output="sos")  # cabinet
    return signal.sosfilt(sos, y).astype(np.float32)


def _bass(freq, dur, rng, sub=False):
    """Bass: a near-sine sub (hiphop 808, reggae) or a plucked bass (country, metal)."""
    if sub:
        return _harmonic(freq, int(dur * SR), n_harm=3, rolloff=2.5, decay=rng.uniform(0.8, 2), attack=0.005)
    return _harmonic(freq, int(dur * SR), n_harm=6, rolloff=1.6, decay=rng.uniform(3, 6), decay_per_harm=1.0)


def _organ(freqs, dur, rng):
    """Organ or skank chord: drawbar-like sine partials, sharp on and off."""
    n = int(dur * SR)
    w = lambda f: np.where(f < 4000, 1.0, 0.2) / (1 + 0.3 * np.arange(len(f)))  # noqa: E731
    return sum(_harmonic(f, n, n_harm=4, rolloff=0.5, weights=w, attack=0.004, release=0.02) for f in freqs)


_VOWELS = ((730, 1090), (270, 2290), (300, 870), (530, 1840), (570, 840), (440, 1020))


def _voice(freq, dur, vowel, rng, vib=0.0):
    """A buzzy voice: glottal-like harmonics shaped by two formants of a vowel."""
    f1, f2 = _VOWELS[vowel]
    w = lambda f: (np.exp(-((f - f1) / 120) ** 2) + 0.7 * np.exp(-((f - f2) / 180) ** 2) + 0.05) / np.sqrt(f / 100)  # noqa: E731
    return _harmonic(freq, int(dur * SR), n_harm=30, rolloff=0, weights=w, vibrato=(5.5, vib),
                     attack=0.02, release=0.04)


# --------------------------------------------------------------------------
# Harmony
# --------------------------------------------------------------------------

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)


def _chord(key: int, minor: bool, degree: int, n: int = 3) -> list[int]:
    """MIDI notes of the diatonic chord on a scale degree (0-based), stacked in thirds."""
    scale = _MINOR if minor else _MAJOR
    return [key + scale[(degree + 2 * i) % 7] + 12 * ((degree + 2 * i) // 7) for i in range(n)]


_PROGRESSIONS = {
    "metal": [(0, 5, 6, 0), (0, 3, 4, 0), (0, 0, 5, 6), (0, 1, 0, 6)],
    "classical": [(0, 3, 4, 0), (0, 5, 1, 4), (0, 4, 5, 3), (0, 3, 6, 2)],
    "hiphop": [(0, 5, 0, 5), (0, 3, 0, 3), (0, 5, 3, 4), (0, 0, 3, 3)],
    "country": [(0, 3, 4, 0), (0, 4, 5, 3), (0, 0, 3, 4), (0, 3, 0, 4)],
    "reggae": [(0, 3, 0, 3), (0, 6, 0, 6), (0, 4, 5, 3), (0, 3, 4, 3)],
}


# --------------------------------------------------------------------------
# Song plans: what each genre draws at random
# --------------------------------------------------------------------------

@dataclass
class _Song:
    genre: str
    bpm: float
    key: int
    minor: bool
    prog: tuple
    swing: float
    parts: dict = field(default_factory=dict)  # part name -> level (linear)

    @property
    def step(self) -> float:
        return 60.0 / self.bpm / 4

    def step_time(self, s: int) -> float:
        # swing delays odd sixteenth steps
        return s * self.step + (self.swing * self.step if s % 2 else 0.0)


def _lvl(rng, lo_db, hi_db):
    return float(10 ** (rng.uniform(lo_db, hi_db) / 20))


def _plan(genre: str, rng) -> _Song:
    """Draw tempo, key, instrumentation and mix for one clip of a genre."""
    u = rng.uniform
    g = genre
    if g == "metal":
        bpm = u(95, 190)
        minor = rng.random() < 0.9
        key = int(rng.integers(40, 47))  # E2..Bb2
        parts = {"kick": _lvl(rng, -6, 0), "snare": _lvl(rng, -6, 0), "hat": _lvl(rng, -14, -6),
                 "guitar": _lvl(rng, -4, 0), "bass": _lvl(rng, -10, -3)}
        if rng.random() < 0.5:
            parts["crash"] = _lvl(rng, -16, -8)
        if rng.random() < 0.4:
            parts["voice"] = _lvl(rng, -12, -4)
        if rng.random() < 0.25:
            parts["strings"] = _lvl(rng, -14, -6)  # symphonic metal
        swing = 0.0
    elif g == "classical":
        bpm = u(50, 130)
        minor = rng.random() < 0.45
        key = int(rng.integers(48, 60))
        parts = {}
        r = rng.random()
        if r < 0.5:
            parts["strings"] = _lvl(rng, -3, 0)
            if rng.random() < 0.6:
                parts["melody_bowed"] = _lvl(rng, -6, 0)
        elif r < 0.8:
            parts["piano"] = _lvl(rng, -3, 0)
            if rng.random() < 0.4:
                parts["strings"] = _lvl(rng, -12, -4)
        else:  # guitar or harp: timbres shared with country
            parts["arpeggio"] = _lvl(rng, -3, 0)
            if rng.random() < 0.5:
                parts["melody_bowed"] = _lvl(rng, -8, -2)
        if rng.random() < 0.15:
            parts["timpani"] = _lvl(rng, -12, -4)
        if rng.random() < 0.1:
            parts["voice_sung"] = _lvl(rng, -8, -2)  # opera
        swing = 0.0
    elif g == "hiphop":
        bpm = u(72, 104)
        minor = rng.random() < 0.75
        key = int(rng.integers(45, 57))
        parts = {"kick": _lvl(rng, -3, 0), "snare": _lvl(rng, -6, 0), "hat": _lvl(rng, -16, -6),
                 "sub": _lvl(rng, -6, 0)}
        loop = rng.random()
        if loop < 0.45:
            parts["piano"] = _lvl(rng, -12, -4)
        elif loop < 0.7:
            parts["skank"] = _lvl(rng, -12, -5)  # offbeat stabs: shared with reggae
        elif loop < 0.85:
            parts["strings"] = _lvl(rng, -14, -6)
        if rng.random() < 0.75:
            parts["voice_rap"] = _lvl(rng, -8, -2)
        swing = u(0.0, 0.35)
    elif g == "country":
        bpm = u(84, 150)
        minor = rng.random() < 0.15
        key = int(rng.integers(43, 55))
        parts = {"strum": _lvl(rng, -6, 0), "bass": _lvl(rng, -9, -3)}
        if rng.random() < 0.8:
            parts.update(kick=_lvl(rng, -9, -3), snare=_lvl(rng, -12, -4), hat=_lvl(rng, -20, -10))
        if rng.random() < 0.55:
            parts["melody_bowed"] = _lvl(rng, -9, -2)  # fiddle / steel
        if rng.random() < 0.3:
            parts["piano"] = _lvl(rng, -14, -6)
        if rng.random() < 0.6:
            parts["voice_sung"] = _lvl(rng, -8, -2)
        if rng.random() < 0.12:
            parts["skank"] = _lvl(rng, -14, -8)
        swing = u(0.0, 0.2)
    elif g == "reggae":
        bpm = u(62, 98)
        minor = rng.random() < 0.55
        key = int(rng.integers(43, 55))
        parts = {"kick": _lvl(rng, -6, 0), "snare": _lvl(rng, -9, -3), "hat": _lvl(rng, -18, -8),
                 "sub": _lvl(rng, -4, 0)}
        if rng.random() < 0.85:
            parts["skank"] = _lvl(rng, -9, -3)
        else:
            parts["piano"] = _lvl(rng, -10, -4)
        if rng.random() < 0.5:
            parts["voice_sung"] = _lvl(rng, -8, -2)
        elif rng.random() < 0.4:
            parts["voice_rap"] = _lvl(rng, -8, -2)  # toasting / dancehall: shared with hiphop
        if rng.random() < 0.25:
            parts["strum"] = _lvl(rng, -16, -8)
        swing = u(0.0, 0.25)
    else:  # pragma: no cover - guarded by make_demo_dataset
        raise ValueError(f"no demo recipe for genre {genre!r}; recipes exist for {', '.join(DEMO_GENRES)}")
    prog = _PROGRESSIONS[g][rng.integers(len(_PROGRESSIONS[g]))]
    return _Song(g, float(bpm), key, bool(minor), prog, float(swing), parts)


def _drum_pattern(song: _Song, rng) -> dict[str, list[int]]:
    """Steps (0-15) of each drum voice in one bar."""
    g = song.genre
    if g == "metal":
        style = rng.integers(3)
        kick = list(range(0, 16, 1 if style == 0 else 2)) if style < 2 else [0, 3, 6, 8, 11, 14]
        return {"kick": kick, "snare": [4, 12] if style != 0 or rng.random() < 0.5 else list(range(2, 16, 4)),
                "hat": list(range(0, 16, 2)), "crash": [0]}
    if g == "hiphop" or (g == "reggae" and rng.random() < 0.25):  # boom-bap (some reggae: dancehall)
        kicks = [[0, 7, 10], [0, 3, 10], [0, 8, 10], [0, 6, 9, 14]][rng.integers(4)]
        hat = list(range(0, 16, 1 if rng.random() < 0.3 else 2))
        return {"kick": kicks, "snare": [4, 12], "hat": hat}
    if g == "reggae":
        if rng.random() < 0.6:  # one drop: kick and rim together on beat three
            return {"kick": [8], "rim": [8], "hat": list(range(0, 16, 2))}
        return {"kick": [0, 4, 8, 12], "rim": [8], "hat": list(range(2, 16, 4))}  # steppers
    if g == "country":
        return {"kick": [0, 8], "snare": [4, 12], "hat": list(range(0, 16, 2))}
    return {}


def _add(buf: np.ndarray, start: float, x: np.ndarray, gain: float = 1.0) -> None:
    i = int(round(start * SR))
    if i >= len(buf) or i < 0:
        return
    n = min(len(x), len(buf) - i)
    buf[i:i + n] += gain * x[:n]


def _render_phrase(song: _Song, rng, bars: int = 2) -> np.ndarray:
    """Render ``bars`` bars of one song; the clip is built by repeating phrases."""
    bar = 16 * song.step
    n = int(round(bars * bar * SR))
    out = np.zeros(n + SR, dtype=np.float32)  # one second of tail, folded back below
    parts = song.parts
    cache: dict = {}

    def note(kind, *args, **kw):
        k = (kind, args)
        if k not in cache:
            cache[k] = kw.pop("fn")(*args, rng, **kw)
        return cache[k]

    # drums
    pattern = _drum_pattern(song, rng)
    sounds = {"kick": _kick(rng), "snare": _snare(rng), "rim": _snare(rng, rim=True),
              "hat": _hihat(rng), "crash": _crash(rng)}
    for voice, steps in pattern.items():
        lvl = parts.get("snare" if voice == "rim" else voice, 0.0)
        if not lvl:
            continue
        for b in range(bars):
            for s in steps:
                if voice == "crash" and b:
                    continue
                vel = rng.uniform(0.7, 1.0) if voice == "hat" else rng.uniform(0.9, 1.0)
                _add(out, b * bar + song.step_time(s), sounds[voice], lvl * vel)

    chord_len = bar * bars / len(song.prog)
    for ci, degree in enumerate(song.prog):
        t0 = ci * chord_len
        ch = _chord(song.key, song.minor, degree)
        root = song.key + (_MINOR if song.minor else _MAJOR)[degree]
        steps_in_chord = int(round(chord_len / song.step))
        if "guitar" in parts:  # chugging power chords
            palm = rng.random() < 0.6
            dur = song.step * (1 if palm else 4)
            x = note("pc", _midi_hz(root), dur, fn=_power_chord, palm=palm)
            for s in range(0, steps_in_chord, 1 if palm else 4):
                _add(out, t0 + s * song.step, x, parts["guitar"])
        if "bass" in parts:
            if song.genre == "country":  # boom-chick: root then fifth
                for s in range(0, steps_in_chord, 8):
                    m = root - 12 + (7 if (s // 8) % 2 else 0)
                    _add(out, t0 + s * song.step, note("b", _midi_hz(m), 8 * song.step * 0.9, fn=_bass), parts["bass"])
            else:
                x = note("b", _midi_hz(root - 12), song.step * 2, fn=_bass)
                for s in range(0, steps_in_chord, 2):
                    _add(out, t0 + s * song.step, x, parts["bass"])
        if "sub" in parts:  # 808 / dub bass, syncopated
            offs = [0, 3, 6, 10] if song.genre == "reggae" else [0, 10]
            for s in offs:
                if s < steps_in_chord:
                    m = root - 12 + (0 if s in (0, 10) else rng.choice([0, 3 if song.minor else 4, 7]))
                    _add(out, t0 + song.step_time(s), note("sub", _midi_hz(m), song.step * 3, fn=_bass, sub=True), parts["sub"])
        if "skank" in parts:  # offbeat organ/guitar chords
            x = note("sk", tuple(_midi_hz(m + 12) for m in ch), song.step * 1.2, fn=_organ)
            for s in range(2, steps_in_chord, 4):
                _add(out, t0 + song.step_time(s), x, parts["skank"])
        if "strum" in parts:  # acoustic guitar strums: six strings a few ms apart
            strum = note("st", tuple(_midi_hz(m) for m in ch + [ch[0] + 12, ch[1] + 12]),
                         song.step * 4, fn=lambda fs, d, r: sum(
                             np.pad(_pluck(f, d, r), (int(i * 0.012 * SR), 0))[: int(d * SR)] for i, f in enumerate(fs)))
            for s in [0, 4, 6, 10, 12][: max(1, steps_in_chord // 3)]:
                if s < steps_in_chord:
                    _add(out, t0 + song.step_time(s), strum, parts["strum"] * 0.5)
        if "piano" in parts:
            for m in ch:
                _add(out, t0, note("p", _midi_hz(m + 12), chord_len, fn=_pluck, bright=1.4), parts["piano"] * 0.5)
        if "arpeggio" in parts:
            arp = ch + [ch[0] + 12, ch[1] + 12, ch[2] + 12]
            for i, s in enumerate(range(0, steps_in_chord, 2)):
                m = arp[i % len(arp)]
                _add(out, t0 + s * song.step, note("a", _midi_hz(m), song.step * 6, fn=_pluck), parts["arpeggio"] * 0.6)
        if "strings" in parts:
            for m in ch:
                _add(out, t0, note("s", _midi_hz(m), chord_len * 1.02, fn=_bowed), parts["strings"] * 0.35)
        if "timpani" in parts:
            _add(out, t0, note("tp", _midi_hz(root - 12), 1.0, fn=_bass), parts["timpani"])
        if "melody_bowed" in parts:
            scale = _MINOR if song.minor else _MAJOR
            s = 0
            while s < steps_in_chord:
                d = int(rng.choice([2, 4, 4, 8]))
                deg = int(rng.integers(0, 8))
                m = song.key + 24 + scale[deg % 7] + 12 * (deg // 7)
                _add(out, t0 + s * song.step, note("mb", _midi_hz(m), song.step * d, fn=_bowed), parts["melody_bowed"] * 0.5)
                s += d
        if "voice_sung" in parts:
            scale = _MINOR if song.minor else _MAJOR
            s = 0
            while s < steps_in_chord:
                d = int(rng.choice([2, 4, 4, 6]))
                if rng.random() < 0.8:
                    deg = int(rng.integers(0, 6))
                    m = song.key + 12 + scale[deg % 7]
                    v = note("vs", _midi_hz(m), song.step * d, int(rng.integers(6)), fn=_voice, vib=0.01)
                    _add(out, t0 + s * song.step, v, parts["voice_sung"] * 0.6)
                s += d
        if "voice_rap" in parts:
            pitch = _midi_hz(song.key + 12 + int(rng.integers(-2, 3)))
            for s in range(0, steps_in_chord):
                if rng.random() < 0.7:
                    v = note("vr", pitch * rng.choice([1.0, 1.06, 0.94]), song.step * 0.8, int(rng.integers(6)), fn=_voice)
                    _add(out, t0 + song.step_time(s), v, parts["voice_rap"] * 0.5)

    head, tail = out[:n].copy(), out[n:]
    head[: len(tail)] += tail[: n]  # fold the ringing tail over the loop start
    return head


def _section(song: _Song, rng, seconds: float) -> np.ndarray:
    """Fill ``seconds`` by alternating two rendered phrases (A A B A ...)."""
    a = _render_phrase(song, rng)
    b = _render_phrase(song, rng) if rng.random() < 0.7 else a
    order = [a, a, b, a]
    need = int(round(seconds * SR))
    reps = int(np.ceil(need / len(a))) + 1
    return np.concatenate([order[i % 4] for i in range(reps)])[:need]


#: Genres whose recipe can open another genre's clip, per target genre.
_INTROS = {
    "metal": (0.3, ("classical",)),
    "classical": (0.1, ("country",)),
    "hiphop": (0.25, ("classical", "reggae", "country")),
    "country": (0.2, ("classical", "reggae")),
    "reggae": (0.25, ("hiphop", "classical")),
}


def _arrange(genre: str, rng, seconds: float):
    """The clip's plan and, for some clips, an intro borrowed from another genre: ``(song, (donor, seconds) | None)``."""
    song = _plan(genre, rng)
    p_intro, donors = _INTROS[genre]
    if rng.random() < p_intro:
        donor = _plan(str(rng.choice(donors)), rng)
        donor.key = song.key
        return song, (donor, min(seconds, float(rng.uniform(6, 14))))
    return song, None


def demo_recipe(genre: str, index: int, *, seed: int = DEFAULT_SEED, seconds: float = CLIP_SECONDS) -> dict:
    """How demo clip ``index`` of a genre was made, without rendering it.

    Parameters
    ----------
    genre : str
        One of :data:`DEMO_GENRES`.
    index : int
        Clip number (``reggae.00007`` is index 7).
    seed : int
        Dataset seed the clip was generated with.

    Returns
    -------
    dict
        ``genre``, ``bpm``, ``key`` (e.g. ``"A minor"``), ``instruments``,
        ``intro_genre`` (genre of a borrowed opening section, or None) and
        ``intro_seconds``.

    Examples
    --------
    >>> sorted(demo_recipe("reggae", 0))
    ['bpm', 'genre', 'instruments', 'intro_genre', 'intro_seconds', 'key']

    Notebook: 01_mel_spectrograms.ipynb
    """
    if genre not in DEMO_GENRES:
        raise ValueError(f"no demo recipe for genre {genre!r}; recipes exist for {', '.join(DEMO_GENRES)}")
    song, intro = _arrange(genre, np.random.default_rng(_clip_seed(seed, genre, index)), seconds)
    names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
    return {"genre": genre, "bpm": round(song.bpm, 1),
            "key": f"{names[song.key % 12]} {'minor' if song.minor else 'major'}",
            "instruments": sorted(song.parts),
            "intro_genre": intro[0].genre if intro else None,
            "intro_seconds": round(intro[1], 1) if intro else 0.0}


def synthesize_clip(genre: str, seed, *, seconds: float = CLIP_SECONDS) -> np.ndarray:
    """Synthesise one demo clip of a genre.

    Parameters
    ----------
    genre : str
        One of :data:`DEMO_GENRES`.
    seed : int or sequence of int
        Seed of this clip; the same seed gives the same samples.
    seconds : float
        Length of the clip.

    Returns
    -------
    np.ndarray
        Mono float32 audio at 22,050 Hz, shape ``(round(seconds * 22050),)``,
        peak below 1.

    Examples
    --------
    >>> y = synthesize_clip("reggae", 7, seconds=3.0)
    >>> y.shape, y.dtype
    ((66150,), dtype('float32'))

    Notebook: 01_mel_spectrograms.ipynb
    """
    if genre not in DEMO_GENRES:
        raise ValueError(f"no demo recipe for genre {genre!r}; recipes exist for {', '.join(DEMO_GENRES)}")
    rng = np.random.default_rng(seed)
    n = int(round(seconds * SR))
    song, intro = _arrange(genre, rng, seconds)
    chunks = []
    if intro is not None:
        donor, intro_s = intro
        chunks.append(_section(donor, rng, intro_s) * float(rng.uniform(0.5, 1.0)))
    rest = n - sum(len(c) for c in chunks)
    if rest > 0:
        chunks.append(_section(song, rng, rest / SR))
    y = np.concatenate(chunks)[:n]
    # a slow random dynamic envelope (sections get louder and quieter)
    knots = rng.uniform(-4, 2, size=6)
    y *= (10 ** (np.interp(np.arange(n), np.linspace(0, n, 6), knots) / 20)).astype(np.float32)
    # the recording: bandwidth, noise floor, level
    y /= np.max(np.abs(y)) + 1e-9
    cutoff = rng.uniform(3500, 10500)
    y = signal.sosfilt(signal.butter(2, cutoff, "lowpass", fs=SR, output="sos"), y).astype(np.float32)
    noise = rng.standard_normal(n, dtype=np.float32)
    noise = signal.lfilter([1.0], [1.0, -rng.uniform(0.0, 0.95)], noise).astype(np.float32)  # white..brown
    snr_db = rng.uniform(18, 45)
    y += noise * (np.sqrt(np.mean(y ** 2)) / (np.sqrt(np.mean(noise ** 2)) + 1e-9) * 10 ** (-snr_db / 20))
    fade = int(0.02 * SR)
    y[:fade] *= np.linspace(0, 1, fade, dtype=np.float32)
    y *= rng.uniform(0.3, 0.95) / (np.max(np.abs(y)) + 1e-9)
    return y.astype(np.float32)


def _clip_seed(seed: int, genre: str, index: int) -> list[int]:
    return [int(seed), DEMO_GENRES.index(genre), int(index)]


def _write_clip(path: Path, genre: str, seed: int, index: int, seconds: float) -> str:
    import soundfile as sf

    y = synthesize_clip(genre, _clip_seed(seed, genre, index), seconds=seconds)
    tmp = path.with_name(f".{path.name}.part")
    sf.write(tmp, y, SR, format="AU", subtype="PCM_16")
    os.replace(tmp, path)
    return path.name


def is_demo_root(root) -> bool:
    """True if ``root`` holds a dataset generated by :func:`make_demo_dataset`."""
    return (Path(root) / DEMO_MARKER).is_file()


def read_demo_marker(root) -> dict | None:
    """The settings a demo dataset was generated with, or None if ``root`` is not one.

    Returns
    -------
    dict or None
        ``seed``, ``clips_per_genre``, ``seconds``, ``genres`` (those found)
        and ``complete`` (False while, or if, generation was interrupted).

    Notebook: 01_mel_spectrograms.ipynb
    """
    marker = Path(root) / DEMO_MARKER
    if not marker.is_file():
        return None
    text = marker.read_text()
    found = dict(re.findall(r"\b(seed|clips_per_genre|seconds|genres)=(\S+)", text))
    out: dict = {"complete": "complete" in text.split()}
    if "seed" in found:
        out["seed"] = int(found["seed"])
    if "clips_per_genre" in found:
        out["clips_per_genre"] = int(found["clips_per_genre"])
    if "seconds" in found:
        out["seconds"] = float(found["seconds"])
    if "genres" in found:
        out["genres"] = tuple(found["genres"].split(","))
    return out


def make_demo_dataset(root, *, genres=DEMO_GENRES, clips_per_genre: int = 100, seed: int = DEFAULT_SEED,
                      seconds: float = CLIP_SECONDS, n_jobs: int = -1, overwrite: bool = False) -> Path:
    """Write the synthetic demo dataset in GTZAN's layout.

    Writes ``<root>/genres/<genre>/<genre>.000NN.au`` (22,050 Hz, mono,
    16-bit PCM, ``seconds`` long) and a marker file saying the data are
    synthetic. Clips already present are kept unless ``overwrite``; the same
    seed always gives the same bytes.

    Parameters
    ----------
    root : str or Path
        Dataset root to create.
    genres : sequence of str
        Genres to generate; each must have a recipe (:data:`DEMO_GENRES`).
    clips_per_genre : int
        Clips per genre (GTZAN has 100).
    seed : int
        Dataset seed; clip ``k`` of genre ``g`` uses the seed ``[seed, g, k]``.
    seconds : float
        Clip length in seconds (GTZAN: 30).
    n_jobs : int
        Worker processes (``-1``: all cores).
    overwrite : bool
        Regenerate clips that already exist.

    Returns
    -------
    Path
        The root.

    Notebook: 01_mel_spectrograms.ipynb
    """
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    bad = [g for g in genres if g not in DEMO_GENRES]
    if bad:
        raise ValueError(f"the demo synthesiser has no recipe for {bad}; it makes {', '.join(DEMO_GENRES)}. "
                         "Point GENRE_LAB_DATA at a real GTZAN copy for the other genres.")
    if clips_per_genre < 1 or clips_per_genre > 99_999:
        raise ValueError(f"clips_per_genre must be between 1 and 99999, got {clips_per_genre}")
    root = Path(root)
    marker = root / DEMO_MARKER
    old = read_demo_marker(root)
    if old is None and any(p.is_file() for p in (root / "genres").rglob("*")):
        raise ValueError(f"{root} holds files that genre_lab did not generate (no {DEMO_MARKER}); "
                         "it will not overwrite them. Choose another --root for the demo dataset.")
    if old is not None and (old.get("seed") != seed or old.get("seconds") != float(seconds)):
        log.info("%s holds demo clips of another seed or length: replacing them", root)
        overwrite = True
    jobs = []
    for g in genres:
        folder = root / "genres" / g
        folder.mkdir(parents=True, exist_ok=True)
        for clip in folder.iterdir():
            m = re.fullmatch(rf"{g}\.(\d{{5}})\.au", clip.name)
            # Clips of another recipe are deleted before anything is written, so an interrupted run can never
            # leave old and new clips side by side; clips beyond the requested count are not part of the set.
            if m and (overwrite or int(m[1]) >= clips_per_genre):
                clip.unlink()
        for k in range(clips_per_genre):
            path = folder / f"{g}.{k:05d}.au"
            if not path.is_file():
                jobs.append((path, g, k))
    # The marker says "synthetic" from the first clip on; the word "complete" is added only at the end,
    # so an interrupted run is finished (with the same settings) next time rather than trusted.
    text = ("This folder holds genre_lab's SYNTHETIC demo dataset, generated offline in GTZAN's layout.\n"
            "It is not GTZAN and results on it say nothing about real music.\n"
            f"seed={seed} clips_per_genre={clips_per_genre} seconds={float(seconds)} genres={','.join(genres)}\n")
    marker.write_text(text)
    if jobs:
        log.info("synthesising %d demo clips into %s", len(jobs), root)
        work = (delayed(_write_clip)(p, g, seed, k, seconds) for p, g, k in jobs)
        list(tqdm(Parallel(n_jobs=n_jobs, return_as="generator", batch_size=4)(work),
                  total=len(jobs), desc="demo clips", unit="clip"))
    marker.write_text(text + "complete\n")
    return root
