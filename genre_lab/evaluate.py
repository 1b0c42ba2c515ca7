"""Metrics, confusion matrices, song-level voting, top-k, and the one evaluation of any model.

Every confusion matrix here has **true labels on rows** and predictions on
columns (scikit-learn's convention). The 2018 code swapped the arguments, so
its rows were predictions while its plot said "True label", and its
row-normalised matrix showed precision instead of recall.

Notebook: 05_evaluation.ipynb
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import HOP_SECONDS
from .predict import predict_any

__all__ = [
    "accuracy", "accuracy_interval", "confusion", "normalize_confusion", "classification_table", "most_confused",
    "song_probabilities", "top_k", "Evaluation", "evaluate_model",
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

    Notebook: 05_evaluation.ipynb
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

    Notebook: 05_evaluation.ipynb
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

    Notebook: 05_evaluation.ipynb
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

    Notebook: 05_evaluation.ipynb
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

    Notebook: 05_evaluation.ipynb
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

    Notebook: 06_voting_attention_baseline.ipynb
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

    Notebook: 05_evaluation.ipynb
    """
    proba = np.atleast_2d(proba)
    order = np.argsort(-proba, axis=1)[:, :k]
    data = {}
    for r in range(order.shape[1]):
        data[f"top{r + 1}"] = [genres[i] for i in order[:, r]]
        data[f"p{r + 1}"] = proba[np.arange(len(proba)), order[:, r]]
    return pd.DataFrame(data)


def accuracy_interval(n_correct: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of an accuracy measured on ``n`` independent songs.

    One test accuracy on 75 songs is a noisy number: this says how noisy.

    Examples
    --------
    >>> [round(v, 3) for v in accuracy_interval(52, 75)]
    [0.582, 0.786]

    Notebook: 05_evaluation.ipynb
    """
    from scipy.stats import norm

    if n <= 0:
        return (float("nan"), float("nan"))
    z = float(norm.ppf(0.5 + confidence / 2))
    p = n_correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if n_correct == 0 else max(0.0, centre - half)
    high = 1.0 if n_correct == n else min(1.0, centre + half)
    return (float(low), float(high))


@dataclass
class Evaluation:
    """What :func:`evaluate_model` measured: one model on one experiment.

    Attributes
    ----------
    genres : list of str
        Class order of every matrix and probability column.
    data : str
        ``"synthetic demo"`` or ``"GTZAN"``: the data every number is about.
    split : str
        The split's name (seeded stratified, or the list files).
    accuracy, accuracy_ci95, n : dict
        Per split (train, validation, test), on the first 9 s of each song:
        accuracy (None for an empty split), its 95% Wilson interval, songs.
    confusion_matrix : list of list of int
        Test, first 9 s, **rows = true genre**, columns = predicted.
    classification_report : dict
        Precision, recall, f1 and support per genre (test, first 9 s).
    most_confused : list of dict
        Off-diagonal cells, largest first.
    top_k : list of dict
        Per test song, the ``k`` most probable genres.
    accuracy_song_vote, accuracy_song_vote_ci95, confusion_matrix_song_vote, n_song_vote
        The whole-song vote on the test songs (None when ``vote=False``).
    test_proba, test_track_ids
        First-9-s probabilities per test song, for plots (left out of JSON).

    Notebook: 05_evaluation.ipynb
    """

    genres: list
    data: str
    split: str
    accuracy: dict = field(default_factory=dict)
    accuracy_ci95: dict = field(default_factory=dict)
    n: dict = field(default_factory=dict)
    confusion_matrix: list = field(default_factory=list)
    classification_report: dict = field(default_factory=dict)
    most_confused: list = field(default_factory=list)
    top_k: list = field(default_factory=list)
    accuracy_song_vote: float | None = None
    accuracy_song_vote_ci95: list | None = None
    confusion_matrix_song_vote: list | None = None
    n_song_vote: int | None = None
    test_proba: list = field(default_factory=list, repr=False)
    test_track_ids: list = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        """The fields ``genre-lab evaluate --json`` prints (everything but the per-song probabilities)."""
        out = dataclasses.asdict(self)
        del out["test_proba"], out["test_track_ids"]
        return out


def evaluate_model(model, exp, *, hop_seconds: float = HOP_SECONDS, k: int = 3, vote: bool = True) -> Evaluation:
    """Evaluate any model on an experiment: the one evaluation behind the CLI, notebooks and benchmarks.

    Parameters
    ----------
    model : keras.Model or MFCCBaseline
        A network from :func:`genre_lab.build_reference_cnn` (either layout)
        or a fitted :class:`genre_lab.baseline.MFCCBaseline`.
    exp : Experiment
        Data and split (:func:`genre_lab.load_experiment`).
    hop_seconds : float
        Seconds between the 9 s windows of the whole-song vote.
    k : int
        Genres listed per test song in ``top_k``.
    vote : bool
        Also compute the whole-song vote on the test songs (needs every
        window of every test song; cached after the first call).

    Returns
    -------
    Evaluation
        Accuracy with 95% intervals per split (first 9 s), the test confusion
        matrix (rows = true genre), per-genre report, top-k per test song, and
        the whole-song vote; ``.to_json()`` gives the CLI's JSON.

    Notebook: 05_evaluation.ipynb
    """
    from .split import SPLITS

    genres = list(exp.genres)
    out = Evaluation(genres=genres, data=exp.kind, split=exp.split_name)
    for name in SPLITS:
        X, y = exp.part(name)
        proba = predict_any(model, X) if len(y) else np.zeros((0, len(genres)))
        pred = proba.argmax(1) if len(y) else np.empty(0, dtype=int)
        n_ok = int(np.sum(pred == y))
        out.accuracy[name] = n_ok / len(y) if len(y) else None  # an empty split: None (JSON has no NaN)
        out.accuracy_ci95[name] = list(accuracy_interval(n_ok, len(y))) if len(y) else None
        out.n[name] = int(len(y))
        if name == "test":
            out.confusion_matrix = confusion(y, pred, len(genres)).tolist()
            report = classification_table(y, pred, genres) if len(y) else pd.DataFrame()
            out.classification_report = {g: {m: (int(v) if m == "support" else float(v)) for m, v in row.items()}
                                         for g, row in report.iterrows()}
            out.most_confused = most_confused(np.array(out.confusion_matrix), genres).to_dict(orient="records")
            ids = exp.tracks.loc[(exp.tracks["split"] == "test").to_numpy(), "track_id"].tolist()
            table = top_k(proba, genres, k=min(k, len(genres))) if len(y) else pd.DataFrame()
            out.top_k = [{"track_id": t, "top": [{"genre": row[f"top{r}"], "probability": float(row[f"p{r}"])}
                                                 for r in range(1, min(k, len(genres)) + 1)]}
                         for t, (_, row) in zip(ids, table.iterrows())]
            out.test_proba, out.test_track_ids = proba.tolist(), ids
    if vote and out.n["test"]:
        wins = exp.windows("test", hop_seconds=hop_seconds)
        songs, proba = song_probabilities(predict_any(model, wins.X), wins.tracks["track_id"])
        truth = exp.tracks.set_index("track_id").loc[songs, "genre"].map({g: i for i, g in enumerate(genres)})
        truth = truth.to_numpy()
        n_ok = int(np.sum(proba.argmax(1) == truth))
        out.accuracy_song_vote = n_ok / len(songs)
        out.accuracy_song_vote_ci95 = list(accuracy_interval(n_ok, len(songs)))
        out.confusion_matrix_song_vote = confusion(truth, proba.argmax(1), len(genres)).tolist()
        out.n_song_vote = int(len(songs))
    return out
