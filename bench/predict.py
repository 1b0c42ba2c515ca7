#!/usr/bin/env python3
"""How fast and how lean is `genre-lab predict`? Seconds for a 5-minute file, peak memory for 60 minutes vs 20 s.

Targets on 2 cores: a 5-minute 44.1 kHz stereo file predicted in under 3 s once
the model is loaded; `genre-lab predict` on a 60-minute file peaking at most
300 MB above the same command on a 20-second file. The model is the default
27-epoch reference CNN of the demo data (trained first if there is none).

    python bench/predict.py            # 3 repeats, medians
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _write(path: Path, seconds: float, sr: int, channels: int) -> Path:
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(0)
    block = (0.1 * rng.standard_normal((60 * sr, channels))).astype("float32")
    with sf.SoundFile(path, "w", sr, channels, "PCM_16") as f:
        left = seconds
        while left > 0:
            n = int(min(60, left) * sr)
            f.write(block[:n])
            left -= 60
    return path


def _peak_mb(model: Path, audio: Path) -> float:
    """Peak RSS of a fresh `genre-lab predict` process (the command students run)."""
    code = ("import resource, sys; from genre_lab.cli import main; rc = main(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code, "predict", str(audio), "--model", str(model), "--json"],
                         capture_output=True, text=True, check=True)
    return float(out.stderr.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import genre_lab as gl

    exp = gl.load_experiment()
    model, meta = gl.load_or_train(exp, verbose=0)
    model_path = gl.default_model_path(exp)
    with tempfile.TemporaryDirectory() as tmp:
        five = _write(Path(tmp) / "five_minutes.wav", 300, 44_100, 2)
        gl.predict_recording(model, five, meta["genres"])  # warm-up: first predict builds the graph
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            gl.predict_recording(model, five, meta["genres"])
            times.append(time.perf_counter() - t0)
        print(f"5-minute 44.1 kHz stereo file, model loaded: median {statistics.median(times):.2f} s over "
              f"{len(times)} runs (target < 3 s)")
        short = _write(Path(tmp) / "twenty_seconds.wav", 20, 22_050, 1)
        hour = _write(Path(tmp) / "sixty_minutes.wav", 3600, 22_050, 1)
        peaks = {name: statistics.median(_peak_mb(model_path, f) for _ in range(args.repeat))
                 for name, f in (("20 s", short), ("60 min", hour))}
    print(f"peak memory of `genre-lab predict`: 20 s file {peaks['20 s']:.0f} MB, 60-minute file "
          f"{peaks['60 min']:.0f} MB: +{peaks['60 min'] - peaks['20 s']:.0f} MB (target <= +300 MB; "
          f"medians of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
