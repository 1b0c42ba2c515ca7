import logging

import numpy as np
import pytest

import genre_lab as gl
from tests.conftest import tone, write

SHAPE = gl.AUDIO.feature_shape


def test_clip_feature_shape_dtype_and_range(au_root):
    X, padded = gl.clip_feature(au_root / "genres/metal/metal.00000.au")
    assert X.shape == SHAPE == (388, 128) and X.dtype == np.float32
    assert padded == 0.0
    assert X.max() == pytest.approx(0.0) and X.min() >= -gl.AUDIO.top_db


def test_stereo_44k_is_mixed_down_and_resampled(tmp_path):
    mono = write(tmp_path / "mono.wav", tone(10, 440))
    stereo = write(tmp_path / "stereo.wav", tone(10, 440, sr=44_100, channels=2), sr=44_100)
    y = gl.load_audio(stereo)
    assert y.ndim == 1 and abs(len(y) - 10 * 22_050) <= 1
    a, _ = gl.clip_feature(mono)
    b, _ = gl.clip_feature(stereo)
    assert b.shape == SHAPE
    # same tone, same spectrum: the strongest band agrees
    assert np.argmax(a.mean(0)) == np.argmax(b.mean(0))


def test_short_clip_is_padded_and_reported(tmp_path, caplog):
    short = write(tmp_path / "short.wav", tone(4))
    with caplog.at_level(logging.WARNING, logger="genre_lab"):
        X, padded = gl.clip_feature(short)
    assert X.shape == SHAPE
    assert padded == pytest.approx(5.0, abs=1e-3)
    assert "short.wav" in caplog.text and "padded" in caplog.text


def test_silent_clip_gives_finite_values(tmp_path):
    silent = write(tmp_path / "silent.wav", np.zeros(10 * 22_050, np.float32))
    X, _ = gl.clip_feature(silent)
    assert np.isfinite(X).all()


def test_batch_log_mel_equals_per_clip():
    ys = np.stack([tone(9, 220), 0.01 * tone(9, 880, seed=3)])
    batch = gl.log_mel(ys)
    assert batch.shape == (2, *SHAPE)
    for i in range(2):  # per-clip reference: a quiet clip is not measured against a loud one
        np.testing.assert_allclose(batch[i], gl.log_mel(ys[i]), atol=1e-4)


def test_windows_cover_the_track_and_match_single_clips():
    y = tone(30, 330)
    X, starts = gl.window_features(y, hop_seconds=4.5)
    assert X.shape[1:] == SHAPE and len(X) == len(starts) == 5
    np.testing.assert_allclose(np.diff(starts), 194 * 512 / 22_050)
    # interior frames of a window equal the feature of the same 9 s cut out on its own
    i0 = int(round(starts[2] * 22_050))
    alone = gl.log_mel(y[i0:i0 + gl.AUDIO.n_samples])
    np.testing.assert_allclose(X[2][3:-3], alone[3:-3], atol=1e-3)


def test_window_of_short_audio_is_padded_to_one_window():
    X, starts = gl.window_features(tone(3))
    assert X.shape == (1, *SHAPE) and starts.tolist() == [0.0]


def test_extract_features_caches_and_reloads(au_root):
    tracks = gl.find_tracks(au_root, ["metal", "reggae"])
    first = gl.extract_features(tracks, au_root, n_jobs=2)
    assert first.X.shape == (6, *SHAPE) and not first.from_cache
    assert first.tracks["track_id"].tolist() == tracks["track_id"].tolist()
    again = gl.extract_features(tracks, au_root, n_jobs=2)
    assert again.from_cache
    np.testing.assert_array_equal(first.X, again.X)
    assert again.tracks["track_id"].tolist() == tracks["track_id"].tolist()


def test_cache_invalidated_by_parameter_change(au_root):
    tracks = gl.find_tracks(au_root, ["metal", "reggae"])
    gl.extract_features(tracks, au_root)
    other = gl.extract_features(tracks, au_root, params=gl.AudioParams(n_mels=64))
    assert not other.from_cache and other.X.shape == (6, 388, 64)


def test_cache_invalidated_when_a_file_changes(au_root):
    tracks = gl.find_tracks(au_root, ["metal", "reggae"])
    gl.extract_features(tracks, au_root)
    write(au_root / "genres/metal/metal.00001.au", tone(10, 999))
    assert not gl.extract_features(tracks, au_root).from_cache


