"""The exercises: every check gives feedback (placeholder, wrong, right), and the student build hides solutions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pandas as pd
import pytest

from genre_lab import exercises as ex
from genre_lab.exercises.build import BEGIN, END

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

RNG = np.random.default_rng(0)
_TEXT_WRONG = "Genres are hard."


def _tracks(n=20):
    genres = ["metal", "classical"]
    return pd.DataFrame({"track_id": [f"{g}.{i:05d}" for g in genres for i in range(n)],
                         "genre": [g for g in genres for _ in range(n)],
                         "path": [f"genres/{g}/{g}.{i:05d}.au" for g in genres for i in range(n)]})


def _split():
    import genre_lab as gl

    tracks = _tracks()
    split = gl.split_tracks(tracks, seed=2018)
    moved = int((gl.split_tracks(tracks, seed=1)["split"].to_numpy() != split["split"].to_numpy()).sum())
    return tracks, split, moved


def _separable(n=40, d=6):
    y = np.repeat([0, 1], n // 2)
    X = RNG.normal(size=(n, d)) + 2.0 * y[:, None]
    return X, y


def _examples():
    """key -> (right answer, wrong answer, context): what the unit tests feed every check."""
    from sklearn.decomposition import PCA

    tracks, split, moved = _split()
    cm = np.array([[3, 1], [2, 4]])
    proba = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.5, 0.1, 0.4]])
    y3 = np.array([0, 2, 1, 1])
    window_proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
    window_song = np.array(["a", "a", "a", "b", "b", "b"])
    E = RNG.normal(size=(60, 8)) * np.array([5, 3, 2, 1, 0.5, 0.2, 0.1, 0.05])
    n90 = int(np.searchsorted(np.cumsum(PCA().fit(E).explained_variance_ratio_), 0.9) + 1)
    runs = pd.DataFrame({"model": ["reference"] * 5, "seed": range(5), "song_vote": [0.88, 0.9, 0.91, 0.89, 0.92]})
    v = runs["song_vote"].to_numpy()
    from scipy import stats

    half = stats.t.ppf(0.975, 4) * v.std(ddof=1) / np.sqrt(5)
    top_msd = pd.DataFrame({"jazz": [1, 9], "rock": [10, 2]}, index=["metal", "reggae"])
    top_mtt = pd.DataFrame({"metal": [6, 0], "rock": [9, 3]}, index=["metal", "reggae"])
    Xtr, ytr = _separable()
    Xte, yte = _separable(20)
    ids = np.array([f"s{i // 2}" for i in range(20)])  # two patches per song
    song_ids = np.array([f"s{i}" for i in range(10)])
    y_song = yte[::2]
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    head = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=2000)).fit(Xtr, ytr)
    song_p = pd.DataFrame(head.predict_proba(Xte), index=ids).groupby(level=0).mean().loc[song_ids].to_numpy()
    head_acc = float(np.mean(song_p.argmax(1) == y_song))
    Xva, yva = _separable(30)
    val = {C: make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000)).fit(Xtr, ytr).score(Xva, yva)
           for C in (0.001, 0.01, 0.1, 1)}
    best_c = max(val, key=val.get)
    worst_c = min(val, key=val.get)
    X = RNG.uniform(-80, 0, size=(3, 10, 4)).astype(np.float32)
    meta = pd.DataFrame({"genre": ["hiphop", "hiphop", "metal", "hiphop"],
                         "instruments": ["drums: Room kit; rap: rap voice; chorus: sung voice", "rap: rap voice",
                                         "guitar: Distortion Guitar; vocal: growl voice",
                                         "loop: Trumpet; rap: rap voice; chorus: sung voice"]})
    model = SimpleNamespace(get_layer=lambda name: SimpleNamespace(count_params=lambda: 49280))
    timeline = pd.DataFrame({"metal": [0.2, 0.9, 0.4], "classical": [0.8, 0.1, 0.6]}, index=[0.0, 1.5, 3.0])
    result = {"top": [{"genre": "metal", "probability": 0.5}, {"genre": "classical", "probability": 0.3},
                      {"genre": "reggae", "probability": 0.1}]}
    rows = {"normal model": {"recall": 0.87}, "cued model": {"recall": 0.2}}
    texts = {key: _notebook_solutions()[key] for key in ("01.4", "02.4", "03.4", "04.4", "04.5", "07.4", "08.4",
                                                         "09.4", "10.4", "11.4")}
    examples = {
        "01.1": (1292, 1291, {}), "01.2": (20, 21, {}),
        "01.3": ("hiphop", "classical",
                 {"table": pd.DataFrame({"onset_strength": [1.8, 1.2, 2.0]}, index=["metal", "classical", "hiphop"])}),
        "02.1": ({"rap", "toast", "shout"}, {"rap"}, {}),
        "02.2": (2, 3, {"meta": meta}), "02.3": (6.6, 11.4, {"start": 2.4, "end": 13.8, "demo": True}),
        "03.1": (150, 15, {}), "03.2": ((0.548, 0.930), (0.6, 1.0), {}),
        "03.3": (moved, moved + 1, {"tracks": tracks, "split": split}),
        "04.1": (128 * 3 * 128 + 128, 128 * 3 * 128, {"model": model}), "04.2": (41, 42, {}),
        "04.3": (2, 1, {"history": {"val_accuracy": [0.5, 0.8, 0.8, 0.7]}}),
        "05.1": (7 / 10, 7, {"cm": cm}), "05.2": (np.array([0.75, 4 / 6]), np.array([3 / 5, 4 / 5]), {"cm": cm}),
        "05.3": (0.75, 0.5, {"proba": proba, "y": y3}),
        "06.1": (15, 16, {}),
        "06.2": (0.5, 1.0, {"window_proba": window_proba, "window_song": window_song, "song_ids": ["a", "b"],
                            "y": np.array([1, 1])}),
        "06.3": ((2, 1), (1, 2), {"pred": np.array([0, 1, 1, 0]), "vote_pred": np.array([1, 1, 0, 1]),
                                  "y": np.array([1, 1, 1, 1])}),
        "07.1": (39, 40, {}), "07.2": (0.9, 0.5, {"result": result}),
        "07.3": (1.5, 0.0, {"timeline": timeline, "result": result}),
        "08.1": (5235.0, 6000.0, {}),
        "08.2": (float(np.mean(X[..., 2] < -40)), 1.0, {"X": X, "band": 2}),
        "08.3": (67.0, 20.0, {"rows": rows, "recall": "recall"}),
        "09.1": (n90, n90 + 2, {"E": E}),
        "09.2": (_ece(proba, y3), 0.5, {"proba": proba, "y": y3}),
        "09.3": ((v.mean() - half, v.mean() + half), (v.mean() - 0.1, v.mean() + 0.1), {"runs": runs}),
        "10.1": ("jazz", "rock", {"top_msd": top_msd}), "10.2": (0.4, 0.6, {"top_mtt": top_mtt}),
        "10.3": ((10, 1005), (10, 1000), {}),
        "11.1": (head_acc, head_acc - 0.3, {"train": (Xtr, ytr), "test": (Xte, ids), "song_ids": song_ids,
                                            "y": y_song}),
        "11.2": (2010, 2000, {}),
        "11.3": (best_c, 7, {"train": (Xtr, ytr), "validation": (Xva, yva)}),
    }
    if val[worst_c] < val[best_c]:
        examples["11.3"] = (best_c, worst_c, {"train": (Xtr, ytr), "validation": (Xva, yva)})
    for key, answer in texts.items():
        examples[key] = (answer, _TEXT_WRONG, {})
    return examples


def _ece(proba, y):
    from genre_lab.calibration import expected_calibration_error

    return expected_calibration_error(proba, y, n_bins=10)


def _notebook_solutions() -> dict:
    """key -> the value the instructor's solution assigns to the checked name (written answers only)."""
    found = {}
    for path in NOTEBOOKS:
        cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        for answer, check in zip(cells, cells[1:]):
            m = re.search(r"gl\.check\(\"(\d\d\.\d)\", (\w+)", check)
            if m and BEGIN in answer:
                namespace: dict = {}
                block = ex.solution_blocks(answer)[0]
                if '"""' in block:
                    exec(block, namespace)  # a written answer: a string constant, safe to evaluate
                    found[m.group(1)] = namespace[m.group(2)]
    return found


