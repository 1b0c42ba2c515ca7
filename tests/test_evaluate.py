"""Metrics on hand-made cases, song-level voting, and the MFCC baseline."""

import json

import numpy as np
import pytest

import genre_lab as gl


def test_confusion_rows_are_true_labels():
    # 3 clips of genre 0, all predicted 1; 1 clip of genre 1, predicted 1.
    # Rows = true: [[0, 3], [0, 1]]. Swapped arguments (the 2018 bug) would give [[0, 0], [3, 1]].
    y_true, y_pred = [0, 0, 0, 1], [1, 1, 1, 1]
    cm = gl.confusion(y_true, y_pred, 2)
    assert cm.tolist() == [[0, 3], [0, 1]]
    assert gl.confusion(y_pred, y_true, 2).tolist() != cm.tolist()
    recall = gl.normalize_confusion(cm, "true")
    precision = gl.normalize_confusion(cm, "pred")
    assert recall.tolist() == [[0.0, 1.0], [0.0, 1.0]]       # rows sum to 1 where a genre has clips
    assert precision.tolist() == [[0.0, 0.75], [0.0, 0.25]]  # columns sum to 1; never-predicted column: 0, not NaN
    assert gl.confusion([0], [0], 3).shape == (3, 3)         # genres never seen still get a row and a column


def test_classification_table_matches_the_confusion_matrix():
    y_true, y_pred = [0, 0, 0, 1, 2, 2], [0, 1, 1, 1, 2, 0]
    t = gl.classification_table(y_true, y_pred, ["metal", "reggae", "hiphop"])
    assert t.loc["metal", "recall"] == pytest.approx(1 / 3)
    assert t.loc["reggae", "precision"] == pytest.approx(1 / 3)
    assert t.loc["hiphop", "support"] == 2 and t["support"].dtype.kind == "i"
    assert list(t.index) == ["metal", "reggae", "hiphop", "macro avg", "weighted avg"]  # accuracy is not a row


def test_most_confused_ranks_pairs_true_then_predicted():
    cm = np.array([[5, 0, 0], [1, 2, 4], [0, 2, 6]])
    top = gl.most_confused(cm, ["metal", "reggae", "hiphop"], k=2)
    assert top[["true", "predicted", "count"]].values.tolist() == [["reggae", "hiphop", 4], ["hiphop", "reggae", 2]]
    assert top["share"].iloc[0] == pytest.approx(4 / 7)


def test_song_voting_can_overturn_the_first_window():
    # Song "a": the first window says genre 0 (a misleading intro), the next two say genre 1.
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]])
    songs, song_p = gl.song_probabilities(proba, ["a", "a", "a", "b"])
    assert list(songs) == ["a", "b"]
    assert song_p[0] == pytest.approx([1.4 / 3, 1.6 / 3])
    assert song_p.argmax(1).tolist() == [1, 0] and proba[0].argmax() == 0
    with pytest.raises(ValueError, match="track ids"):
        gl.song_probabilities(proba, ["a"])


def test_top_k_orders_genres_by_probability():
    t = gl.top_k(np.array([[0.1, 0.6, 0.3]]), ["metal", "reggae", "hiphop"], k=2)
    assert t.iloc[0].tolist() == ["reggae", 0.6, "hiphop", 0.3]


def test_mfcc_stats_shape():
    X = np.random.default_rng(0).normal(-40, 10, (3, 388, 128)).astype(np.float32)
    assert gl.mfcc_stats(X, n_mfcc=13).shape == (3, 26)
    with pytest.raises(ValueError, match="n_clips"):
        gl.mfcc_stats(X[0])


def test_baseline_beats_chance_on_a_small_demo_set(tmp_path):
    root = tmp_path / "demo"
    gl.make_demo_dataset(root, clips_per_genre=16, seed=11, seconds=9.0, n_jobs=2)
    tracks = gl.find_tracks(root)
    feats = gl.extract_features(tracks, root, n_jobs=2)
    split = gl.split_tracks(tracks.assign(), train=0.5, test=0.5, validation=0.0, seed=0)
    y = tracks["genre"].map({g: i for i, g in enumerate(gl.DEFAULT_GENRES)}).to_numpy()
    Z = gl.mfcc_stats(feats.X)
    tr, te = (split["split"] == "train").to_numpy(), (split["split"] == "test").to_numpy()
    base = gl.make_baseline().fit(Z[tr], y[tr])
    acc = gl.accuracy(y[te], base.predict(Z[te]))
    assert acc >= 0.4, f"baseline {acc:.0%} on 40 test clips; chance is 20%"


def test_accuracy_interval_is_a_wilson_interval():
    low, high = gl.accuracy_interval(52, 75)
    assert low < 52 / 75 < high and (round(low, 3), round(high, 3)) == (0.582, 0.786)
    assert gl.accuracy_interval(0, 10)[0] == 0.0 and gl.accuracy_interval(10, 10)[1] == 1.0


def test_one_evaluation_for_any_model_the_baseline_included(tmp_path):
    root = tmp_path / "demo"
    gl.make_demo_dataset(root, clips_per_genre=20, seed=11, seconds=12.0, n_jobs=2)
    exp = gl.load_experiment(root)
    base = gl.fit_baseline(*exp.part("train"))
    res = gl.evaluate_model(base, exp, hop_seconds=3.0)
    assert res.n == {"train": 75, "validation": 10, "test": 15} and res.data == "synthetic demo"
    assert res.accuracy["test"] >= 0.4  # chance is 20%
    low, high = res.accuracy_ci95["test"]
    assert low <= res.accuracy["test"] <= high
    assert res.n_song_vote == 15 and 0 <= res.accuracy_song_vote <= 1
    cm = np.array(res.confusion_matrix)
    assert cm.sum() == 15 and cm.sum(axis=1).tolist() == [3] * 5  # rows are the true genres
    assert len(res.top_k) == 15 and len(res.top_k[0]["top"]) == 3
    assert set(res.classification_report) >= set(gl.DEFAULT_GENRES)
    as_json = res.to_json()
    assert list(as_json) == [  # the fields of `genre-lab evaluate --json` (before "model"), an interface
        "genres", "data", "split", "accuracy", "accuracy_ci95", "n", "confusion_matrix", "classification_report",
        "most_confused", "top_k", "accuracy_song_vote", "accuracy_song_vote_ci95", "confusion_matrix_song_vote",
        "n_song_vote"]
    assert as_json["accuracy"] == res.accuracy
    json.dumps(as_json)  # plain JSON types only
