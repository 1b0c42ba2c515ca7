"""Every figure of the notebooks. Each takes ``ax=None`` and returns what it drew.

Plots take arrays and tables, not model internals, so a notebook can compose
them into its own figures.

Notebook: 01_mel_spectrograms.ipynb .. 05_evaluation.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import AUDIO, AudioParams

__all__ = ["plot_waveform", "plot_mel", "plot_mel_grid", "plot_history", "plot_confusion", "plot_split",
           "plot_top_k", "plot_timeline", "plot_occlusion", "plot_score", "plot_reliability", "plot_embedding",
           "plot_intervals"]


def _ax(ax, figsize=(6, 3)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_waveform(y: np.ndarray, *, sr: int = AUDIO.sample_rate, ax=None, title: str | None = None):
    """Waveform against time in seconds.

    Parameters
    ----------
    y : np.ndarray
        Mono audio, shape ``(n_samples,)``.
    sr : int
        Its sample rate.
    ax : matplotlib.axes.Axes or None
        Where to draw (default: a new figure).
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes

    Notebook: 01_mel_spectrograms.ipynb
    """
    import librosa.display

    ax = _ax(ax, (8, 2))
    librosa.display.waveshow(y, sr=sr, ax=ax, color="0.3")
    ax.set(xlabel="time (s)", ylabel="amplitude", title=title)
    return ax


def plot_mel(feature: np.ndarray, *, params: AudioParams = AUDIO, ax=None, title: str | None = None,
             colorbar: bool = True):
    """One log-mel spectrogram ``(n_frames, n_mels)``: time in seconds, mel frequency in Hz, dB colour bar.

    Parameters
    ----------
    feature : np.ndarray
        ``(n_frames, n_mels)`` in dB, time x mel (any number of frames).
    params : AudioParams
        Sample rate and hop, for the time axis.
    ax : matplotlib.axes.Axes or None
    title : str or None
    colorbar : bool
        Add a dB colour bar.

    Returns
    -------
    matplotlib.collections.QuadMesh
        The image (its ``axes`` attribute is the Axes).

    Notebook: 01_mel_spectrograms.ipynb
    """
    import librosa.display

    ax = _ax(ax, (7, 3))
    img = librosa.display.specshow(np.asarray(feature).T, sr=params.sample_rate, hop_length=params.hop_length,
                                   x_axis="time", y_axis="mel", fmax=params.sample_rate / 2, ax=ax, cmap="magma")
    ax.set(title=title, xlabel="time (s)", ylabel="mel frequency (Hz)")
    if colorbar:
        ax.figure.colorbar(img, ax=ax, format="%+.0f dB")
    return img


def plot_mel_grid(features, titles, *, params: AudioParams = AUDIO, ncols: int = 1, fig=None):
    """A grid of log-mel spectrograms, one per genre, sharing one dB colour bar.

    Parameters
    ----------
    features : sequence of np.ndarray
        Each ``(n_frames, n_mels)``.
    titles : sequence of str
        One title per panel (e.g. the genre and track id).
    ncols : int
        Columns of the grid.

    Returns
    -------
    numpy.ndarray of Axes

    Notebook: 01_mel_spectrograms.ipynb
    """
    import matplotlib.pyplot as plt

    n = len(features)
    nrows = int(np.ceil(n / ncols))
    if fig is None:
        fig = plt.figure(figsize=(10 if ncols > 1 else 8, 2.0 * nrows + 0.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
    img = None
    for ax, feat, title in zip(axes, features, titles):
        img = plot_mel(feat, params=params, ax=ax, title=title, colorbar=False)
        ax.label_outer()
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.colorbar(img, ax=axes[:n].tolist(), format="%+.0f dB", shrink=0.8)
    return axes


def plot_history(history: dict, *, axes=None, data: str | None = None):
    """Training curves of accuracy and loss; the validation curve is labelled *validation*.

    Parameters
    ----------
    history : dict
        ``{"accuracy": [...], "val_accuracy": [...], "loss": [...], "val_loss": [...]}``.
    axes : pair of Axes or None

    Returns
    -------
    pair of Axes (accuracy, loss)

    Notebook: 04_train_cnn.ipynb
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    for ax, metric in zip(axes, ("accuracy", "loss")):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], label="train", marker=".")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], label="validation", marker=".")
        ax.set(xlabel="epoch", ylabel=metric, title=f"{metric} per epoch" + (f" ({data} data)" if data else ""))
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_ylim(0, 1.02)
    return axes


