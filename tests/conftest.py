"""Fixtures: tiny GTZAN-shaped datasets built in tmp_path, in both layouts, with bad files."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

SR = 22_050


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Every test gets its own cache folder and no data-root setting from the environment."""
    monkeypatch.setenv("GENRE_LAB_CACHE", str(tmp_path / "_cache"))
    monkeypatch.delenv("GENRE_LAB_DATA", raising=False)
    monkeypatch.delenv("GENRE_LAB_MUSICNN_WHEEL", raising=False)


def tone(seconds=10.0, freq=220.0, sr=SR, channels=1, seed=0):
    """A short test signal: a tone with a little noise (not silent, not clipped)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = 0.3 * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(len(t))
    y = y.astype(np.float32)
    return np.stack([y, 0.5 * y], axis=1) if channels == 2 else y


def write(path, y, sr=SR, fmt=None, subtype="PCM_16"):
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y, sr, format=fmt or path.suffix[1:].upper(), subtype=subtype)
    return path


@pytest.fixture
def au_root(tmp_path):
    """Original layout: genres/<genre>/<genre>.000NN.au, 3 clips x 2 genres, plus noise files."""
    root = tmp_path / "gtzan_au"
    for gi, g in enumerate(["metal", "reggae"]):
        for k in range(3):
            write(root / "genres" / g / f"{g}.{k:05d}.au", tone(10, 110 * (gi + 1) + 20 * k, seed=k))
        (root / "genres" / g / f"._{g}.00000.au").write_bytes(b"\x00\x05\x16\x07 macOS resource fork")
    (root / "genres" / "README.txt").write_text("stray file")
    (root / "genres" / "metal" / "notes.au").write_bytes(b"not a track name")
    return root


@pytest.fixture
def wav_root(tmp_path):
    """The wav copy's layout, including its unreadable jazz.00054.wav and a corrupt and an empty file."""
    root = tmp_path / "Data"
    base = root / "genres_original"
    for g in ["jazz", "hiphop", "classical"]:
        for k in (53, 54, 55):
            write(base / g / f"{g}.{k:05d}.wav", tone(10, 200 + k, seed=k))
    (base / "jazz" / "jazz.00054.wav").write_bytes(b"\x00" * 2048)  # 'does not start with RIFF id'
    (base / "hiphop" / "hiphop.00053.wav").write_bytes(b"RIFF\x10\x00\x00\x00garbage garbage")  # corrupt
    (base / "classical" / "classical.00055.wav").write_bytes(b"")  # zero-length
    return root