EXAMPLES = _examples()


def test_every_exercise_has_an_example_here():
    assert set(EXAMPLES) == set(ex.EXERCISES)


@pytest.mark.parametrize("key", sorted(ex.EXERCISES))
def test_every_check_answers_placeholder_wrong_and_right(key):
    right, wrong, context = EXAMPLES[key]
    todo = ex.judge_answer(key, ..., **context)
    assert todo.status == "todo" and todo.message.startswith(f"Exercise {key}: not done yet. Replace the ...")
    bad = ex.judge_answer(key, wrong, **context)
    assert bad.status == "wrong" and bad.message.startswith(f"Exercise {key}: not yet. "), bad
    assert len(bad.message) < 400 and "Traceback" not in bad.message
    good = ex.judge_answer(key, right, **context)
    assert good.status == "done" and good.message.startswith(f"Exercise {key}: correct. "), good


def test_numbers_of_any_kind_are_numbers_and_tuples_of_placeholders_are_not_done():
    assert ex.judge_answer("01.1", np.int64(1292)).status == "done"
    assert ex.judge_answer("01.1", np.array(1292)).status == "done"
    assert ex.judge_answer("05.1", np.float32(0.7), cm=np.array([[3, 1], [2, 4]])).status == "done"
    assert ex.judge_answer("04.3", 2.5, history={"val_accuracy": [0.5, 0.8]}).status == "wrong"
    assert ex.judge_answer("04.3", True, history={"val_accuracy": [0.8, 0.5]}).status == "wrong"
    assert ex.judge_answer("10.3", (..., ...)).status == "todo"
    assert ex.judge_answer("10.1", "  Jazz ", top_msd=pd.DataFrame({"jazz": [3]}, index=["reggae"])).status == "done"
    cm = np.array([[2, 0], [0, 0]])  # a genre without test songs: its recall is nan on both sides
    with np.errstate(all="ignore"):
        assert ex.judge_answer("05.2", cm.diagonal() / cm.sum(axis=1), cm=cm).status == "done"


