"""Step 2 of a demo clip: the performance, written as a MIDI score with human timing and dynamics.

Each part of the plan is played by the function its role names (:data:`ROLES`):
drum patterns, riffs, bass lines, chords in many styles, melodies, rap, orchestral
percussion. A role no function plays is an error, never silently something else.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import numpy as np

from .harmony import CHORD_STYLES, chords
from .plan import Plan, choose
from .recipes import DRUM_KEYS, DRUM_PATTERNS
from .score import Score, place

__all__ = ["compose", "ROLES"]


def _drums(sc: Score, name: str, part: dict) -> None:
    plan, rng = sc.plan, sc.rng
    vel_of = {"X": 1.0, "x": 0.78, "o": 0.35}
    sb = plan.form["section_bars"]
    for bar in range(sc.n_bars):
        if plan.form["no_drum_intro"] and bar < sb and plan.offset_s < sc.bar_start[sb]:
            continue
        pattern = DRUM_PATTERNS[plan.drums["patterns"][sc.section(bar)]]
        fill = bar % sb == sb - 1 and rng.random() < plan.form.get("fills", 0.0)
        for inst, line in pattern.items():
            line = _drum_line(sc, bar, line)  # "riff": the kick doubles the guitar's chugs and chords
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


def _drum_line(sc: Score, bar: int, line: str) -> str:
    """A drum pattern's line for one bar: ``"riff"`` is the bar's guitar riff (a stroke on every attack)."""
    if line == "riff":
        return "".join("x" if c in "CPN" else "." for c in sc.riff(bar)) or "x.......x......."
    return line


def _kick_steps(sc: Score, bar: int) -> list[int]:
    if not sc.plan.drums:
        return [0, 8]
    line = DRUM_PATTERNS[sc.plan.drums["patterns"][sc.section(bar)]].get("kick", "x.......x.......")
    return [i for i, c in enumerate(_drum_line(sc, bar, line)) if c != "."] or [0]


def _riff(sc: Score, name: str, part: dict) -> None:
    """Metal guitar: a riff from :data:`.recipes.RIFFS`, chugs on the low pedal note, ringing chords, a moving line.

    The pedal is the bar's chord root in the low register; the line (N) walks
    a two-bar sequence of scale degrees near it (the flat second and the
    tritone of the darker modes included), drawn once per song, so the riff
    repeats as riffs do. Each note rings until the next one starts.
    """
    lo, _ = part["register"]
    rng = sc.rng
    if not sc.plan.form.get("riffs"):
        raise ValueError(f"{sc.plan.genre} recipe: sub-style {sc.plan.substyle!r} has a riff part but no 'riffs'")
    if not hasattr(sc, "_riff_degrees"):
        sc._riff_degrees = [int(d) for d in rng.choice([1, 2, 3, 4, 5, 6, -1, 0], size=32)]
    for bar in range(sc.n_bars):
        rhythm = sc.riff(bar)
        deg0 = sc.chord_degree(bar)
        pedal = place([sc.degree_pitch(deg0)], lo, lo + 11, sc.plan.tonic)[0]
        onsets = [s for s, c in enumerate(rhythm) if c != "."]
        for i, s in enumerate(onsets):
            kind = rhythm[s]
            ring = (onsets[i + 1] if i + 1 < len(onsets) else 16) - s
            if kind == "C":  # palm-muted: short, root and fifth
                sc.add(name, sc.t(bar, s), sc.step_len(bar) * 0.55, pedal, sc.vel(0.7, bar))
                sc.add(name, sc.t(bar, s), sc.step_len(bar) * 0.55, pedal + 7, sc.vel(0.6, bar))
                continue
            if kind == "N":
                deg = sc._riff_degrees[(bar % 2) * 16 + s]
                root = pedal + sc.degree_pitch(deg0 + deg) - sc.degree_pitch(deg0)
            else:
                root = pedal
            for interval in (0, 7, 12):
                sc.add(name, sc.t(bar, s), sc.step_len(bar) * ring * 0.97, root + interval,
                       sc.vel(1.0 if kind == "P" else 0.85, bar))


def _bass(sc: Score, name: str, part: dict) -> None:
    lo, hi = part["register"]
    pattern = part.get("pattern", "roots")
    rng = sc.rng
    for bar in range(sc.n_bars):
        chord = sc.chord(bar)
        root = place([chord[0]], lo, lo + 11, sc.plan.tonic)[0]
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
                                   choose(rng, [((2, 2), (4, 2), (6, 4), (10, 2), (12, 4)),
                                               ((0, 3), (3, 1), (4, 4), (10, 2), (12, 2), (14, 2)),
                                               ((2, 2), (6, 2), (8, 4), (12, 2), (14, 2))])]
            third = sc.degree_pitch(sc.chord_degree(bar) + 2) - sc.degree_pitch(sc.chord_degree(bar))
            tones = [root, root + 12 if root + 12 <= hi else root, fifth, root + third]
            for s, ti, d in sc._reggae_line:
                sc.add(name, sc.t(bar, s), d * sl * 0.9, tones[ti], sc.vel(0.9, bar))
        else:
            for s in (0, 8):
                sc.add(name, sc.t(bar, s), 7.5 * sl, root, sc.vel(0.8, bar))


def _melody(sc: Score, name: str, part: dict) -> None:
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


def _rap(sc: Score, name: str, part: dict) -> None:
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


#: Voice styles that speak in rhythm (rap, toasting) rather than sing a melody.
SPOKEN_STYLES = frozenset({"rap", "toast", "shout"})


def _vocal(sc: Score, name: str, part: dict) -> None:
    """The lead vocal, placed in the form as songs place it: verses and choruses, with instrumental gaps.

    A rapped or toasted voice says syllables on the sixteenths (:func:`_rap`),
    a sung one (sung, twang, growl, scream) follows a melody (:func:`_melody`);
    either way the voice may wait out the first section (the intro) and
    leaves the band a section to itself now and then (a break or a solo).
    A part with ``sections`` sings only those (``(1,)``: the B sections, as
    a singer takes the chorus of a rapped song). The syllables are rendered
    by :mod:`.vocals`.
    """
    (_rap if part["voice"]["style"] in SPOKEN_STYLES else _melody)(sc, name, part)
    sb = sc.plan.form["section_bars"]
    n_sections = sc.n_bars // sb + 1
    resting = {k for k in range(n_sections) if sc.rng.random() < 0.12}
    if sc.rng.random() < 0.3:
        resting.add(0)  # an intro
    bars = np.searchsorted(sc.bar_start, [n[0] for n in sc.notes[name]], side="right") - 1
    sings_in = part.get("sections", (0, 1))  # a chorus singer sings the B sections only
    sc.notes[name] = [n for n, bar in zip(sc.notes[name], bars)
                      if bar // sb not in resting and sc.section(int(bar)) in sings_in]


def _timpani(sc: Score, name: str, part: dict) -> None:
    lo, _ = part["register"]
    for bar in range(sc.n_bars):
        if bar % sc.plan.form["section_bars"] == 0 or sc.rng.random() < 0.15:
            root = place([sc.chord(bar)[0]], lo, lo + 11, sc.plan.tonic)[0]
            sc.add(name, sc.t(bar, 0), 1.2, root, sc.vel(0.9, bar))


def _ostinato(sc: Score, name: str, part: dict) -> None:
    """Driving strings: repeated eighths or sixteenths on the chord's root and fifth, accents on the beat."""
    lo, _ = part["register"]
    rng = sc.rng
    step = int(choose(rng, [1, 2, 2]))
    figure = choose(rng, [(0, 0, 0, 1), (0, 0, 1, 0), (0, 1, 0, 2), (0, 0, 0, 0)])
    for bar in range(sc.n_bars):
        tones = place(sc.chord(bar), lo, lo + 14, sc.plan.tonic)
        sl = sc.step_len(bar)
        for k, s in enumerate(range(0, 16, step)):
            pitch = tones[figure[k % 4] % len(tones)]
            sc.add(name, sc.t(bar, s), step * sl * 0.8, pitch, sc.vel(0.9 if s % 4 == 0 else 0.6, bar))


