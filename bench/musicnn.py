#!/usr/bin/env python3
"""How fast and how lean is musicnn here? Tags of a 5-minute file, embeddings of the demo, memory for an hour.

Targets on 2 cores (issue "musicnn in Keras 3"): tags of a 5-minute 44.1 kHz
stereo file in under 3 s once the model is loaded; embeddings of the 500 demo
clips (whole 30 s: 5,000 patches of 3 s) in under 60 s cold and under 1 s
cached; `genre-lab tag` on a 60-minute file peaking little above the same
command on a 20-second file (the file is decoded in blocks).

    python bench/musicnn.py            # 3 repeats, medians
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from predict import _write  # noqa: E402  (the same test files as bench/predict.py)


def _peak_mb(audio: Path) -> float:
    """Peak RSS of a fresh `genre-lab tag` process (the command students run)."""
    import subprocess

    code = ("import resource, sys; from genre_lab.cli import main; rc = main(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code, "tag", str(audio), "--json"],
                         capture_output=True, text=True, check=True)
    return float(out.stderr.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--clips", type=int, default=500, help="demo clips to embed (500: the whole demo)")
    args = ap.parse_args()

    import genre_lab as gl

    t0 = time.perf_counter()
    gl.load_musicnn("msd")
    print(f"musicnn (MSD) built and loaded in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        five = _write(Path(tmp) / "five_minutes.wav", 300, 44_100, 2)
        gl.tag_recording(five)  # warm-up: the first call builds the graph
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            gl.tag_recording(five)
            times.append(time.perf_counter() - t0)
        print(f"tags of a 5-minute 44.1 kHz stereo file (100 patches), model loaded: median "
              f"{statistics.median(times):.2f} s over {len(times)} runs (target < 3 s)")

        root = gl.ensure_dataset()
        tracks, _ = gl.scan_dataset(root, gl.DEMO_GENRES)
        tracks = tracks.groupby("genre").head(args.clips // len(gl.DEMO_GENRES))
        t0 = time.perf_counter()
        os.environ["GENRE_LAB_CACHE"] = str(Path(tmp) / "cache")  # an empty cache: this run is cold and fills it
        cold = gl.musicnn_embeddings(tracks, root)
        cold_s = time.perf_counter() - t0
        print(f"embeddings of {len(tracks)} demo clips ({len(cold.embeddings)} patches), cold: {cold_s:.1f} s "
              f"({1000 * cold_s / len(cold.embeddings):.0f} ms per patch; target < 60 s for 500 clips)")
        cached = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            assert gl.musicnn_embeddings(tracks, root).from_cache
            cached.append(time.perf_counter() - t0)
        print(f"the same, cached: median {statistics.median(cached):.2f} s (target < 1 s)")

        short = _write(Path(tmp) / "twenty_seconds.wav", 20, 22_050, 1)
        hour = _write(Path(tmp) / "sixty_minutes.wav", 3600, 22_050, 1)
        peaks = {name: statistics.median(_peak_mb(f) for _ in range(args.repeat))
                 for name, f in (("20 s", short), ("60 min", hour))}
    print(f"peak memory of `genre-lab tag`: 20 s file {peaks['20 s']:.0f} MB, 60-minute file "
          f"{peaks['60 min']:.0f} MB: +{peaks['60 min'] - peaks['20 s']:.0f} MB (medians of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
