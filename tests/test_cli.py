import json
import subprocess
import sys

import numpy as np
import pytest

from genre_lab.cli import main


def test_make_demo_and_info_json(tmp_path, capsys):
    root = tmp_path / "demo"
    assert main(["make-demo", "--root", str(root), "--clips-per-genre", "2", "--seed", "3", "--seconds", "3"]) == 0
    capsys.readouterr()
    assert main(["info", "--root", str(root), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["tracks_per_genre"] == {g: 2 for g in ["metal", "classical", "hiphop", "country", "reggae"]}
    assert info["n_tracks"] == 10 and info["synthetic"] is True and info["skipped"] == []
    assert str(tmp_path) not in json.dumps(info)  # no machine paths


def test_info_lists_skipped_files_and_why(wav_root, capsys):
    assert main(["info", "--root", str(wav_root), "--genres", "jazz,hiphop,classical"]) == 0
    out = capsys.readouterr().out
    assert "skipped 3 file(s)" in out
    assert "genres_original/jazz/jazz.00054.wav: known-bad" in out
    assert "(GTZAN data)" in out


def test_errors_are_short_and_actionable(tmp_path, capsys):
    assert main(["info", "--root", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "make-demo" in err and "Traceback" not in err
    assert main(["info", "--root", str(tmp_path), "--genres", "metal,hip-hop"]) == 2
    assert "did you mean 'hiphop'" in capsys.readouterr().err


def test_python_dash_m_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "genre_lab", "--help"], capture_output=True, text=True, check=True)
    for sub in ("make-demo", "info", "train", "evaluate", "run-notebooks"):
        assert sub in out.stdout


@pytest.mark.parametrize("argv", [["train", "--help"], ["evaluate", "--help"]])
def test_instructor_options_exist(argv, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    out = capsys.readouterr().out
    for opt in {"train": ["--root", "--epochs", "--seed", "--out"], "evaluate": ["--model", "--json"]}[argv[0]]:
        assert opt in out


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """50 demo clips of 10 s: enough for a stratified 75/15/10 split and one 9 s window each."""
    import genre_lab as gl

    root = tmp_path_factory.mktemp("small") / "demo"
    gl.make_demo_dataset(root, clips_per_genre=10, seed=5, seconds=10.0, n_jobs=2)
    return root


@pytest.mark.keras
def test_train_then_evaluate_json(small_demo, tmp_path, capsys):
    model = tmp_path / "m.keras"
    assert main(["train", "--root", str(small_demo), "--epochs", "2", "--seed", "1", "--out", str(model),
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert model.is_file() and model.with_suffix(".json").is_file()
    assert "accuracy on synthetic demo data" in out and "test" in out and str(tmp_path) not in out
    manifest = small_demo / "splits" / "split_classical-country-hiphop-metal-reggae_seed1.csv"
    assert manifest.is_file()

    assert main(["evaluate", "--model", str(model), "--root", str(small_demo), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["genres"] == ["metal", "classical", "hiphop", "country", "reggae"]
    assert set(res["accuracy"]) == {"train", "validation", "test"}
    assert all(0.0 <= a <= 1.0 for a in res["accuracy"].values())
    cm = res["confusion_matrix"]
    import pandas as pd

    test_genres = pd.read_csv(manifest).query("split == 'test'")["genre"].value_counts()
    assert [sum(row) for row in cm] == [test_genres.get(g, 0) for g in res["genres"]]  # rows = true genres
    assert res["n"] == {"train": 37, "validation": 5, "test": 8}
    assert {"accuracy_song_vote", "classification_report", "most_confused"} <= set(res)

    assert main(["evaluate", "--model", str(model), "--root", str(small_demo)]) == 0
    text = capsys.readouterr().out
    assert "rows = true genre" in text and "precision" in text

    # evaluating on another split than the one it was trained on would leak: refused
    assert main(["evaluate", "--model", str(model), "--split-lists", str(tmp_path)]) == 2
    assert "trained on the seeded split" in capsys.readouterr().err


def test_evaluate_refuses_a_missing_model(tmp_path, capsys):
    assert main(["evaluate", "--model", str(tmp_path / "nope.keras")]) == 2
    assert "genre-lab train" in capsys.readouterr().err


@pytest.mark.keras
def test_predict_any_recording(small_demo, tmp_path, capsys):
    from tests.conftest import tone, write

    model = tmp_path / "m.keras"
    assert main(["train", "--root", str(small_demo), "--epochs", "1", "--out", str(model), "--quiet"]) == 0
    capsys.readouterr()
    song = write(tmp_path / "upload.wav", tone(20, 330, sr=44_100, channels=2), sr=44_100)  # stereo, 44.1 kHz, 20 s
    short = write(tmp_path / "short.flac", tone(5, 330))
    silent = write(tmp_path / "silent.wav", np.zeros(12 * 22_050, np.float32))
    nan = write(tmp_path / "nan.wav", np.full(22_050 * 3, np.nan, np.float32), subtype="FLOAT")
    garbage = tmp_path / "garbage.au"
    garbage.write_bytes(b"not audio at all")
    files = [song, short, silent, nan, garbage, tmp_path / "gone.wav"]
    assert main(["predict", *map(str, files), "--model", str(model), "--json"]) == 1  # some failed
    res = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in res] == [f.name for f in files]
    up = res[0]
    assert set(up) >= {"file", "seconds", "windows", "top", "timeline", "error"}
    assert up["error"] is None and up["windows"] == 3 and up["seconds"] == 20.0  # 9 s windows at 0, 4.5 and 9 s
    top = [t["probability"] for t in up["top"]]
    assert len(top) == 3 and top == sorted(top, reverse=True) and 0 < sum(top) <= 1 + 1e-3  # 3 of 5 genres
    # windows start on whole STFT frames: 194 hops of 512 samples = 4.505 s apart
    assert [(round(t["start_s"], 1), round(t["end_s"], 1)) for t in up["timeline"]] == \
        [(0.0, 9.0), (4.5, 13.5), (9.0, 18.0)]
    assert res[1]["error"] is None and res[1]["windows"] == 1 and "padded" in res[1]["flags"][0]
    assert res[2]["error"] is None and any("silent" in f for f in res[2]["flags"])
    assert "NaN or infinite" in res[3]["error"]
    assert "not a valid .au file" in res[4]["error"]
    assert "no audio file" in res[5]["error"]
    # --top larger than the model's genres: a clear error, not a KeyError
    assert main(["predict", str(song), "--model", str(model), "--top", "9"]) == 2
    assert "--top must be between 1 and 5" in capsys.readouterr().err


def test_run_notebooks_writes_executed_copies_and_html(small_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("GENRE_LAB_DATA", str(small_demo))
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from genre_lab.notebooks import run_notebooks

    folder = tmp_path / "nbs"
    folder.mkdir()
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(new_notebook(cells=[new_code_cell("print(6 * 7)")], metadata=meta), folder / "01_ok.ipynb")
    nbformat.write(new_notebook(cells=[new_code_cell("1 / 0")], metadata=meta), folder / "02_bad.ipynb")
    nbformat.write(new_notebook(cells=[new_code_cell("import time; time.sleep(30)")], metadata=meta),
                   folder / "03_slow.ipynb")
    (folder / "scratch.ipynb").write_text("not numbered: not run")
    lines = []
    results = run_notebooks(folder, tmp_path / "build", timeout=3, echo=lines.append)
    assert [r["notebook"] for r in results] == ["01_ok.ipynb", "02_bad.ipynb", "03_slow.ipynb"]
    assert [r["ok"] for r in results] == [True, False, False] and "ZeroDivisionError" in results[1]["error"]
    assert results[2]["error"].startswith("CellTimeoutError: ") and "3 seconds" in results[2]["error"]
    assert (tmp_path / "build" / "03_slow.html").is_file()
    done = nbformat.read(tmp_path / "build" / "01_ok.ipynb", as_version=4)
    assert done.cells[0].outputs[0]["text"] == "42\n"
    assert (tmp_path / "build" / "02_bad.html").is_file()
    assert any(line.startswith("FAILED 02_bad.ipynb") for line in lines)
    assert not any(str(tmp_path) in line for line in lines)


@pytest.mark.keras
def test_evaluate_uses_the_data_and_split_the_model_was_trained_on(small_demo, tmp_path, capsys):
    model = tmp_path / "m.keras"
    assert main(["train", "--root", str(small_demo), "--epochs", "1", "--out", str(model), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["evaluate", "--model", str(model), "--json"]) == 0  # no --root: the recorded one, not data/demo
    res = json.loads(capsys.readouterr().out)
    assert res["n"] == {"train": 37, "validation": 5, "test": 8}
    meta_path = model.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "split": "filtered", "split_lists": None}))
    assert main(["evaluate", "--model", str(model)]) == 2
    assert "pass --split-lists" in capsys.readouterr().err


@pytest.mark.keras
def test_split_and_training_seeds_reach_the_saved_model(small_demo, tmp_path, capsys):
    import json as _json

    model = tmp_path / "named.keras"
    assert main(["train", "--root", str(small_demo), "--epochs", "1", "--split-seed", "3", "--train-seed", "4",
                 "--out", str(model), "--quiet"]) == 0
    meta = _json.loads(model.with_suffix(".json").read_text())
    assert (meta["split_seed"], meta["seed"], meta["split"]) == (3, 4, "seed3")
    assert "split seed 3, training seed 4" in capsys.readouterr().out
    assert main(["train", "--root", str(small_demo), "--epochs", "1", "--data-seed", "6", "--quiet"]) == 2
    assert "generated with data seed 5, not 6" in capsys.readouterr().err  # never silently the other songs


def test_named_seeds_and_the_old_seed_flag(monkeypatch):
    """--seed keeps working; --split-seed and --train-seed name what it sets; make-demo's --seed is its data seed."""
    from genre_lab import cli

    p = cli.build_parser()
    a = p.parse_args(["train", "--seed", "7"])
    assert (a.seed, a.split_seed, a.train_seed, a.data_seed) == (7, None, None, None)
    a = p.parse_args(["train", "--split-seed", "3", "--train-seed", "4", "--data-seed", "5"])
    assert (a.split_seed, a.train_seed, a.data_seed) == (3, 4, 5)
    assert p.parse_args(["make-demo", "--seed", "9"]).data_seed == 9
    assert p.parse_args(["make-demo", "--data-seed", "9"]).data_seed == 9


def test_expected_errors_are_one_line_and_debug_shows_the_traceback(tmp_path, capsys):
    from genre_lab import cli

    root = str(tmp_path / "nothing_here")  # the genre is checked before any data is looked for or generated
    assert cli.main(["info", "--root", root, "--genres", "hip-hop"]) == 2
    assert "did you mean 'hiphop'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="hiphop"):
        cli.main(["--debug", "info", "--root", root, "--genres", "hip-hop"])