#: A march's snare line and a drum ostinato, one bar of sixteenths (X accent, x normal, . rest).
_MARCH_SNARE = ("X.xxX.x.X.xxX.x.", "X..xX.x.X..xX.x.", "X.x.X.xxX.x.X.xx", "X.xxX.xxX.x.X...")
_DRUM_OSTINATI = ("X..x..x.X..x..x.", "X.x.X.x.X.xxX.x.", "X..x..X.x..x.x..", "X...X...X.x.X...")


def _orchestral_percussion(sc: Score, name: str, part: dict) -> None:
    """The orchestra's percussion (Orchestra kit), played as one of three conventions, never as a groove kit:
    ``accents`` (the default), ``march`` or ``ostinato``, as the part's ``pattern`` says."""
    {"accents": _percussion_accents, "march": _march, "ostinato": _drum_ostinato}[part.get("pattern", "accents")](
        sc, name)


def _percussion_accents(sc: Score, name: str) -> None:
    """Concert bass drum and clash cymbals at phrase starts and climaxes, a roll into the next phrase."""
    rng = sc.rng
    sb = sc.plan.form["section_bars"]
    for bar in range(sc.n_bars):
        if bar % sb == 0 or rng.random() < 0.2:
            sc.add(name, sc.t(bar, 0), 2.0, 35, sc.vel(1.0, bar))  # concert bass drum
            if rng.random() < 0.6:
                sc.add(name, sc.t(bar, 0), 2.5, int(choose(rng, [49, 57, 52])), sc.vel(0.9, bar))  # clash cymbals
        if bar % sb == sb - 1 and rng.random() < 0.5:  # a roll into the next phrase
            for k in range(16):
                sc.add(name, sc.t(bar, k), 0.2, 41, sc.vel(0.3 + 0.04 * k, bar))


