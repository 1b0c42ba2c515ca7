"""The set-up files agree with each other: one source of dependencies."""

import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def test_environment_yml_only_pins_python_and_pip_and_installs_the_project():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert sorted(d.split("=")[0] for d in conda) == ["pip", "python"]
    python = next(d for d in conda if d.startswith("python"))
    minimum = project["requires-python"].removeprefix(">=")
    assert tuple(map(int, python.split("=")[1].split("."))) >= tuple(map(int, minimum.split(".")))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert len(pip) == 1 and pip[0].startswith("-e .[")
    extras = set(pip[0].removeprefix("-e .[").rstrip("]").split(","))
    assert extras == set(project["optional-dependencies"])


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme and "python3 tasks.py run" in readme
    assert ci.strip().splitlines()[-1] == "exec python3 tasks.py test"


def test_generated_data_is_git_ignored():
    ignored = (REPO / ".gitignore").read_text().split()
    for entry in ("/data", "/build/", "/.venv/"):  # "/data", not "/data/": a link named data is ignored too
        assert entry in ignored


def test_the_background_training_builds_notebook_04s_dropout_model_as_the_notebook_does():
    """tasks.py trains the exercise model ahead of the browser test; only an identical build hits the training cache."""
    import ast
    import importlib.util

    import nbformat

    spec = importlib.util.spec_from_file_location("tasks", REPO / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    nb = nbformat.read(REPO / "notebooks" / "04_train_cnn.ipynb", as_version=4)
    cell = next(c.source for c in nb.cells if "nbval-skip" in c.metadata.get("tags", []) and "try_model" in c.source)

    def calls(code):
        """The arguments of every gl.build_reference_cnn and gl.train_model call, as source text."""
        found = {}
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "build_reference_cnn", "train_model"):
                args = [ast.unparse(a) for a in node.args] + [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords]
                found[node.func.attr] = [a.replace("len(exp.genres)", "n_genres") for a in args]
        return found

    want = calls(cell)
    assert "dropout=0.5" in want["build_reference_cnn"] and "cache=True" in want["train_model"]
    assert calls(tasks.BACKGROUND_TRAINING) == want


def test_the_background_computes_the_musicnn_embeddings_of_notebooks_10_and_11_as_they_do():
    """tasks.py computes the embeddings of notebooks 10 and 11 (their exercise checks included) ahead of nbval and the
    browser; only the same calls hit the cache."""
    import ast
    import importlib.util

    import nbformat

    spec = importlib.util.spec_from_file_location("tasks", REPO / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)

    def calls(code):
        """(split, model, seconds) of every gl.musicnn_embeddings call."""
        found = set()
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr == "musicnn_embeddings":
                songs = ast.unparse(node.args[0])
                split = "validation" if "val" in songs else "train" if "train" in songs else "test"
                kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
                found.add((split, kw.get("model", "msd"), kw.get("seconds")))
        return found

    cells = [c.source for name in ("10_musicnn_zero_shot", "11_transfer_learning")
             for c in nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4).cells if c.cell_type == "code"]
    in_notebooks = set().union(*(calls(c) for c in cells))
    assert in_notebooks == calls(tasks.BACKGROUND_TRAINING) == {
        ("test", "msd", None), ("test", "mtt", 9.0), ("train", "msd", 3.0), ("train", "mtt", 3.0),
        ("validation", "msd", 3.0)}


def test_importing_the_package_changes_nothing():
    """No environment variable set, no umask toggled, nothing printed: importing genre_lab has no side effects."""
    import subprocess
    import sys

    code = ("import os\nbefore = dict(os.environ)\nmask = os.umask(0o027)\n"
            "import genre_lab, genre_lab.demo.render, genre_lab.pretrained\n"
            "assert dict(os.environ) == before, set(os.environ) ^ set(before)\n"
            "assert os.umask(mask) == 0o027, 'the umask changed'\n"
            "import sys\nassert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\nprint('ok')\n")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO)
    assert out.returncode == 0 and out.stdout == "ok\n", out.stderr[-2000:]


def test_setup_environment_sets_defaults_and_keeps_the_users_choice(monkeypatch):
    import os

    import genre_lab as gl

    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    gl.setup_environment()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3" and os.environ["KERAS_BACKEND"] == "jax"


def test_broad_exception_handlers_are_at_most_two_and_explained():
    sites = [(p.relative_to(REPO), i, line) for p in (REPO / "genre_lab").rglob("*.py")
             for i, line in enumerate(p.read_text().splitlines(), 1) if "except Exception" in line]
    assert len(sites) <= 3, sites
    assert all("kept on purpose" in line for _, _, line in sites), sites


def test_every_public_function_is_in_its_modules_all():
    """A newcomer reads a module's __all__ to see what it offers: it lists every public function and class."""
    import ast

    for path in sorted((REPO / "genre_lab").rglob("*.py")):
        tree = ast.parse(path.read_text())
        public = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                  and not n.name.startswith("_")}
        listed = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                       and any(getattr(t, "id", "") == "__all__" for t in n.targets)), None)
        if listed is None or path.name in ("cli.py", "__main__.py", "__init__.py"):
            continue
        assert public <= set(listed), f"{path.relative_to(REPO)}: not in __all__: {sorted(public - set(listed))}"


def test_the_data_root_setting_is_read_once_per_command(monkeypatch, tmp_path):
    """The data root is resolved at the edge (the command, load_experiment) and passed down, not re-read."""
    import genre_lab as gl
    from genre_lab import cli, config

    root = gl.make_demo_dataset(tmp_path / "demo", genres=("metal", "reggae"), clips_per_genre=10, seconds=3.0)
    monkeypatch.setenv("GENRE_LAB_DATA", str(root))
    reads = []
    real = config.data_root

    def counted(root=None):
        if root is None:
            reads.append(1)
        return real(root)

    for module in (config, gl.datasets, gl.demo.dataset, gl.features, gl.split, gl.experiment, cli):
        if getattr(module, "data_root", None) is real:
            monkeypatch.setattr(module, "data_root", counted)
    gl.load_experiment(genres=["metal", "reggae"])
    assert len(reads) == 1, f"the data root setting was read {len(reads)} times by load_experiment"
    reads.clear()
    assert cli.main(["info", "--genres", "metal,reggae", "--json"]) == 0
    assert len(reads) == 1, f"the data root setting was read {len(reads)} times by `genre-lab info`"
