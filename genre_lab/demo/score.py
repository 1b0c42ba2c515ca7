"""The score being written: notes per part, bar and step times, chords of the progression, dynamics; and saved.

Shared by the functions that play each role (:mod:`.compose`, :mod:`.harmony`); :func:`write_score` saves a
finished score as the ``.mid`` file beside each demo clip.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import numpy as np

from .plan import Plan
from .recipes import RIFFS, SCALES

__all__ = ["Score", "place", "voice_lead", "write_score"]


class Score:
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

    def riff(self, bar: int) -> str:
        """The bar's riff rhythm (a row of :data:`.recipes.RIFFS`), or "" if the song has none."""
        riffs = self.plan.form.get("riffs")
        return RIFFS[riffs[self.section(bar)]] if riffs else ""

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


def place(pitches, lo: int, hi: int, tonic: int) -> list[int]:
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


def voice_lead(prev: list[int] | None, pitches: list[int], lo: int, hi: int, tonic: int) -> list[int]:
    """A voicing of the chord close to the previous one (smooth voice leading)."""
    base = place(pitches, lo, hi, tonic)
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


def write_score(pm, path) -> None:
    """Save a one-tempo score as a standard MIDI file, as ``pm.write(path)`` would, 3x faster.

    ``pretty_midi``'s writer converts every event time with a NumPy search
    and checks every message: 18-113 ms per clip (metal and country, with
    their fast drum parts, the slowest), a quarter of the time of making the
    demo dataset. The demo's scores have one tempo
    and no pitch bends or controllers, so ticks are computed at once and
    the messages built with ``mido`` (pretty_midi's own MIDI library)
    without re-checking them: pitches are clipped to 0-127 and velocities to
    1-127 here (``compose`` never writes others). ``pretty_midi.PrettyMIDI``
    reads it back to the same notes as the file ``pm.write`` makes (tested).

    Notebook: 01_mel_spectrograms.ipynb
    """
    import mido
    import pretty_midi

    if len(pm.get_tempo_changes()[1]) != 1 or len(pm.time_signature_changes) > 1:
        raise ValueError("write_score writes scores with one tempo and one time signature; use pm.write")
    res = pm.resolution
    tempo = float(pm.get_tempo_changes()[1][0])
    per_second = res * tempo / 60.0
    midi = mido.MidiFile(ticks_per_beat=res)
    signatures = pm.time_signature_changes or [pretty_midi.TimeSignature(4, 4, 0.0)]  # pm.write's default
    midi.tracks.append(mido.MidiTrack(
        [mido.MetaMessage("set_tempo", tempo=int(round(60_000_000 / tempo)), time=0)]
        + [mido.MetaMessage("time_signature", numerator=ts.numerator, denominator=ts.denominator, time=0)
           for ts in signatures[:1]]
        + [mido.MetaMessage("end_of_track", time=1)]))
    channels = [c for c in range(16) if c != 9]
    for k, inst in enumerate(pm.instruments):
        ch = 9 if inst.is_drum else channels[k % len(channels)]
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=inst.name, time=0),
                                mido.Message("program_change", program=int(inst.program), channel=ch, time=0)])
        if inst.notes:
            notes = np.array([(n.start, n.end, n.pitch, n.velocity) for n in inst.notes])
            on = np.round(notes[:, 0] * per_second).astype(np.int64)
            off = np.maximum(np.round(notes[:, 1] * per_second).astype(np.int64), on)
            ticks = np.concatenate([on, off])
            is_on = np.concatenate([np.ones(len(on), bool), np.zeros(len(off), bool)])
            pitch = np.clip(np.concatenate([notes[:, 2], notes[:, 2]]), 0, 127).astype(int)
            vel = np.concatenate([np.clip(notes[:, 3], 1, 127), np.zeros(len(off))]).astype(int)
            order = np.lexsort((pitch, is_on, ticks))  # at one tick: note-offs first, then by pitch
            delta = np.diff(ticks[order], prepend=0)
            kind = np.where(is_on[order], "note_on", "note_off")
            track.extend(mido.Message(t, note=int(n), velocity=int(v), channel=ch, time=int(d), skip_checks=True)
                         for t, n, v, d in zip(kind, pitch[order], vel[order], delta))
        track.append(mido.MetaMessage("end_of_track", time=1))
        midi.tracks.append(track)
    midi.save(str(path))
