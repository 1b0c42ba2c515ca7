"""One SoundFont zone: its parameters, by generator name, and how it plays a held note (a sampler's "voice").

A zone of a SoundFont 2 file is a recorded sample plus generators (numbered
parameters, SF2 2.01 section 8.1.2): tuning, loop points, a volume envelope
and a low-pass filter. :class:`Gen` names the numbers the sampler reads,
:class:`Voice` is one zone resolved for a note, and :func:`play_voice`
renders it: resampled to the note's pitch, looped, enveloped and filtered.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import signal

__all__ = ["Gen", "DEFAULTS", "NOT_AT_PRESET", "Voice", "timecents_to_seconds", "cutoff_hz", "play_voice"]


class Gen:
    """SoundFont 2.01 generator numbers (spec section 8.1.2) that the sampler reads, by name."""

    START_OFFSET = 0
    END_OFFSET = 1
    LOOP_START_OFFSET = 2
    LOOP_END_OFFSET = 3
    START_COARSE_OFFSET = 4
    FILTER_CUTOFF = 8
    MOD_ENV_TO_FILTER = 11
    END_COARSE_OFFSET = 12
    PAN = 17
    MOD_ENV_DECAY = 28
    MOD_ENV_SUSTAIN = 29
    VOL_ENV_DELAY = 33
    VOL_ENV_ATTACK = 34
    VOL_ENV_HOLD = 35
    VOL_ENV_DECAY = 36
    VOL_ENV_SUSTAIN = 37
    VOL_ENV_RELEASE = 38
    KEY_TO_VOL_ENV_HOLD = 39
    KEY_TO_VOL_ENV_DECAY = 40
    INSTRUMENT = 41
    KEY_RANGE = 43
    VEL_RANGE = 44
    LOOP_START_COARSE_OFFSET = 45
    KEYNUM = 46
    VELOCITY = 47
    ATTENUATION = 48
    LOOP_END_COARSE_OFFSET = 50
    COARSE_TUNE = 51
    FINE_TUNE = 52
    SAMPLE_ID = 53
    SAMPLE_MODES = 54
    SCALE_TUNING = 56
    EXCLUSIVE_CLASS = 57
    ROOT_KEY_OVERRIDE = 58


#: SF2 2.01 default generator values (section 8.1.3) used when a zone does not set one.
DEFAULTS = {
    Gen.START_OFFSET: 0, Gen.END_OFFSET: 0, Gen.LOOP_START_OFFSET: 0, Gen.LOOP_END_OFFSET: 0,
    Gen.START_COARSE_OFFSET: 0, Gen.END_COARSE_OFFSET: 0, Gen.LOOP_START_COARSE_OFFSET: 0,
    Gen.LOOP_END_COARSE_OFFSET: 0, Gen.FILTER_CUTOFF: 13500, Gen.PAN: 0,
    Gen.VOL_ENV_DELAY: -12000, Gen.VOL_ENV_ATTACK: -12000, Gen.VOL_ENV_HOLD: -12000, Gen.VOL_ENV_DECAY: -12000,
    Gen.VOL_ENV_SUSTAIN: 0, Gen.VOL_ENV_RELEASE: -12000, Gen.KEY_TO_VOL_ENV_HOLD: 0, Gen.KEY_TO_VOL_ENV_DECAY: 0,
    Gen.ATTENUATION: 0, Gen.COARSE_TUNE: 0, Gen.FINE_TUNE: 0, Gen.SAMPLE_MODES: 0, Gen.SCALE_TUNING: 100,
    Gen.EXCLUSIVE_CLASS: 0, Gen.ROOT_KEY_OVERRIDE: -1,
}
#: Generators that are ignored at preset level (spec 8.1.3): sample addresses, key/velocity overrides, ...
NOT_AT_PRESET = {
    Gen.START_OFFSET, Gen.END_OFFSET, Gen.LOOP_START_OFFSET, Gen.LOOP_END_OFFSET, Gen.START_COARSE_OFFSET,
    Gen.END_COARSE_OFFSET, Gen.LOOP_START_COARSE_OFFSET, Gen.LOOP_END_COARSE_OFFSET, Gen.KEYNUM, Gen.VELOCITY,
    Gen.SAMPLE_ID, Gen.SAMPLE_MODES, Gen.EXCLUSIVE_CLASS, Gen.ROOT_KEY_OVERRIDE, Gen.INSTRUMENT,
}


@dataclass(frozen=True)
class Voice:
    """One zone that sounds for a note: its sample and how to play it.

    Attributes
    ----------
    data : np.ndarray
        The recorded sample, float32 in [-1, 1].
    sample_rate : int
        Rate the sample was recorded at.
    root_key : int
        MIDI key at which the sample plays at its own pitch.
    tune_cents : float
        Extra tuning (coarse + fine + the sample's pitch correction).
    loop : tuple of int or None
        ``(start, end)`` of the sustain loop in samples, or None.
    gain : float
        Linear gain from the zone's attenuation.
    delay, attack, hold, decay, release : float
        Volume envelope, seconds.
    sustain_db : float
        Sustain level in dB below the peak (100 = decays to silence).
    cutoff_hz : float
        The zone's low-pass filter cut-off (opened by its modulation envelope, see :func:`cutoff_hz`).
    exclusive : int
        Exclusive class (hi-hats choke each other); 0 for none.
    """

    data: np.ndarray
    sample_rate: int
    root_key: int
    tune_cents: float
    scale_tuning: float
    loop: tuple | None
    gain: float
    delay: float
    attack: float
    hold: float
    decay: float
    sustain_db: float
    release: float
    cutoff_hz: float
    exclusive: int
    zone: tuple = ()


def timecents_to_seconds(tc: float) -> float:
    """Timecents to seconds."""
    return float(2.0 ** (tc / 1200.0))


def cutoff_hz(g: dict) -> float:
    """The zone's low-pass cut-off where a held note spends its time, in Hz.

    Most zones of this SoundFont set a low initial cut-off (a piano 440 Hz)
    and open it with the modulation envelope (``modEnvToFilterFc``, +3000 to
    +4000 cents). The sampler has no filter envelope: it uses the cut-off at
    the envelope's peak when the envelope decays slowly (over a second or
    more), and at its sustain level otherwise.
    """
    fc = 8.176 * 2 ** (g.get(Gen.FILTER_CUTOFF, 13500) / 1200.0)
    depth = g.get(Gen.MOD_ENV_TO_FILTER, 0)
    if depth:
        decay = timecents_to_seconds(g.get(Gen.MOD_ENV_DECAY, -12000))
        sustain = 1.0 - min(1000, max(0, g.get(Gen.MOD_ENV_SUSTAIN, 0))) / 1000.0
        level = 1.0 if decay >= 1.0 else sustain
        fc *= 2 ** (depth * level / 1200.0)
    return float(fc)


def play_voice(v: Voice, key: int, start: int, stop: int, sr: int, zi=None):
    """Samples ``start:stop`` of one zone held down: resampled to the note's pitch, looped, enveloped, filtered.

    Returns the samples (fewer if an unlooped sample ends) and the low-pass
    filter's state after them, to resume from (``zi``) for the next ones.
    """
    semis = (key - v.root_key) * v.scale_tuning / 100.0 + v.tune_cents / 100.0
    step = 2.0 ** (semis / 12.0) * v.sample_rate / sr  # input samples per output sample
    pos = np.arange(start, stop, dtype=np.float64)
    pos *= step
    if v.loop is not None:
        ls, le = v.loop
        wrap = pos[int(np.searchsorted(pos, le)):]  # positions grow: from here on they wrap into the loop
        wrap -= ls  # ls + (pos - ls) mod (le - ls), by floor arithmetic (np.fmod takes 16x as long)
        turns = wrap / (le - ls)
        np.floor(turns, out=turns)
        turns *= le - ls
        wrap -= turns
        wrap += ls
    else:
        pos = pos[: int(np.searchsorted(pos, len(v.data) - 1))]  # an unlooped sample plays to its end
    if len(pos) == 0:
        return np.zeros(0, np.float32), zi
    i = pos.astype(np.int64)
    frac = (pos - i).astype(np.float32)
    now = v.data[i]
    np.minimum(i + 1, len(v.data) - 1, out=i)
    y = v.data[i]  # linear interpolation between the sample before and after each position
    y -= now
    y *= frac
    y += now
    y *= _envelope(v, start, start + len(y), sr)
    cutoff = max(60.0, v.cutoff_hz)
    if cutoff < 0.45 * sr:
        sos = _lowpass(round(cutoff), sr)
        y, zi = signal.sosfilt(sos, y, zi=np.zeros((len(sos), 2)) if zi is None else zi)
    return np.asarray(y, dtype=np.float32), zi


@functools.lru_cache(maxsize=512)
def _lowpass(cutoff: float, sr: int) -> np.ndarray:
    return signal.butter(2, cutoff, "lowpass", fs=sr, output="sos")


def _envelope(v: Voice, start: int, stop: int, sr: int) -> np.ndarray:
    """Volume envelope of a held note, samples ``start:stop``, times the zone's gain: delay, attack, hold, then
    decay to the sustain level."""
    per_db = np.float32(np.log(10) / 20)  # 10 ** (dB / 20) == exp(dB * per_db), and exp is the faster of the two

    def level(t0: np.ndarray) -> np.ndarray:
        db = np.maximum(0.0, t0 - decay_start)
        db *= -slope
        np.maximum(db, -v.sustain_db, out=db)
        out = np.exp(db * per_db)
        out *= np.minimum(np.maximum(t0 * np.float32(1 / max(v.attack, 1e-3)), 0.0), 1.0)
        return out * np.float32(v.gain)

    t0 = np.arange(start, stop, dtype=np.float32) / sr - v.delay
    decay_start = v.attack + v.hold
    slope = 100.0 / max(v.decay, 1e-3)  # dB per second: SF2's decay time is the time for a 100 dB fall
    # once the decay has reached the sustain level the envelope is one constant: compute it once
    settle_s = max(decay_start + v.sustain_db / slope, max(v.attack, 1e-3))  # decayed to sustain, attack done
    settled = int(np.ceil((v.delay + settle_s) * sr)) + 2 - start  # 2 samples of margin for float32 rounding of t0
    if settled >= len(t0):
        return level(t0)
    out = np.empty(len(t0), np.float32)
    settled = max(settled, 0)
    out[:settled] = level(t0[:settled])
    out[settled:] = level(t0[-1:])[0]
    return out
