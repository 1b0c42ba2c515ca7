"""A singing and rapping voice: a small source-filter synthesizer, played from the vocal part of a score.

Real metal, hiphop, country and reggae are defined as much by their vocals as
by their instruments, and no General MIDI SoundFont has a voice that says a
syllable. This module makes one the way speech science models the voice
(Fant's source-filter theory):

* **source** -- the vocal folds: a glottal pulse train (Rosenberg's pulse,
  differentiated for the radiation at the lips) at the note's pitch, with
  vibrato for singing, falling speech intonation for rap, jitter, and breath
  noise; a growl adds a subharmonic and rough noise, a scream mostly noise;
* **filter** -- the vocal tract: four formant resonances per vowel
  (Peterson & Barney's averages, scaled for a smaller or larger tract),
  plus a twang's bright, nasal resonance;
* **consonants** -- a burst of filtered noise at a syllable's start (s, sh,
  f, t, k, p, h).

Each note of a sung part is one syllable: its start, length and pitch come
from the score, its vowel and consonant from the part's seed.

Rap and toasting are speech in rhythm, and speech is more than vowels on a
pitch: words, with their consonants and the glides between them. Those are
spoken by eSpeak NG (a formant speech synthesizer; its library and data come
in the ``espeakng-loader`` wheel, so pip installs it): each phrase of the
part (its notes' span) is filled with a line of words from :data:`WORDS`,
spoken at the singer's rate and pitch and cut where the phrase ends. Only
eSpeak voices without random pitch flutter are used (:data:`SPEAKERS`), so
the same seed gives the same audio, whatever was spoken before.

The styles are data (:data:`VOICE_STYLES`), as the recipes are.

Notebook: 02_voices_and_song_form.ipynb
"""

from __future__ import annotations

import ctypes
import functools
import os

import numpy as np
from scipy import signal

__all__ = ["VOICE_STYLES", "VOWELS", "WORDS", "SPEAKERS", "phrases", "render_vocal", "speak", "vocal_spans"]

#: Words for spoken lines (rap, toasting): common, mostly one or two syllables, and harmless.
WORDS = (
    "yeah", "come", "on", "we", "the", "block", "beat", "rhyme", "time", "mind", "city", "night", "light", "street",
    "money", "people", "hear", "me", "now", "every", "day", "way", "stay", "move", "groove", "sound", "town",
    "around", "rise", "up", "never", "stop", "top", "back", "track", "flow", "go", "know", "show", "real", "feel",
    "deal", "check", "mic", "one", "two", "crowd", "loud", "proud", "dream", "team", "rolling", "holding", "it",
    "down", "get", "got", "all", "my", "your", "and", "so", "high", "sky", "why", "try", "fly", "jah", "love",
    "run", "sun", "fire", "higher", "nation", "station", "music", "people", "judgement", "ready", "steady",
)
#: eSpeak NG voice variants whose output depends on nothing but their input (no pitch flutter).
SPEAKERS = ("Denis", "Diogo", "Henrique", "Storm", "michel", "miguel", "shelby")

#: Vowel formants (F1-F4, Hz) of an adult male voice, after Peterson & Barney (1952).
VOWELS = {
    "a": (730, 1090, 2440, 3400), "ae": (660, 1720, 2410, 3400), "e": (530, 1840, 2480, 3500),
    "i": (270, 2290, 3010, 3600), "o": (570, 840, 2410, 3300), "u": (300, 870, 2240, 3300),
    "uh": (640, 1190, 2390, 3400), "er": (490, 1350, 1690, 3300),
}
#: Formant bandwidths (Hz) for F1-F4.
BANDWIDTHS = (80, 100, 140, 200)
#: Consonants as noise bands (low Hz, high Hz, seconds, level relative to the vowel).
CONSONANTS = {
    "s": (4500, 9500, 0.07, 0.35), "sh": (2200, 6000, 0.08, 0.35), "f": (1500, 8000, 0.06, 0.15),
    "t": (2500, 8000, 0.02, 0.6), "k": (1200, 4000, 0.025, 0.5), "p": (300, 2000, 0.015, 0.5),
    "h": (500, 4000, 0.05, 0.12),
}