def test_a_written_answer_left_in_its_quotes_is_not_done_and_text_is_not_a_number():
    assert ex.judge_answer("01.4", '"""..."""'.strip('"')).status == "todo"
    assert ex.judge_answer("01.4", "   ").status == "todo"
    assert "one number" in ex.judge_answer("05.1", "0.8", cm=np.eye(2)).message


def test_a_student_function_that_raises_gets_one_line(monkeypatch):
    from genre_lab.exercises import catalogue, feedback

    def boom(answer, **context):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(catalogue.EXERCISES, "99.1", feedback.Exercise("99.1", "t", boom, "r"))
    out = ex.judge_answer("99.1", 1)
    assert out.status == "wrong" and out.message == ("Exercise 99.1: not yet. Checking your answer raised "
                                                     "ZeroDivisionError: division by zero")


def test_an_exercise_that_needs_the_demo_is_skipped_on_gtzan(capsys):
    ex.check("02.2", 3, meta=None)
    assert capsys.readouterr().out.startswith("Exercise 02.2: skipped on this data: this exercise needs the synthetic")


def test_a_misspelt_key_is_an_error_for_the_author():
    with pytest.raises(KeyError, match="no exercise '01.9'"):
        ex.judge_answer("01.9", 1)


def test_every_notebook_has_at_least_three_checked_exercises_and_every_key_is_used_once():
    used = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        summary = ex.notebook_summary(nb, path.name)
        assert summary["exercises"] >= 3 and summary["checks"] == summary["exercises"], summary
        keys = re.findall(r"gl\.check\(\s*\"(\d\d\.\d+)\"", "\n".join(c.source for c in nb.cells))
        assert all(k.startswith(path.name[:2] + ".") for k in keys), (path.name, keys)
        used += keys
    assert sorted(used) == sorted(ex.EXERCISES)


