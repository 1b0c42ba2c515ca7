#!/usr/bin/env python3
"""How much do the results move with the training seed? Test accuracy over several seeds, same split.

One test accuracy from 75 songs is a noisy number; this trains the reference
CNN and the 2018 layout with each seed on the saved demo split (or whatever
``GENRE_LAB_DATA`` points at) and prints mean, standard deviation and range,
first 9 s and whole-song vote, next to the (deterministic) MFCC baseline.

    python bench/seeds.py              # seeds 1..5
    python bench/seeds.py --seeds 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=27)
    args = ap.parse_args()

    import numpy as np

    import genre_lab as gl

    exp = gl.load_experiment()
    X_tr, y_tr = exp.part("train")
    X_te, y_te = exp.part("test")
    wins = exp.windows("test")
    songs = wins.tracks["track_id"]
    truth = exp.tracks.set_index("track_id").loc[songs.unique(), "genre"].map(exp.genres.index).to_numpy()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for layout in (gl.REFERENCE, gl.HISTORICAL):
            first, vote = [], []
            for seed in range(1, args.seeds + 1):
                model, _, _ = gl.train_reference(exp, layout=layout, epochs=args.epochs, seed=seed, verbose=0,
                                                 out=Path(tmp) / f"{layout}_{seed}.keras")
                first.append(gl.accuracy(y_te, gl.predict_proba(model, X_te).argmax(1)))
                _, p = gl.song_probabilities(gl.predict_proba(model, wins.X), songs)
                vote.append(gl.accuracy(truth, p.argmax(1)))
                print(f"{layout} seed {seed}: test {first[-1]:.1%}, whole-song vote {vote[-1]:.1%}", file=sys.stderr)
            rows[layout] = (first, vote)
    base = gl.make_baseline().fit(gl.mfcc_stats(X_tr), y_tr)
    base_acc = gl.accuracy(y_te, base.predict(gl.mfcc_stats(X_te)))

    def fmt(v):
        return f"{statistics.mean(v):6.1%} +- {statistics.stdev(v):4.1%}  [{min(v):.1%} .. {max(v):.1%}]"

    print(f"\ntest accuracy on {len(y_te)} {exp.kind} songs, {args.seeds} training seeds, split {exp.split_name}, "
          f"{args.epochs} epochs (mean +- sd [min .. max])\n")
    print(f"{'model':<30}{'first 9 s':<34}whole-song vote")
    for layout, (first, vote) in rows.items():
        print(f"{layout:<30}{fmt(first):<34}{fmt(vote)}")
    print(f"{'MFCC stats + logistic regr.':<30}{base_acc:6.1%} (deterministic)")
    print(f"\nbinomial standard error of one accuracy near {np.mean(rows[gl.REFERENCE][0]):.0%} on {len(y_te)} songs: "
          f"{np.sqrt(np.mean(rows[gl.REFERENCE][0]) * (1 - np.mean(rows[gl.REFERENCE][0])) / len(y_te)):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