#: How each style sings. vibrato: (rate Hz, depth semitones); glide: semitones an f0 falls over a syllable
#: (speech); breath: noise level; consonant: chance a syllable starts with one; growl: subharmonic and roughness;
#: twang: gain (dB) of the bright nasal resonance near 3 kHz; drive: saturation (a shouted or distorted voice);
#: attack/release: seconds.
VOICE_STYLES = {
    "sung": {"vibrato": (5.5, 0.35), "glide": 0.0, "breath": 0.04, "consonant": 0.35, "growl": 0.0, "twang": 0.0,
             "drive": 0.0, "attack": 0.04, "release": 0.08, "jitter": 0.004},
    "twang": {"vibrato": (5.8, 0.25), "glide": 0.0, "breath": 0.05, "consonant": 0.4, "growl": 0.0, "twang": 12.0,
              "drive": 0.0, "attack": 0.03, "release": 0.06, "jitter": 0.006, "scoop": 1.0},
    # spoken styles: words a minute, eSpeak's pitch (0-100) and its range (a monotone 0 to a sing-song 100);
    # rap is fast (4-6 syllables a second) and animated, toasting slower and more sung
    "rap": {"spoken": True, "rate": (210, 290), "pitch": (45, 75), "pitch_range": (50, 90), "drive": 0.0},
    "toast": {"spoken": True, "rate": (160, 220), "pitch": (45, 75), "pitch_range": (70, 99), "drive": 0.0},
    # a hardcore or thrash shout: words barked low and distorted
    "shout": {"spoken": True, "rate": (150, 220), "pitch": (5, 35), "pitch_range": (20, 60), "drive": 8.0},
    "growl": {"vibrato": (0.0, 0.0), "glide": 0.5, "breath": 0.7, "consonant": 0.5, "growl": 0.8, "twang": 0.0,
              "drive": 4.0, "attack": 0.01, "release": 0.05, "jitter": 0.03},
    "scream": {"vibrato": (0.0, 0.0), "glide": 1.0, "breath": 1.2, "consonant": 0.5, "growl": 0.4, "twang": 6.0,
               "drive": 6.0, "attack": 0.01, "release": 0.05, "jitter": 0.04},
}


@functools.lru_cache(maxsize=64)
def _butter(order: int, cutoff, kind: str, sr: int) -> np.ndarray:
    """A Butterworth filter as second-order sections, designed once per setting: a consonant's band."""
    return signal.butter(order, cutoff, kind, fs=sr, output="sos")


@functools.lru_cache(maxsize=8)
def _one_pole(cutoff: float, sr: int) -> tuple:
    """A first-order Butterworth low-pass as ``(b, a)``, designed once: the pitch's slow wander (6 Hz), the
    source's spectral tilt (1.5 kHz, about -6 dB per octave). (``lfilter`` runs one short section with
    less fixed cost per call than ``sosfilt``, and a voice makes several calls per syllable.)"""
    return signal.butter(1, cutoff, "lowpass", fs=sr)


#: One period of the differentiated glottal pulse, tabulated (read at the voice's phase, linearly interpolated).
_PERIOD = 2048


def _resonator_sos(freq: float, bw: float, sr: int) -> np.ndarray:
    """One formant: a two-pole resonance at ``freq`` Hz, unity gain at 0 Hz, as one second-order section."""
    r = np.exp(-np.pi * bw / sr)
    c = 2 * r * np.cos(2 * np.pi * min(freq, 0.45 * sr) / sr)
    return np.array([1 - c + r * r, 0.0, 0.0, 1.0, -c, r * r])


@functools.lru_cache(maxsize=256)
def _tract(vowel: str, scale: float, twang_db: float, sr: int) -> np.ndarray:
    """The vocal tract of a vowel as second-order sections (formants in cascade, plus a twang)."""
    sos = [_resonator_sos(f * scale, b, sr) for f, b in zip(VOWELS[vowel], BANDWIDTHS)]
    if twang_db:  # a narrowed epilarynx: a strong, bright resonance near 3 kHz
        b, a = _peak(3000.0 * scale, twang_db, 2.0, sr)
        sos.append(np.concatenate([b, a]))
    return np.array(sos)  # (cached and shared: scipy's sosfilt refuses a read-only array, so it stays writable)


def _peak(freq: float, gain_db: float, q: float, sr: int):
    """An RBJ peaking equaliser (b, a), normalised."""
    amp = 10 ** (gain_db / 40)
    w = 2 * np.pi * freq / sr
    alpha = np.sin(w) / (2 * q)
    b = np.array([1 + alpha * amp, -2 * np.cos(w), 1 - alpha * amp])
    a = np.array([1 + alpha / amp, -2 * np.cos(w), 1 - alpha / amp])
    return b / a[0], a / a[0]


