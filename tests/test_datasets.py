import logging
import os

import pytest

import genre_lab as gl
from genre_lab import config, datasets


def test_original_au_layout_sorted_and_relative(au_root):
    tracks = gl.find_tracks(au_root, ["metal", "reggae"])
    assert list(tracks.columns) == ["track_id", "genre", "path"]
    assert tracks["track_id"].tolist() == [f"metal.{k:05d}" for k in range(3)] + [f"reggae.{k:05d}" for k in range(3)]
    assert tracks["path"].iloc[0] == "genres/metal/metal.00000.au"  # relative to the root, POSIX


def test_genre_order_follows_selection(au_root):
    tracks = gl.find_tracks(au_root, ["reggae", "metal"])
    assert tracks["genre"].tolist() == ["reggae"] * 3 + ["metal"] * 3


def test_macos_and_stray_files_are_ignored(au_root):
    tracks, skipped = gl.scan_dataset(au_root, ["metal", "reggae"])
    assert not any(p.split("/")[-1].startswith("._") for p in tracks["path"])
    assert "notes.au" not in " ".join(tracks["path"]) and skipped.empty


def test_wav_copy_layout_skips_bad_files_with_reasons(wav_root, caplog):
    with caplog.at_level(logging.WARNING, logger="genre_lab"):
        tracks, skipped = gl.scan_dataset(wav_root, ["jazz", "hiphop", "classical"])
    assert tracks["track_id"].tolist() == ["jazz.00053", "jazz.00055", "hiphop.00054", "hiphop.00055",
                                           "classical.00053", "classical.00054"]
    assert tracks["path"].iloc[0] == "genres_original/jazz/jazz.00053.wav"
    reasons = dict(zip(skipped["path"].str.split("/").str[-1], skipped["reason"]))
    assert set(reasons) == {"jazz.00054.wav", "hiphop.00053.wav", "classical.00055.wav"}
    assert "known-bad" in reasons["jazz.00054.wav"]
    assert "empty" in reasons["classical.00055.wav"]
    assert "unreadable" in reasons["hiphop.00053.wav"]
    assert "hiphop.00053.wav" in caplog.text  # the warning names the file


def test_known_bad_file_costs_no_decode(wav_root, monkeypatch):
    import soundfile

    opened = []
    real = soundfile.info
    monkeypatch.setattr(soundfile, "info", lambda p, *a, **k: opened.append(str(p)) or real(p, *a, **k))
    gl.scan_dataset(wav_root, ["jazz", "hiphop"])
    assert not any(p.endswith("jazz.00054.wav") for p in opened)


def test_both_layouts_under_one_root(au_root, wav_root):
    import shutil

    shutil.copytree(wav_root / "genres_original", au_root / "genres_original")
    tracks = gl.find_tracks(au_root, ["metal", "jazz"])
    assert {p.split("/")[0] for p in tracks["path"]} == {"genres", "genres_original"}


def test_unknown_genre_raises_with_valid_list(au_root):
    with pytest.raises(ValueError, match="Valid genres: blues, classical"):
        gl.find_tracks(au_root, ["metal", "polka"])


def test_missing_root_says_how_to_get_data(tmp_path):
    with pytest.raises(gl.DatasetError) as err:
        gl.find_tracks(tmp_path / "nowhere")
    assert "genre-lab make-demo" in str(err.value) and "GENRE_LAB_DATA" in str(err.value)


def test_root_without_audio_says_how_to_get_data(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(gl.DatasetError, match="make-demo"):
        gl.find_tracks(tmp_path / "empty")


def test_genre_missing_from_demo_data_is_explained(au_root):
    with pytest.raises(gl.DatasetError, match="jazz"):
        gl.find_tracks(au_root, ["metal", "jazz"])


def test_default_root_is_generated_on_first_use(tmp_path, monkeypatch):
    target = tmp_path / "data" / "demo"
    monkeypatch.setattr(config, "default_data_root", lambda: target)
    monkeypatch.setattr(datasets, "default_data_root", lambda: target)
    monkeypatch.setattr(gl.demo.dataset, "default_data_root", lambda: target)
    root = gl.ensure_dataset(clips_per_genre=1)
    assert root == gl.Dataset(target, "synthetic demo") and root / "genres" == target / "genres"
    assert gl.dataset_kind(root) == "synthetic demo" and os.fspath(root) == str(target)
    assert len(gl.find_tracks(root)) == 5
    mtime = (target / "genres" / "metal" / "metal.00000.au").stat().st_mtime_ns
    gl.ensure_dataset(clips_per_genre=1)  # second use: nothing regenerated
    assert (target / "genres" / "metal" / "metal.00000.au").stat().st_mtime_ns == mtime


def test_named_root_is_never_generated(tmp_path, monkeypatch):
    monkeypatch.setenv("GENRE_LAB_DATA", str(tmp_path / "my_gtzan"))
    with pytest.raises(gl.DatasetError, match="does not exist"):
        gl.ensure_dataset()
    assert not (tmp_path / "my_gtzan").exists()
