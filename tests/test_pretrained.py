"""musicnn: the wheel fetched and checked, the input pinned to librosa, the Keras port equal to the original graph."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import genre_lab as gl
from genre_lab import cli
from genre_lab.pretrained import weights
from genre_lab.pretrained.tagging import PATCH_SECONDS

from conftest import tone, write

# ---------------------------------------------------------------------------
# The wheel
# ---------------------------------------------------------------------------


def _fake_wheel(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("musicnn/tagger.py", "import tensorflow  # musicnn's own code: never extracted")
        for folder in weights.MUSICNN_MODELS.values():
            for name in weights._CHECKPOINT_FILES:
                zf.writestr(f"musicnn/{folder}/{name}", f"{folder}{name}")
            zf.writestr(f"musicnn/{folder}/checkpoint", "model_checkpoint_path: \"/home/author/...\"")
    return path


def test_wheel_is_checked_and_only_the_checkpoints_extracted(tmp_path, monkeypatch):
    wheel = _fake_wheel(tmp_path / weights.MUSICNN_WHEEL)
    monkeypatch.setattr(weights, "MUSICNN_WHEEL_SHA256", weights._sha256(wheel))
    folder = gl.fetch_musicnn(wheel=wheel, dest=tmp_path / "cache")
    got = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert got == sorted(f"{f}/{n}" for f in ("MSD_musicnn", "MTT_musicnn") for n in weights._CHECKPOINT_FILES)
    assert (folder / "MTT_musicnn" / ".index").read_text() == "MTT_musicnn.index"
    assert not list((tmp_path / "cache").glob("*genre_lab-tmp*"))  # no temporary folder left behind
    wheel.unlink()  # second call: found, nothing read
    assert gl.fetch_musicnn(dest=tmp_path / "cache") == folder


def test_checksum_mismatch_is_refused_and_a_given_wheel_kept(tmp_path):
    wheel = _fake_wheel(tmp_path / "musicnn-0.1.0-py3-none-any.whl")
    with pytest.raises(gl.PretrainedError, match="SHA-256"):
        gl.fetch_musicnn(wheel=wheel, dest=tmp_path / "cache")
    assert wheel.is_file()  # the user's file is never deleted
    assert not (tmp_path / "cache" / "musicnn-0.1.0").exists()


def test_a_bad_download_is_deleted(tmp_path, monkeypatch):
    dest = tmp_path / "cache"

    def fake_pip(cmd, **kwargs):
        assert cmd[1:4] == ["-m", "pip", "download"] and "musicnn==0.1.0" in cmd and "--no-deps" in cmd
        _fake_wheel(Path(cmd[cmd.index("-d") + 1]) / weights.MUSICNN_WHEEL)
        return type("Done", (), {"returncode": 0, "stderr": "", "stdout": ""})()

    monkeypatch.setattr(weights.subprocess, "run", fake_pip)
    with pytest.raises(gl.PretrainedError, match="deleted"):
        gl.fetch_musicnn(dest=dest)
    assert not (dest / weights.MUSICNN_WHEEL).exists()


def test_offline_error_says_what_to_run_and_where(tmp_path, monkeypatch):
    def offline(cmd, **kwargs):
        return type("Done", (), {"returncode": 1, "stdout": "",
                                 "stderr": "ERROR: Could not find a version that satisfies the requirement"})()

    monkeypatch.setattr(weights.subprocess, "run", offline)
    monkeypatch.delenv(weights.MUSICNN_WHEEL_ENV, raising=False)
    with pytest.raises(gl.PretrainedError) as err:
        gl.fetch_musicnn(dest=tmp_path / "cache")
    text = str(err.value)
    assert "pip download musicnn==0.1.0 --no-deps --only-binary=:all:" in text
    assert str(tmp_path / "cache") in text and "--wheel" in text and weights.MUSICNN_WHEEL_ENV in text
    code = cli.main(["tag", str(tmp_path / "x.wav")])  # the command says it in one line, exit 2
    assert code == 2


def test_missing_given_wheel(tmp_path):
    with pytest.raises(gl.PretrainedError, match="no musicnn wheel"):
        gl.fetch_musicnn(wheel=tmp_path / "nope.whl", dest=tmp_path / "cache")


# ---------------------------------------------------------------------------
# The input
# ---------------------------------------------------------------------------


def test_input_pinned_to_librosa():
    import librosa

    y = tone(5.0, 330.0, sr=16_000) + tone(5.0, 97.0, sr=16_000, seed=3)
    want = librosa.feature.melspectrogram(y=y, sr=16_000, hop_length=256, n_fft=512, n_mels=96).T
    S16 = want.astype(np.float16)  # musicnn's extractor.batch_data rounds the power to float16 ...
    with np.errstate(over="ignore"):
        literal = np.log10(10000 * S16 + 1)  # ... and multiplies in float16: above 6.55 that overflows to inf
    want = np.log10(10000 * S16.astype(np.float32) + 1)  # what it means, and what we compute
    got = gl.musicnn_input(y)
    assert np.isinf(literal).any() and np.isfinite(got).all()
    finite = np.isfinite(literal)
    np.testing.assert_allclose(got[finite], literal[finite], atol=5e-3)  # float16 arithmetic rounds to 3 digits
    assert got.shape == want.shape == (1 + len(y) // 256, 96)
    # float16 rounding of nearly equal float32 powers may land one float16 step apart: 1e-3 relative at most
    np.testing.assert_allclose(got, want, atol=1e-3)
    assert np.median(np.abs(got - want)) < 1e-6


def test_patches_as_musicnn_cuts_them():
    spec = np.random.default_rng(0).random((600, 96)).astype(np.float32)
    patches, padded = gl.musicnn_patches(spec)
    assert patches.shape == (3, 187, 96) and padded == 0.0  # 600 // 187; the rest is dropped, as musicnn does
    np.testing.assert_array_equal(patches[1], spec[187:374])
    short, padded = gl.musicnn_patches(spec[:100])
    assert short.shape == (1, 187, 96) and padded == pytest.approx(87 * 256 / 16000)
    assert not short[0, 100:].any()


# ---------------------------------------------------------------------------
# The port, against the original graph (needs the real wheel: fetched once per machine)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def real_weights() -> Path:
    """The folder of the real musicnn weights in this machine's cache (pip downloads the wheel the first time)."""
    return gl.fetch_musicnn().parent