def _march(sc: Score, name: str) -> None:
    """A snare line repeated every bar, bass drum on beats 1 and 3, clash cymbals at phrase starts (and now and then
    on another bar), a press roll into some phrases."""
    rng = sc.rng
    sb = sc.plan.form["section_bars"]
    line = choose(rng, _MARCH_SNARE)
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
            sc.add(name, sc.t(bar, 0), 2.0, int(choose(rng, [49, 57])), sc.vel(0.8, bar))


def _drum_ostinato(sc: Score, name: str) -> None:
    """Low drums (the kit's timpani and its concert bass drum) hammering one rhythm that joins as the music swells
    (Holst's *Mars*, film scores)."""
    rng = sc.rng
    line = choose(rng, _DRUM_OSTINATI)
    low, other = choose(rng, [(41, 43), (45, 41), (35, 45), (43, 47)])
    for bar in range(sc.n_bars):
        if sc._dyn[bar] < 0.45:  # the drums join as the music builds
            continue
        for s, ch in enumerate(line):
            if ch != ".":
                accent = ch == "X"
                sc.add(name, sc.t(bar, s), 0.6, low if accent else other, sc.vel(1.0 if accent else 0.7, bar))


#: Role of a part in a recipe -> the function that plays it (every harmony style of :data:`CHORD_STYLES` too).
ROLES = {"drums": _drums, "riff": _riff, "bass": _bass, "lead": _melody, "counter": _melody, "vocal": _vocal,
         "timpani": _timpani, "orchestral_perc": _orchestral_percussion, "ostinato": _ostinato,
         **{role: chords for role in CHORD_STYLES}}


def _tacet(sc: Score) -> dict:
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

    sc = Score(plan, rng, seconds)
    for name, part in plan.parts.items():
        if part["role"] not in ROLES:
            raise ValueError(f"{plan.genre} recipe: part {name!r} has role {part['role']!r}, which nothing plays; "
                             f"known roles: {', '.join(sorted(ROLES))}")
        ROLES[part["role"]](sc, name, part)
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