def test_student_source_replaces_the_solution_with_placeholders():
    cell = f"x = 1\n{BEGIN}\nhelper = x + 1\nanswer = helper * 2\nwords = \"\"\"Two. Three.\"\"\"\n{END}\nprint(x)"
    out = ex.student_source(cell)
    assert out == ("x = 1\nhelper = ...  # a step on the way, if you like\nanswer = ...  # a step on the way, if you "
                   "like\nwords = \"\"\"...\"\"\"  # your answer: replace ... with your sentences\nprint(x)")
    fn = f"{BEGIN}\ndef f(a, b=2):\n    \"\"\"Add.\"\"\"\n    return a + b\n{END}\n"
    assert ex.student_source(fn) == "def f(a, b=2):\n    \"\"\"Add.\"\"\"\n    ...  # your code here\n"
    with pytest.raises(ValueError, match="unpaired"):
        ex.student_source(f"{BEGIN}\nx = 1\n")
    nested = (f"if True:\n    {BEGIN}\n    import numpy as np\n    best = None\n"
              f"    for c in (1, 2):\n        best_c = c\n    {END}\n")
    out = ex.student_source(nested)
    assert out == ("if True:\n    import numpy as np\n    best = ...  # a step on the way, if you like\n"
                   "    c = ...  # a step on the way, if you like\n    best_c = ...  # your answer\n")
    compile(out, "nested", "exec")
    comprehension = f"{BEGIN}\nscores = {{c: c * 2 for c in (1, 2)}}\n{END}\n"
    assert ex.student_source(comprehension) == "scores = ...  # your answer\n"
    doc = f'{BEGIN}\ndef g(x) -> float:\n    """Say \\"hi\\" in C:\\\\Users."""\n    return x\n{END}\n'
    compile(ex.student_source(doc), "doc", "exec")


def test_the_student_version_never_shows_a_solution(tmp_path):
    summaries = ex.build_exercises(out=tmp_path)
    assert [s["notebook"] for s in summaries] == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        source = nbformat.read(path, as_version=4)
        outside = "\n".join(c.source for c in source.cells if BEGIN not in c.source)
        solution_lines = {line.strip() for c in source.cells if c.cell_type == "code"
                          for block in ex.solution_blocks(c.source) for line in block.splitlines()
                          if len(line.strip()) > 12 and line.strip() not in outside}
        student_text = (tmp_path / "student" / path.name).read_text()
        assert BEGIN not in student_text and END not in student_text
        leaked = [line for line in solution_lines if json.dumps(line, ensure_ascii=False)[1:-1] in student_text]
        assert not leaked, (path.name, leaked)
        student = nbformat.read(tmp_path / "student" / path.name, as_version=4)
        for cell in student.cells:
            if cell.cell_type == "code" and ("# your" in cell.source or "gl.check(" in cell.source):
                assert cell.outputs == [], (path.name, cell.source)
                compile(cell.source, path.name, "exec")  # the placeholder is valid Python
        instructor = (tmp_path / "instructor" / path.name).read_text()
        assert instructor == path.read_text() or nbformat.reads(instructor, 4) == source


def test_the_command_line_writes_both_versions_and_prints_json(tmp_path):
    out = subprocess.run([sys.executable, "-m", "genre_lab", "exercises", "--out", str(tmp_path), "--json"],
                         capture_output=True, text=True, cwd=REPO, check=True)
    rows = json.loads(out.stdout)
    assert [set(r) for r in rows] == [{"notebook", "exercises", "checks"}] * len(NOTEBOOKS)
    assert all(r["exercises"] >= 3 for r in rows)
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == [p.name for p in NOTEBOOKS]
    assert sorted(p.name for p in (tmp_path / "instructor").iterdir()) == [p.name for p in NOTEBOOKS]