@functools.lru_cache(maxsize=1)
def _pulse_table(open_quotient: float = 0.6) -> np.ndarray:
    """Rosenberg's glottal flow pulse over one period, differentiated (the radiation at the lips), per cycle."""
    rise = 0.66 * open_quotient
    ph = np.arange(_PERIOD + 1) / _PERIOD
    flow = np.where(ph < rise, 0.5 * (1 - np.cos(np.pi * ph / rise)),
                    np.where(ph < open_quotient, np.cos(0.5 * np.pi * (ph - rise) / (open_quotient - rise)), 0.0))
    return (np.diff(flow, prepend=flow[-1]) * _PERIOD).astype(np.float32)


def _glottal(cycle: np.ndarray, f0: np.ndarray, sr: int) -> np.ndarray:
    """The glottal source at ``cycle`` (the phase within each cycle, 0-1): the tabulated pulse, scaled to one
    sample's step."""
    table = _pulse_table()
    pos = cycle * np.float32(_PERIOD)
    i = pos.astype(np.int64)
    np.minimum(i, _PERIOD - 1, out=i)  # a phase just below 1 rounds to 1.0 in float32: the table's last entry
    frac = pos - i
    now = table[i]
    y = table[i + 1]
    y -= now
    y *= frac
    y += now
    y *= f0
    y *= np.float32(1 / sr)
    return y


