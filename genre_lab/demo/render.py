"""From a genre recipe to notes, and from notes to a mixed recording.

Three steps, the way a record is made:

1. :func:`draw_plan` -- a band and a song: sub-style, tempo, key, which parts
   play on which instruments, the form, the room and the mix, all drawn from
   the genre's recipe (:mod:`.recipes`);
2. :func:`compose` -- the performance as a MIDI score (``pretty_midi``):
   drum patterns, riffs, chords, bass lines and melodies, played with human
   timing and dynamics; saved beside each clip as its ground truth;
3. :func:`render_clip` -- every part played through recorded instrument
   samples (:mod:`.sampler`), guitars through an amp, the parts balanced,
   the mix put in a room, compressed, and passed through a recording chain
   (band limit, noise floor, loudness) whose settings are drawn the same
   way for every genre, so none of them gives the genre away.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from .recipes import DRUM_KEYS, DRUM_PATTERNS, SCALES, recipe

__all__ = ["Plan", "draw_plan", "arrange", "compose", "render_score", "master", "render_clip", "STYLE_CHANGE_RATE"]

#: Share of clips with a section played in another genre's style.
STYLE_CHANGE_RATE = 0.1
_KITS = {0: "Standard", 8: "Room", 16: "Power", 24: "Electronic", 25: "TR-808", 32: "Jazz", 40: "Brush",
         48: "Orchestra"}
_KEY_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


@dataclass
class Plan:
    """One song: what a band in this genre would play, and how it is recorded.

    Attributes
    ----------
    genre, substyle : str
    bpm : float
    tonic : int
        MIDI key of the tonic in the bass register.
    scale : str
        A key of :data:`.recipes.SCALES`.
    progressions : list of tuple
        Chord progressions (scale degrees) of sections A and B.
    swing : float
        Delay of off-beat sixteenths, as a share of a sixteenth.
    parts : dict
        Part name -> settings (role, program, register, level_db, ...).
    drums : dict or None
        Pattern names per section, kit number; None for no drum kit.
    room, mix : dict
        Reverb and master settings.
    offset_s : float
        Where in the song the 30 s excerpt starts.
    """

    genre: str
    substyle: str
    bpm: float
    tonic: int
    scale: str
    progressions: list
    swing: float
    timing_ms: float
    velocity: tuple
    rubato: float
    parts: dict
    drums: dict | None
    room: dict
    mix: dict
    form: dict
    offset_s: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def key_name(self) -> str:
        """E.g. ``"A minor"``."""
        return f"{_KEY_NAMES[self.tonic % 12]} {self.scale.replace('_', ' ')}"

    @property
    def instruments(self) -> list[str]:
        """Part names with their General MIDI instrument, e.g. ``"guitar: Distortion Guitar"``."""
        import pretty_midi

        out = []
        for name, part in self.parts.items():
            if part["role"] in ("drums", "orchestral_perc"):
                out.append(f"{name}: {_KITS.get(part['program'], 'drum kit')} kit")
            else:
                out.append(f"{name}: {pretty_midi.program_to_instrument_name(part['program'])}")
        return out


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _weighted(rng, table: dict):
    names = list(table)
    w = np.array([table[n] if not isinstance(table[n], dict) else table[n]["p"] for n in names], float)
    return names[int(rng.choice(len(names), p=w / w.sum()))]


def draw_plan(genre: str, rng: np.random.Generator, *, substyle: str | None = None) -> Plan:
    """Draw a song of ``genre`` from its recipe: sub-style, tempo, key, band, form, room and mix.

    Parameters
    ----------
    genre : str
        A genre with a recipe.
    rng : numpy.random.Generator
        The clip's random generator: the same state gives the same plan.
    substyle : str or None
        A sub-style of the recipe (e.g. ``"trap"``); None: drawn by its weight.

    Returns
    -------
    Plan

    Notebook: 01_mel_spectrograms.ipynb
    """
    r = recipe(genre)
    sub_name = _weighted(rng, r["substyles"])
    if substyle is not None:
        if substyle not in r["substyles"]:
            raise ValueError(f"{genre} has no sub-style {substyle!r}; it has {', '.join(r['substyles'])}")
        sub_name = substyle
    sub = r["substyles"][sub_name]
    bpm = float(rng.uniform(*sub.get("tempo", r["tempo"])))
    scale = _weighted(rng, r["scales"])
    tonic = int(rng.integers(r["tonic"][0], r["tonic"][1] + 1))
    progs = [tuple(_pick(rng, r["progressions"])) for _ in range(2)]
    swing = float(rng.uniform(*sub.get("swing", r["swing"])))
    parts = {}
    extra = set(sub.get("extra", []))
    for name, spec in r["parts"].items():
        if spec["role"] == "drums":
            if not sub.get("drums"):
                continue
        elif name not in extra and (rng.random() >= spec["p"] or sub_name not in spec.get("substyles", [sub_name])):
            continue
        part = {k: v for k, v in spec.items() if k not in ("programs", "p", "level", "amp", "substyles")}
        part["level_db"] = float(rng.uniform(*spec["level"]))
        if spec["role"] == "drums":
            part["program"] = int(_pick(rng, sub["kit"]))
        else:
            part["program"] = int(_pick(rng, spec["programs"]))
        if "amp" in spec:
            part["amp_db"] = float(rng.uniform(*spec["amp"]))
        if name == "guitar" or (name == "guitar2" and "guitar" in sub):
            part["pattern"] = sub.get("guitar", "power_8ths")
        if name == "bass" and sub.get("bass") == "808":
            part.update(program=38, pattern="kick_follow", register=(24, 40))
        parts[name] = part
    drums = None
    if sub.get("drums"):
        drums = {"patterns": [str(_pick(rng, sub["drums"])) for _ in range(2)], "kit": parts["drums"]["program"],
                 "hat_rolls": bool(sub.get("hat_rolls", False))}
    room = {"size": float(rng.uniform(*r["room"]["size"])), "wet": float(rng.uniform(*r["room"]["wet"]))}
    # The recording chain: drawn from the same ranges for every genre, so none of it tells the genre.
    mix = {"ratio": float(rng.uniform(*r["compression"])), "threshold_db": float(rng.uniform(-24, -14)),
           "highpass_hz": float(rng.uniform(20, 60)), "lowpass_hz": float(rng.uniform(7500, 11000)),
           "noise_db": float(rng.uniform(-80, -55)), "rms_db": float(rng.uniform(-20, -14)),
           "peak_db": float(rng.uniform(-2.0, -0.3)), "loudness_db": float(rng.uniform(-28.0, -12.0))}
    form = dict(r.get("form", {}))
    form["section_bars"] = int(_pick(rng, [4, 8]) if form.get("bars") else 4)
    if "tacet" in sub:
        form["tacet"] = sub["tacet"]
    form["no_drum_intro"] = bool(drums and rng.random() < form.get("intro_no_drums", 0.0))
    return Plan(genre=genre, substyle=sub_name, bpm=bpm, tonic=tonic, scale=scale, progressions=progs, swing=swing,
                timing_ms=float(r["timing_ms"]), velocity=tuple(r["velocity"]),
                rubato=float(rng.uniform(*r["rubato"])) if "rubato" in r else 0.0, parts=parts, drums=drums,
                room=room, mix=mix, form=form, offset_s=float(rng.uniform(0, 20)))


# --------------------------------------------------------------------------
# Composition: the score
# --------------------------------------------------------------------------

class _Score:
    """Notes collected per part: (start, end, pitch, velocity) in seconds of the song."""

    def __init__(self, plan: Plan, rng, seconds: float):
        self.plan, self.rng = plan, rng
        self.notes: dict[str, list] = {name: [] for name in plan.parts}
        beat = 60.0 / plan.bpm
        self.n_bars = max(int(np.ceil((plan.offset_s + seconds + 2.0) / (4 * beat))) + 1,
                          2 * plan.form["section_bars"] + 1)  # at least one A and one B section
        # bar start times: a tempo that breathes (rubato) and slows at phrase ends
        lengths = np.full(self.n_bars, 4 * beat)
        if plan.rubato:
            phase = rng.uniform(0, 2 * np.pi)
            bars = np.arange(self.n_bars)
            lengths *= 1 + plan.rubato * np.sin(2 * np.pi * bars / 8 + phase)
            lengths[plan.form["section_bars"] - 1::plan.form["section_bars"]] *= 1 + plan.rubato
        self.bar_start = np.concatenate([[0.0], np.cumsum(lengths)])
        scale = SCALES[plan.scale]
        self.scale = scale
        # classical: each phrase is played at its own level, from pianissimo to fortissimo (terraced dynamics)
        self._phrase_level = rng.uniform(0.0, 1.0, self.n_bars + 1) if "crescendo" in plan.form else None
        self._dyn = [self.dynamics(b) for b in range(self.n_bars + 1)]
        self._noise, self._noise_i = np.zeros(0), 0

    def t(self, bar: int, step: float) -> float:
        """Time of a sixteenth step within a bar, with swing on the off-beat sixteenths."""
        s0 = self.bar_start[bar]
        length = self.bar_start[bar + 1] - s0
        sw = self.plan.swing if int(step) % 2 == 1 and float(step).is_integer() else 0.0
        return float(s0 + (step + sw) * length / 16)

    def step_len(self, bar: int) -> float:
        return float((self.bar_start[bar + 1] - self.bar_start[bar]) / 16)

    def section(self, bar: int) -> int:
        """0 for an A section, 1 for a B section."""
        return (bar // self.plan.form["section_bars"]) % 2

    def chord_degree(self, bar: int) -> int:
        prog = self.plan.progressions[self.section(bar)]
        return prog[bar % len(prog)]

    def degree_pitch(self, degree: int) -> int:
        """Pitch (above the tonic) of a scale degree, any octave."""
        o, d = divmod(degree, 7)
        return self.scale[d] + 12 * o

    def chord(self, bar: int, n: int = 3) -> list[int]:
        """Chord tones (semitones above the tonic) of the bar's chord, stacked in thirds."""
        d = self.chord_degree(bar)
        return [self.degree_pitch(d + 2 * i) for i in range(n)]

    def phrase_bars(self) -> int:
        """Bars in a phrase: half a section."""
        return max(2, self.plan.form["section_bars"] // 2)

    def dynamics(self, bar: int) -> float:
        """0..1 loudness of a bar: sections rise and fall. Classical has the dynamic range of an orchestra:
        every phrase at its own level (pianissimo to fortissimo) and shaped as a hairpin that swells and
        fades, over a long crescendo."""
        sb = self.plan.form["section_bars"]
        pos = (bar % sb) / max(1, sb - 1)
        if "crescendo" in self.plan.form:
            span = 2 * sb
            long = ((bar % span) / (span - 1)) ** 1.3
            ph = self.phrase_bars()
            hairpin = np.sin(np.pi * (0.15 + 0.7 * (bar % ph) / (ph - 1)))
            level = self._phrase_level[bar // ph]
            return float(0.08 + 0.92 * (0.45 * long + 0.55 * level) * hairpin)
        return float(0.75 + 0.25 * pos * (self.section(bar) + 1) / 2)

    def vel(self, base: float, bar: int) -> int:
        """A velocity: the part's weight x the bar's dynamics, humanised."""
        lo, hi = self.plan.velocity
        if self._noise_i >= len(self._noise):
            self._noise, self._noise_i = self.rng.normal(0, 6, 4096), 0
        v = lo + (hi - lo) * base * self._dyn[bar] + self._noise[self._noise_i]
        self._noise_i += 1
        return int(min(127, max(20, v)))

    def add(self, part: str, start: float, dur: float, pitch: int, vel: int) -> None:
        self.notes[part].append((start, max(0.03, dur), int(pitch), int(vel)))


def _place(pitches, lo: int, hi: int, tonic: int) -> list[int]:
    """Move chord tones (semitones above the tonic) into the register [lo, hi]."""
    out = []
    for p in pitches:
        k = tonic + p
        while k < lo:
            k += 12
        while k > hi:
            k -= 12
        out.append(k)
    return sorted(set(out))


def _voice_lead(prev: list[int] | None, pitches: list[int], lo: int, hi: int, tonic: int) -> list[int]:
    """A voicing of the chord close to the previous one (smooth voice leading)."""
    base = _place(pitches, lo, hi, tonic)
    if not prev:
        return base
    centre = np.mean(prev)
    best, best_cost = base, 1e9
    for shift in (-12, 0, 12):
        cand = [p + shift for p in base]
        if min(cand) < lo - 2 or max(cand) > hi + 2:
            continue
        cost = abs(np.mean(cand) - centre)
        if cost < best_cost:
            best, best_cost = cand, cost
    return best


def _drums(sc: _Score, name: str, part: dict) -> None:
    plan, rng = sc.plan, sc.rng
    vel_of = {"X": 1.0, "x": 0.78, "o": 0.35}
    sb = plan.form["section_bars"]
    for bar in range(sc.n_bars):
        if plan.form["no_drum_intro"] and bar < sb and plan.offset_s < sc.bar_start[sb]:
            continue
        pattern = DRUM_PATTERNS[plan.drums["patterns"][sc.section(bar)]]
        fill = bar % sb == sb - 1 and rng.random() < plan.form.get("fills", 0.0)
        for inst, line in pattern.items():
            for step, ch in enumerate(line):
                if ch == "." or (fill and step >= 12):
                    continue
                dur = {"crash": 1.6, "china": 1.0, "open_hat": 0.35, "ride": 0.8}.get(inst, 0.25)
                sc.add(name, sc.t(bar, step), dur, DRUM_KEYS[inst], sc.vel(vel_of[ch], bar))
        if plan.drums.get("hat_rolls") and rng.random() < 0.35:  # trap hi-hat roll: 32nd notes over one beat
            beat = int(rng.integers(0, 4))
            for k in range(8):
                sc.add(name, sc.t(bar, 4 * beat) + k * sc.step_len(bar) / 2, 0.1, DRUM_KEYS["hat"],
                       sc.vel(0.5 + 0.05 * k, bar))
        if fill:
            toms = ["snare", "tom_hi", "tom_mid", "tom_lo"]
            for step in range(12, 16):
                sc.add(name, sc.t(bar, step), 0.25, DRUM_KEYS[toms[(step - 12) % 4] if rng.random() < 0.6 else "snare"],
                       sc.vel(0.85, bar))
        if bar % sb == 0 and rng.random() < plan.form.get("crash_on_sections", 0.0):
            sc.add(name, sc.t(bar, 0), 1.6, DRUM_KEYS["crash"], sc.vel(1.0, bar))


def _kick_steps(sc: _Score, bar: int) -> list[int]:
    if not sc.plan.drums:
        return [0, 8]
    line = DRUM_PATTERNS[sc.plan.drums["patterns"][sc.section(bar)]].get("kick", "x.......x.......")
    return [i for i, c in enumerate(line) if c != "."] or [0]


def _riff(sc: _Score, name: str, part: dict) -> None:
    """Metal guitar: power chords (root, fifth, octave), palm-muted chugs and accents."""
    lo, hi = part["register"]
    pattern = part.get("pattern", "power_8ths")
    rng = sc.rng
    motif = rng.random(16) < 0.7  # which sixteenths of the riff are played (repeated every bar)
    for bar in range(sc.n_bars):
        root = _place([sc.degree_pitch(sc.chord_degree(bar))], lo, lo + 11, sc.plan.tonic)[0]
        if pattern == "palm_16ths":
            steps = [s for s in range(16) if motif[s] or s % 4 == 0]
        elif pattern == "chug":
            steps = _kick_steps(sc, bar)
        else:
            steps = list(range(0, 16, 2))
        for i, s in enumerate(steps):
            nxt = steps[i + 1] if i + 1 < len(steps) else 16
            accent = s in (0, 8) or s == steps[0]
            palm = not accent and pattern != "power_8ths" or (pattern == "power_8ths" and rng.random() < 0.3)
            dur = sc.step_len(bar) * (0.6 if palm else (nxt - s) * 0.92)
            v = sc.vel(1.0 if accent else 0.75, bar)
            for interval in ((0, 7) if palm else (0, 7, 12)):
                sc.add(name, sc.t(bar, s), dur, root + interval, v)


def _bass(sc: _Score, name: str, part: dict) -> None:
    lo, hi = part["register"]
    pattern = part.get("pattern", "roots")
    rng = sc.rng
    for bar in range(sc.n_bars):
        chord = sc.chord(bar)
        root = _place([chord[0]], lo, lo + 11, sc.plan.tonic)[0]
        fifth = root + (sc.degree_pitch(sc.chord_degree(bar) + 4) - sc.degree_pitch(sc.chord_degree(bar)))
        sl = sc.step_len(bar)
        if pattern == "follow_riff":
            for s in range(0, 16, 2):
                sc.add(name, sc.t(bar, s), 1.7 * sl, root, sc.vel(0.85, bar))
        elif pattern == "roots_long":
            sc.add(name, sc.t(bar, 0), 15.5 * sl, root, sc.vel(0.8, bar))
        elif pattern == "roots_moving":
            for s, p in zip((0, 4, 8, 12), (root, fifth, root + 12 if root + 12 <= hi else root, fifth)):
                sc.add(name, sc.t(bar, s), 3.8 * sl, p, sc.vel(0.7, bar))
        elif pattern == "boom_chick":
            low_fifth = fifth - 12 if fifth - 12 >= lo else fifth
            for s, p in ((0, root), (8, low_fifth)):
                sc.add(name, sc.t(bar, s), 3.5 * sl, p, sc.vel(0.85, bar))
            if rng.random() < 0.3:  # a walk up into the next chord
                for k, s in enumerate((12, 14)):
                    sc.add(name, sc.t(bar, s), 1.8 * sl, root + (2, 4)[k], sc.vel(0.7, bar))
        elif pattern == "kick_follow":
            steps = _kick_steps(sc, bar)
            for i, s in enumerate(steps):
                nxt = steps[i + 1] if i + 1 < len(steps) else 16
                sc.add(name, sc.t(bar, s), (nxt - s) * sl * 0.95, root, sc.vel(0.95, bar))
        elif pattern == "reggae_line":
            if bar == 0 or not hasattr(sc, "_reggae_line"):
                tones = [root, root + 12 if root + 12 <= hi else root, fifth, root + sc.degree_pitch(2)]
                sc._reggae_line = [(s, int(rng.integers(len(tones))), d) for s, d in
                                   _pick(rng, [((2, 2), (4, 2), (6, 4), (10, 2), (12, 4)),
                                               ((0, 3), (3, 1), (4, 4), (10, 2), (12, 2), (14, 2)),
                                               ((2, 2), (6, 2), (8, 4), (12, 2), (14, 2))])]
            third = sc.degree_pitch(sc.chord_degree(bar) + 2) - sc.degree_pitch(sc.chord_degree(bar))
            tones = [root, root + 12 if root + 12 <= hi else root, fifth, root + third]
            for s, ti, d in sc._reggae_line:
                sc.add(name, sc.t(bar, s), d * sl * 0.9, tones[ti], sc.vel(0.9, bar))
        else:
            for s in (0, 8):
                sc.add(name, sc.t(bar, s), 7.5 * sl, root, sc.vel(0.8, bar))


def _chords(sc: _Score, name: str, part: dict) -> None:
    """Pads, strums, skanks, bubbles, arpeggios, rolls, comping: the harmony parts."""
    lo, hi = part["register"]
    role = part["role"]
    rng = sc.rng
    prev = None
    strum = _pick(rng, ["D.D.DUDU", "D.DU.UDU", "D...D.DU", "D.DUD.DU"])
    roll = _pick(rng, [(0, 1, 2, 0, 1, 2, 0, 2), (0, 2, 1, 2, 0, 2, 1, 2), (2, 1, 0, 2, 1, 0, 2, 1)])
    loop = None
    for bar in range(sc.n_bars):
        voicing = _voice_lead(prev, sc.chord(bar, 4 if role == "pad" and rng.random() < 0.3 else 3), lo, hi,
                              sc.plan.tonic + 12)
        prev = voicing
        sl = sc.step_len(bar)
        if role in ("pad", "inner"):
            if role == "inner" and rng.random() < 0.5:
                for s in (0, 8):
                    for p in voicing[:2]:
                        sc.add(name, sc.t(bar, s) + rng.normal(0, 0.01), 7.8 * sl, p, sc.vel(0.6, bar))
            else:
                for p in voicing:
                    sc.add(name, sc.t(bar, 0) + rng.normal(0, 0.012), 15.8 * sl, p, sc.vel(0.6, bar))
        elif role == "strum":
            for i, ch in enumerate(strum):
                if ch == ".":
                    continue
                order = voicing + [v + 12 for v in voicing[:2] if v + 12 <= hi + 5]
                order = order if ch == "D" else order[::-1]
                for k, p in enumerate(order):
                    sc.add(name, sc.t(bar, 2 * i) + k * 0.012, 2 * sl * 0.95, p, sc.vel(0.8 if ch == "D" else 0.6, bar))
        elif role == "skank":
            steps = (4, 12) if rng.random() < 0.7 else (4, 6, 12, 14)
            for s in steps:
                for p in voicing:
                    sc.add(name, sc.t(bar, s), 0.55 * sl, p, sc.vel(0.8, bar))
        elif role == "bubble":
            for s in (2, 6, 10, 14):
                for p in voicing:
                    sc.add(name, sc.t(bar, s), 0.9 * sl, p, sc.vel(0.6, bar))
            for s in (0, 8):
                sc.add(name, sc.t(bar, s), 1.5 * sl, voicing[0] - 12, sc.vel(0.6, bar))
        elif role == "arp":
            pattern = (0, 2, 1, 2) if sc.plan.bpm > 90 else (0, 1, 2, 1)
            notes = _place(sc.chord(bar), lo, lo + 16, sc.plan.tonic)
            for k, s in enumerate(range(0, 16, 2)):
                sc.add(name, sc.t(bar, s), 3.5 * sl, notes[pattern[k % 4] % len(notes)], sc.vel(0.5, bar))
        elif role == "roll":
            for s in range(16):
                sc.add(name, sc.t(bar, s), 1.5 * sl, voicing[roll[s % 8] % len(voicing)] + (12 if s % 8 == 7 else 0),
                       sc.vel(0.65 + 0.2 * (s % 4 == 0), bar))
        elif role == "comp":
            for s in (4, 12) if rng.random() < 0.6 else (2, 6, 10, 14):
                for p in voicing:
                    sc.add(name, sc.t(bar, s), 1.5 * sl, p, sc.vel(0.6, bar))
        elif role == "sample_loop":
            if loop is None:  # a one- or two-bar phrase, "sampled" once and looped for the whole clip
                n = int(rng.integers(4, 9))
                loop = sorted({int(s) for s in rng.choice(16, size=n, replace=False)} | {0})
                loop_len = [int(rng.integers(1, 5)) for _ in loop]
                loop_deg = [int(rng.integers(0, 4)) for _ in loop]
            base = _voice_lead(None, sc.chord(bar - bar % 2, 4), lo, hi, sc.plan.tonic + 12)
            for s, ln, d in zip(loop, loop_len, loop_deg):
                sc.add(name, sc.t(bar, s), ln * sl, base[d % len(base)], sc.vel(0.65, bar))


def _melody(sc: _Score, name: str, part: dict) -> None:
    """A lead line: a two-bar motif on the scale, repeated with variation, rests between phrases."""
    lo, hi = part["register"]
    rng = sc.rng
    rhythm = part.get("rhythm", "melodic")
    cells = {
        "melodic": [(0, 2), (2, 2), (4, 4), (8, 2), (10, 2), (12, 4)],
        "legato": [(0, 4), (4, 4), (8, 8)],
        "sparse": [(0, 3), (6, 2), (12, 4)],
        "twang": [(0, 2), (2, 2), (4, 2), (6, 2), (8, 4), (12, 2), (14, 2)],
        "long": [(0, 8), (8, 8)],
    }[rhythm]
    centre = (lo + hi) // 2
    deg = 7 * 2 + int(rng.integers(0, 7))
    motif = []
    for _ in range(2 * len(cells)):
        deg += int(rng.choice([-2, -1, -1, 0, 1, 1, 2, 3, -3]))
        motif.append(deg)
    phrase_len = 4
    for bar in range(sc.n_bars):
        if bar % phrase_len == phrase_len - 1 and rng.random() < 0.6:
            continue  # breathe between phrases
        sl = sc.step_len(bar)
        half = (bar % 2) * len(cells)
        for i, (s, d) in enumerate(cells):
            if rng.random() < 0.12:
                continue
            deg_i = motif[half + i] + (int(rng.integers(-1, 2)) if rng.random() < 0.25 else 0)
            pitch = sc.plan.tonic + sc.degree_pitch(deg_i)
            while pitch < lo:
                pitch += 12
            while pitch > hi:
                pitch -= 12
            pitch = int(np.clip(pitch + (centre - pitch) // 24 * 12, lo, hi))
            overlap = 1.05 if rhythm in ("legato", "long") else 0.85
            sc.add(name, sc.t(bar, s), d * sl * overlap, pitch, sc.vel(0.8, bar))


def _rap(sc: _Score, name: str, part: dict) -> None:
    """A rapped line: syllables on sixteenths in a narrow range, phrases with breaths."""
    lo, hi = part["register"]
    rng = sc.rng
    centre = int(rng.integers(lo + 2, hi - 2))
    for bar in range(sc.n_bars):
        if bar % 4 == 3 and rng.random() < 0.5:
            continue
        sl = sc.step_len(bar)
        density = rng.uniform(0.45, 0.85)
        for s in range(16):
            if rng.random() > density or (s >= 14 and bar % 2 == 1):
                continue
            pitch = int(np.clip(centre + rng.integers(-2, 3), lo, hi))
            sc.add(name, sc.t(bar, s), sl * rng.uniform(0.5, 0.95), pitch, sc.vel(0.55 + 0.4 * (s % 4 == 0), bar))


def _timpani(sc: _Score, name: str, part: dict) -> None:
    lo, _ = part["register"]
    for bar in range(sc.n_bars):
        if bar % sc.plan.form["section_bars"] == 0 or sc.rng.random() < 0.15:
            root = _place([sc.chord(bar)[0]], lo, lo + 11, sc.plan.tonic)[0]
            sc.add(name, sc.t(bar, 0), 1.2, root, sc.vel(0.9, bar))


def _ostinato(sc: _Score, name: str, part: dict) -> None:
    """Driving strings: repeated eighths or sixteenths on the chord's root and fifth, accents on the beat."""
    lo, _ = part["register"]
    rng = sc.rng
    step = int(_pick(rng, [1, 2, 2]))
    figure = _pick(rng, [(0, 0, 0, 1), (0, 0, 1, 0), (0, 1, 0, 2), (0, 0, 0, 0)])
    for bar in range(sc.n_bars):
        tones = _place(sc.chord(bar), lo, lo + 14, sc.plan.tonic)
        sl = sc.step_len(bar)
        for k, s in enumerate(range(0, 16, step)):
            pitch = tones[figure[k % 4] % len(tones)]
            sc.add(name, sc.t(bar, s), step * sl * 0.8, pitch, sc.vel(0.9 if s % 4 == 0 else 0.6, bar))


#: A march's snare line and a drum ostinato, one bar of sixteenths (X accent, x normal, . rest).
_MARCH_SNARE = ("X.xxX.x.X.xxX.x.", "X..xX.x.X..xX.x.", "X.x.X.xxX.x.X.xx", "X.xxX.xxX.x.X...")
_DRUM_OSTINATI = ("X..x..x.X..x..x.", "X.x.X.x.X.xxX.x.", "X..x..X.x..x.x..", "X...X...X.x.X...")


def _orchestral_percussion(sc: _Score, name: str, part: dict) -> None:
    """The orchestra's percussion (Orchestra kit), played as one of three conventions, never as a groove kit:
    ``accents`` (the default), ``march`` or ``ostinato``, as the part's ``pattern`` says."""
    {"accents": _percussion_accents, "march": _march, "ostinato": _drum_ostinato}[part.get("pattern", "accents")](
        sc, name)


def _percussion_accents(sc: _Score, name: str) -> None:
    """Concert bass drum and clash cymbals at phrase starts and climaxes, a roll into the next phrase."""
    rng = sc.rng
    sb = sc.plan.form["section_bars"]
    for bar in range(sc.n_bars):
        if bar % sb == 0 or rng.random() < 0.2:
            sc.add(name, sc.t(bar, 0), 2.0, 35, sc.vel(1.0, bar))  # concert bass drum
            if rng.random() < 0.6:
                sc.add(name, sc.t(bar, 0), 2.5, int(_pick(rng, [49, 57, 52])), sc.vel(0.9, bar))  # clash cymbals
        if bar % sb == sb - 1 and rng.random() < 0.5:  # a roll into the next phrase
            for k in range(16):
                sc.add(name, sc.t(bar, k), 0.2, 41, sc.vel(0.3 + 0.04 * k, bar))


def _march(sc: _Score, name: str) -> None:
    """A snare line repeated every bar, bass drum on beats 1 and 3, clash cymbals at phrase starts (and now and then
    on another bar), a press roll into some phrases."""
    rng = sc.rng
    sb = sc.plan.form["section_bars"]
    line = _pick(rng, _MARCH_SNARE)
    for bar in range(sc.n_bars):
        sl = sc.step_len(bar)
        roll = bar % sb == sb - 1 and rng.random() < 0.4
        for s, ch in enumerate(line):
            if ch != "." and not (roll and s >= 8):
                sc.add(name, sc.t(bar, s), 0.2, 38, sc.vel(1.0 if ch == "X" else 0.65, bar))
        if roll:
            for k in range(16):
                sc.add(name, sc.t(bar, 8) + k * sl / 2, 0.1, 38, sc.vel(0.4 + 0.035 * k, bar))
        for s in (0, 8):
            sc.add(name, sc.t(bar, s), 1.5, 35, sc.vel(0.85, bar))
        if bar % sb == 0 or rng.random() < 0.3:
            sc.add(name, sc.t(bar, 0), 2.0, int(_pick(rng, [49, 57])), sc.vel(0.8, bar))


def _drum_ostinato(sc: _Score, name: str) -> None:
    """Low drums (the kit's timpani and its concert bass drum) hammering one rhythm that joins as the music swells
    (Holst's *Mars*, film scores)."""
    rng = sc.rng
    line = _pick(rng, _DRUM_OSTINATI)
    low, other = _pick(rng, [(41, 43), (45, 41), (35, 45), (43, 47)])
    for bar in range(sc.n_bars):
        if sc._dyn[bar] < 0.45:  # the drums join as the music builds
            continue
        for s, ch in enumerate(line):
            if ch != ".":
                accent = ch == "X"
                sc.add(name, sc.t(bar, s), 0.6, low if accent else other, sc.vel(1.0 if accent else 0.7, bar))


_ROLES = {"drums": _drums, "riff": _riff, "bass": _bass, "lead": _melody, "counter": _melody, "rap": _rap,
          "timpani": _timpani, "orchestral_perc": _orchestral_percussion, "ostinato": _ostinato}


def _tacet(sc: _Score) -> dict:
    """Phrases in which each accompanying part rests (``form["tacet"]``: the chance per part and phrase).

    The melody and the percussion keep playing (a march's snare, a drum
    ostinato and cymbal accents have their own entries); the harmony parts
    may drop out, so a passage thins to a solo line over a bass, or to the
    strings alone, as an orchestra's texture changes.
    """
    p = sc.plan.form.get("tacet", 0.0)
    if not p:
        return {}
    n_phrases = sc.n_bars // sc.phrase_bars() + 1
    return {name: {i for i in range(n_phrases) if sc.rng.random() < p}
            for name, part in sc.plan.parts.items() if part["role"] in _TACET_ROLES}


#: The roles that may rest for a phrase where a recipe asks for ``tacet``.
_TACET_ROLES = frozenset({"pad", "inner", "arp", "ostinato", "counter", "bass", "timpani"})


def compose(plan: Plan, rng: np.random.Generator, seconds: float):
    """Write the performance of ``plan`` as a MIDI score, ``seconds`` long from ``plan.offset_s``.

    Timing is human: every onset is moved by a few milliseconds (more for
    classical rubato, less for programmed trap beats) and every velocity
    varies.

    Returns
    -------
    pretty_midi.PrettyMIDI
        One instrument per part (named after the part; the drum kit on the
        drum channel, its kit number as program).

    Notebook: 01_mel_spectrograms.ipynb
    """
    import pretty_midi

    sc = _Score(plan, rng, seconds)
    for name, part in plan.parts.items():
        _ROLES.get(part["role"], _chords)(sc, name, part)  # chords for any other role (pads, strums, skank...)
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(plan.bpm))
    jitter = plan.timing_ms / 1000.0
    tacet = _tacet(sc)
    for name, notes in sc.notes.items():
        part = plan.parts[name]
        if name in tacet:  # the part rests in some phrases: the orchestration changes
            phrases = (np.searchsorted(sc.bar_start, [n[0] for n in notes], side="right") - 1) // sc.phrase_bars()
            notes = [n for n, ph in zip(notes, phrases) if ph not in tacet[name]]
        inst = pretty_midi.Instrument(program=part["program"], is_drum=part["role"] in ("drums", "orchestral_perc"),
                                      name=name)
        late = rng.normal(0, jitter / 2)  # each player sits a little ahead of or behind the beat
        for start, dur, pitch, vel in notes:
            start = start - plan.offset_s + late + rng.normal(0, jitter)
            end = start + dur
            if end <= 0 or start >= seconds:
                continue
            inst.notes.append(pretty_midi.Note(velocity=int(vel), pitch=int(pitch), start=max(0.0, float(start)),
                                               end=float(min(end, seconds + 2.0))))
        pm.instruments.append(inst)
    return pm


# --------------------------------------------------------------------------
# Rendering and mixing
# --------------------------------------------------------------------------

def render_score(pm, plan: Plan, seconds: float, sr: int, *, soundfont=None) -> np.ndarray:
    """Play a score through the recorded samples and mix it: amps, balance, room and compression.

    Returns
    -------
    np.ndarray
        The mix before the recording chain, mono float32, ``round(seconds * sr)`` samples.

    Notebook: 01_mel_spectrograms.ipynb
    """
    from pedalboard import Compressor, Distortion, HighpassFilter, LowpassFilter, Pedalboard, Reverb

    from .sampler import load_soundfont

    sf = soundfont or load_soundfont()
    n = int(round(seconds * sr))
    mix = np.zeros(n, np.float32)
    amped, drives = np.zeros(n, np.float32), []
    work = np.empty(n + sr * 4, np.float32)  # one note at a time is rendered into this
    for inst in pm.instruments:
        part = plan.parts[inst.name]
        bus = np.zeros(n + sr * 2, np.float32)
        bank = 128 if inst.is_drum else 0
        for note in inst.notes:
            y = sf.render_note(bank, inst.program, note.pitch, note.velocity, note.end - note.start, sr, out=work)
            i0 = int(note.start * sr)
            if i0 >= len(bus) or not len(y):
                continue
            y = y[: len(bus) - i0]
            bus[i0:i0 + len(y)] += y
        bus = bus[:n]
        rms = float(np.sqrt(np.mean(bus ** 2)))
        if rms == 0.0:
            continue
        bus *= 10 ** (part["level_db"] / 20) * 0.1 / rms
        if part.get("amp_db", 0) > 0:  # guitars go to the amp together
            amped += bus
            drives.append(part["amp_db"])
        else:
            mix += bus
    if drives:  # the guitar amp and cabinet
        amp = Pedalboard([HighpassFilter(90.0), Distortion(drive_db=float(np.mean(drives))), LowpassFilter(7000.0)])
        level = float(np.sqrt(np.mean(amped ** 2)))
        out = amp(amped / (np.max(np.abs(amped)) + 1e-9) * 0.5, sr)
        mix += out * (level / (float(np.sqrt(np.mean(out ** 2))) + 1e-9))
    room = Pedalboard([Reverb(room_size=plan.room["size"], wet_level=plan.room["wet"],
                              dry_level=1.0 - 0.5 * plan.room["wet"], width=0.0, damping=0.5)])
    mix = room(mix, sr)
    comp = Pedalboard([Compressor(threshold_db=plan.mix["threshold_db"], ratio=plan.mix["ratio"],
                                  attack_ms=10.0, release_ms=150.0)])
    mix = comp(mix / (np.max(np.abs(mix)) + 1e-9) * 0.7, sr)
    return mix.astype(np.float32)


#: A fixed table of white noise (same on every run), read from a random place for each clip's noise floor.
@functools.lru_cache(maxsize=1)
def _noise_table() -> np.ndarray:
    """2**18 samples of seeded white noise, made on first use (1 MB): each clip's hiss is a slice of it."""
    return np.random.default_rng(0).standard_normal(2 ** 18).astype(np.float32)


def master(mix: np.ndarray, plan: Plan, sr: int, rng: np.random.Generator) -> np.ndarray:
    """The recording chain, the same for every genre: band limits, noise floor, limiter, loudness.

    The final loudness is drawn from -28 to -12 dBFS RMS for every genre (a
    quiet classical recording, a loud modern master, and everything between,
    as real recordings come), so that level tells nothing about the genre to
    a listener or to features that keep it. (The network's log-mel features
    are measured below each clip's own peak, so it never sees the level.)
    Peak at most ``plan.mix["peak_db"]`` dBFS (below 0: never clips): a
    loudness the peak does not allow comes out quieter.
    """
    from pedalboard import HighpassFilter, Limiter, LowpassFilter, Pedalboard

    stages = [HighpassFilter(plan.mix["highpass_hz"])]
    if plan.mix["lowpass_hz"] < 0.45 * sr:  # some recordings are band-limited, whatever their genre
        stages.append(LowpassFilter(plan.mix["lowpass_hz"]))
    chain = Pedalboard(stages)
    y = chain(mix, sr)
    rms = float(np.sqrt(np.mean(y ** 2))) + 1e-9
    y = y * (10 ** (plan.mix["rms_db"] / 20) / rms)
    table = _noise_table()
    start = int(rng.integers(0, len(table)))
    noise = np.resize(np.roll(table, -start), len(y)) * np.float32(10 ** (plan.mix["noise_db"] / 20))
    y = Pedalboard([Limiter(threshold_db=-1.0, release_ms=80.0)])(y + noise, sr)
    peak = float(np.max(np.abs(y))) + 1e-9
    rms = float(np.sqrt(np.mean(y ** 2))) + 1e-9
    y = y * min(10 ** (plan.mix["loudness_db"] / 20) / rms, 10 ** (plan.mix["peak_db"] / 20) / peak)
    return np.clip(y, -0.999, 0.999).astype(np.float32)


def arrange(genre: str, rng: np.random.Generator, seconds: float, *, style_change: bool | None = None,
            substyle: str | None = None):
    """The song's plan and, for about one clip in ten, a section played in another genre's style.

    The other style is a whole band of its own (:func:`draw_plan` of the
    other genre: its tempo, register, instruments, room and mix), for 6-12 s,
    at the start or later in the clip.

    Returns
    -------
    plan : Plan
    donor : Plan or None
    window : tuple of float or None
        ``(start_s, end_s)`` of the other style.

    Notebook: 01_mel_spectrograms.ipynb
    """
    from .recipes import RECIPES

    plan = draw_plan(genre, rng, substyle=substyle)
    change = rng.random() < STYLE_CHANGE_RATE if style_change is None else style_change
    if not change:
        return plan, None, None
    others = [g for g in RECIPES if g != genre]
    donor = draw_plan(str(rng.choice(others)), rng)
    length = float(min(seconds, rng.uniform(6, 12)))
    start = float(_pick(rng, [0.0, float(rng.uniform(0, max(0.0, seconds - length)))]))
    return plan, donor, (start, start + length)


def render_clip(genre: str, seed, *, seconds: float = 30.0, sr: int = 22_050, style_change: bool | None = None,
                substyle: str | None = None):
    """Make one demo clip: plan, score, performance, mix and master.

    Parameters
    ----------
    genre : str
    seed : int or sequence of int
        The clip's seed: the same seed gives the same bytes.
    seconds : float
    sr : int
    style_change : bool or None
        Force (True) or forbid (False) a section in another genre's style;
        None: drawn, about one clip in ten (:data:`STYLE_CHANGE_RATE`).
    substyle : str or None
        Force a sub-style of the recipe (None: drawn).

    Returns
    -------
    y : np.ndarray
        Mono float32, ``round(seconds * sr)`` samples, peak below 0 dBFS.
    score : pretty_midi.PrettyMIDI
        What was played (the other style's parts included).
    info : dict
        ``genre``, ``substyle``, ``bpm``, ``key``, ``instruments``, and
        ``other_genre``, ``other_start_s``, ``other_end_s`` (None without a
        style change).

    Notebook: 01_mel_spectrograms.ipynb
    """
    rng = np.random.default_rng(seed)
    plan, donor, window = arrange(genre, rng, seconds, style_change=style_change, substyle=substyle)
    pm = compose(plan, rng, seconds)
    info = {"genre": genre, "substyle": plan.substyle, "bpm": round(plan.bpm, 1), "key": plan.key_name,
            "instruments": plan.instruments, "other_genre": None, "other_substyle": None,
            "other_start_s": None, "other_end_s": None}
    if donor is None:
        y = render_score(pm, plan, seconds, sr)
        return master(y, plan, sr, rng), pm, info
    pm_donor = compose(donor, rng, seconds)
    _keep(pm, lambda s: not window[0] <= s < window[1])
    _keep(pm_donor, lambda s: window[0] <= s < window[1])
    y = render_score(pm, plan, seconds, sr)
    y_donor = render_score(pm_donor, donor, seconds, sr)
    rms = lambda x: float(np.sqrt(np.mean(x ** 2))) + 1e-9  # noqa: E731
    # the other style at a comparable loudness: the section change must not be a change of level
    y = y + y_donor * (rms(y) / rms(y_donor)) * float(rng.uniform(0.8, 1.1))
    for inst in pm_donor.instruments:
        inst.name = f"{donor.genre}:{inst.name}"
        pm.instruments.append(inst)
    info.update(other_genre=donor.genre, other_substyle=donor.substyle, other_start_s=round(window[0], 2),
                other_end_s=round(window[1], 2))
    info["instruments"] = plan.instruments + [f"{donor.genre}:{i}" for i in donor.instruments]
    plan.parts.update({f"{donor.genre}:{k}": v for k, v in donor.parts.items()})
    return master(y, plan, sr, rng), pm, info


def _keep(pm, keep) -> None:
    for inst in pm.instruments:
        inst.notes = [n for n in inst.notes if keep(n.start)]
