import dataclasses

import pytest

import genre_lab as gl


def test_frame_count_is_derived_from_parameters():
    assert gl.AUDIO.n_samples == 9 * 22_050
    assert gl.AUDIO.n_frames == 1 + 198_450 // 512 == 388
    assert gl.AUDIO.feature_shape == (388, 128)
    other = gl.AudioParams(hop_length=1024)
    assert other.n_frames == 1 + 198_450 // 1024


def test_audio_params_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        gl.AUDIO.sample_rate = 44_100


def test_default_and_all_genres_are_selectable():
    assert gl.check_genres(None) == ("metal", "classical", "hiphop", "country", "reggae")
    assert gl.check_genres("all") == gl.GTZAN_GENRES and len(gl.GTZAN_GENRES) == 10
    assert gl.check_genres("jazz,blues") == ("jazz", "blues")


def test_unknown_genre_lists_valid_names_and_suggests():
    with pytest.raises(ValueError) as err:
        gl.check_genres(["metal", "hip-hop"])
    msg = str(err.value)
    assert "did you mean 'hiphop'" in msg
    for g in gl.GTZAN_GENRES:
        assert g in msg


def test_data_root_setting(monkeypatch, tmp_path):
    assert gl.data_root() == gl.config.default_data_root()
    monkeypatch.setenv("GENRE_LAB_DATA", str(tmp_path))
    assert gl.data_root() == tmp_path
    assert gl.data_root(tmp_path / "x") == tmp_path / "x"
