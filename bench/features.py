#!/usr/bin/env python3
"""Feature extraction benchmark: the 2018 original's plain loop vs genre_lab, cold and cached.

Every variant runs in a fresh Python process (so each pays its own first-call
overhead, as a student's first run does) on the same files, ``--repeat``
times, in a shuffled order each time (so no variant always meets a cold disk
cache); the table shows medians. Each variant runs both on one core and on
all cores, so the ratios compare methods, not parallelism.

    python bench/features.py                 # 500 demo clips (generated if missing)
    python bench/features.py --repeat 5

Variants (``-1`` one core, ``-N`` all cores: joblib over files for the plain loops)
--------
plain-9s       for each file: librosa.load(first 9 s) + melspectrogram + power_to_db (the 2018 method)
ours-9s        genre_lab.extract_features with an empty cache (first 9 s decoded once, transformed clip by clip, threads)
ours-9s-cached the same call again: loaded from the cache
plain-win      for each clip: librosa.load once, then melspectrogram + power_to_db of each 9 s window (hop 4.5 s)
ours-win       genre_lab.extract_windows with an empty cache (one mel spectrogram per clip, sliced)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOP_S = 4.5


def _plain_one(p: str, windows: bool) -> int:
    import librosa
    import numpy as np

    if not windows:
        y, sr = librosa.load(p, sr=22050, duration=9.0)
        S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=512)
        librosa.power_to_db(S, ref=np.max)
        return 1
    y, sr = librosa.load(p, sr=22050)  # decode once, then each window
    win, hop, n = int(9 * sr), int(round(HOP_S * sr / 512)) * 512, 0
    for start in range(0, len(y) - win + 1, hop):
        S = librosa.feature.melspectrogram(y=y[start:start + win], sr=sr, n_fft=1024, hop_length=512)
        librosa.power_to_db(S, ref=np.max)
        n += 1
    return n


def _plain(paths, windows: bool, n_jobs: int) -> int:
    if n_jobs == 1:
        return sum(_plain_one(p, windows) for p in paths)
    from joblib import Parallel, delayed

    return sum(Parallel(n_jobs=n_jobs)(delayed(_plain_one)(p, windows) for p in paths))


def run_variant(variant: str, root: str, cache: str) -> dict:
    os.environ["GENRE_LAB_CACHE"] = cache
    import genre_lab as gl

    tracks = gl.find_tracks(root)
    paths = [str(Path(root) / p) for p in tracks["path"]]
    n_jobs = 1 if variant.endswith("-1") else -1
    windows = "-win" in variant
    t0 = time.perf_counter()
    if variant.startswith("plain"):
        n = _plain(paths, windows, n_jobs)
    elif windows:
        n = len(gl.extract_windows(tracks, root, hop_seconds=HOP_S, n_jobs=n_jobs).X)
    else:
        if variant == "ours-9s-cached":
            gl.extract_features(tracks, root)  # fill the cache (not timed), then time a reload
            t0 = time.perf_counter()
        n = len(gl.extract_features(tracks, root, n_jobs=n_jobs).X)
    return {"seconds": time.perf_counter() - t0, "clips": len(paths), "examples": n}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", help="dataset root (default: the demo dataset, generated if missing)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.root, args.cache)))
        return 0

    import genre_lab as gl

    import random

    root = str(gl.ensure_dataset(args.root))
    cores = os.cpu_count()
    plan = ["plain-9s-1", "ours-9s-1", f"plain-9s-{cores}", f"ours-9s-{cores}", "ours-9s-cached",
            "plain-win-1", "ours-win-1", f"plain-win-{cores}", f"ours-win-{cores}"]
    times: dict[str, list[float]] = {v: [] for v in plan}
    info = {}
    rng = random.Random(0)
    for r in range(args.repeat):
        order = plan[:]
        rng.shuffle(order)
        for v in order:
            with tempfile.TemporaryDirectory() as cache:  # cold: an empty feature cache for every variant
                out = subprocess.run([sys.executable, __file__, "--variant", v, "--root", root, "--cache", cache],
                                     capture_output=True, text=True, check=True)
            res = json.loads(out.stdout.strip().splitlines()[-1])
            times[v].append(res["seconds"])
            info[v] = res
        print(f"repeat {r + 1}/{args.repeat} done (order: {', '.join(order)})", file=sys.stderr)
    med = {v: statistics.median(t) for v, t in times.items()}
    n = info["plain-9s-1"]["clips"]
    print(f"\nfeature extraction on {n} clips, {cores} cores, median of {args.repeat} fresh-process runs\n")
    print(f"{'variant':<16}{'examples':>9}{'seconds':>9}{'clips/s':>9}{'vs plain':>10}   runs (s)")
    for v in plan:
        kind = "win" if "-win" in v else "9s"
        jobs = v.rsplit("-", 1)[-1] if v != "ours-9s-cached" else "1"
        base = med[f"plain-{kind}-{jobs}"]  # against the plain loop on the same number of cores
        runs = " ".join(f"{t:.2f}" for t in times[v])
        print(f"{v:<16}{info[v]['examples']:>9}{med[v]:>9.2f}{n / med[v]:>9.0f}{base / med[v]:>9.1f}x   {runs}")
    print(f"\ntargets: ours >= 1.5x the parallel plain loop on {cores} cores "
          f"({med[f'plain-9s-{cores}'] / med[f'ours-9s-{cores}']:.2f}x), >= 1.3x with one core each "
          f"({med['plain-9s-1'] / med['ours-9s-1']:.2f}x); windows vs the decode-once loop: "
          f"{med[f'plain-win-{cores}'] / med[f'ours-win-{cores}']:.2f}x on {cores} cores, "
          f"{med['plain-win-1'] / med['ours-win-1']:.2f}x on one; cached reload < 0.3 s ({med['ours-9s-cached']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
