#!/usr/bin/env python3
"""How fast is the demo dataset made? Seconds and clips per second for a whole set, on all cores.

Renders the default demo dataset (5 genres x 100 clips of 30 s, seed 2018)
into a temporary folder, from a cold start (worker processes, SoundFont
load and note caches included), and prints the figures. Target on 2 cores:
500 clips in at most 45 s.

    python bench/demo.py                  # 100 clips per genre, all cores
    python bench/demo.py --clips 20 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=100, help="clips per genre")
    ap.add_argument("--repeat", type=int, default=1, help="runs; the median is reported")
    ap.add_argument("--jobs", type=int, default=-1)
    args = ap.parse_args()

    import os

    import genre_lab as gl

    times = []
    for r in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            gl.make_demo_dataset(Path(tmp) / "demo", clips_per_genre=args.clips, n_jobs=args.jobs)
            times.append(time.perf_counter() - t0)
            n = args.clips * len(gl.DEMO_GENRES)
            size = sum(p.stat().st_size for p in (Path(tmp) / "demo").rglob("*") if p.is_file())
        print(f"run {r + 1}: {n} clips in {times[-1]:.1f} s ({n / times[-1]:.1f} clips/s), "
              f"{size / 1e6:.0f} MB", file=sys.stderr)
    med = statistics.median(times)
    print(f"demo dataset: {n} clips of 30 s on {os.cpu_count()} cores: median {med:.1f} s over {len(times)} run(s), "
          f"{n / med:.1f} clips/s (target: 500 clips in <= 45 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
