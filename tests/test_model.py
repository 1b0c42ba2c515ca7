"""The reference CNN: shape check, seeded training, save/load and its refusals.

These import Keras (about 4 s) and train tiny runs on random data with a
learnable signal, so they stay fast.
"""

import json

import numpy as np
import pytest

import genre_lab as gl

pytestmark = pytest.mark.keras
GENRES = ("metal", "classical", "hiphop")


def toy_data(n=24, seed=0):
    """Clips whose class sets which third of the mel bands is loud: learnable in a few epochs."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(-50, 5, (n, 388, 128)).astype(np.float32)
    for i, c in enumerate(y):
        X[i, :, 40 * c:40 * c + 40] += 30
    return X, y


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    X, y = toy_data()
    mean, var = gl.band_statistics(X)
    model = gl.build_reference_cnn(3, band_mean=mean, band_var=var, seed=1)
    history = gl.train_model(model, X, y, X[:6], y[:6], epochs=3, batch_size=8, seed=1, verbose=0)
    path = gl.save_model(model, tmp_path_factory.mktemp("m") / "toy.keras", genres=GENRES, history=history, seed=1)
    return model, history, path, X


def test_reference_cnn_takes_time_by_mel():
    model = gl.build_reference_cnn(5, seed=0)
    assert model.input_shape == (None, 388, 128)
    assert model.output_shape == (None, 5)
    convs = [layer for layer in model.layers if layer.name.startswith("conv")]
    assert [c.filters for c in convs] == [128, 128]
    assert [layer.name for layer in model.layers if layer.name.startswith("pool")] == ["pool1", "pool2"]
    assert model.get_layer("pool1").output.shape[1] == 386 // 3  # pooled along time, not along mel bands
    assert type(model.optimizer).__name__ == "SGD"


def test_historical_variant_convolves_over_mel_bands():
    model = gl.build_historical_cnn(5, seed=0)
    assert model.input_shape == (None, 128, 388)
    assert model.name == "historical-2018"


def test_transposed_input_gets_an_explaining_error():
    X = np.zeros((2, 128, 388), np.float32)
    with pytest.raises(ValueError, match=r"transposed layout.*transpose\(0, 2, 1\)"):
        gl.check_input(X)
    with pytest.raises(ValueError, match=r"X\[None\]"):
        gl.check_input(np.zeros((388, 128)))
    gl.check_input(np.zeros((1, 388, 128)))
    gl.check_input(X, layout="historical-2018")


def test_a_short_training_run_lowers_the_loss(trained):
    _, history, _, _ = trained
    assert set(history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert len(history["loss"]) == 3
    assert history["loss"][-1] < history["loss"][0]


def test_training_is_seeded():
    X, y = toy_data(12)
    runs = []
    for _ in range(2):
        model = gl.build_reference_cnn(3, seed=5)
        runs.append(gl.train_model(model, X, y, epochs=1, batch_size=4, seed=5, verbose=0)["loss"])
    assert runs[0] == runs[1]


def test_a_cached_training_is_loaded_only_when_everything_matches(capsys):
    X, y = toy_data(12)
    first = gl.build_reference_cnn(3, seed=5)
    history = gl.train_model(first, X, y, X[:4], y[:4], epochs=2, batch_size=4, seed=5, verbose=1, cache=True)
    trained_lines = capsys.readouterr().out.splitlines()
    again = gl.build_reference_cnn(3, seed=5)
    assert gl.train_model(again, X, y, X[:4], y[:4], epochs=2, batch_size=4, seed=5, verbose=1, cache=True) == history
    out = capsys.readouterr().out.splitlines()
    assert "ran before" in out[0] and out[1:] == trained_lines  # the same epoch lines, printed again
    np.testing.assert_array_equal(gl.predict_proba(again, X), gl.predict_proba(first, X))
    for changed in ({"seed": 6}, {"epochs": 1}, {"y": (y + 1) % 3}):  # anything else: trained anew
        kw = {"epochs": 2, "seed": 5, "y": y, **changed}
        model = gl.build_reference_cnn(3, seed=5)
        gl.train_model(model, X, kw["y"], X[:4], y[:4], epochs=kw["epochs"], batch_size=4, seed=kw["seed"],
                       verbose=1, cache=True)
        assert "ran before" not in capsys.readouterr().out
    stored = next((gl.config.models_dir() / "trained").glob("*.weights.h5"))
    stored.write_bytes(b"damaged")  # a damaged cache entry is trained again, not an error
    model = gl.build_reference_cnn(3, seed=5)
    gl.train_model(model, X, y, X[:4], y[:4], epochs=2, batch_size=4, seed=5, verbose=0, cache=True)


def test_save_and_load_round_trip(trained):
    model, _, path, X = trained
    assert path.is_file() and path.with_suffix(".json").is_file()
    loaded, meta = gl.load_model(path, genres=GENRES)
    assert meta["genres"] == list(GENRES) and meta["layout"] == "reference" and meta["seed"] == 1
    assert meta["audio"]["n_mels"] == 128 and meta["input_shape"] == [388, 128]
    np.testing.assert_allclose(gl.predict_proba(loaded, X[:4]), gl.predict_proba(model, X[:4]), atol=1e-5)


def test_load_refuses_a_different_genre_list(trained):
    path = trained[2]
    with pytest.raises(ValueError, match="trained on genres"):
        gl.load_model(path, genres=("metal", "hiphop", "classical"))  # same genres, other order


def test_load_refuses_a_different_input_shape(trained, tmp_path):
    path = trained[2]
    bad = tmp_path / "bad.keras"
    bad.write_bytes(path.read_bytes())
    meta = json.loads(path.with_suffix(".json").read_text())
    bad.with_suffix(".json").write_text(json.dumps({**meta, "layout": "historical-2018"}))
    with pytest.raises(ValueError, match=r"layout 'historical-2018' but the model takes \(388, 128\)"):
        gl.load_model(bad)


def test_load_refuses_other_audio_parameters_and_missing_metadata(trained, tmp_path):
    path = trained[2]
    other = gl.AudioParams(n_mels=96)
    with pytest.raises(ValueError, match="audio parameters"):
        gl.load_model(path, params=other)
    lone = tmp_path / "lone.keras"
    lone.write_bytes(path.read_bytes())
    with pytest.raises(FileNotFoundError, match="no metadata"):
        gl.load_model(lone)
    with pytest.raises(FileNotFoundError, match="train one"):
        gl.load_model(tmp_path / "none.keras")


def test_occlusion_map_has_the_feature_layout(trained):
    model, _, _, X = trained
    heat = gl.occlusion_map(model, X[0], frames=97, bands=32)
    assert heat.shape == (388, 128)
    assert np.isfinite(heat).all()
