"""Song-level split: sizes, stratification, determinism, manifests and list files."""

import logging

import pandas as pd
import pytest

import genre_lab as gl

GENRES = ["metal", "classical", "hiphop", "country", "reggae"]


def table(per_genre=100, genres=GENRES):
    ids = [f"{g}.{k:05d}" for g in genres for k in range(per_genre)]
    return pd.DataFrame({"track_id": ids, "genre": [i.split(".")[0] for i in ids],
                         "path": [f"genres/{i.split('.')[0]}/{i}.au" for i in ids]})


def test_500_songs_split_375_75_50_stratified():
    split = gl.split_tracks(table(), seed=2018)
    counts = split["split"].value_counts()
    assert (counts["train"], counts["test"], counts["validation"]) == (375, 75, 50)
    per = split.groupby(["split", "genre"]).size().unstack()
    assert (per.loc["train"] == 75).all() and (per.loc["test"] == 15).all() and (per.loc["validation"] == 10).all()
    assert list(split["track_id"]) == list(table()["track_id"])  # same row order as the input


def test_split_is_deterministic_and_seed_dependent():
    a = gl.split_tracks(table(), seed=1)
    b = gl.split_tracks(table(), seed=1)
    c = gl.split_tracks(table(), seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a["split"].equals(c["split"])


def test_no_song_in_two_sets_and_windows_are_refused():
    split = gl.split_tracks(table(20), seed=0)
    assert split["track_id"].is_unique
    assert set(split["split"]) == set(gl.SPLITS)
    windows = pd.concat([table(20), table(20)])  # each song twice, as windows would be
    with pytest.raises(ValueError, match="split songs, not windows"):
        gl.split_tracks(windows)


def test_fractions_must_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1"):
        gl.split_tracks(table(), train=0.8, test=0.15, validation=0.1)


def test_manifest_round_trip_and_reload(tmp_path):
    tracks = table(20)
    first = gl.load_or_make_split(tracks, tmp_path, seed=3)
    path = gl.manifest_path(tmp_path, GENRES, 3)
    assert path.is_file() and path.parent == tmp_path / "splits"
    saved = gl.load_manifest(path)
    assert list(saved.columns) == ["track_id", "genre", "split"]
    assert dict(zip(saved["track_id"], saved["split"])) == dict(zip(first["track_id"], first["split"]))
    # edit the manifest by hand: the edit is what is reloaded, not a recomputed split
    saved.loc[0, "split"] = "test" if saved.loc[0, "split"] != "test" else "train"
    gl.save_manifest(saved, path)
    again = gl.load_or_make_split(tracks, tmp_path, seed=3)
    assert again.loc[again["track_id"] == saved.loc[0, "track_id"], "split"].item() == saved.loc[0, "split"]


def test_manifest_that_no_longer_matches_the_tracks_is_refused(tmp_path):
    gl.load_or_make_split(table(20), tmp_path, seed=3)
    fewer = table(20).iloc[:-1]
    with pytest.raises(ValueError, match="does not match the tracks on disk.*Delete"):
        gl.load_or_make_split(fewer, tmp_path, seed=3)


def test_corrupt_manifest_is_refused(tmp_path):
    bad = tmp_path / "m.csv"
    pd.DataFrame({"track_id": ["a", "a"], "genre": ["x", "x"], "split": ["train", "test"]}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="more than once"):
        gl.load_manifest(bad)
    pd.DataFrame({"track_id": ["a"], "genre": ["x"], "split": ["dev"]}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="unknown split names"):
        gl.load_manifest(bad)


def test_split_from_list_files_reports_missing_entries(tmp_path, caplog):
    tracks = table(4, ["metal", "reggae"]).query("track_id != 'reggae.00003'")
    (tmp_path / "train.txt").write_text("metal/metal.00000.wav\nmetal/metal.00001.wav\nreggae/reggae.00000.wav\n"
                                        "jazz/jazz.00054.wav\n")  # jazz is not selected: ignored
    (tmp_path / "valid.txt").write_text("metal/metal.00002.wav\nreggae/reggae.00001.wav\n")
    (tmp_path / "test.txt").write_text("metal/metal.00003.wav\nreggae/reggae.00002.wav\nreggae/reggae.00003.wav\n"
                                       "reggae/reggae.00099.wav\n")
    with caplog.at_level(logging.WARNING):
        split, missing = gl.split_from_lists(tracks, train=tmp_path / "train.txt", validation=tmp_path / "valid.txt",
                                             test=tmp_path / "test.txt")
    assert split["split"].value_counts().to_dict() == {"train": 3, "test": 2, "validation": 2}
    assert split.set_index("track_id").loc["metal.00002", "split"] == "validation"
    assert missing.to_dict(orient="records") == [
        {"entry": "reggae/reggae.00003.wav", "split": "test"}, {"entry": "reggae/reggae.00099.wav", "split": "test"}]
    assert "not on disk" in caplog.text


def test_list_files_may_not_put_a_song_in_two_sets(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / name).write_text("metal/metal.00000.wav\n" if name != "c" else "")
    with pytest.raises(ValueError, match="in both train and validation"):
        gl.split_from_lists(table(2, ["metal"]), train=tmp_path / "a", validation=tmp_path / "b", test=tmp_path / "c")
