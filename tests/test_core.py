"""A core you can trust: features pinned to librosa, safe writes, bad input handled, bounded memory."""

import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import threading
import time

import numpy as np
import pytest

import genre_lab as gl
from genre_lab import cache
from tests.conftest import tone, write

SR = 22_050


# ---------------------------------------------------------------- pinned to librosa

@pytest.mark.parametrize("ext,sr,channels", [("au", 22_050, 1), ("wav", 22_050, 2), ("wav", 44_100, 1),
                                             ("flac", 44_100, 2), ("ogg", 22_050, 1), ("ogg", 44_100, 2)])
def test_load_audio_equals_librosa_load(tmp_path, ext, sr, channels):
    import librosa

    subtype = "VORBIS" if ext == "ogg" else "PCM_16"
    path = write(tmp_path / f"x.{ext}", tone(6, 440, sr=sr, channels=channels), sr=sr, subtype=subtype)
    ours = gl.load_audio(path)
    ref, _ = librosa.load(str(path), sr=SR, mono=True)
    assert ours.shape == ref.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, atol=1e-6)  # same decoder, same down-mix, same resampler
    part = gl.load_audio(path, offset=1.5, duration=2.0)
    ref_part, _ = librosa.load(str(path), sr=SR, mono=True, offset=1.5, duration=2.0)
    np.testing.assert_allclose(part, ref_part, atol=1e-6)


@pytest.mark.parametrize("sr,channels", [(22_050, 1), (44_100, 2)])
def test_audio_blocks_equal_load_audio(tmp_path, sr, channels):
    path = write(tmp_path / "x.wav", tone(25, 330, sr=sr, channels=channels), sr=sr)
    whole = gl.load_audio(path)
    streamed = np.concatenate(list(gl.audio_blocks(path, block_seconds=7.0)))
    assert abs(len(streamed) - len(whole)) <= 2
    n = min(len(whole), len(streamed))
    tol = 0 if sr == SR else 2e-3  # exact at the native rate; the streaming resampler differs in rounding
    np.testing.assert_allclose(streamed[:n], whole[:n], atol=tol)


def test_log_mel_equals_librosa_melspectrogram_in_db():
    import librosa

    y = tone(9, 220) + 0.05 * tone(9, 3_000, seed=2)
    ref = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR, n_fft=1024, hop_length=512, n_mels=128),
                              ref=np.max, top_db=80.0).T
    ours = gl.log_mel(y)
    assert ours.shape == ref.shape == (388, 128)
    np.testing.assert_allclose(ours, ref, atol=1e-3)  # float32 rounding of the filterbank product


