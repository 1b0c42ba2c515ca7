"""Where a network's evidence lies: occlusion, planted shortcuts, nearest songs, decision flips.

Sturm's question, *right for the right reason?*, asked of a trained CNN.

Notebook: 06_voting_attention_baseline.ipynb (occlusion), 08_shortcuts_and_evidence.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model import predict_logits
from .predict import predict_any

__all__ = ["occlusion_map", "plant_cue", "occlusion_by_genre", "nearest_songs", "decision_flips"]


def occlusion_map(model, x: np.ndarray, *, target: int | None = None, frames: int = 20, bands: int = 8,
                  fill: float | None = None) -> np.ndarray:
    """What the network attends to: how much hiding each patch lowers the evidence for a genre.

    The spectrogram is covered, one patch of ``frames`` x ``bands`` at a
    time, with its mean value, and the map holds the drop in the
    **log-odds** of ``target`` (``log p / (1 - p)``, from the scores before
    the softmax). Log-odds are used instead of probabilities because a
    confident network's probability sits at 0.9999 and barely moves, while
    its log-odds still show which regions carry the evidence. Positive
    values mark regions the decision relies on; negative ones argue against it.

    Parameters
    ----------
    model : keras.Model
    x : np.ndarray
        One clip's feature, shape ``(388, 128)``.
    target : int or None
        Genre index to explain; default the predicted one.
    frames, bands : int
        Patch size in time frames and mel bands.
    fill : float or None
        Value painted into the patch (default: the clip's mean).

    Returns
    -------
    np.ndarray
        ``(388, 128)`` drop in log-odds, same layout as ``x``.

    Notebook: 06_voting_attention_baseline.ipynb
    """
    from scipy.special import logsumexp

    x = np.asarray(x, dtype=np.float32)
    fill = float(x.mean()) if fill is None else fill
    t_starts, b_starts = range(0, x.shape[0], frames), range(0, x.shape[1], bands)
    batch = [x]
    for t in t_starts:
        for b in b_starts:
            xo = x.copy()
            xo[t:t + frames, b:b + bands] = fill
            batch.append(xo)
    z = predict_logits(model, np.stack(batch))
    target = int(np.argmax(z[0])) if target is None else int(target)
    others = np.delete(z, target, axis=1)
    log_odds = z[:, target] - logsumexp(others, axis=1)
    drops = log_odds[0] - log_odds[1:]
    heat = np.zeros_like(x)
    i = 0
    for t in t_starts:
        for b in b_starts:
            heat[t:t + frames, b:b + bands] = drops[i]
            i += 1
    return heat


def plant_cue(X: np.ndarray, *, band: int = 100, level_db: float = -30.0) -> np.ndarray:
    """Add a faint, steady tone in one mel band to every frame of each clip: a planted shortcut ("horse").

    In the log-mel domain a steady tone ``level_db`` below the clip's peak
    raises one band to at least that level; everything else is unchanged.

    Parameters
    ----------
    X : np.ndarray
        ``(n_clips, 388, 128)`` log-mel features in dB.
    band : int
        The mel band holding the tone (100 is centred near 5.2 kHz).
    level_db : float
        Its level below each clip's peak (-30 dB: quiet, but steady).

    Returns
    -------
    np.ndarray
        A copy of ``X`` with the cue.

    Notebook: 08_shortcuts_and_evidence.ipynb
    """
    out = np.array(X, dtype=np.float32, copy=True)
    out[..., band] = np.maximum(out[..., band], level_db)
    return out


def occlusion_by_genre(model, X: np.ndarray, y: np.ndarray, genres, *, per_genre: int = 4,
                       frames: int = 388, bands: int = 8) -> dict:
    """Where the evidence lies: occlusion maps averaged over correctly classified clips of each genre.

    With ``frames=388`` each patch covers the whole 9 s of some mel bands, so
    the map says which *bands* the decision relies on; smaller ``frames`` also
    show *when*.

    Returns
    -------
    dict
        genre -> ``(388, 128)`` mean drop in log-odds (positive: evidence for the genre).

    Notebook: 08_shortcuts_and_evidence.ipynb
    """
    pred = predict_any(model, X).argmax(1)
    out = {}
    for g, name in enumerate(genres):
        idx = np.flatnonzero((y == g) & (pred == g))[:per_genre]
        if len(idx):
            out[name] = np.mean([occlusion_map(model, X[i], target=g, frames=frames, bands=bands) for i in idx], axis=0)
    return out


def nearest_songs(query: np.ndarray, pool: np.ndarray, *, k: int = 3) -> np.ndarray:
    """Indices of the ``k`` rows of ``pool`` closest to ``query`` (cosine similarity of embeddings).

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    q = query / (np.linalg.norm(query) + 1e-9)
    p = pool / (np.linalg.norm(pool, axis=1, keepdims=True) + 1e-9)
    return np.argsort(-(p @ q))[:k]


def decision_flips(model, X: np.ndarray, *, axis: str = "band", size: int = 8, seed: int = 0):
    """How many decisions change when one stripe of mel bands (or of time) is swapped between clips.

    Each clip gets the stripe of another clip (a seeded shuffle), all else
    unchanged: the stripe's information is scrambled, but it still looks like
    music (hiding it with a constant would draw a steady line, which is a
    pattern of its own). A model that is right for robust reasons should not
    hang on one narrow band or moment; a model that learned a shortcut
    ("horse") flips when the shortcut's stripe is scrambled.

    Parameters
    ----------
    model : keras.Model or MFCCBaseline
    X : np.ndarray
        ``(n_clips, 388, 128)`` features.
    axis : {"band", "time"}
        Swap ``size`` mel bands over the whole clip, or ``size`` frames over all bands.
    size : int
        Width of the stripe.
    seed : int
        Seed of the shuffle.

    Returns
    -------
    pandas.DataFrame
        One row per stripe: ``start``, ``stop`` (band or frame indices) and
        ``flipped`` (share of clips whose predicted genre changes).

    Notebook: 08_shortcuts_and_evidence.ipynb
    """
    X = np.asarray(X, dtype=np.float32)
    base = predict_any(model, X).argmax(1)
    n = X.shape[2] if axis == "band" else X.shape[1]
    order = np.random.default_rng(seed).permutation(len(X))
    # a random cycle through the clips: each clip takes the stripe of the clip before it in the cycle,
    # so (with two or more clips) no clip keeps its own stripe
    other = np.empty_like(order)
    other[order] = np.roll(order, 1)
    rows = []
    for start in range(0, n, size):
        Xo = X.copy()
        if axis == "band":
            Xo[:, :, start:start + size] = X[other, :, start:start + size]
        else:
            Xo[:, start:start + size, :] = X[other, start:start + size, :]
        flipped = float(np.mean(predict_any(model, Xo).argmax(1) != base))
        rows.append({"start": start, "stop": min(n, start + size), "flipped": flipped})
    return pd.DataFrame(rows)
