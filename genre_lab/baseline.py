"""The baseline anyone can understand: MFCC statistics and logistic regression.

If a CNN does not beat it, its depth is not buying anything on that data.

Notebook: 03_dataset_split.ipynb, 05_evaluation.ipynb
"""

from __future__ import annotations

import numpy as np

__all__ = ["mfcc_stats", "make_baseline", "MFCCBaseline", "fit_baseline"]


def mfcc_stats(X: np.ndarray, *, n_mfcc: int = 20) -> np.ndarray:
    """Mean and standard deviation of MFCCs per clip, from the log-mel features.

    MFCCs are the DCT of the log-mel spectrum, so they come straight from the
    cached features without decoding audio again.

    Parameters
    ----------
    X : np.ndarray
        ``(n_clips, 388, 128)`` log-mel features in dB.
    n_mfcc : int
        Coefficients kept.

    Returns
    -------
    np.ndarray
        ``(n_clips, 2 * n_mfcc)``: means then standard deviations.

    Notebook: 06_voting_attention_baseline.ipynb
    """
    import librosa

    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 3:
        raise ValueError(f"expected features (n_clips, n_frames, n_mels), got shape {X.shape}")
    mfcc = librosa.feature.mfcc(S=np.swapaxes(X, 1, 2), n_mfcc=n_mfcc)  # (n, n_mfcc, n_frames)
    return np.concatenate([mfcc.mean(axis=2), mfcc.std(axis=2)], axis=1)


def make_baseline(*, seed: int = 0, C: float = 1.0):
    """The baseline anyone can understand: MFCC statistics -> standardise -> logistic regression.

    Fit it on :func:`mfcc_stats` of the training clips and evaluate on the
    same split as the CNN.

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``StandardScaler`` then ``LogisticRegression``.

    Examples
    --------
    >>> base = make_baseline()                       # doctest: +SKIP
    >>> base.fit(mfcc_stats(X_train), y_train)       # doctest: +SKIP

    Notebook: 06_voting_attention_baseline.ipynb
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000, random_state=seed))


class MFCCBaseline:
    """A fitted MFCC baseline that takes log-mel features like the CNN does.

    ``predict_proba(X)`` accepts ``(n_clips, 388, 128)`` features, so
    :func:`genre_lab.evaluate_model` treats it exactly like a network
    (first 9 s, whole-song vote, confusion, top-k).

    Notebook: 06_voting_attention_baseline.ipynb
    """

    name = "MFCC statistics + logistic regression"

    def __init__(self, pipeline, *, n_mfcc: int = 20):
        self.pipeline = pipeline
        self.n_mfcc = n_mfcc

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``(n_clips, n_genres)`` probabilities for features ``(n_clips, 388, 128)``."""
        if len(X) == 0:
            return np.zeros((0, len(self.pipeline.classes_)))
        return self.pipeline.predict_proba(mfcc_stats(X, n_mfcc=self.n_mfcc))


def fit_baseline(X_train: np.ndarray, y_train: np.ndarray, *, seed: int = 0, n_mfcc: int = 20) -> MFCCBaseline:
    """Fit the MFCC baseline on training features ``(n_clips, 388, 128)`` and integer labels.

    Examples
    --------
    >>> base = fit_baseline(*exp.part("train"))            # doctest: +SKIP
    >>> evaluate_model(base, exp).accuracy["test"]          # doctest: +SKIP

    Notebook: 06_voting_attention_baseline.ipynb
    """
    pipe = make_baseline(seed=seed).fit(mfcc_stats(X_train, n_mfcc=n_mfcc), y_train)
    return MFCCBaseline(pipe, n_mfcc=n_mfcc)
