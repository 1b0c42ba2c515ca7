#!/usr/bin/env python3
"""How long does the test command take on a fresh clone? Install time, test time and each stage's time.

The target (README, the brief): ``python3 tasks.py test`` under 12 minutes from a fresh clone, after the install.
This clones the repository's last commit into a temporary folder (nothing of this working tree is reused: no
``.venv``, no data, no caches), times the install (``tasks.ensure_env``) and then the test command, and prints
the wall time of each pytest run the test command started (from pytest's own "passed in" lines).

    python3 bench/test_command.py              # one run (about 12 minutes on 2 cores)
    python3 bench/test_command.py --repeat 3   # median of three
    python3 bench/test_command.py --ci         # run .ci/run instead (also installs chromium if missing)

It needs git and network access to the package index (the install), like a fresh CI machine.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTEST_DONE = re.compile(r"=+ (.*?) in ([\d.]+)s")


def one_run(ci: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="genre_lab_bench_") as tmp:
        clone = Path(tmp) / "genre_lab"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import tasks; tasks.ensure_env()"], cwd=clone, check=True)
        install = time.perf_counter() - t0
        cmd = [str(clone / ".ci" / "run")] if ci else [sys.executable, "tasks.py", "test"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=clone, capture_output=True, text=True, errors="replace")
        test = time.perf_counter() - t0
        stages = [(m.group(1), float(m.group(2))) for m in PYTEST_DONE.finditer(proc.stdout)]
        if proc.returncode != 0:
            print(proc.stdout[-3000:], proc.stderr[-2000:], sep="\n")
        return {"install": install, "test": test, "rc": proc.returncode, "stages": stages}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--ci", action="store_true", help="run .ci/run instead of python3 tasks.py test")
    args = ap.parse_args()
    runs = []
    for i in range(args.repeat):
        r = one_run(args.ci)
        runs.append(r)
        print(f"run {i + 1}: install {r['install']:.0f} s, test command {r['test']:.0f} s "
              f"({r['test'] / 60:.1f} min), exit code {r['rc']}", flush=True)
        for what, seconds in r["stages"]:  # in the order they finished: some ran side by side
            print(f"    pytest: {what} in {seconds:.0f} s", flush=True)
    tests = [r["test"] for r in runs]
    print(f"\ntest command after the install: median {statistics.median(tests):.0f} s "
          f"({statistics.median(tests) / 60:.1f} min) over {len(runs)} run(s); target < 600 s")
    return max(r["rc"] for r in runs)


if __name__ == "__main__":
    sys.exit(main())