@pytest.mark.parametrize("sr,n_fft,n_mels", [(22_050, 1024, 128), (44_100, 2048, 96), (16_000, 512, 40)])
def test_filterbank_window_and_db_equal_librosa(sr, n_fft, n_mels):
    import librosa

    from genre_lab.config import AudioParams
    from genre_lab.dsp import _mel_basis, _to_db, _window

    params = AudioParams(sample_rate=sr, n_fft=n_fft, n_mels=n_mels)
    ref = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels)
    np.testing.assert_allclose(_mel_basis(params), ref, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(_window(params), librosa.filters.get_window("hann", n_fft, fftbins=True), atol=1e-7)
    S = np.random.default_rng(0).exponential(size=(3, n_mels, 50)).astype(np.float32) ** 4
    S[1] = 0.0  # a silent item: zeros, never NaN
    for item, ours in zip(S, _to_db(S, params)):
        want = librosa.power_to_db(item, ref=max(item.max(), 1e-10), amin=1e-10, top_db=None)
        np.testing.assert_allclose(ours, np.maximum(want, -80.0), atol=1e-4)


def test_extracting_features_does_not_import_librosa(au_root, tmp_path):
    code = textwrap.dedent(f"""
        import os, sys
        os.environ["GENRE_LAB_CACHE"] = {str(tmp_path / "cache")!r}
        import genre_lab as gl
        fs = gl.extract_features(gl.find_tracks({str(au_root)!r}, ["metal", "reggae"]), {str(au_root)!r})
        assert len(fs.X) > 0
        print("librosa" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # 1.8 s of import saved in every fresh process (bench/features.py)


def test_window_features_equal_librosa_per_window():
    import librosa

    y = tone(30, 330) + 0.1 * tone(30, 1_000, seed=4)
    X, starts = gl.window_features(y, hop_seconds=4.5)
    S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=1024, hop_length=512, n_mels=128)
    hop = int(round(4.5 * SR / 512))
    for i in range(len(X)):
        ref = librosa.power_to_db(S[:, i * hop:i * hop + 388], ref=np.max, top_db=80.0).T
        np.testing.assert_allclose(X[i], ref, atol=1e-3)


def test_file_windows_equal_window_features_in_memory(tmp_path):
    path = write(tmp_path / "long.wav", tone(95, 250) + 0.1 * tone(95, 2_000, seed=1))
    streamed = np.concatenate([x for x, _, _ in gl.file_windows(path, hop_seconds=4.5, batch=7)])
    in_memory, _ = gl.window_features(gl.load_audio(path), hop_seconds=4.5)
    np.testing.assert_allclose(streamed, in_memory, atol=1e-3)


# ---------------------------------------------------------------- bad input

def test_a_garbage_au_file_is_not_a_track(au_root):
    bad = au_root / "genres/metal/metal.00099.au"
    bad.write_bytes(b"not audio at all")  # libsndfile opens this as RAW 8 kHz u-law
    write(au_root / "genres/reggae/reggae.00098.au", tone(0.5))
    renamed = au_root / "genres/reggae/reggae.00097.au"
    write(renamed.with_suffix(".flac"), tone(5)).rename(renamed)  # a FLAC named .au
    tracks, skipped = gl.scan_dataset(au_root, ["metal", "reggae"])
    assert "metal.00099" not in set(tracks["track_id"])
    reasons = dict(zip(skipped["path"].str.split("/").str[-1], skipped["reason"]))
    assert "not a valid .au file" in reasons["metal.00099.au"] and "RAW" in reasons["metal.00099.au"]
    assert "too short" in reasons["reggae.00098.au"]
    assert "not a valid .au file" in reasons["reggae.00097.au"]


def test_info_json_lists_the_garbage_file_as_skipped(au_root, capsys):
    from genre_lab.cli import main

    (au_root / "genres/metal/metal.00099.au").write_bytes(b"not audio at all")
    assert main(["info", "--root", str(au_root), "--genres", "metal,reggae", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["n_tracks"] == 6
    assert any(s["path"].endswith("metal.00099.au") and "RAW" in s["reason"] for s in info["skipped"])


def test_errors_say_what_happened(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="no audio file"):
        gl.load_audio(tmp_path / "missing.wav")
    nan = write(tmp_path / "nan.wav", np.full(SR, np.nan, np.float32), subtype="FLOAT")
    with pytest.raises(gl.AudioError, match="NaN or infinite") as err:
        gl.load_audio(nan)
    assert err.value.kind == "non-finite"
    junk = tmp_path / "song.m4a"
    junk.write_bytes(b"\x00\x00\x00\x18ftypM4A " + bytes(200))
    with pytest.raises(gl.AudioError, match="cannot decode song.m4a.*ffmpeg"):
        gl.load_audio(junk)
    ok = write(tmp_path / "ok.wav", tone(3))
    with pytest.raises(gl.AudioError, match="past the end"):
        gl.load_audio(ok, offset=10.0)
    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # root ignores file modes: simulate a chmod 000
    with pytest.raises(PermissionError, match="permission denied"):
        gl.load_audio(ok)


def test_silence_is_flagged_not_hidden():
    assert gl.is_silent(np.zeros(SR, np.float32))
    assert not gl.is_silent(tone(1))


def test_a_file_that_vanishes_mid_batch_is_skipped_and_reported(au_root, caplog):
    tracks = gl.find_tracks(au_root, ["metal", "reggae"])
    (au_root / tracks["path"].iloc[1]).unlink()  # deleted between the scan and the extraction
    feats = gl.extract_features(tracks, au_root, n_jobs=1, cache=False)
    assert len(feats.X) == 5 and len(feats.skipped) == 1
    assert "no audio file" in feats.skipped["reason"].iloc[0]
    wins = gl.extract_windows(tracks, au_root, n_jobs=1, cache=False)
    assert len(wins.skipped) == 1


# ---------------------------------------------------------------- safe writes and the cache

def test_two_threads_writing_one_cache_key_both_succeed(tmp_path):
    path = tmp_path / "c" / "k.npz"
    errors = []

    def writer(value):
        try:
            for _ in range(20):
                cache.save_arrays(path, "key", X=np.full(10_000, value))
        except Exception as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(v,)) for v in (1.0, 2.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = cache.load_arrays(path, "key")
    assert got is not None and np.all(got["X"] == got["X"][0]) and got["X"][0] in (1.0, 2.0)
    assert [p.name for p in path.parent.iterdir()] == ["k.npz"]  # no temporary file left


def test_an_interrupted_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "k.npz"
    cache.save_arrays(path, "key", X=np.arange(3))
    with pytest.raises(KeyboardInterrupt):
        with cache.atomic_write(path) as tmp:
            tmp.write_bytes(b"half a file")
            raise KeyboardInterrupt
    assert cache.load_arrays(path, "key")["X"].tolist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["k.npz"]


@pytest.mark.skipif(sys.platform == "win32", reason="no fcntl: exclusive() is documented as no lock there")
def test_exclusive_makes_a_second_process_wait_then_see_the_first_ones_file(tmp_path):
    """Two processes that would train the same model take turns: the second finds it made."""
    target = tmp_path / "model.keras"
    code = textwrap.dedent(f"""
        from pathlib import Path
        from genre_lab.cache import exclusive
        target = Path({str(target)!r})
        print("ready", flush=True)
        with exclusive(target):  # held by the test: this waits until the file is made
            print("loaded" if target.exists() else "made it myself", flush=True)
    """)
    with cache.exclusive(target):
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # "training": without the lock the child would look now and find nothing
        with cache.atomic_write(target) as tmp:
            tmp.write_text("weights")
    out, _ = child.communicate(timeout=60)
    assert out.strip() == "loaded"


def test_exclusive_goes_on_without_a_lock_where_it_cannot_take_one(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the lock's folder should be")
    with cache.exclusive(blocker / "model.keras"):  # the lock file cannot be created: the block still runs
        ran = True
    assert ran


def test_only_a_proven_corrupt_cache_file_is_deleted(tmp_path, monkeypatch):
    path = tmp_path / "k.npz"
    path.write_bytes(b"PK\x03\x04 truncated zip")
    assert cache.load_arrays(path, "key") is None and not path.exists()
    cache.save_arrays(path, "key", X=np.arange(3))

    def oom(*a, **k):
        raise MemoryError

    monkeypatch.setattr(np, "load", oom)
    with pytest.raises(MemoryError):
        cache.load_arrays(path, "key")
    assert path.exists()  # not deleted for a problem that is not the file's


def test_stale_temporary_files_are_removed(tmp_path):
    stale = tmp_path / f".x.npz.abc{cache.TMP_TAG}.npz"
    fresh = tmp_path / f".y.npz.def{cache.TMP_TAG}.npz"
    stale.write_bytes(b"old")
    fresh.write_bytes(b"being written")
    old = time.time() - 2 * 86_400
    os.utime(stale, (old, old))
    assert cache.remove_stale_temporaries(tmp_path) == 1
    assert not stale.exists() and fresh.exists()


def test_the_cache_is_bounded_least_recently_used_first(tmp_path):
    for i, name in enumerate(["a", "b", "c"]):
        cache.save_arrays(tmp_path / f"{name}.npz", name, X=np.random.default_rng(i).standard_normal(50_000))
        t = time.time() - 100 + i
        os.utime(tmp_path / f"{name}.npz", (t, t))
    cache.load_arrays(tmp_path / "a.npz", "a")  # used now: the most recent
    size = (tmp_path / "b.npz").stat().st_size
    removed = cache.prune_cache(tmp_path, limit_bytes=int(2.5 * size))
    assert removed == ["b.npz"]
    assert sorted(p.name for p in tmp_path.glob("*.npz")) == ["a.npz", "c.npz"]


# ---------------------------------------------------------------- models

@pytest.mark.keras
def test_a_truncated_model_file_gives_a_clear_error(tmp_path):
    model = gl.build_reference_cnn(5)
    path = gl.save_model(model, tmp_path / "m.keras", genres=gl.DEFAULT_GENRES)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(gl.ModelFileError, match="damaged.*train again"):
        gl.load_model(path)


@pytest.mark.keras
def test_the_layout_comes_from_the_model_not_its_name(tmp_path):
    from genre_lab.model import model_layout as _layout

    model = gl.build_historical_cnn(5)
    model.name = "renamed"
    assert _layout(model) == gl.HISTORICAL
    path = gl.save_model(model, tmp_path / "h.keras", genres=gl.DEFAULT_GENRES)
    _, meta = gl.load_model(path)
    assert meta["layout"] == gl.HISTORICAL


@pytest.mark.keras
def test_lost_determinism_warns(monkeypatch):
    import tensorflow as tf

    def broken():
        raise RuntimeError("not available here")

    monkeypatch.setattr(tf.config.experimental, "enable_op_determinism", broken)
    with pytest.warns(RuntimeWarning, match="not deterministic"):
        gl.seed_everything(1)


def test_two_genre_selections_of_one_size_get_their_own_model(tmp_path):
    a = gl.Experiment(tmp_path, "GTZAN", ("metal", "jazz"), None, None, None, None, 1, "seed1")
    b = gl.Experiment(tmp_path, "GTZAN", ("blues", "rock"), None, None, None, None, 1, "seed1")
    c = gl.Experiment(tmp_path, "GTZAN", ("jazz", "metal"), None, None, None, None, 1, "seed1")
    paths = {gl.default_model_path(e) for e in (a, b, c)}
    assert len(paths) == 3


def test_a_model_of_other_data_is_never_the_default_model(tmp_path):
    """Regenerated demo data (another seed or generator) in the same folder must not load the old models."""
    import pandas as pd

    tracks = pd.DataFrame({"split": ["train", "test"]})
    X, y = np.zeros((2, 388, 128), np.float32), np.array([0, 1])

    def exp(X, split=tracks):
        return gl.Experiment(tmp_path, "synthetic demo", ("metal", "classical"), split, X, y, None, 1, "seed1")

    elsewhere = gl.Experiment(tmp_path / "copy", "synthetic demo", ("metal", "classical"), tracks, X.copy(), y.copy(),
                              None, 1, "seed1")
    assert gl.default_model_path(exp(X)) == gl.default_model_path(elsewhere)  # the same data, in another folder
    other_audio = gl.default_model_path(exp(X + 1))
    other_split = gl.default_model_path(exp(X, pd.DataFrame({"split": ["test", "train"]})))
    other_labels = gl.default_model_path(gl.Experiment(tmp_path, "synthetic demo", ("metal", "classical"), tracks, X,
                                                       y[::-1].copy(), None, 1, "seed1"))
    assert len({gl.default_model_path(exp(X)), other_audio, other_split, other_labels}) == 4


# ---------------------------------------------------------------- archives and printed paths

def test_a_sparse_archive_over_the_cap_is_refused(tmp_path):
    from genre_lab.fetch import safe_extract

    archive = tmp_path / "bomb.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("genres/metal/metal.00000.au")
        info.size = 5 * 1024 ** 2
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    with pytest.raises(gl.FetchError, match="exceed the caps"):
        safe_extract(archive, tmp_path / "out", max_bytes=1024 ** 2)
    assert not (tmp_path / "out").exists()
    many = tmp_path / "many.tar"
    with tarfile.open(many, "w") as tar:
        for i in range(30):
            tar.addfile(tarfile.TarInfo(f"f{i}"), io.BytesIO(b""))
    with pytest.raises(gl.FetchError, match="30 members"):
        safe_extract(many, tmp_path / "out2", max_members=20)


def test_printed_paths_are_shell_safe(tmp_path, monkeypatch):
    from genre_lab.cli import _for_shell

    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "$(touch pwned)"
    evil.mkdir()
    line = _for_shell(evil)
    out = subprocess.run(["bash", "-c", f"cd {line} && pwd"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.strip().endswith("$(touch pwned)")
    assert not (tmp_path / "pwned").exists()


# ---------------------------------------------------------------- bounded memory

def test_a_sixty_minute_recording_is_transformed_in_bounded_memory(tmp_path):
    """Peak RSS of the windowed features of a 60-minute file, against a 20-second one."""
    import soundfile as sf

    long = tmp_path / "hour.wav"
    with sf.SoundFile(long, "w", SR, 1, "PCM_16") as f:
        block = tone(60, 220)
        for _ in range(60):
            f.write(block)
    short = write(tmp_path / "short.wav", tone(20, 220))
    script = textwrap.dedent("""
        import resource, sys
        import numpy as np
        import genre_lab as gl
        n = 0
        for X, starts, _ in gl.file_windows(sys.argv[1], hop_seconds=1.5):
            n += len(X)
        print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    """)
    peaks = {}
    for name, path in (("short", short), ("long", long)):
        out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
        n, peak_mb = map(int, out.stdout.split())
        peaks[name] = (n, peak_mb)
    assert peaks["long"][0] == 1 + (3600 * SR // 512 + 1 - 388) // 65  # every window of the hour
    # the whole hour decoded at once would be 317 MB of float32 audio and its windows at a 1.5 s hop 1.2 GB
    assert peaks["long"][1] - peaks["short"][1] < 300, peaks


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_atomic_write_gives_the_mode_open_would(tmp_path, umask):
    """Written files get 0666 less the umask, as open() gives, without genre_lab ever changing the umask."""
    import stat
    import subprocess
    import sys

    code = (f"import os; os.umask({umask}); from pathlib import Path; from genre_lab.cache import atomic_write\n"
            f"p = Path({str(tmp_path)!r}) / 'a.txt'\n"
            "with atomic_write(p) as tmp: tmp.write_text('x')\n"
            f"assert os.umask({umask}) == {umask}\n"
            "print(oct(os.stat(p).st_mode & 0o777))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip(), 8) == 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o666 & ~umask
