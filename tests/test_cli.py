import json
import subprocess
import sys

import pytest

from genre_lab.cli import main


def test_make_demo_and_info_json(tmp_path, capsys):
    root = tmp_path / "demo"
    assert main(["make-demo", "--root", str(root), "--clips-per-genre", "2", "--seed", "3"]) == 0
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
