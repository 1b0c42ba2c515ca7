#!/usr/bin/env python3
"""Set up and run genre_lab with nothing but Python 3.11+ and pip.

    python3 tasks.py run     # the main job on the embedded demo data: every notebook, executed, into build/
    python3 tasks.py test    # every test: unit tests beside the notebooks (nbval), then the browser test
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


def test(args: list[str]) -> int:
    """Every test. With arguments: one pytest run with them. Without: the unit tests run beside the notebooks
    (nbval), whose kernels leave a core idle much of the time, then the browser test, which reuses the demo data,
    features and models the notebooks made. The unit tests' report is printed when they finish."""
    if args:
        return run(PY, "-m", "pytest", *args)
    log = HERE / "build" / "unit-tests.log"
    log.parent.mkdir(exist_ok=True)
    with open(log, "w") as out:
        unit = subprocess.Popen([PY, "-m", "pytest", "tests"], cwd=HERE, stdout=out, stderr=subprocess.STDOUT)
        try:
            notebooks = run(PY, "-m", "pytest", "notebooks")
        finally:
            units = unit.wait()
    print(f"\n---- unit tests (run beside the notebooks; also in {log.relative_to(HERE)}) ----", flush=True)
    print(log.read_text(), flush=True)
    browser = run(PY, "-m", "pytest", "tests_browser")
    print(f"\nunit tests: {'passed' if units == 0 else 'FAILED'}; notebooks (nbval): "
          f"{'passed' if notebooks == 0 else 'FAILED'}; browser: {'passed' if browser == 0 else 'FAILED'}", flush=True)
    return next((rc for rc in (units, notebooks, browser) if rc != 0), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
