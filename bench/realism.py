#!/usr/bin/env python3
"""Does the demo sound like its genres to a network trained on real music? musicnn's zero-shot verdict per genre.

For each demo genre, the share of clips whose most probable musicnn *genre* tag
(among that model's genre tags, see ``genre_lab.GENRE_TAGS``) is the genre:
MSD for metal (``metal`` or ``heavy metal``), hiphop (``Hip-Hop``) and country
(``country``); MTT for classical (``classical``). Neither vocabulary has reggae:
its distribution is printed, with no share. The tags of a clip are the mean over
its 3 s patches (whole clips by default). The full distribution of top genre
tags is printed for both models.

With ``--real DIR`` (one sub-folder of real recordings per genre, kept outside
the repository), it also prints the demo-to-real distance per genre: the
Fréchet distance between the distributions of musicnn's MSD embeddings of the
demo's and the real recordings' 3 s patches, as in the Fréchet Audio Distance
(Kilgour et al., 2019; there with VGGish embeddings).

    python bench/realism.py                    # 20 clips per genre, whole clips
    python bench/realism.py --clips 100 --real /path/to/real
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

#: Demo genre -> (musicnn model, the tags that count as that genre).
TARGETS = {"metal": ("msd", ("metal", "heavy metal")), "hiphop": ("msd", ("Hip-Hop",)),
           "country": ("msd", ("country",)), "classical": ("mtt", ("classical",))}
AUDIO_EXT = {".wav", ".flac", ".ogg", ".mp3", ".au"}


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two sets of embeddings ``(n, d)``."""
    from scipy import linalg

    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    eps = 1e-6 * np.eye(a.shape[1])  # few patches in 200 dimensions: keep the covariances invertible
    cov_a, cov_b = np.cov(a, rowvar=False) + eps, np.cov(b, rowvar=False) + eps
    root = linalg.sqrtm(cov_a @ cov_b)
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * np.real(root)))


def real_tracks(folder: Path) -> pd.DataFrame:
    rows = [{"track_id": p.stem, "genre": d.name, "path": p.relative_to(folder).as_posix()}
            for d in sorted(folder.iterdir()) if d.is_dir()
            for p in sorted(d.rglob("*")) if p.suffix.lower() in AUDIO_EXT]
    return pd.DataFrame(rows, columns=["track_id", "genre", "path"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=20, help="clips per demo genre (the first ones, sorted)")
    ap.add_argument("--seconds", type=float, default=None, help="only the first seconds of each clip (default: all)")
    ap.add_argument("--root", help="the demo dataset (default: the data-root setting)")
    ap.add_argument("--real", type=Path, help="a folder of real recordings, one sub-folder per genre")
    args = ap.parse_args()

    import genre_lab as gl

    root = gl.ensure_dataset(args.root)
    tracks, _ = gl.scan_dataset(root, gl.DEMO_GENRES)
    tracks = tracks.groupby("genre", sort=False).head(args.clips).reset_index(drop=True)
    print(f"{gl.describe_data(root)}\n{args.clips} clips per genre, "
          f"{'whole clips' if args.seconds is None else f'first {args.seconds:g} s'}")
    t0 = time.perf_counter()
    views = {m: gl.musicnn_embeddings(tracks, root, model=m, seconds=args.seconds) for m in ("msd", "mtt")}
    print(f"(musicnn tags of {len(views['msd'].embeddings)} patches x 2 models: {time.perf_counter() - t0:.1f} s)")
    top = {}
    for m, view in views.items():
        _, tags, rows = view.per_track()
        top[m] = pd.crosstab(rows["genre"].to_numpy(), gl.top_genre_tag(tags, m)).reindex(list(gl.DEMO_GENRES))
        print(f"\ntop {m.upper()} genre tag per demo clip (counts):\n{top[m].to_string()}")
    print("\nzero-shot realism: share of demo clips whose top genre tag is their genre")
    for genre in gl.DEMO_GENRES:
        if genre not in TARGETS:
            print(f"  {genre:<10}   n/a  (no {genre} tag in either vocabulary; MSD says "
                  f"{top['msd'].loc[genre].idxmax()} for {top['msd'].loc[genre].max()} of {args.clips})")
            continue
        model, wanted = TARGETS[genre]
        row = top[model].loc[genre]
        share = row.reindex(list(wanted)).fillna(0).sum() / row.sum()
        print(f"  {genre:<10} {share:5.0%}  ({model.upper()} {' or '.join(wanted)}; most often: "
              f"{row.idxmax()} {row.max()} of {int(row.sum())})")
    if args.real:
        real = real_tracks(args.real)
        real_view = gl.musicnn_embeddings(real, args.real, model="msd")
        print(f"\ndemo-to-real Fréchet distance of MSD embeddings (3 s patches; {len(real)} real recordings):")
        for genre, patches in real_view.patches.groupby("genre"):
            demo = views["msd"].embeddings[(views["msd"].patches["genre"] == genre).to_numpy()]
            if len(demo) < 2 or len(patches) < 2:
                print(f"  {genre:<10} (not in the demo, or too few patches)")
                continue
            print(f"  {genre:<10} {frechet_distance(demo, real_view.embeddings[patches.index]):8.1f}  "
                  f"({len(demo)} demo and {len(patches)} real patches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