def test_interrupted_cache_write_is_not_loaded(au_root, caplog):
    tracks = gl.find_tracks(au_root, ["metal", "reggae"])
    good = gl.extract_features(tracks, au_root)
    cache_file = next(gl.config.cache_dir().glob("clip-*.npz"))
    # a writer killed half-way: a leftover temporary file, and a truncated file where the cache should be
    (cache_file.parent / f".{cache_file.name}.999.tmp").write_bytes(cache_file.read_bytes()[:1000])
    cache_file.write_bytes(cache_file.read_bytes()[: cache_file.stat().st_size // 2])
    with caplog.at_level(logging.WARNING, logger="genre_lab"):
        again = gl.extract_features(tracks, au_root)
    assert not again.from_cache and "is damaged" in caplog.text
    np.testing.assert_array_equal(good.X, again.X)
    assert gl.extract_features(tracks, au_root).from_cache  # rewritten whole


def test_undecodable_file_is_skipped_not_fatal(au_root, caplog):
    tracks = gl.find_tracks(au_root, ["metal", "reggae"])
    bad = au_root / "genres/reggae/reggae.00002.au"
    bad.write_bytes(bad.read_bytes()[:40])  # header intact, audio gone
    with caplog.at_level(logging.WARNING, logger="genre_lab"):
        fs = gl.extract_features(tracks, au_root, cache=False)
    assert len(fs.X) == len(fs.tracks) == 5
    assert fs.skipped["path"].tolist() == ["genres/reggae/reggae.00002.au"]
    assert "reggae.00002.au" in caplog.text


def test_extract_windows_rows_point_at_their_song(au_root):
    tracks = gl.find_tracks(au_root, ["metal", "reggae"])
    fs = gl.extract_windows(tracks, au_root, hop_seconds=4.5)
    assert fs.X.shape[1:] == SHAPE
    assert fs.tracks.groupby("track_id").size().tolist() == [1] * 6  # 10 s clips: one 9 s window each
    assert fs.tracks["start_s"].eq(0).all()


def test_undecodable_and_missing_files_get_clear_errors(tmp_path):
    bad = tmp_path / "upload.m4a"
    bad.write_bytes(b"hello, not audio")
    with pytest.raises(ValueError, match=r"cannot decode upload.m4a .*ffmpeg -i upload.m4a upload.wav"):
        gl.load_audio(bad)
    with pytest.raises(FileNotFoundError, match="no audio file"):
        gl.load_audio(tmp_path / "missing.mp3")


def test_a_bug_in_the_per_file_path_is_raised_not_reported_as_a_skipped_file(wav_root, monkeypatch):
    """Only what a bad file or the OS raises becomes a skipped file; a bug propagates with its traceback."""
    import genre_lab as gl
    from genre_lab import audio, features, predict

    tracks, _ = gl.scan_dataset(wav_root, ["jazz", "classical"])

    def bug(*args, **kwargs):
        raise TypeError("a bug, not a bad file")

    monkeypatch.setattr(features, "file_windows", bug)
    with pytest.raises(TypeError, match="a bug"):
        gl.extract_windows(tracks, wav_root, cache=False, n_jobs=1)
    monkeypatch.setattr(predict, "file_windows", bug)
    with pytest.raises(TypeError, match="a bug"):
        gl.predict_recording(object(), wav_root / tracks["path"][0], ["jazz", "classical"], top=1)
    monkeypatch.setattr(audio, "_read_soundfile", bug)
    with pytest.raises(TypeError, match="a bug"):
        gl.extract_features(tracks, wav_root, cache=False, n_jobs=1)


def test_a_bug_after_reading_is_not_reported_as_an_undecodable_file(tmp_path, monkeypatch):
    """Only the reading calls are guarded: a ValueError from resampling (a bug) is not 'cannot decode ... ffmpeg'."""
    import librosa

    path = write(tmp_path / "a44k.wav", tone(3.0, 330.0, sr=44_100), sr=44_100)

    def broken(*args, **kwargs):
        raise ValueError("a bug in resampling")

    monkeypatch.setattr(librosa, "resample", broken)
    with pytest.raises(ValueError, match="a bug in resampling") as err:
        gl.load_audio(path)
    assert type(err.value) is ValueError  # not an AudioError ("cannot decode ...") wrapping it