def _syllable(pitch: float, n: int, style: dict, vowels: tuple, consonant: str | None, scale: float, sr: int,
              rng: np.random.Generator, fall: float = 0.0) -> np.ndarray:
    """One syllable, ``n`` samples: a consonant's noise (maybe), then a voiced vowel on ``pitch`` (MIDI).

    ``vowels`` is (previous vowel, this vowel): the tract glides from one to
    the other over the syllable's first third (coarticulation), as a mouth
    moves. ``fall`` lowers the pitch by that many semitones (a phrase's
    declination in speech).
    """
    t = np.arange(n, dtype=np.float32) / np.float32(sr)
    semis = np.full(n, float(pitch) - fall, dtype=np.float32)
    semis -= style["glide"] * (t / max(t[-1], 1e-3)) ** 1.5  # speech falls through a syllable
    rate, depth = style["vibrato"]
    if depth:
        onset = np.clip((t - 0.12) / 0.15, 0, 1)  # a held note grows its vibrato
        semis += depth * onset * np.sin(2 * np.pi * rate * t + rng.uniform(0, 2 * np.pi))
    if style.get("scoop"):  # a country singer slides up into the note
        semis -= style["scoop"] * np.exp(-t / 0.05)
    drift = signal.lfilter(*_one_pole(6.0, sr), rng.standard_normal(n, dtype=np.float32))  # the pitch wanders
    semis += np.float32(style["jitter"] * 40) * drift
    f0 = np.exp2((semis - 69) / 12, dtype=np.float32)
    f0 *= np.float32(440.0)
    phase = np.cumsum(f0 / sr, dtype=np.float64)
    phase += rng.uniform()
    cycle = np.mod(phase, 1.0).astype(np.float32)  # where in its cycle the glottis is
    src = _glottal(cycle, f0, sr)
    src *= np.float32(40.0)
    if style["growl"]:  # false-fold growl: every other cycle weaker (a subharmonic), rough
        src *= 1 - style["growl"] * 0.5 * (1 + np.sign(np.sin(np.pi * phase)))
    src = signal.lfilter(*_one_pole(1500.0, sr), src)  # the soft spectral tilt of a modal voice
    noise = rng.standard_normal(n, dtype=np.float32)
    src_rms = float(np.sqrt(np.mean(src ** 2))) + 1e-9
    noise *= np.float32(style["breath"] * src_rms)
    noise[cycle >= 0.6] *= np.float32(0.5)  # breath noise is louder while the glottis is open
    src += noise
    before, now = vowels
    y = signal.sosfilt(_tract(now, scale, style["twang"], sr), src)
    if before != now:  # the mouth moves from the previous vowel to this one, over the first third
        k = max(1, n // 3)
        glide = np.linspace(0.0, 1.0, k)
        y[:k] = y[:k] * glide + signal.sosfilt(_tract(before, scale, style["twang"], sr), src[:k]) * (1 - glide)
    if consonant is not None:
        lo, hi, dur, level = CONSONANTS[consonant]
        m = min(n, int(dur * sr))
        burst = signal.sosfilt(_butter(2, (lo, min(hi, 0.45 * sr)), "bandpass", sr), rng.standard_normal(m))
        rms = float(np.sqrt(np.mean(y ** 2))) + 1e-9
        burst *= level * rms / (float(np.sqrt(np.mean(burst ** 2))) + 1e-9) * 3.0
        y[:m] = y[:m] * np.linspace(0.0, 1.0, m) ** 2 + burst * np.linspace(1.0, 0.2, m)
    # a syllable swells and fades (speech), or holds (a sung note)
    shape = np.maximum(np.sin(np.pi * np.clip(t / t[-1], 0, 1)), 0) ** 0.6 if style["glide"] else 1.0
    env = np.minimum(1.0, np.minimum(t / style["attack"], (t[-1] - t) / style["release"] + 1e-3))
    y = y * np.clip(env, 0, 1) * shape
    if style["drive"]:
        y = _saturate(y, style["drive"])
    return y.astype(np.float32)


def _saturate(y: np.ndarray, drive: float) -> np.ndarray:
    """A shouted or distorted voice: ``tanh`` saturation, ``drive`` times into it, peak kept at 1."""
    return np.tanh(drive * y / (np.max(np.abs(y)) + 1e-9)) / np.tanh(drive)


def render_vocal(notes, *, style: str, sr: int, seed: int, formant_scale: float = 1.0,
                 n_samples: int | None = None) -> np.ndarray:
    """Sing, rap, toast or shout the notes of a vocal part.

    A sung style (sung, twang, growl, scream) sings one syllable per note, at
    its pitch and velocity. A spoken style (rap, toast, shout) fills each
    phrase (notes closer than 0.6 s) with eSpeak NG's speech, at the phrase's
    mean velocity; ``formant_scale`` is then unused (the speaker sets it).

    Parameters
    ----------
    notes : iterable of pretty_midi.Note
        The vocal part of a score: start, end, pitch and velocity of each syllable.
    style : str
        A key of :data:`VOICE_STYLES`: ``"sung"``, ``"twang"``, ``"growl"``, ``"scream"`` (sung);
        ``"rap"``, ``"toast"``, ``"shout"`` (spoken).
    sr : int
        Sample rate.
    seed : int
        The singer's seed: vowels, consonants and the voice's small irregularities.
    formant_scale : float
        Vocal tract size: 1.0 an adult male voice, about 1.15 a female one.
    n_samples : int or None
        Length of the output (default: to the last note's end, plus 0.2 s).

    Returns
    -------
    np.ndarray
        Mono float32, silent where the part rests; velocity sets each syllable's level.

    Raises
    ------
    ValueError
        If ``style`` is not a known style.

    Notebook: 02_voices_and_song_form.ipynb
    """
    if style not in VOICE_STYLES:
        raise ValueError(f"unknown voice style {style!r}; known: {', '.join(VOICE_STYLES)}")
    spec = VOICE_STYLES[style]
    notes = sorted(notes, key=lambda n: n.start)
    end = max((n.end for n in notes), default=0.0)
    n_out = int(n_samples if n_samples is not None else round((end + 0.2) * sr))
    out = np.zeros(n_out, np.float32)
    rng = np.random.default_rng(seed)
    if spec.get("spoken"):
        return _spoken(notes, spec, out, sr, rng)
    vowels, consonants = list(VOWELS), list(CONSONANTS)
    previous, phrase_start, last_end = "uh", 0.0, -1.0
    for note in notes:
        i0 = int(note.start * sr)
        n = int((note.end - note.start) * sr)
        if i0 >= n_out or n < 16:
            continue
        if note.start - last_end > 0.3:  # a breath: a new phrase starts high again
            phrase_start, previous = note.start, "uh"
        last_end = note.end
        vowel = vowels[int(rng.integers(len(vowels)))]
        consonant = consonants[int(rng.integers(len(consonants)))] if rng.random() < spec["consonant"] else None
        fall = spec["glide"] * min(2.0, note.start - phrase_start)  # declination through a spoken phrase
        y = _syllable(note.pitch, n, spec, (previous, vowel), consonant, formant_scale, sr, rng, fall=fall)
        previous = vowel
        y *= (note.velocity / 127.0) ** 1.5
        y = y[: n_out - i0]
        out[i0:i0 + len(y)] += y
    return out


def phrases(notes, gap: float = 0.6) -> list[list]:
    """Sorted notes grouped into phrases: a rest longer than ``gap`` seconds starts a new one (a breath).

    Notebook: 02_voices_and_song_form.ipynb
    """
    out: list[list] = []
    for note in notes:
        if not out or note.start - out[-1][-1].end > gap:
            out.append([])
        out[-1].append(note)
    return out


def vocal_spans(notes, style: str) -> list[tuple[float, float]]:
    """Where a vocal part is heard, ``(start_s, end_s)``: each note when sung, each phrase's span when spoken.

    Notebook: 02_voices_and_song_form.ipynb
    """
    notes = sorted(notes, key=lambda n: n.start)
    if VOICE_STYLES[style].get("spoken"):
        return [(ph[0].start, ph[-1].end) for ph in phrases(notes)]
    return [(n.start, n.end) for n in notes]


def _spoken(notes, spec: dict, out: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Rap or toasting: each phrase of the part (its notes' span) filled with a spoken line of words."""
    speaker = SPEAKERS[int(rng.integers(len(SPEAKERS)))]
    rate, pitch, pitch_range = (int(rng.integers(*spec[k])) for k in ("rate", "pitch", "pitch_range"))
    for phrase in phrases(notes):
        start, want = phrase[0].start, phrase[-1].end - phrase[0].start
        i0 = int(start * sr)
        if i0 >= len(out) or want < 0.2:
            continue
        n_words = int(np.ceil(want * rate / 60 * 1.2)) + 1  # a few more than fit: the line is cut at the phrase's end
        line = " ".join(WORDS[int(k)] for k in rng.integers(len(WORDS), size=n_words))
        y = speak(line, voice=speaker, rate=rate, pitch=pitch, pitch_range=pitch_range, sr=sr)
        y = y[: min(len(out) - i0, int(want * sr))]
        if not len(y):
            continue
        fade = min(len(y), int(0.03 * sr))
        y[len(y) - fade:] *= np.linspace(1, 0, fade)
        level = float(np.mean([n.velocity for n in phrase])) / 127.0
        out[i0:i0 + len(y)] += y * level ** 1.5
    if spec["drive"]:  # shouted
        out = _saturate(out, spec["drive"])
    return out.astype(np.float32)


class _ESpeak:
    """eSpeak NG, loaded from the ``espeakng-loader`` wheel, synthesizing into memory (22,050 Hz, 16 bit)."""

    SAMPLE_RATE = 22_050
    _SYNCHRONOUS, _POS_CHARACTER, _RATE, _PITCH, _RANGE = 2, 1, 1, 3, 4

    def __init__(self):
        import espeakng_loader

        self._lib = ctypes.cdll.LoadLibrary(espeakng_loader.get_library_path())
        rate = self._lib.espeak_Initialize(self._SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if rate != self.SAMPLE_RATE:
            raise RuntimeError(f"eSpeak NG did not start (returned {rate}); reinstall espeakng-loader")
        self._chunks: list[np.ndarray] = []
        callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

        def collect(wav, n, events):
            if n > 0:
                self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
            return 0

        self._callback = callback(collect)  # kept alive as long as the engine
        self._lib.espeak_SetSynthCallback(self._callback)

    def say(self, text: str, *, voice: str, rate: int, pitch: int, pitch_range: int) -> np.ndarray:
        if self._lib.espeak_SetVoiceByName(f"en-us+{voice}".encode()) != 0:
            raise RuntimeError(f"eSpeak NG has no voice en-us+{voice}")
        for param, value in ((self._RATE, rate), (self._PITCH, pitch), (self._RANGE, pitch_range)):
            self._lib.espeak_SetParameter(param, int(value), 0)
        self._chunks.clear()
        data = text.encode()
        self._lib.espeak_Synth(data, len(data) + 1, 0, self._POS_CHARACTER, 0, 0, None, None)
        self._lib.espeak_Synchronize()
        if not self._chunks:
            return np.zeros(0, np.float32)
        return (np.concatenate(self._chunks).astype(np.float32) / 32768.0)


@functools.lru_cache(maxsize=1)
def _engine(pid: int) -> _ESpeak:
    """The eSpeak engine of process ``pid`` (a forked worker starts its own)."""
    return _ESpeak()


def speak(text: str, *, voice: str = "Denis", rate: int = 175, pitch: int = 50, pitch_range: int = 50,
          sr: int = 22_050) -> np.ndarray:
    """Speak ``text`` with eSpeak NG: mono float32 at ``sr`` Hz.

    Parameters
    ----------
    text : str
    voice : str
        One of :data:`SPEAKERS`.
    rate : int
        Words per minute (80-450).
    pitch, pitch_range : int
        Base pitch and intonation range, 0-100.
    sr : int

    Notebook: 02_voices_and_song_form.ipynb
    """
    if voice not in SPEAKERS:
        raise ValueError(f"unknown speaker {voice!r}; known: {', '.join(SPEAKERS)}")
    y = _engine(os.getpid()).say(text, voice=voice, rate=rate, pitch=pitch, pitch_range=pitch_range)
    if sr != _ESpeak.SAMPLE_RATE and len(y):
        import librosa

        y = librosa.resample(y, orig_sr=_ESpeak.SAMPLE_RATE, target_sr=sr).astype(np.float32)
    return y
