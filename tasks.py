#!/usr/bin/env python3
"""Set up and run genre_lab with nothing but Python 3.11+ and pip.

    python3 tasks.py run     # the main job on the embedded demo data: every notebook, executed, into build/
    python3 tasks.py test    # every test: unit tests, every notebook under nbval and in JupyterLab (browser)
    python3 tasks.py lab     # open JupyterLab on notebooks/ with the project's environment (prints its URL)

Each command creates ``.venv`` and installs the project with its extras the
first time (and again whenever ``pyproject.toml`` changes), then runs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".genre_lab-installed"


def ensure_env() -> None:
    """Create the virtual environment and install the project once per pyproject.toml version."""
    if sys.version_info < (3, 11):
        sys.exit(f"genre_lab needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    want = hashlib.sha256((HERE / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text() == want and PY.exists():
        return
    if not PY.exists():
        print("creating the virtual environment .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing genre_lab with its notebook and test extras (first run only) ...", flush=True)
    quiet = ["-qq"]  # errors only: pip's and setuptools' notices are not for students
    subprocess.run([PY, "-m", "pip", "install", *quiet, "--upgrade", "pip"], check=True)
    subprocess.run([PY, "-m", "pip", "install", *quiet, "-e", f"{HERE}[notebooks,test]"], check=True)
    STAMP.write_text(want)


def run(*args: str) -> int:
    return subprocess.call([str(a) for a in args], cwd=HERE)


def lab_settings() -> None:
    """Ship the project's JupyterLab defaults: no "official Jupyter news" pop-up, no update checks."""
    target = VENV / "share" / "jupyter" / "lab" / "settings"
    target.mkdir(parents=True, exist_ok=True)
    (target / "overrides.json").write_text((HERE / "jupyter" / "overrides.json").read_text())


def lab(args: list[str]) -> int:
    """JupyterLab on notebooks/, also as root (CI, containers); it prints the URL with its token."""
    lab_settings()
    extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    print("starting JupyterLab on notebooks/ (stop it with Ctrl-C); open the http://127.0.0.1:... URL it prints",
          flush=True)
    return run(BIN / "jupyter", "lab", "--notebook-dir", HERE / "notebooks", *extra, *args)


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "help"
    if cmd not in {"run", "test", "lab"}:
        print(__doc__)
        return 0 if cmd in {"help", "-h", "--help"} else 2
    ensure_env()
    if cmd == "run":
        return run(PY, "-m", "genre_lab", "run-notebooks", *argv[1:])
    if cmd == "test":
        lab_settings()  # the browser test opens JupyterLab as a student would
        return test(argv[1:])
    return lab(argv[1:])


#: Makes sure the data is there (the demo dataset is generated at the default root if missing, as the notebooks do).
ENSURE_DATA = ("import genre_lab as gl\nprint('data:', gl.describe_data(gl.ensure_dataset()))\n"
               "try:  # notebooks 10-11's pretrained network: pip fetches its wheel once per machine\n"
               "    gl.fetch_musicnn()\n"
               "except gl.PretrainedError as err:  # only what needs it fails then, with this message\n"
               "    print('WARNING: no musicnn weights; notebooks 10-11 and their tests will fail:', err)\n")

#: Trains, in the background, what no notebook run by nbval trains: first the model of notebook 04's dropout cell
#: (a cell nbval skips, so only the browser test would train it; built here exactly as in that cell, so that its
#: training cache is hit), then the models of notebook 09's five-seed study (training seeds 1-4 of both layouts,
#: last ones first: notebook 09 asks for them in the opposite order, and a model both want at once is trained once,
#: see genre_lab.cache.exclusive). Before both: the musicnn embeddings of notebooks 10 and 11, their exercises'
#: included (the same calls as their cells, so that nbval's and the browser's runs of them load them; first, because
#: nothing else in the run can compute them while nbval's notebook 09 trains the seed models the background has not
#: reached). Keep all three in step.
BACKGROUND_TRAINING = (
    "import genre_lab as gl\n"
    "exp = gl.load_experiment()\n"
    "songs = {s: exp.tracks[exp.tracks['split'] == s] for s in ('train', 'test')}\n"
    "gl.musicnn_embeddings(songs['test'], exp.root, model='msd')\n"
    "gl.musicnn_embeddings(songs['test'], exp.root, model='mtt', seconds=9.0)\n"
    "gl.musicnn_embeddings(songs['train'], exp.root, model='msd', seconds=3.0)\n"
    "gl.musicnn_embeddings(songs['train'], exp.root, model='mtt', seconds=3.0)\n"
    "gl.musicnn_embeddings(exp.tracks[exp.tracks['split'] == 'validation'], exp.root, model='msd', seconds=3.0)\n"
    "(X_train, y_train), (X_val, y_val) = exp.part('train'), exp.part('validation')\n"
    "mean, var = gl.band_statistics(X_train)\n"
    "try_model = gl.build_reference_cnn(len(exp.genres), band_mean=mean, band_var=var, dropout=0.5, seed=exp.seed)\n"
    "gl.train_model(try_model, X_train, y_train, X_val, y_val, epochs=27, seed=exp.seed, verbose=0, cache=True)\n"
    "gl.results_over_seeds(exp, seeds=(4, 3, 2, 1), layouts=('historical-2018', 'reference'), baseline=False)\n"
)


#: The first notebook that uses what the background process makes (see ``BACKGROUND_TRAINING``): it and the ones
#: after it run under nbval in the last stage.
LATE_FROM = "09_"


