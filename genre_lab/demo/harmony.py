"""The harmony parts of a score: a voicing led from chord to chord, played bar by bar in the part's style.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

from .plan import choose
from .score import Score, place, voice_lead

__all__ = ["CHORD_STYLES", "chords"]


def chords(sc: Score, name: str, part: dict) -> None:
    """The harmony parts: a voicing led smoothly from chord to chord, played bar by bar in the part's style.

    The style is the part's role, looked up in :data:`CHORD_STYLES` (pads, strums, skanks, bubbles, arpeggios,
    rolls, comping, a sampled loop).
    """
    lo, hi = part["register"]
    role = part["role"]
    play_bar = CHORD_STYLES[role]
    rng = sc.rng
    prev = None
    # drawn for every harmony part, whatever its style, so that each part's random stream stays as it was
    state = {"strum": choose(rng, ["D.D.DUDU", "D.DU.UDU", "D...D.DU", "D.DUD.DU"]),
             "roll": choose(rng, [(0, 1, 2, 0, 1, 2, 0, 2), (0, 2, 1, 2, 0, 2, 1, 2), (2, 1, 0, 2, 1, 0, 2, 1)]),
             "loop": None, "register": (lo, hi), "role": role}
    for bar in range(sc.n_bars):
        voicing = voice_lead(prev, sc.chord(bar, 4 if role == "pad" and rng.random() < 0.3 else 3), lo, hi,
                              sc.plan.tonic + 12)
        prev = voicing
        play_bar(sc, name, bar, voicing, sc.step_len(bar), state)


def _pad_bar(sc: Score, name: str, bar: int, voicing: list, step: float, state: dict) -> None:
    """Held chords; an inner part sometimes plays two notes twice a bar instead."""
    rng = sc.rng
    if state["role"] == "inner" and rng.random() < 0.5:
        for s in (0, 8):
            for p in voicing[:2]:
                sc.add(name, sc.t(bar, s) + rng.normal(0, 0.01), 7.8 * step, p, sc.vel(0.6, bar))
    else:
        for p in voicing:
            sc.add(name, sc.t(bar, 0) + rng.normal(0, 0.012), 15.8 * step, p, sc.vel(0.6, bar))


def _strum_bar(sc: Score, name: str, bar: int, voicing: list, step: float, state: dict) -> None:
    """A strummed guitar: down (D) and up (U) strokes, the strings a few milliseconds apart."""
    hi = state["register"][1]
    for i, stroke in enumerate(state["strum"]):
        if stroke == ".":
            continue
        order = voicing + [v + 12 for v in voicing[:2] if v + 12 <= hi + 5]
        order = order if stroke == "D" else order[::-1]
        for k, p in enumerate(order):
            sc.add(name, sc.t(bar, 2 * i) + k * 0.012, 2 * step * 0.95, p, sc.vel(0.8 if stroke == "D" else 0.6, bar))


def _skank_bar(sc: Score, name: str, bar: int, voicing: list, step: float, state: dict) -> None:
    """Reggae's skank: short chords on the off-beats."""
    steps = (4, 12) if sc.rng.random() < 0.7 else (4, 6, 12, 14)
    for s in steps:
        for p in voicing:
            sc.add(name, sc.t(bar, s), 0.55 * step, p, sc.vel(0.8, bar))


def _bubble_bar(sc: Score, name: str, bar: int, voicing: list, step: float, state: dict) -> None:
    """Reggae's organ bubble: chords on the off-eighths over a low note on the beat."""
    for s in (2, 6, 10, 14):
        for p in voicing:
            sc.add(name, sc.t(bar, s), 0.9 * step, p, sc.vel(0.6, bar))
    for s in (0, 8):
        sc.add(name, sc.t(bar, s), 1.5 * step, voicing[0] - 12, sc.vel(0.6, bar))


def _arp_bar(sc: Score, name: str, bar: int, voicing: list, step: float, state: dict) -> None:
    """Broken chords in eighths, low in the register."""
    lo = state["register"][0]
    pattern = (0, 2, 1, 2) if sc.plan.bpm > 90 else (0, 1, 2, 1)
    notes = place(sc.chord(bar), lo, lo + 16, sc.plan.tonic)
    for k, s in enumerate(range(0, 16, 2)):
        sc.add(name, sc.t(bar, s), 3.5 * step, notes[pattern[k % 4] % len(notes)], sc.vel(0.5, bar))


def _roll_bar(sc: Score, name: str, bar: int, voicing: list, step: float, state: dict) -> None:
    """Country's banjo roll: sixteenths through the chord in a fixed pattern."""
    roll = state["roll"]
    for s in range(16):
        sc.add(name, sc.t(bar, s), 1.5 * step, voicing[roll[s % 8] % len(voicing)] + (12 if s % 8 == 7 else 0),
               sc.vel(0.65 + 0.2 * (s % 4 == 0), bar))


def _comp_bar(sc: Score, name: str, bar: int, voicing: list, step: float, state: dict) -> None:
    """Comping: short chords on the back-beats or the off-beats."""
    for s in (4, 12) if sc.rng.random() < 0.6 else (2, 6, 10, 14):
        for p in voicing:
            sc.add(name, sc.t(bar, s), 1.5 * step, p, sc.vel(0.6, bar))


def _sample_loop_bar(sc: Score, name: str, bar: int, voicing: list, step: float, state: dict) -> None:
    """Hiphop's sampled loop: a one- or two-bar phrase, "sampled" once and looped for the whole clip."""
    rng = sc.rng
    lo, hi = state["register"]
    if state["loop"] is None:
        n = int(rng.integers(4, 9))
        onsets = sorted({int(s) for s in rng.choice(16, size=n, replace=False)} | {0})
        lengths = [int(rng.integers(1, 5)) for _ in onsets]
        degrees = [int(rng.integers(0, 4)) for _ in onsets]
        state["loop"] = list(zip(onsets, lengths, degrees))
    base = voice_lead(None, sc.chord(bar - bar % 2, 4), lo, hi, sc.plan.tonic + 12)
    for s, length, degree in state["loop"]:
        sc.add(name, sc.t(bar, s), length * step, base[degree % len(base)], sc.vel(0.65, bar))


#: Harmony role -> how it plays one bar of a chord voicing.
CHORD_STYLES = {"pad": _pad_bar, "inner": _pad_bar, "strum": _strum_bar, "skank": _skank_bar,
                "bubble": _bubble_bar, "arp": _arp_bar, "roll": _roll_bar, "comp": _comp_bar,
                "sample_loop": _sample_loop_bar}