def plot_confusion(cm: np.ndarray, genres, *, normalize: str | None = "true", ax=None, title: str | None = None):
    """Confusion matrix heatmap: true genre on rows, predicted on columns, values written in.

    Parameters
    ----------
    cm : np.ndarray
        Counts from :func:`genre_lab.evaluate.confusion` (rows = true).
    normalize : {"true", "pred", None}
        ``"true"``: each row sums to 1 (recall on the diagonal); ``"pred"``:
        each column sums to 1 (precision); ``None``: counts.

    Returns
    -------
    matplotlib.axes.Axes

    Notebook: 05_evaluation.ipynb
    """
    import seaborn as sns

    from .evaluate import normalize_confusion

    ax = _ax(ax, (5, 4.2))
    data = normalize_confusion(cm, normalize) if normalize else np.asarray(cm)
    sns.heatmap(data, annot=True, fmt=".2f" if normalize else "d", cmap="Blues", vmin=0,
                vmax=1 if normalize else None, xticklabels=genres, yticklabels=genres, square=True, ax=ax,
                cbar_kws={"label": {"true": "share of true genre (recall)", "pred": "share of predicted (precision)",
                                    None: "clips"}[normalize]})
    ax.set(xlabel="predicted genre", ylabel="true genre", title=title)
    ax.tick_params(axis="x", rotation=45)
    ax.tick_params(axis="y", rotation=0)
    return ax


def plot_split(split: pd.DataFrame, *, ax=None):
    """Songs per genre in each split, as grouped bars.

    Parameters
    ----------
    split : pandas.DataFrame
        ``genre`` and ``split`` columns, one row per song.
    ax : matplotlib.axes.Axes or None

    Returns
    -------
    matplotlib.axes.Axes

    Notebook: 03_dataset_split.ipynb
    """
    ax = _ax(ax, (7, 3))
    counts = split.groupby(["genre", "split"], sort=False).size().unstack("split")
    counts = counts[[c for c in ("train", "validation", "test") if c in counts]]
    counts.plot.bar(ax=ax, rot=0)
    ax.set(xlabel="genre", ylabel="songs", title="songs per genre and split")
    return ax


def plot_top_k(proba: np.ndarray, genres, *, k: int | None = None, ax=None, title: str | None = None):
    """Horizontal bars of a clip's genre probabilities, most probable on top, each labelled with its value.

    The labels (three decimals) keep a probability of 0.001 readable beside one of 0.999, where its bar is invisible.

    Parameters
    ----------
    proba : np.ndarray
        One clip's probabilities, shape ``(n_genres,)``.
    genres : sequence of str
    k : int or None
        Show only the k most probable genres.
    ax : matplotlib.axes.Axes or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes

    Notebook: 05_evaluation.ipynb
    """
    ax = _ax(ax, (4, 2.4))
    proba = np.asarray(proba).ravel()
    order = np.argsort(-proba)[: k or len(proba)]
    bars = ax.barh([genres[i] for i in order][::-1], proba[order][::-1], color="tab:blue")
    ax.bar_label(bars, labels=[f"{v:.3f}" for v in proba[order][::-1]], padding=3, fontsize="small")
    ax.set(xlim=(0, 1.15), xlabel="probability", title=title)
    return ax


