#!/usr/bin/env python3
"""Feature extraction benchmark: the 2018 original's plain loop vs genre_lab, cold and cached.

Every variant runs in a fresh Python process (so each pays its own first-call
overhead, as a student's first run does) on the same files, ``--repeat``
times; the table shows medians.

    python bench/features.py                 # 500 demo clips (generated if missing)
    python bench/features.py --repeat 5

Variants
--------
plain-9s       for each file: librosa.load(first 9 s) + melspectrogram + power_to_db (the 2018 method)
ours-9s-cold   genre_lab.extract_features with an empty cache (both cores, first 9 s decoded once)
ours-9s-cached the same call again: loaded from the cache
plain-win      the 2018 loop over windows: for each 9 s window (hop 4.5 s), librosa.load(offset, 9 s) + melspectrogram
plain-win-once a better plain loop: load each whole clip once, then melspectrogram of each window
ours-win-cold  genre_lab.extract_windows with an empty cache (one mel spectrogram per clip, sliced)
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


def _plain(paths, windows: bool) -> int:
    import librosa
    import numpy as np

    n = 0
    for p in paths:
        if not windows:
            y, sr = librosa.load(p, sr=22050, duration=9.0)
            S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=512)
            librosa.power_to_db(S, ref=np.max)
            n += 1
            continue
        if windows == "per-window":  # the 2018 loop applied to windows: load + melspectrogram per window
            dur = librosa.get_duration(path=p)
            hop = round(HOP_S * 22050 / 512) * 512 / 22050
            start = 0.0
            while start + 9.0 <= dur + 1e-6:
                y, sr = librosa.load(p, sr=22050, offset=start, duration=9.0)
                S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=512)
                librosa.power_to_db(S, ref=np.max)
                n += 1
                start += hop
            continue
        y, sr = librosa.load(p, sr=22050)  # a better plain loop: decode once, slice the samples
        win, hop = int(9 * sr), int(round(HOP_S * sr / 512)) * 512
        for start in range(0, len(y) - win + 1, hop):
            S = librosa.feature.melspectrogram(y=y[start:start + win], sr=sr, n_fft=1024, hop_length=512)
            librosa.power_to_db(S, ref=np.max)
            n += 1
    return n


def run_variant(variant: str, root: str, cache: str) -> dict:
    os.environ["GENRE_LAB_CACHE"] = cache
    import genre_lab as gl

    tracks = gl.find_tracks(root)
    paths = [str(Path(root) / p) for p in tracks["path"]]
    t0 = time.perf_counter()
    if variant.startswith("plain"):
        n = _plain(paths, windows={"plain-9s": False, "plain-win": "per-window", "plain-win-once": "once"}[variant])
    elif variant.startswith("ours-win"):
        n = len(gl.extract_windows(tracks, root, hop_seconds=HOP_S).X)
    else:
        n = len(gl.extract_features(tracks, root).X)
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

    root = str(gl.ensure_dataset(args.root))
    plan = ["plain-9s", "ours-9s-cold", "ours-9s-cached", "plain-win", "plain-win-once", "ours-win-cold"]
    times: dict[str, list[float]] = {v: [] for v in plan}
    info = {}
    for r in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:  # cold: an empty cache for every repeat
            for v in plan:
                out = subprocess.run([sys.executable, __file__, "--variant", v, "--root", root, "--cache", cache],
                                     capture_output=True, text=True, check=True)
                res = json.loads(out.stdout.strip().splitlines()[-1])
                times[v].append(res["seconds"])
                info[v] = res
        print(f"repeat {r + 1}/{args.repeat} done", file=sys.stderr)
    med = {v: statistics.median(t) for v, t in times.items()}
    n = info["plain-9s"]["clips"]
    print(f"\nfeature extraction on {n} clips, {os.cpu_count()} cores, median of {args.repeat} fresh-process runs\n")
    print(f"{'variant':<16}{'examples':>9}{'seconds':>9}{'clips/s':>9}{'vs plain':>10}   runs (s)")
    for v in plan:
        base = med["plain-win" if "win" in v else "plain-9s"]  # each variant against the 2018-style loop
        runs = " ".join(f"{t:.2f}" for t in times[v])
        print(f"{v:<16}{info[v]['examples']:>9}{med[v]:>9.2f}{n / med[v]:>9.0f}{base / med[v]:>9.1f}x   {runs}")
    print(f"\ntargets: ours-9s-cold >= 1.5x plain-9s ({med['plain-9s'] / med['ours-9s-cold']:.2f}x); "
          f"ours-win-cold >= 2x plain-win ({med['plain-win'] / med['ours-win-cold']:.2f}x; "
          f"{med['plain-win-once'] / med['ours-win-cold']:.2f}x against the decode-once loop); "
          f"cached < 0.5 s ({med['ours-9s-cached']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