@pytest.fixture
def musicnn_wheel(real_weights, monkeypatch):
    monkeypatch.setattr(weights, "pretrained_dir", lambda: real_weights)  # not each test's own empty cache
    return real_weights


_ORIGINAL_OUTPUTS = ("model/Sigmoid", "model/dense/Relu", "model/batch_normalization_10/batchnorm/add_1")


def run_original_graph(folder: Path, X: np.ndarray) -> list[np.ndarray]:
    """musicnn's own inference graph from the wheel's .meta, in TensorFlow 1 graph mode.

    Pruned to the tags, the penultimate dense layer and its batch norm (what
    musicnn's extractor returns as ``penultimate``); ``_output_shapes`` dropped
    (the full graph fails to import on a gradient's shape); every variable
    assigned from the checkpoint.
    """
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2

    meta = meta_graph_pb2.MetaGraphDef()
    meta.ParseFromString((folder / ".meta").read_bytes())
    graph_def = tf.compat.v1.graph_util.extract_sub_graph(meta.graph_def, list(_ORIGINAL_OUTPUTS))
    for node in graph_def.node:
        if "_output_shapes" in node.attr:
            del node.attr["_output_shapes"]
        if "seed2" in node.attr:  # the (inactive) dropouts' random ops: seeded, as TF op determinism demands
            node.attr["seed"].i, node.attr["seed2"].i = 1, 1
    reader = tf.compat.v1.train.NewCheckpointReader(str(folder) + "/")
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
        variables = [n.name for n in graph_def.node if n.op == "VariableV2"]
        assign = [tf.raw_ops.Assign(ref=graph.get_tensor_by_name(f"{v}:0"), value=reader.get_tensor(v))
                  for v in variables]
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(assign)
            out = sess.run([f"{o}:0" for o in _ORIGINAL_OUTPUTS],
                           {"model/Placeholder:0": X, "model/Placeholder_2:0": False})
    assert len(variables) == 64  # every weight: 11 batch norms x 4, 8 convolutions x 2, 2 dense layers x 2
    return out


@pytest.mark.keras
@pytest.mark.parametrize("which", ["msd", "mtt"])
def test_keras_port_equals_the_original_graph(which, musicnn_wheel):
    import keras

    gl.seed_everything(7)  # TensorFlow op determinism on, as after any training in the same process
    rng = np.random.default_rng(7)
    real_shaped = np.log10(10000 * rng.gamma(0.3, 0.02, size=(3, 187, 96)) + 1).astype(np.float32)
    import soxr

    demo = gl.musicnn_input(soxr.resample(gl.synthesize_clip("metal", 3, seconds=7.0), 22_050, 16_000))
    X = np.concatenate([real_shaped, gl.musicnn_patches(demo)[0]])
    net = gl.load_musicnn(which)
    tags, embedding = net.predict(X, verbose=0)
    relu = keras.Model(net.input, net.get_layer("penultimate_dense").output).predict(X, verbose=0)
    want_tags, want_relu, want_embedding = run_original_graph(weights.musicnn_checkpoint(which), X)
    assert tags.shape == (5, 50) and embedding.shape == (5, 200) and len(net.weights) == 64  # 3 + 2 patches
    assert np.abs(tags - want_tags).max() <= 1e-4
    assert np.abs(relu - want_relu).max() <= 1e-4
    assert np.abs(embedding - want_embedding).max() <= 1e-4
    assert tags.std() > 0.01  # not a constant: the weights are in


