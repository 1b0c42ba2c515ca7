"""Metrics, confusion matrices, song-level voting, top-k, occlusion and the MFCC baseline.

Every confusion matrix here has **true labels on rows** and predictions on
columns (scikit-learn's convention). The 2018 code swapped the arguments, so
its rows were predictions while its plot said "True label", and its
row-normalised matrix showed precision instead of recall.

Notebook: 04_confusion_matrix.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import AUDIO, AudioParams

__all__ = [
    "accuracy", "confusion", "normalize_confusion", "classification_table", "most_confused",
    "song_probabilities", "top_k", "genre_timeline", "mfcc_stats", "make_baseline", "occlusion_map",
]


def accuracy(y_true, y_pred) -> float:
    """Fraction of correct predictions.

    Parameters
    ----------
    y_true, y_pred : array-like of int
        True and predicted genre indices, shape ``(n_clips,)``.

    Returns
    -------
    float
        Between 0 and 1; NaN for no clips.

    Notebook: 04_confusion_matrix.ipynb
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def confusion(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Confusion counts: ``C[i, j]`` = clips of true genre ``i`` predicted as ``j``.

    Parameters
    ----------
    y_true, y_pred : array-like of int
        True and predicted genre indices, shape ``(n_clips,)``. Order matters:
        truth first.
    n_classes : int
        Number of genres (rows and columns, even for genres never predicted).

    Returns
    -------
    np.ndarray
        int, shape ``(n_classes, n_classes)``; rows = true, columns = predicted.

    Examples
    --------
    >>> confusion([0, 0, 1], [0, 1, 1], 2)
    array([[1, 1],
           [0, 1]])

    Notebook: 04_confusion_matrix.ipynb
    """
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))


def normalize_confusion(cm: np.ndarray, by: str = "true") -> np.ndarray:
    """Normalise a confusion matrix by row (``"true"``: recall) or column (``"pred"``: precision).

    Rows or columns with no clips give zeros, not NaN.

    Parameters
    ----------
    cm : np.ndarray
        Counts, shape ``(n_genres, n_genres)``, rows = true genre.
    by : {"true", "pred"}
        ``"true"``: every row sums to 1 (recall on the diagonal);
        ``"pred"``: every column sums to 1 (precision on the diagonal).

    Returns
    -------
    np.ndarray
        float, same shape as ``cm``.

    Notebook: 04_confusion_matrix.ipynb
    """
    cm = np.asarray(cm, dtype=float)
    axis = {"true": 1, "pred": 0}[by]
    totals = cm.sum(axis=axis, keepdims=True)
    return np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)


def classification_table(y_true, y_pred, genres) -> pd.DataFrame:
    """Per-genre precision, recall, F1 and support (scikit-learn's report as a table).

    Parameters
    ----------
    y_true, y_pred : array-like of int
        True and predicted genre indices, shape ``(n_clips,)``.
    genres : sequence of str
        Genre names in index order.

    Returns
    -------
    pandas.DataFrame
        One row per genre, then ``macro avg`` and ``weighted avg``; columns
        ``precision``, ``recall``, ``f1`` and ``support`` (clips of that genre).

    Notebook: 04_confusion_matrix.ipynb
    """
    from sklearn.metrics import classification_report

    rep = classification_report(y_true, y_pred, labels=np.arange(len(genres)), target_names=list(genres),
                                output_dict=True, zero_division=0)
    rep.pop("accuracy", None)  # a single number, not a row: see accuracy()
    table = pd.DataFrame(rep).T.rename(columns={"f1-score": "f1"})
    return table.astype({"support": int})


def most_confused(cm: np.ndarray, genres, k: int = 5) -> pd.DataFrame:
    """The genre pairs most often confused, ranked.

    Parameters
    ----------
    cm : np.ndarray
        Confusion counts, rows = true genre.
    genres : sequence of str
        Genre names in index order.
    k : int
        How many pairs to keep.

    Returns
    -------
    pandas.DataFrame
        ``true``, ``predicted``, ``count`` and ``share`` (of that true genre's
        clips), off-diagonal cells only, largest first.

    Notebook: 04_confusion_matrix.ipynb
    """
    cm = np.asarray(cm)
    rec = normalize_confusion(cm, "true")
    rows = [(genres[i], genres[j], int(cm[i, j]), float(rec[i, j]))
            for i in range(len(genres)) for j in range(len(genres)) if i != j and cm[i, j] > 0]
    out = pd.DataFrame(rows, columns=["true", "predicted", "count", "share"])
    return out.sort_values(["count", "share", "true"], ascending=[False, False, True]).head(k).reset_index(drop=True)


def song_probabilities(window_proba: np.ndarray, track_ids) -> tuple[np.ndarray, np.ndarray]:
    """Song-level prediction by averaging the genre probabilities of a song's windows.

    Parameters
    ----------
    window_proba : np.ndarray
        ``(n_windows, n_genres)`` probabilities, one row per window.
    track_ids : array-like
        The song each window belongs to, shape ``(n_windows,)``.

    Returns
    -------
    songs : np.ndarray
        The distinct track ids, in order of first appearance.
    proba : np.ndarray
        ``(n_songs, n_genres)`` mean probability per song.

    Examples
    --------
    >>> p = np.array([[0.6, 0.4], [0.1, 0.9], [0.2, 0.8]])
    >>> song_probabilities(p, ["a", "a", "b"])[1].round(2)
    array([[0.35, 0.65],
           [0.2 , 0.8 ]])

    Notebook: 04_confusion_matrix.ipynb
    """
    window_proba = np.asarray(window_proba, dtype=float)
    ids = pd.Series(np.asarray(track_ids))
    if len(ids) != len(window_proba):
        raise ValueError(f"{len(ids)} track ids for {len(window_proba)} windows")
    codes, songs = pd.factorize(ids)
    sums = np.zeros((len(songs), window_proba.shape[1]))
    np.add.at(sums, codes, window_proba)
    return np.asarray(songs), sums / np.bincount(codes)[:, None]


def top_k(proba: np.ndarray, genres, k: int = 3) -> pd.DataFrame:
    """The k most probable genres of each clip, as a table: genres overlap, so show more than the argmax.

    Parameters
    ----------
    proba : np.ndarray
        ``(n_clips, n_genres)`` probabilities (or one clip's ``(n_genres,)``).
    genres : sequence of str
        Genre names in column order.
    k : int
        How many genres per clip.

    Returns
    -------
    pandas.DataFrame
        One row per clip with columns ``top1`` .. ``topk`` and ``p1`` .. ``pk``.

    Notebook: 04_confusion_matrix.ipynb
    """
    proba = np.atleast_2d(proba)
    order = np.argsort(-proba, axis=1)[:, :k]
    data = {}
    for r in range(order.shape[1]):
        data[f"top{r + 1}"] = [genres[i] for i in order[:, r]]
        data[f"p{r + 1}"] = proba[np.arange(len(proba)), order[:, r]]
    return pd.DataFrame(data)


def genre_timeline(model, y: np.ndarray, genres, *, hop_seconds: float = 1.5, params: AudioParams = AUDIO) -> pd.DataFrame:
    """Genre probabilities over time across windows of a whole recording.

    Parameters
    ----------
    model : keras.Model
    y : np.ndarray
        Mono audio at 22,050 Hz, any length (see :func:`genre_lab.load_audio`).
    genres : sequence of str
    hop_seconds : float
        Seconds between windows of 9 s.

    Returns
    -------
    pandas.DataFrame
        Index ``start_s`` (window start), one probability column per genre.

    Notebook: 04_confusion_matrix.ipynb
    """
    from .features import window_features
    from .model import predict_proba

    X, starts = window_features(y, hop_seconds=hop_seconds, params=params)
    proba = predict_proba(model, X)
    return pd.DataFrame(proba, columns=list(genres), index=pd.Index(np.round(starts, 2), name="start_s"))


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

    Notebook: 04_confusion_matrix.ipynb
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

    Notebook: 04_confusion_matrix.ipynb
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000, random_state=seed))


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

    Notebook: 04_confusion_matrix.ipynb
    """
    from scipy.special import logsumexp

    from .model import predict_logits

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
