import hashlib

import numpy as np
import pytest
import soundfile as sf

import genre_lab as gl


def _digest(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.au")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def tiny_demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "a"
    gl.make_demo_dataset(root, clips_per_genre=2, seed=7, seconds=4.0, n_jobs=2)
    return root


def test_demo_is_gtzan_shaped(tiny_demo):
    tracks, skipped = gl.scan_dataset(tiny_demo)
    assert skipped.empty and len(tracks) == 10
    assert tracks["path"].iloc[0] == "genres/metal/metal.00000.au"
    info = sf.info(tiny_demo / "genres/metal/metal.00000.au")
    assert (info.samplerate, info.channels, info.subtype, info.format) == (22_050, 1, "PCM_16", "AU")
    assert info.frames == 4 * 22_050
    assert gl.dataset_kind(tiny_demo) == "synthetic demo"
    assert "SYNTHETIC" in (tiny_demo / "GENRE_LAB_DEMO.txt").read_text()


def test_same_seed_same_bytes_different_seed_different(tiny_demo, tmp_path):
    again = gl.make_demo_dataset(tmp_path / "b", clips_per_genre=2, seed=7, seconds=4.0, n_jobs=1)
    assert _digest(again) == _digest(tiny_demo)
    other = gl.make_demo_dataset(tmp_path / "c", clips_per_genre=2, seed=8, seconds=4.0, n_jobs=1)
    assert _digest(other) != _digest(tiny_demo)


def test_existing_clips_are_kept(tiny_demo):
    path = tiny_demo / "genres/reggae/reggae.00001.au"
    mtime = path.stat().st_mtime_ns
    gl.make_demo_dataset(tiny_demo, clips_per_genre=2, seed=7, seconds=4.0)
    assert path.stat().st_mtime_ns == mtime


def test_clips_are_music_not_noise():
    y = gl.synthesize_clip("metal", 3, seconds=6.0)
    assert y.dtype == np.float32 and y.shape == (6 * 22_050,)
    assert 0.2 < np.abs(y).max() < 1.0
    # onsets: drums make the short-time energy fluctuate strongly, unlike stationary noise
    frames = y[: len(y) // 512 * 512].reshape(-1, 512)
    energy = (frames ** 2).mean(1)
    assert energy.std() / energy.mean() > 0.2


def test_genres_differ_in_the_spectrum():
    X = gl.log_mel(np.stack([gl.synthesize_clip(g, [1, 2], seconds=9.0) for g in ("classical", "metal")]))
    # classical has no drums: far less energy in the top mel bands than metal's cymbals and distortion
    assert X[0][:, 100:].mean() < X[1][:, 100:].mean()


def test_unknown_recipe_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no recipe"):
        gl.make_demo_dataset(tmp_path, genres=["jazz"], clips_per_genre=1)


def test_regenerating_with_another_seed_or_count_replaces_the_clips(tmp_path):
    root = tmp_path / "d"
    gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=3, seed=1, seconds=2.0, n_jobs=1)
    first = _digest(root)
    gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=2, seed=2, seconds=2.0, n_jobs=1)
    assert sorted(p.name for p in (root / "genres/reggae").glob("*.au")) == ["reggae.00000.au", "reggae.00001.au"]
    fresh = tmp_path / "e"
    gl.make_demo_dataset(fresh, genres=["reggae"], clips_per_genre=2, seed=2, seconds=2.0, n_jobs=1)
    assert _digest(root) == _digest(fresh) != first
    assert "complete" in (root / "GENRE_LAB_DEMO.txt").read_text().split()


def test_the_default_root_is_generated_once_and_kept_when_complete(tmp_path, monkeypatch):
    from genre_lab import config, datasets

    monkeypatch.setattr(datasets, "default_data_root", lambda: tmp_path / "demo")
    monkeypatch.setattr(config, "default_data_root", lambda: tmp_path / "demo")
    calls = []
    real = gl.make_demo_dataset

    def counting(root, **kw):
        calls.append(kw)
        return real(root, genres=["metal"], clips_per_genre=1, seconds=1.0, n_jobs=1, seed=kw.get("seed", 2018))

    monkeypatch.setattr("genre_lab.synth.make_demo_dataset", counting)
    gl.ensure_dataset()
    gl.ensure_dataset()
    assert len(calls) == 1
    marker = tmp_path / "demo" / "GENRE_LAB_DEMO.txt"
    marker.write_text(marker.read_text().replace("complete", ""))  # as if interrupted
    gl.ensure_dataset()
    assert len(calls) == 2


def test_an_interrupted_change_of_seed_never_mixes_clips(tmp_path, monkeypatch):
    from genre_lab import synth

    root = tmp_path / "d"
    gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=3, seed=1, seconds=2.0, n_jobs=1)
    real, calls = synth._write_clip, []

    def dies_after_one(*args):
        if calls:
            raise KeyboardInterrupt
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(synth, "_write_clip", dies_after_one)
    with pytest.raises(KeyboardInterrupt):
        gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=3, seed=2, seconds=2.0, n_jobs=1)
    assert not gl.read_demo_marker(root)["complete"]
    monkeypatch.setattr(synth, "_write_clip", real)
    gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=3, seed=2, seconds=2.0, n_jobs=1)
    fresh = tmp_path / "e"
    gl.make_demo_dataset(fresh, genres=["reggae"], clips_per_genre=3, seed=2, seconds=2.0, n_jobs=1)
    assert _digest(root) == _digest(fresh)


def test_a_folder_with_other_audio_is_never_overwritten(au_root):
    before = sorted(p.name for p in au_root.rglob("*.au"))
    with pytest.raises(ValueError, match="did not generate"):
        gl.make_demo_dataset(au_root, genres=["metal"], clips_per_genre=1, seconds=1.0, n_jobs=1)
    assert sorted(p.name for p in au_root.rglob("*.au")) == before


def test_ensure_dataset_finishes_an_interrupted_run_with_its_own_settings(tmp_path, monkeypatch):
    from genre_lab import config, datasets

    root = tmp_path / "demo"
    monkeypatch.setattr(datasets, "default_data_root", lambda: root)
    monkeypatch.setattr(config, "default_data_root", lambda: root)
    gl.make_demo_dataset(root, genres=["country"], clips_per_genre=2, seed=7, seconds=1.5, n_jobs=1)
    marker = root / "GENRE_LAB_DEMO.txt"
    marker.write_text(marker.read_text().replace("complete", ""))
    (root / "genres/country/country.00001.au").unlink()
    gl.ensure_dataset()
    assert gl.read_demo_marker(root) == {"complete": True, "seed": 7, "clips_per_genre": 2, "seconds": 1.5,
                                         "genres": ("country",)}
    assert sorted(p.name for p in (root / "genres/country").glob("*.au")) == ["country.00000.au", "country.00001.au"]
