#!/usr/bin/env python3
"""Training benchmark: the reference CNN and the 2018 historical variant, 27 epochs on the demo split.

Each variant is trained in a fresh Python process (``--repeat`` times) on the
same cached features and split; the table shows medians of seconds per epoch
(first epoch apart: it includes graph tracing) and of the whole fit.

    python bench/train.py               # 27 epochs, 3 repeats
    python bench/train.py --repeat 1

Target on 2 cores: the reference CNN trains 27 epochs on 375 clips in at most 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run_variant(layout: str, epochs: int) -> dict:
    import genre_lab as gl
    from genre_lab import model as M
    from genre_lab.backend import keras_quietly

    exp = gl.load_experiment()
    X_tr, y_tr = exp.part("train")
    X_va, y_va = exp.part("validation")
    mean, var = M.band_statistics(X_tr)
    model = M.BUILDERS[layout](len(exp.genres), band_mean=mean, band_var=var)
    keras = keras_quietly()
    stamps = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            stamps.append(time.perf_counter())

    t0 = time.perf_counter()
    model.fit(M.to_model_layout(X_tr, layout), keras.utils.to_categorical(y_tr, len(exp.genres)),
              validation_data=(M.to_model_layout(X_va, layout), keras.utils.to_categorical(y_va, len(exp.genres))),
              epochs=epochs, batch_size=32, verbose=0, callbacks=[Clock()])
    total = time.perf_counter() - t0
    per_epoch = [b - a for a, b in zip(stamps, stamps[1:])]
    return {"total": total, "first_epoch": stamps[0] - t0, "per_epoch": statistics.median(per_epoch),
            "n_train": int(len(y_tr)), "params": int(model.count_params())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=27)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.epochs)))
        return 0

    import genre_lab as gl

    gl.load_experiment()  # build the demo data, features and split once, outside the timings
    plan = ["reference", "historical-2018"]
    runs: dict[str, list[dict]] = {v: [] for v in plan}
    for r in range(args.repeat):
        for v in plan:
            out = subprocess.run([sys.executable, __file__, "--variant", v, "--epochs", str(args.epochs)],
                                 capture_output=True, text=True, check=True)
            runs[v].append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"repeat {r + 1}/{args.repeat} done", file=sys.stderr)

    n = runs["reference"][0]["n_train"]
    print(f"\ntraining {args.epochs} epochs on {n} clips (batch 32), {os.cpu_count()} cores, "
          f"median of {args.repeat} fresh-process runs\n")
    print(f"{'variant':<17}{'params':>10}{'1st epoch s':>13}{'s/epoch':>9}{'total s':>9}   totals (s)")
    for v in plan:
        med = {k: statistics.median(r[k] for r in runs[v]) for k in ("total", "first_epoch", "per_epoch")}
        totals = " ".join(f"{r['total']:.1f}" for r in runs[v])
        print(f"{v:<17}{runs[v][0]['params']:>10,}{med['first_epoch']:>13.2f}{med['per_epoch']:>9.2f}"
              f"{med['total']:>9.1f}   {totals}")
    ref = statistics.median(r["total"] for r in runs["reference"])
    print(f"\ntarget: reference {args.epochs} epochs <= 30 s ({ref:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