@pytest.mark.keras
def test_tag_command_contract(tmp_path, musicnn_wheel, capsys):
    good = write(tmp_path / "stereo44k.wav", tone(10.0, 220.0, sr=44_100, channels=2), sr=44_100)
    short = write(tmp_path / "short.flac", tone(2.0, 440.0))
    bad = tmp_path / "corrupt.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00garbage")
    code = cli.main(["tag", str(good), str(bad), str(short), str(tmp_path / "missing.mp3"), "--json", "--top", "3"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # one bad file never stops the others; exit 1 if any failed
    assert [r["file"] for r in out] == ["stereo44k.wav", "corrupt.wav", "short.flac", "missing.mp3"]
    first = out[0]
    assert set(first) >= {"file", "seconds", "patches", "top", "timeline", "error"}
    assert first["error"] is None and first["seconds"] == 10.0 and first["patches"] == 3  # 10 s // 2.992 s
    assert len(first["top"]) == 3 and all(t["tag"] in gl.MSD_TAGS for t in first["top"])
    assert [p["probability"] for p in first["top"]] == sorted((p["probability"] for p in first["top"]), reverse=True)
    assert [w["start_s"] for w in first["timeline"]] == [0.0, round(PATCH_SECONDS, 2), round(2 * PATCH_SECONDS, 2)]
    assert all(set(w) >= {"start_s", "end_s", "tag"} for w in first["timeline"])
    assert "cannot decode" in out[1]["error"] and out[1]["patches"] == 0
    assert out[2]["error"] is None and out[2]["patches"] == 1 and out[2]["flags"][0].startswith("padded")
    assert "no audio file" in out[3]["error"]
    assert cli.main(["tag", str(good), "--top", "51"]) == 2  # a clear error, not a traceback


@pytest.mark.keras
def test_dataset_embeddings_cached_and_bad_files_skipped(wav_root, musicnn_wheel):
    tracks, _ = gl.scan_dataset(wav_root, ["jazz", "hiphop", "classical"])
    first = gl.musicnn_embeddings(tracks, wav_root, seconds=9.0)
    assert not first.from_cache and first.embeddings.shape[1] == 200 and first.tags.shape[1] == 50
    assert first.patches.groupby("track_id").size().max() == 3  # 10 s clips, first 9 s: 3 patches
    again = gl.musicnn_embeddings(tracks, wav_root, seconds=9.0)
    assert again.from_cache
    np.testing.assert_array_equal(again.embeddings, first.embeddings)
    E, T, per_track = first.per_track()
    assert E.shape == (len(per_track), 200) and list(per_track.track_id) == list(dict.fromkeys(first.patches.track_id))
    whole = gl.musicnn_embeddings(tracks, wav_root)  # another key: whole clips
    assert not whole.from_cache and len(whole.embeddings) == len(first.embeddings)  # 10 s holds 3 whole patches


def test_a_bug_in_the_per_file_path_is_not_a_skipped_file(wav_root, monkeypatch):
    from genre_lab.pretrained import tagging

    def broken(path, *, seconds=None):
        raise TypeError("a bug")

    monkeypatch.setattr(tagging, "file_patches", broken)
    monkeypatch.setattr(tagging, "load_musicnn", lambda model: None)
    tracks, _ = gl.scan_dataset(wav_root, ["jazz", "hiphop", "classical"])
    with pytest.raises(TypeError, match="a bug"):
        gl.musicnn_embeddings(tracks, wav_root, cache=False, n_jobs=1)


@pytest.mark.keras
@pytest.mark.parametrize("length", [128, 64, 32])
def test_temporal_conv_equals_the_conv2d_it_replaces(length):
    """The banded-matrix layer gives Conv2D(filters, (length, 1), padding="same", relu)'s numbers, even kernels too."""
    import keras

    from genre_lab.pretrained.musicnn import _temporal_conv_class

    x = np.random.default_rng(length).normal(size=(3, 187, 96, 1)).astype(np.float32)
    conv = keras.layers.Conv2D(5, (length, 1), padding="same", activation="relu")
    want = np.asarray(conv(x))
    ours = _temporal_conv_class()(5, length)
    ours.build(x.shape)
    ours.set_weights(conv.get_weights())
    np.testing.assert_allclose(np.asarray(ours(x)), want, atol=1e-5)
    with pytest.raises(ValueError, match="multiple"):
        _temporal_conv_class()(5, length).build((None, 188, 96, 1))
