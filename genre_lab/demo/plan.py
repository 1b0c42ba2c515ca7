"""Step 1 of a demo clip: the plan, a band and a song drawn from the genre's recipe.

Sub-style, tempo, key, which parts play on which instruments, the form, the room
and the mix, all drawn from :mod:`.recipes` with the clip's random generator.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .recipes import recipe

__all__ = ["Plan", "draw_plan", "choose", "STYLE_CHANGE_RATE"]

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
            elif "voice" in part:
                out.append(f"{name}: {part['voice']['style']} voice")
            else:
                out.append(f"{name}: {pretty_midi.program_to_instrument_name(part['program'])}")
        return out


#: Loudness of a finished recording, dB RMS, drawn alike for every genre: from a quiet classical recording
#: to a loud modern master (quieter than -22 dB, musicnn hears demo metal as punk or rock).
LOUDNESS = (-22.0, -9.0)


def choose(rng, options):
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
    progs = [tuple(choose(rng, r["progressions"])) for _ in range(2)]
    swing = float(rng.uniform(*sub.get("swing", r["swing"])))
    parts = {}
    extra = set(sub.get("extra", []))
    for name, spec in r["parts"].items():
        if spec["role"] == "drums":
            if not sub.get("drums"):
                continue
        elif name not in extra and (rng.random() >= spec["p"] or sub_name not in spec.get("substyles", [sub_name])):
            continue
        part = {k: v for k, v in spec.items() if k not in ("programs", "p", "level", "amp", "substyles", "styles",
                                                         "vinyl")}
        part["level_db"] = float(rng.uniform(*spec["level"]))
        if spec["role"] == "drums":
            part["program"] = int(choose(rng, sub["kit"]))
        else:
            part["program"] = int(choose(rng, spec["programs"]))
        if "amp" in spec:
            part["amp_db"] = float(rng.uniform(*spec["amp"]))
        if "vinyl" in spec and rng.random() < spec["vinyl"]:  # a loop sampled from a record
            part["vinyl"] = {"cutoff_hz": float(rng.uniform(2500, 6000)), "seed": int(rng.integers(2 ** 31))}
        if spec["role"] == "vocal":  # a singer: the style, the size of the voice, and the seed of its syllables
            style = _weighted(rng, spec["styles"])
            part["voice"] = {"style": style, "formant_scale": float(choose(rng, [1.0, 1.0, 1.08, 1.16])),
                             "seed": int(rng.integers(2 ** 31))}
            part["register"] = tuple(spec.get("registers", {}).get(style, spec["register"]))
        if name == "bass" and sub.get("bass") == "808":
            part.update(program=38, pattern="kick_follow", register=(24, 40))
        parts[name] = part
    drums = None
    if sub.get("drums"):
        drums = {"patterns": [str(choose(rng, sub["drums"])) for _ in range(2)], "kit": parts["drums"]["program"],
                 "hat_rolls": bool(sub.get("hat_rolls", False))}
    room = {"size": float(rng.uniform(*r["room"]["size"])), "wet": float(rng.uniform(*r["room"]["wet"]))}
    # The recording chain: drawn from the same ranges for every genre, so none of it tells the genre.
    mix = {"ratio": float(rng.uniform(*r["compression"])), "threshold_db": float(rng.uniform(-24, -14)),
           "highpass_hz": float(rng.uniform(20, 60)), "lowpass_hz": float(rng.uniform(7500, 11000)),
           "noise_db": float(rng.uniform(-80, -55)), "rms_db": float(rng.uniform(-20, -14)),
           "peak_db": float(rng.uniform(-2.0, -0.3)),
           "loudness_db": float(rng.uniform(*LOUDNESS)), "eq": list(r.get("eq", []))}
    form = dict(r.get("form", {}))
    form["section_bars"] = int(choose(rng, [4, 8]) if form.get("bars") else 4)
    if "tacet" in sub:
        form["tacet"] = sub["tacet"]
    if "riffs" in sub:  # the riff of each section (A, B), shared by the guitars and the drums that follow them
        form["riffs"] = [str(choose(rng, sub["riffs"])) for _ in range(2)]
    form["no_drum_intro"] = bool(drums and rng.random() < form.get("intro_no_drums", 0.0))
    return Plan(genre=genre, substyle=sub_name, bpm=bpm, tonic=tonic, scale=scale, progressions=progs, swing=swing,
                timing_ms=float(r["timing_ms"]), velocity=tuple(sub.get("velocity", r["velocity"])),
                rubato=float(rng.uniform(*r["rubato"])) if "rubato" in r else 0.0, parts=parts, drums=drums,
                room=room, mix=mix, form=form, offset_s=float(rng.uniform(0, 20)))
