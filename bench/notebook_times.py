"""How long each notebook takes to run on this machine, cold and warm; with --write, each notebook says so.

Cold: every cache empty (features, trained models, musicnn embeddings: a fresh
``GENRE_LAB_CACHE``; musicnn's weights, fetched once per machine, are copied
in), the notebooks run in course order, as a student's first pass through
them runs (the demo dataset is generated before, about a minute once). Warm:
the same notebooks again, with what the cold pass cached. Each notebook runs
in a fresh ``python3`` kernel in ``notebooks/``, like ``python3 tasks.py
run``; the executed copies are discarded (the committed notebooks are not
touched, except, with ``--write``, the one ``**Run time**`` line of each
notebook's first cell).

Usage::

    python3 bench/notebook_times.py            # print the table
    python3 bench/notebook_times.py --write    # ... and write each notebook's run-time line
    python3 bench/notebook_times.py 01 04      # only these notebooks (cold: after an empty cache all the same)
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

LINE = re.compile(r"^\*\*Run time\*\*.*$", re.M)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_once(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        client.execute(stderr=quiet)
    return time.perf_counter() - started


def say(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min".replace(".0 min", " min")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("only", nargs="*", help="notebook numbers (default: all)")
    p.add_argument("--write", action="store_true", help="write each notebook's **Run time** line")
    args = p.parse_args(argv)
    import genre_lab as gl
    from genre_lab.config import pretrained_dir

    gl.setup_environment()
    gl.ensure_dataset()
    paths = [q for q in gl.notebooks.notebook_paths() if not args.only or q.name[:2] in args.only]
    if args.write:  # before the long run: every notebook must have the line to replace
        import nbformat

        missing = [q.name for q in paths if not LINE.search(nbformat.read(q, as_version=4).cells[0].source)]
        if missing:
            raise SystemExit(f"no **Run time** line in the first cell of: {', '.join(missing)}")
    weights = pretrained_dir()
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="genre_lab_cold_") as cache:
        if weights.is_dir():
            shutil.copytree(weights, Path(cache) / "pretrained")
        old = os.environ.get("GENRE_LAB_CACHE")
        os.environ["GENRE_LAB_CACHE"] = cache  # the kernels inherit it
        try:
            for label in ("cold", "warm"):
                for path in paths:
                    seconds = run_once(path)
                    times.setdefault(path.name, []).append(seconds)
                    print(f"{label:<5} {path.name:<42} {seconds:7.1f} s", flush=True)
        finally:
            if old is None:
                os.environ.pop("GENRE_LAB_CACHE", None)
            else:
                os.environ["GENRE_LAB_CACHE"] = old
    cpu = cpu_name()
    print(f"\n{'notebook':<42} {'cold':>8} {'warm':>8}   ({os.cpu_count()} cores, {cpu})")
    for name, (cold, warm) in times.items():
        print(f"{name:<42} {cold:7.1f}s {warm:7.1f}s")
    print(f"{'all':<42} {sum(t[0] for t in times.values()):7.1f}s {sum(t[1] for t in times.values()):7.1f}s")
    if args.write:
        import nbformat

        for path in paths:
            cold, warm = times[path.name]
            nb = nbformat.read(path, as_version=4)
            line = (f"**Run time** on {os.cpu_count()} cores (measured by `bench/notebook_times.py`, {cpu}): about "
                    f"{say(cold)} the first time (empty caches, after the notebooks before it), {say(warm)} after "
                    "that.")
            if not LINE.search(nb.cells[0].source):
                raise SystemExit(f"{path.name}: its first cell has no **Run time** line to replace")
            nb.cells[0].source = LINE.sub(line, nb.cells[0].source)
            nbformat.write(nb, path)
        print(f"wrote the run-time line of {len(paths)} notebooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
