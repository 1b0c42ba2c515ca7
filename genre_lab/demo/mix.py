"""Step 3 of a demo clip: the score played through recorded samples, mixed, put in a room and mastered.

Guitars go through an amp, the parts are balanced, the mix is compressed, and a
recording chain (band limit, noise floor, loudness) drawn the same way for every
genre finishes it, so none of these settings gives the genre away.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import functools

import numpy as np

from .plan import Plan
from .vocals import render_vocal

__all__ = ["render_score", "guitar_amp", "production_eq", "vinyl", "master"]


def render_score(pm, plan: Plan, seconds: float, sr: int, *, soundfont=None) -> np.ndarray:
    """Play a score through the recorded samples and mix it: amps, balance, room and compression.

    Returns
    -------
    np.ndarray
        The mix before the recording chain, mono float32, ``round(seconds * sr)`` samples.

    Notebook: 01_mel_spectrograms.ipynb
    """
    from pedalboard import Compressor, Pedalboard, Reverb

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
        if "voice" in part:  # a singer, not a sampled instrument
            voice = part["voice"]
            bus = render_vocal(inst.notes, style=voice["style"], sr=sr, seed=voice["seed"],
                               formant_scale=voice["formant_scale"], n_samples=len(bus))
        for note in ([] if "voice" in part else inst.notes):
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
        if "vinyl" in part:  # a loop sampled from an old record: band-limited, with its crackle and hiss
            bus = vinyl(bus, sr, cutoff_hz=part["vinyl"]["cutoff_hz"], seed=part["vinyl"]["seed"])
            rms = float(np.sqrt(np.mean(bus ** 2)))
        bus *= 10 ** (part["level_db"] / 20) * 0.1 / rms
        if part.get("amp_db", 0) > 0:  # guitars go to the amp together
            amped += bus
            drives.append(part["amp_db"])
        else:
            mix += bus
    if drives:  # the guitar amp and cabinet
        amp = guitar_amp(float(np.mean(drives)))
        level = float(np.sqrt(np.mean(amped ** 2)))
        out = amp(amped / (np.max(np.abs(amped)) + 1e-9) * 0.5, sr)
        mix += out * (level / (float(np.sqrt(np.mean(out ** 2))) + 1e-9))
    room = Pedalboard([Reverb(room_size=plan.room["size"], wet_level=plan.room["wet"],
                              dry_level=1.0 - 0.5 * plan.room["wet"], width=0.0, damping=0.5)])
    mix = room(mix, sr)
    comp = Pedalboard([Compressor(threshold_db=plan.mix["threshold_db"], ratio=plan.mix["ratio"],
                                  attack_ms=10.0, release_ms=150.0)])
    mix = comp(mix / (np.max(np.abs(mix)) + 1e-9) * 0.7, sr)
    if plan.mix.get("eq"):  # the genre's production sound: e.g. metal's scooped mids (see the recipes' ``eq``)
        mix = production_eq(plan.mix["eq"])(mix, sr)
    return mix.astype(np.float32)


def guitar_amp(drive_db: float):
    """A high-gain guitar amp and its cabinet, as a pedalboard chain with ``drive_db`` of gain.

    Two gain stages as in a high-gain amp head (a mid boost before the first,
    like a tube screamer in front of the amp), then the tone stack's mid scoop
    and presence, and the 4x12 cabinet's roll-off above about 6 kHz. With a
    single stage and no cabinet, musicnn hears the riffs as punk or rock.

    Notebook: 01_mel_spectrograms.ipynb
    """
    from pedalboard import Distortion, HighpassFilter, LowpassFilter, Pedalboard, PeakFilter

    return Pedalboard([HighpassFilter(110.0), PeakFilter(800.0, 6.0, 0.7), Distortion(drive_db=drive_db),
                       HighpassFilter(80.0), Distortion(drive_db=12.0), PeakFilter(500.0, -4.0, 1.0),
                       PeakFilter(2500.0, 4.0, 1.0), LowpassFilter(5500.0)])


def vinyl(y: np.ndarray, sr: int, *, cutoff_hz: float, seed: int) -> np.ndarray:
    """A sampled record: low-passed at ``cutoff_hz``, with surface crackle (sparse clicks) and hiss.

    Notebook: 01_mel_spectrograms.ipynb
    """
    from scipy import signal

    rng = np.random.default_rng(seed)
    out = signal.sosfilt(signal.butter(4, cutoff_hz, "lowpass", fs=sr, output="sos"), y)
    rms = float(np.sqrt(np.mean(out ** 2))) + 1e-9
    clicks = np.zeros(len(y))
    where = rng.integers(0, len(y), size=max(1, int(8.0 * len(y) / sr)))  # about 8 clicks a second
    clicks[where] = rng.standard_normal(len(where)) * rms * 6
    clicks = signal.sosfilt(signal.butter(2, (1000, 6000), "bandpass", fs=sr, output="sos"), clicks)
    hiss = signal.sosfilt(signal.butter(2, 3000, "highpass", fs=sr, output="sos"), rng.standard_normal(len(y)))
    return (out + clicks + hiss * rms * 0.05).astype(np.float32)


def production_eq(bands):
    """A mix EQ from a recipe's ``eq`` rows: ``(kind, Hz, dB)`` with kind ``low``, ``peak`` or ``high``.

    Notebook: 01_mel_spectrograms.ipynb
    """
    from pedalboard import HighShelfFilter, LowShelfFilter, Pedalboard, PeakFilter

    kinds = {"low": LowShelfFilter, "peak": PeakFilter, "high": HighShelfFilter}
    unknown = sorted({b[0] for b in bands} - set(kinds))
    if unknown:
        raise ValueError(f"unknown EQ band kind(s) {unknown}; use one of {sorted(kinds)}")
    return Pedalboard([kinds[kind](cutoff_frequency_hz=float(hz), gain_db=float(db), q=0.7 if kind != "peak" else 0.8)
                       for kind, hz, db in bands])


#: A fixed table of white noise (same on every run), read from a random place for each clip's noise floor.
@functools.lru_cache(maxsize=1)
def _noise_table() -> np.ndarray:
    """2**18 samples of seeded white noise, made on first use (1 MB): each clip's hiss is a slice of it."""
    return np.random.default_rng(0).standard_normal(2 ** 18).astype(np.float32)


def master(mix: np.ndarray, plan: Plan, sr: int, rng: np.random.Generator) -> np.ndarray:
    """The recording chain, the same for every genre: band limits, noise floor, limiter, loudness.

    The final loudness is drawn from -22 to -9 dBFS RMS for every genre (a
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
