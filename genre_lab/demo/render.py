"""From a genre recipe to notes, and from notes to a mixed recording.

Three steps, the way a record is made, each in a module of its own:

1. :func:`draw_plan` (:mod:`.plan`) -- a band and a song: sub-style, tempo, key, which parts
   play on which instruments, the form, the room and the mix, all drawn from
   the genre's recipe (:mod:`.recipes`);
2. :func:`compose` (:mod:`.compose`) -- the performance as a MIDI score (``pretty_midi``):
   drum patterns, riffs, chords, bass lines and melodies, played with human
   timing and dynamics; saved beside each clip as its ground truth;
3. :func:`render_score` and :func:`master` (:mod:`.mix`), put together by :func:`render_clip` -- every part played through recorded instrument
   samples (:mod:`.sampler`), guitars through an amp, the parts balanced,
   the mix put in a room, compressed, and passed through a recording chain
   (band limit, noise floor, loudness) whose settings are drawn the same
   way for every genre, so none of them gives the genre away.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import numpy as np

from .compose import compose
from .mix import master, render_score
from .plan import STYLE_CHANGE_RATE, Plan, choose, draw_plan

__all__ = ["Plan", "draw_plan", "arrange", "compose", "render_score", "master", "render_clip", "vocal_style",
           "STYLE_CHANGE_RATE"]


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
    start = float(choose(rng, [0.0, float(rng.uniform(0, max(0.0, seconds - length)))]))
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
        ``genre``, ``substyle``, ``bpm``, ``key``, ``instruments``,
        ``vocal`` (the lead voice's style, "" for an instrumental),
        ``vocal_seconds`` (how long a voice is heard), and
        ``other_genre``, ``other_start_s``, ``other_end_s`` (None without a
        style change).

    Notebook: 01_mel_spectrograms.ipynb
    """
    rng = np.random.default_rng(seed)
    plan, donor, window = arrange(genre, rng, seconds, style_change=style_change, substyle=substyle)
    pm = compose(plan, rng, seconds)
    info = {"genre": genre, "substyle": plan.substyle, "bpm": round(plan.bpm, 1), "key": plan.key_name,
            "instruments": plan.instruments, "vocal": vocal_style(plan), "vocal_seconds": 0.0,
            "other_genre": None, "other_substyle": None, "other_start_s": None, "other_end_s": None}
    if donor is None:
        y = render_score(pm, plan, seconds, sr)
        info["vocal_seconds"] = _vocal_seconds(pm, plan, seconds)
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
    info["vocal_seconds"] = _vocal_seconds(pm, plan, seconds)  # the song's own voice, as "vocal" says
    plan.parts.update({f"{donor.genre}:{k}": v for k, v in donor.parts.items()})
    return master(y, plan, sr, rng), pm, info


def vocal_style(plan: Plan) -> str:
    """The style of the song's lead voice (``"rap"``, ``"twang"``, ...), or "" for an instrumental."""
    return next((part["voice"]["style"] for part in plan.parts.values() if "voice" in part), "")


def _vocal_seconds(pm, plan: Plan, seconds: float) -> float:
    """Seconds of the clip in which the song's voice is heard (a spoken line fills its phrase's span)."""
    from .vocals import vocal_spans

    on = np.zeros(int(seconds * 100) + 1, bool)  # 10 ms resolution
    for inst in pm.instruments:
        voice = plan.parts.get(inst.name, {}).get("voice")
        if voice is None:
            continue
        for start, end in vocal_spans(inst.notes, voice["style"]):
            on[int(max(0.0, start) * 100):int(min(seconds, end) * 100)] = True
    return round(float(on.sum()) / 100, 2)


def _keep(pm, keep) -> None:
    for inst in pm.instruments:
        inst.notes = [n for n in inst.notes if keep(n.start)]
