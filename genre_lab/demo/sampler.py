"""A small SoundFont sampler: play the recorded instrument samples of a General MIDI SoundFont.

The demo music is made from recordings of real instruments and drum kits:
the samples of ``TimGM6mb.sf2``, the General MIDI SoundFont that ships inside
the ``pretty_midi`` package (so nothing beyond pip is needed). ``sf2utils``
parses the file; this module plays it the way a hardware sampler does:

* **zone**: for a (bank, program, key, velocity), every instrument zone
  whose key and velocity ranges contain the note sounds (layers);
* **pitch**: the zone's sample is resampled by
  ``2 ** ((key - root_key) / 12 + tuning)`` x (sample rate / output rate);
* **loop**: a looped zone repeats its loop while the note is held, so a
  note can last longer than its recording;
* **envelope**: delay, attack, hold, decay to the sustain level, release
  (the zone's own volume-envelope generators), times the velocity curve
  and the zone's attenuation; the zone's low-pass filter cut-off.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

import numpy as np

from .zone import DEFAULTS, NOT_AT_PRESET, Gen, Voice, cutoff_hz, play_voice, timecents_to_seconds

__all__ = ["Gen", "SoundFont", "SoundFontError", "Voice", "default_soundfont_path", "load_soundfont"]

log = logging.getLogger(__name__)

#: The longest release rendered, in seconds (some zones ask for 10 s tails).
MAX_RELEASE = 1.5
#: Memory for held notes kept for reuse, per process (joblib restarts workers that grow by 300 MB).
NOTE_CACHE_BYTES = 160 * 1024 ** 2


class SoundFontError(RuntimeError):
    """The SoundFont is missing, unreadable or lacks an instrument; the message says what to do."""


def default_soundfont_path() -> Path:
    """``TimGM6mb.sf2``, the General MIDI SoundFont inside the ``pretty_midi`` package."""
    try:
        import pretty_midi
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise SoundFontError("pretty_midi is not installed; reinstall genre_lab (`python3 tasks.py run`)") from err
    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


class SoundFont:
    """A General MIDI SoundFont, parsed once, with its sample data in memory.

    Parameters
    ----------
    path : str or Path or None
        An ``.sf2`` file (default: :func:`default_soundfont_path`).

    Raises
    ------
    SoundFontError
        If the file is missing or cannot be parsed as a SoundFont.

    Examples
    --------
    >>> sf = SoundFont()                                  # doctest: +SKIP
    >>> sf.render_note(0, 0, 60, 100, 0.5, 22050).shape   # doctest: +SKIP
    (34034,)

    Notebook: 01_mel_spectrograms.ipynb
    """

    def __init__(self, path=None):
        path = Path(path) if path is not None else default_soundfont_path()
        if not path.is_file():
            raise SoundFontError(f"no SoundFont at {path}: the demo music is played from the General MIDI "
                                 "SoundFont that pretty_midi ships (TimGM6mb.sf2); reinstall pretty_midi "
                                 "(`pip install --force-reinstall pretty_midi`) or pass another .sf2 file")
        self.path = path
        root = logging.getLogger()
        quiet = _QuietSf2utils()
        root.addFilter(quiet)  # sf2utils logs ~80 "loop starting too early" lines on the root logger
        try:
            from sf2utils.sf2parse import Sf2File

            with open(path, "rb") as fh:
                sf2 = Sf2File(fh)
                self._presets = {(p.bank, p.preset): p for p in sf2.presets if p.name != "EOP"}
                for p in self._presets.values():  # resolve every zone while the file is open
                    for bag in p.bags:
                        if bag.instrument is not None:
                            for ibag in bag.instrument.bags:
                                _ = ibag.sample
                fh.seek(sf2.raw.smpl_offset - 4)
                n = int.from_bytes(fh.read(4), "little") // 2
                self._smpl = np.fromfile(fh, dtype="<i2", count=n).astype(np.float32) / 32768.0
        except SoundFontError:
            raise
        except Exception as err:  # noqa: BLE001 - kept on purpose (1 of 2): sf2utils raises any type on a damaged
            # file (struct.error, KeyError, IndexError, AttributeError...); nothing is skipped: it stops with the
            # cause chained
            raise SoundFontError(f"{path.name} cannot be read as a SoundFont ({type(err).__name__}: {err}); "
                                 "reinstall pretty_midi or pass another .sf2 file") from err
        finally:
            root.removeFilter(quiet)
        if not self._presets or len(self._smpl) == 0:
            raise SoundFontError(f"{path.name} holds no presets or no samples")
        self._voice_cache: dict = {}
        self._held_cache: dict = {}
        self._held_state: dict = {}
        self._complete: set = set()
        self._ramps: dict = {}
        self._note_bytes = 0

    def has_preset(self, bank: int, program: int) -> bool:
        """True if the SoundFont has this (bank, program); drum kits are bank 128."""
        return (bank, program) in self._presets

    def preset_name(self, bank: int, program: int) -> str:
        """The preset's name, e.g. ``"DistortionGuitar"``."""
        return self._presets[(bank, program)].name

    def voices(self, bank: int, program: int, key: int, velocity: int = 100) -> list[Voice]:
        """Every zone (layer) that sounds for this note.

        Parameters
        ----------
        bank : int
            0 for melodic instruments, 128 for drum kits.
        program : int
            General MIDI program (or drum-kit number).
        key, velocity : int
            MIDI key and velocity.

        Returns
        -------
        list of Voice
            Empty if no zone covers the key.
        """
        ck = (bank, program, int(key))
        if ck in self._voice_cache:
            return [v for rng, v in self._voice_cache[ck] if _in_range(rng, velocity)]
        if (bank, program) not in self._presets:
            raise SoundFontError(f"{self.path.name} has no preset bank {bank} program {program}")
        preset = self._presets[(bank, program)]
        pbags = [b for b in preset.bags if b.instrument is not None]
        pglob = next((b for b in preset.bags[:1] if b.instrument is None), None)
        out = []
        for pz in pbags:
            if not _in_range(pz.key_range, key):
                continue
            pgen = {**_generators(pglob), **_generators(pz)}
            ibags = pz.instrument.bags
            iglob = ibags[0] if ibags and ibags[0].sample is None else None
            for iz in ibags:
                if iz.sample is None or not _in_range(iz.key_range, key):
                    continue
                vel_range = _intersect_ranges(pz.velocity_range, iz.velocity_range)
                g = {**DEFAULTS, **_generators(iglob), **_generators(iz)}
                for op, v in pgen.items():
                    if op not in NOT_AT_PRESET:
                        g[op] = g.get(op, 0) + v
                s = iz.sample
                a0 = s.start + g[Gen.START_OFFSET] + 32768 * g[Gen.START_COARSE_OFFSET]
                a1 = s.end + g[Gen.END_OFFSET] + 32768 * g[Gen.END_COARSE_OFFSET]
                ls = s.start + s.start_loop + g[Gen.LOOP_START_OFFSET] + 32768 * g[Gen.LOOP_START_COARSE_OFFSET] - a0
                le = s.start + s.end_loop + g[Gen.LOOP_END_OFFSET] + 32768 * g[Gen.LOOP_END_COARSE_OFFSET] - a0
                data = self._smpl[a0:a1]
                if len(data) < 8:
                    continue
                looped = (g[Gen.SAMPLE_MODES] & 3) in (1, 3) and 0 <= ls < le <= len(data) and le - ls >= 8
                root_key = g[Gen.ROOT_KEY_OVERRIDE] if g[Gen.ROOT_KEY_OVERRIDE] >= 0 else s.original_pitch
                key_scaled = (60 - key)  # SF2's key-to-envelope generators scale from middle C
                out.append((vel_range, Voice(
                    data=data, sample_rate=int(s.sample_rate), root_key=int(root_key),
                    tune_cents=float(100 * g[Gen.COARSE_TUNE] + g[Gen.FINE_TUNE] + s.pitch_correction),
                    scale_tuning=float(g[Gen.SCALE_TUNING]),
                    loop=(int(ls), int(le)) if looped else None,
                    gain=float(10 ** (-g[Gen.ATTENUATION] / 10.0 / 20.0)),
                    delay=timecents_to_seconds(g[Gen.VOL_ENV_DELAY]),
                    attack=timecents_to_seconds(g[Gen.VOL_ENV_ATTACK]),
                    hold=timecents_to_seconds(g[Gen.VOL_ENV_HOLD] + key_scaled * g[Gen.KEY_TO_VOL_ENV_HOLD]),
                    decay=timecents_to_seconds(g[Gen.VOL_ENV_DECAY] + key_scaled * g[Gen.KEY_TO_VOL_ENV_DECAY]),
                    sustain_db=max(0.0, g[Gen.VOL_ENV_SUSTAIN] / 10.0),
                    release=min(MAX_RELEASE, timecents_to_seconds(g[Gen.VOL_ENV_RELEASE])),
                    cutoff_hz=cutoff_hz(g), exclusive=int(g[Gen.EXCLUSIVE_CLASS]), zone=(id(pz), id(iz)))))
        self._voice_cache[ck] = out
        return [v for rng, v in out if _in_range(rng, velocity)]

    def render_note(self, bank: int, program: int, key: int, velocity: int, seconds: float, sr: int, *,
                    out: np.ndarray | None = None) -> np.ndarray:
        """Audio of one note held for ``seconds``, plus its release, at ``sr`` Hz (mono float32).

        Every layer is resampled from its root key to the note's pitch; a
        looped layer repeats its loop for as long as the note is held, an
        unlooped one plays to its end. At note-off the sound fades over the
        zone's release time. The held sound is computed once per key and
        cut to length for each note.

        Parameters
        ----------
        out : np.ndarray or None
            A work array to write the note into (a view of it is returned,
            valid until the next call); None: a new array.

        Returns
        -------
        np.ndarray
            Shape ``(n,)``, at most ``(seconds + release) * sr`` samples
            (an unlooped sample may end sooner).
        """
        n_on = max(1, int(round(seconds * sr / 64)) * 64)  # note lengths on a 3 ms grid
        velocity = max(1, min(127, int(velocity)))
        if self._note_bytes > NOTE_CACHE_BYTES:  # bound the memory a long run can take
            self._evict(NOTE_CACHE_BYTES * 3 // 4)
        voices = self.voices(bank, program, key, velocity)
        if not voices:
            return np.zeros(0, np.float32)
        release = max(v.release for v in voices)
        n = n_on + int(release * sr)
        held = self._held(bank, program, int(key), voices, n, sr)[:n]
        gain = np.float32((max(1, velocity) / 127.0) ** 2)  # SF2's concave velocity curve, roughly
        # into the caller's work array if it has one: a fresh array per note is page-faulted in every time
        out = held * gain if out is None or len(out) < len(held) else np.multiply(held, gain, out=out[: len(held)])
        if len(out) > n_on:
            out[n_on:] *= self._release_ramp(release, sr)[: len(out) - n_on]
        return out

    def _evict(self, keep_bytes: int) -> None:
        """Forget the held notes used longest ago until at most ``keep_bytes`` remain (a song's drums stay)."""
        for ck in list(self._held_cache):  # least recently used first: _held moves a used note to the end
            if self._note_bytes <= keep_bytes:
                break
            self._note_bytes -= self._held_cache.pop(ck).nbytes
            self._held_state.pop(ck, None)
            self._complete.discard(ck)

    def _release_ramp(self, release: float, sr: int) -> np.ndarray:
        """The fall after note-off: 100 dB over the release time (cached per release time)."""
        ck = (release, sr)
        ramp = self._ramps.get(ck)
        if ramp is None:
            t = np.arange(int(release * sr) + 1, dtype=np.float32) / sr
            ramp = self._ramps[ck] = (10 ** (-(t * (100.0 / max(release, 1e-3))) / 20)).astype(np.float32)
        return ramp

    def _held(self, bank, program, key, voices, n, sr) -> np.ndarray:
        """The note held down for ``n`` samples, all layers summed (cached, grown on demand).

        A longer note than the cached one extends it: only the new samples
        are computed, each layer's filter resuming from its saved state, so
        the result is the same as rendering the whole length at once.
        """
        ck = (bank, program, key, tuple(v.zone for v in voices), sr)
        got = self._held_cache.get(ck)
        if got is not None and (len(got) >= n or ck in self._complete):
            self._held_cache[ck] = self._held_cache.pop(ck)  # to the end: the dict's order is the order of last use
            return got
        start = 0 if got is None else len(got)
        length = max(n, int(0.5 * sr), 2 * start)
        states = self._held_state.get(ck) or [(None, False)] * len(voices)  # per layer: filter state, ended
        new = np.zeros(length - start, np.float32)
        end, next_states = 0, []
        for v, (zi, ended) in zip(voices, states):
            if ended:  # an unlooped layer that has played to its end
                next_states.append((zi, True))
                continue
            y, zf = play_voice(v, key, start, length, sr, zi)
            new[: len(y)] += y
            end = max(end, len(y))
            next_states.append((zf, len(y) < length - start))
        total = new if got is None else np.concatenate([got, new])
        if end < length - start:  # every layer ended (unlooped): the held note is complete at this length
            total = total[: max(start + end, 1)]
            self._complete.add(ck)
        self._held_cache.pop(ck, None)  # only now, when all is computed: an interrupted render leaves the old note
        self._held_cache[ck] = total
        self._held_state[ck] = next_states
        self._note_bytes += total.nbytes - (0 if got is None else got.nbytes)
        return total


class _QuietSf2utils(logging.Filter):
    def filter(self, record):  # noqa: A003
        return "sf2utils" not in record.pathname


def _in_range(rng, x) -> bool:
    return rng is None or rng[0] <= x <= rng[1]


def _intersect_ranges(a, b):
    """Intersection of two velocity ranges (None: all velocities)."""
    if a is None:
        return b
    if b is None:
        return a
    return (max(a[0], b[0]), min(a[1], b[1]))


def _generators(bag) -> dict:
    return {} if bag is None else {o: g.short for o, g in bag.gens.items() if o not in (Gen.KEY_RANGE, Gen.VEL_RANGE)}


def load_soundfont(path=None) -> SoundFont:
    """The SoundFont, loaded once per process (``path`` None: the default one).

    Notebook: 01_mel_spectrograms.ipynb
    """
    if path is not None:
        return SoundFont(path)
    return _default_soundfont(os.getpid())


@functools.lru_cache(maxsize=1)
def _default_soundfont(pid: int) -> SoundFont:
    """The default SoundFont of process ``pid``: a forked worker loads its own instead of sharing its parent's."""
    return SoundFont()