def stop_all(procs: list[subprocess.Popen], grace: float = 20.0) -> None:
    """Stop background processes and everything they started (JupyterLab, its kernels, the browser).

    Each was started in a process group of its own: the group gets SIGINT (pytest then tears its fixtures down,
    JupyterLab shuts its kernels down), and whatever still runs after ``grace`` seconds gets SIGKILL. Where there
    are no process groups (Windows), the process itself is terminated.
    """
    import signal
    import time

    def send(proc: subprocess.Popen, sig) -> None:
        try:
            if os.name == "posix":
                os.killpg(proc.pid, sig)
            elif sig != signal.SIGINT:
                proc.kill()
        except (ProcessLookupError, PermissionError):
            pass

    running = [p for p in procs if p.poll() is None]
    for proc in running:
        send(proc, signal.SIGINT)
    deadline = time.monotonic() + grace
    for proc in running:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for proc in running:  # the group may outlive its leader (JupyterLab, the browser): SIGKILL what is left
        send(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
        if proc.poll() is None:
            proc.wait()


def first_failure(*codes: int) -> int:
    """The first non-zero exit code, or 0."""
    return next((rc for rc in codes if rc != 0), 0)


def test(args: list[str]) -> int:
    """Every test. With arguments: one pytest run with them. Without, in stages that keep both cores busy:

    1. the data is made ready once (the demo dataset is generated if missing), so that no two processes generate it
       (the generator uses both cores);
    2. nbval runs every notebook before 09, while the unit tests run and a background process trains what nbval
       does not (notebook 04's dropout cell, the models of notebook 09's seed study; see ``BACKGROUND_TRAINING``);
    3. nbval runs notebooks 09-11 (09 loads those models or trains the ones still missing; 10 and 11 load the
       musicnn embeddings the background process made or compute the ones still missing), while the browser test
       runs every notebook in JupyterLab, and a student version with its exercises not done; its notebooks 09-11
       load what nbval's or the background process made (each is made once, see genre_lab.cache.exclusive).

    The unit tests run with one TensorFlow thread: three processes share two cores in that stage, and more threads
    than cores only add switching (their models are never compared with the notebooks').

    The output of what ran in the background goes to ``build/*.log`` and is printed when its stage is over.
    Whatever happens (a failure, Ctrl-C, SIGTERM), no process started here is left running."""
    if args:
        return run(PY, "-m", "pytest", *args)
    import signal

    build = HERE / "build"
    build.mkdir(exist_ok=True)
    notebooks = sorted(str(p.relative_to(HERE)) for p in (HERE / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    in_browser = [f"tests_browser/test_jupyterlab.py::test_notebook_runs_in_jupyterlab[{Path(nb).stem}]"
                  for nb in notebooks] + ["tests_browser/test_jupyterlab.py::test_student_version_gives_feedback"]
    late = [nb for nb in notebooks if Path(nb).name >= LATE_FROM]  # what needs the background's models
    started: list[subprocess.Popen] = []

    def background(name: str, *cmd, env: dict | None = None) -> tuple[subprocess.Popen, Path]:
        log = build / f"{name}.log"
        with open(log, "w", encoding="utf-8") as out:
            proc = subprocess.Popen([str(c) for c in cmd], cwd=HERE, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, env=env, start_new_session=os.name == "posix")
        started.append(proc)
        return proc, log

    def report(title: str, proc: subprocess.Popen, log: Path, *, lines: int | None = None) -> int:
        rc = proc.wait()
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()
        print(f"\n---- {title} (ran in the background; all of it in {log.relative_to(HERE)}) ----", flush=True)
        print("\n".join(text[-lines:] if lines else text), flush=True)
        return rc

    def foreground(*cmd) -> int:  # output to this terminal, but stopped like the others (own process group)
        proc = subprocess.Popen([str(c) for c in cmd], cwd=HERE, stdin=subprocess.DEVNULL,
                                start_new_session=os.name == "posix")
        started.append(proc)
        return proc.wait()

    def pytest(*targets) -> int:
        return foreground(PY, "-m", "pytest", *targets) if targets else 0

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        ready = foreground(PY, "-c", ENSURE_DATA)
        if ready != 0:
            print("the data is not ready (see above): nothing was tested", flush=True)
            return ready
        one_thread = dict(os.environ, TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
        unit, unit_log = background("unit-tests", PY, "-m", "pytest", "tests", env=one_thread)
        train, train_log = background("background-training", PY, "-c", BACKGROUND_TRAINING)
        # (Ctrl-C or SIGTERM raise here, and the last ``finally`` stops everything at once: nothing below waits then)
        nb_first = pytest(*[nb for nb in notebooks if nb not in late])
        units = report("unit tests", unit, unit_log)
        browser_all, browser_log = background("browser-test", PY, "-m", "pytest", *in_browser)
        nb_last = pytest(*late)
        if nb_last == 0 and train.poll() is None:
            train.terminate()  # nbval's notebooks 09-11 have all they need: nobody waits for more
        trained = train.wait()  # (if notebook 09 failed, the browser's may still use what it trains)
        browser = report("browser test", browser_all, browser_log)
        if trained not in (0, -signal.SIGTERM):
            report("background training FAILED; the notebooks trained what they needed themselves", train,
                   train_log, lines=30)
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_all(started)  # after an error, Ctrl-C or SIGTERM: stop what is still running
    nbval = first_failure(nb_first, nb_last)
    print(f"\nunit tests: {'passed' if units == 0 else 'FAILED'}; notebooks (nbval): "
          f"{'passed' if nbval == 0 else 'FAILED'}; browser: {'passed' if browser == 0 else 'FAILED'}", flush=True)
    return first_failure(units, nbval, browser)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
