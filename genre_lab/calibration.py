"""Are the probabilities honest? Softmax with a temperature, reliability tables, expected calibration error.

Notebook: 09_embeddings_calibration_seeds.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["softmax", "reliability_table", "expected_calibration_error", "fit_temperature"]


def softmax(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of scores ``z / temperature``.

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    z = np.asarray(z, dtype=float) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def reliability_table(proba: np.ndarray, y: np.ndarray, *, n_bins: int = 5) -> pd.DataFrame:
    """Confidence against accuracy, in bins of confidence: the numbers behind a reliability diagram.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin: ``bin`` (e.g. ``"0.8-1.0"``), ``n``,
        ``confidence`` (mean top probability) and ``accuracy``.

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    conf = proba.max(axis=1)
    right = proba.argmax(axis=1) == np.asarray(y)
    edges = np.linspace(0, 1, n_bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        m = which == b
        if m.any():
            rows.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "n": int(m.sum()),
                         "confidence": float(conf[m].mean()), "accuracy": float(right[m].mean())})
    return pd.DataFrame(rows)


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, *, n_bins: int = 5) -> float:
    """ECE: the gap between confidence and accuracy, averaged over bins weighted by their size.

    0 means "80% sure" is right 80% of the time; a network that is always 99%
    sure and right 70% of the time has an ECE near 0.29.

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    t = reliability_table(proba, y, n_bins=n_bins)
    if t.empty:
        return float("nan")
    return float((t["n"] * (t["confidence"] - t["accuracy"]).abs()).sum() / max(1, t["n"].sum()))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature scaling: the one number T that makes ``softmax(logits / T)`` fit held-out labels best.

    Fit on the validation songs, never the test songs. T > 1 softens an
    over-confident network; the argmax (and so the accuracy) never changes.

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    from scipy.optimize import minimize_scalar

    y = np.asarray(y)

    def nll(log_t):
        p = softmax(logits, float(np.exp(log_t)))
        return -float(np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))

    return float(np.exp(minimize_scalar(nll, bounds=(-3, 4), method="bounded").x))
