#!/usr/bin/env python3
"""How much do the results move with the training seed? Test accuracy over several seeds, same split.

One test accuracy from 75 songs is a noisy number. This trains (or loads) the
reference CNN and the 2018 layout with each seed on the saved split of the
data root (the demo by default, or whatever ``GENRE_LAB_DATA`` points at),
scores every model with ``genre_lab.evaluate_model`` (first 9 s and whole-song
vote), adds the MFCC baseline, and prints mean and 95% interval over seeds:
the same function and numbers as notebook 06.

    python bench/seeds.py              # the split seed and seeds 1..4
    python bench/seeds.py --seeds 10
"""

from __future__ import annotations

import argparse
import sys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=27)
    args = ap.parse_args()

    import genre_lab as gl

    exp = gl.load_experiment()
    seeds = (exp.seed, *range(1, args.seeds))
    runs, summary = gl.results_over_seeds(exp, seeds=seeds, epochs=args.epochs)
    print(runs.to_string(index=False, float_format=lambda v: f"{v:.1%}"), file=sys.stderr)
    print(f"\ntest accuracy on {exp.part('test')[1].size} {exp.kind} songs, {len(seeds)} training seeds, "
          f"split {exp.split_name}, {args.epochs} epochs: mean [95% t-interval over seeds]\n")
    for row in summary.itertuples():
        print(f"{row.model:<18}{row.measure:<10}{row.mean:6.1%}  [{row.low:.1%} .. {row.high:.1%}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