def plot_timeline(timeline: pd.DataFrame, *, ax=None, title: str | None = None):
    """Genre probabilities over a recording (from :func:`genre_lab.predict.genre_timeline`), stacked.

    Parameters
    ----------
    timeline : pandas.DataFrame
        Index = window start in seconds, one probability column per genre.
    ax : matplotlib.axes.Axes or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes

    Notebook: 06_voting_attention_baseline.ipynb
    """
    ax = _ax(ax, (8, 2.8))
    # each window is drawn at its centre: a change at 11.5 s shows near 11.5 s, not at the start of the
    # first window that reaches it
    t = timeline.index.to_numpy(dtype=float) + AUDIO.clip_seconds / 2
    ax.stackplot(t, timeline.to_numpy().T, labels=timeline.columns, alpha=0.85)
    ax.set(xlim=(t.min(), t.max()), ylim=(0, 1), xlabel="time (s): centre of each 9 s window", ylabel="probability",
           title=title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return ax


def plot_occlusion(feature: np.ndarray, heat: np.ndarray, *, params: AudioParams = AUDIO, ax=None,
                   title: str | None = None):
    """A spectrogram in grey with the occlusion map on top: where hiding the music hurts the prediction.

    Parameters
    ----------
    feature : np.ndarray
        One clip, ``(388, 128)``, time x mel.
    heat : np.ndarray
        Same shape: from :func:`genre_lab.explain.occlusion_map`.
    params : AudioParams
    ax : matplotlib.axes.Axes or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes

    Notebook: 06_voting_attention_baseline.ipynb
    """
    import librosa.display

    ax = _ax(ax, (7, 3))
    kw = dict(sr=params.sample_rate, hop_length=params.hop_length, x_axis="time", y_axis="mel",
              fmax=params.sample_rate / 2, ax=ax)
    librosa.display.specshow(np.asarray(feature).T, cmap="gray", **kw)
    lim = max(float(np.abs(heat).max()), 1e-6)
    img = librosa.display.specshow(np.asarray(heat).T, cmap="coolwarm", vmin=-lim, vmax=lim, alpha=0.55, **kw)
    ax.figure.colorbar(img, ax=ax, label="drop in log-odds")
    ax.set(title=title, xlabel="time (s)", ylabel="mel frequency (Hz)")
    return ax


#: The General MIDI program (Synth Voice) that marks a sung or spoken part in a demo score.
VOICE_PROGRAM = 54


def plot_score(score, *, seconds: float | None = None, ax=None, title: str | None = None):
    """A piano roll of a demo clip's score (``pretty_midi.PrettyMIDI``): one colour per part, drums as ticks.

    Parameters
    ----------
    score : pretty_midi.PrettyMIDI or str or Path
        The score, or the ``.mid`` file saved beside a demo clip.
    seconds : float or None
        Show only the first ``seconds``.

    Returns
    -------
    matplotlib.axes.Axes

    Notebook: 01_mel_spectrograms.ipynb
    """
    import matplotlib.pyplot as plt
    import pretty_midi

    if not isinstance(score, pretty_midi.PrettyMIDI):
        score = pretty_midi.PrettyMIDI(str(score))
    ax = _ax(ax, (9, 2.6))
    colors = plt.get_cmap("tab10")
    for i, inst in enumerate(score.instruments):
        notes = [n for n in inst.notes if seconds is None or n.start < seconds]
        if not notes:
            continue
        sound = "voice" if inst.program == VOICE_PROGRAM else pretty_midi.program_to_instrument_name(inst.program)
        label = inst.name + ("" if inst.is_drum else f" ({sound})")
        if inst.is_drum:  # drums have no pitch: a tick per stroke along the bottom
            ax.plot([n.start for n in notes], [20 - 2 * (i % 3)] * len(notes), "|", color=colors(i % 10),
                    markersize=6, label=label)
        else:
            ax.broken_barh([(n.start, n.end - n.start) for n in notes], (0, 0), color=colors(i % 10))
            for n in notes:
                ax.plot([n.start, n.end], [n.pitch, n.pitch], color=colors(i % 10), linewidth=2.5,
                        solid_capstyle="butt")
            ax.plot([], [], color=colors(i % 10), linewidth=3, label=label)
    ax.set(xlabel="time (s)", ylabel="MIDI pitch", title=title, ylim=(14, 100))
    if seconds is not None:
        ax.set_xlim(0, seconds)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def plot_reliability(table: pd.DataFrame, *, ax=None, title: str | None = None, label: str | None = None):
    """Reliability diagram: accuracy against confidence per bin (from :func:`genre_lab.reliability_table`).

    Points on the diagonal are calibrated; below it, over-confident.

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    ax = _ax(ax, (4, 4))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="calibrated")
    ax.plot(table["confidence"], table["accuracy"], "o-", label=label)
    for row in table.itertuples():
        ax.annotate(str(row.n), (row.confidence, row.accuracy), textcoords="offset points", xytext=(4, -10),
                    fontsize="small")
    ax.set(xlabel="confidence (mean top probability)", ylabel="accuracy", xlim=(0, 1.02), ylim=(0, 1.02),
           title=title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_embedding(points: np.ndarray, labels, genres, *, wrong=None, ax=None, title: str | None = None):
    """2-D embedding of songs coloured by true genre; mistakes circled in black.

    Parameters
    ----------
    points : np.ndarray
        ``(n_songs, 2)`` (PCA or t-SNE of :func:`genre_lab.embed`).
    labels : array-like of int
        True genre index per song.
    wrong : array-like of bool or None
        Songs the network got wrong.

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    import matplotlib.pyplot as plt

    ax = _ax(ax, (5.5, 4.5))
    labels = np.asarray(labels)
    cmap = plt.get_cmap("tab10")
    for g, name in enumerate(genres):
        m = labels == g
        ax.scatter(points[m, 0], points[m, 1], s=22, color=cmap(g), label=name)
    if wrong is not None and np.any(wrong):
        w = np.asarray(wrong, bool)
        ax.scatter(points[w, 0], points[w, 1], s=90, facecolors="none", edgecolors="black", linewidths=1.2,
                   label="misclassified")
    ax.set(xticks=[], yticks=[], title=title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def plot_intervals(summary: pd.DataFrame, *, ax=None, title: str | None = None, chance: float | None = None):
    """Mean test accuracy with its 95% interval over training seeds, per model and measure.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`genre_lab.results_over_seeds` (``model``, ``measure``, ``mean``, ``low``, ``high``).

    Notebook: 09_embeddings_calibration_seeds.ipynb
    """
    ax = _ax(ax, (6.5, 3))
    labels = [f"{r.model}\n{r.measure.replace('_', ' ')}" for r in summary.itertuples()]
    y = np.arange(len(summary))[::-1]
    err = np.vstack([summary["mean"] - summary["low"], summary["high"] - summary["mean"]])
    ax.errorbar(summary["mean"], y, xerr=np.nan_to_num(err), fmt="o", capsize=4)
    ax.set_yticks(y, labels, fontsize="small")
    if chance is not None:
        ax.axvline(chance, color="grey", linestyle=":")
        ax.text(chance, 1.0, " chance", transform=ax.get_xaxis_transform(), color="grey", fontsize="small",
                ha="left", va="top")  # a label on the line: a legend box could hide a model's marker
    ax.set(xlabel="test accuracy (mean and 95% interval over seeds)", xlim=(0, 1), title=title)
    return ax
