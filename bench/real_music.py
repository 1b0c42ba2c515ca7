#!/usr/bin/env python3
"""Does what a model learns on the synthetic demo hold on real music? Whole-song votes on real recordings.

Point it at a folder of real recordings sorted into one sub-folder per genre
(``metal/``, ``classical/``, ...: any format genre_lab reads, any length).
It loads (or trains, 27 epochs on the default demo data) the reference CNN
with training seeds 1, 2, ... (the models of notebook 06's seed study, shared
with it) and prints, per genre, how many recordings the whole-song vote gets
right.
Real recordings never belong in the repository: keep them elsewhere.

    python bench/real_music.py /path/to/real --seeds 5  # 27-epoch demo models, training seeds 1-5
    python bench/real_music.py /path/to/real --model data/models/x.keras   # one model you trained
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

AUDIO_EXT = {".wav", ".flac", ".ogg", ".mp3", ".au"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="folder with one sub-folder of recordings per genre")
    ap.add_argument("--model", type=Path, help="a .keras model (default: train or load the demo reference CNN)")
    ap.add_argument("--seeds", type=int, default=1, help="training seeds to try (without --model)")
    ap.add_argument("--layout", default="reference", choices=["reference", "historical-2018"])
    args = ap.parse_args()

    import genre_lab as gl
    from genre_lab.cache import exclusive

    files = {d.name: sorted(p for p in d.rglob("*") if p.suffix.lower() in AUDIO_EXT)
             for d in sorted(args.folder.iterdir()) if d.is_dir()}
    models = []
    if args.model:
        models.append(gl.load_model(args.model))
    else:
        exp = gl.load_experiment()
        for seed in range(1, args.seeds + 1):
            path = gl.default_model_path(exp, args.layout, seed=seed)  # notebook 06's seed-study model, shared
            with exclusive(path):
                models.append(gl.load_or_train(exp, layout=args.layout, seed=seed, verbose=0))
    for i, (model, meta) in enumerate(models):
        genres = meta["genres"]
        print(f"\nmodel {i + 1} ({meta.get('layout')}, trained on {meta.get('data')} data, seed {meta.get('seed')})")
        for genre, paths in files.items():
            if genre not in genres:
                print(f"  {genre}: not a genre of this model, skipped")
                continue
            votes = Counter()
            for p in paths:
                out = gl.predict_recording(model, p, genres, hop_seconds=4.5, top=1)
                votes[out["top"][0]["genre"] if not out["error"] else "error"] += 1
            n = sum(votes.values())
            print(f"  {genre:<10} {votes[genre]:>3}/{n:<3} = {votes[genre] / max(1, n):5.0%} right   "
                  + ", ".join(f"{g} {c}" for g, c in votes.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
