"""Every notebook's exercises: the task in one line, how an answer is judged, and what is said when it is right.

Keys are ``"NN.k"``: notebook NN, exercise k. A judge computes the expected
answer from what the notebook passes (its table, model or run), so a check
cell never shows the solution. Where a result varies by machine or seed, the
judge compares with this run's own numbers or accepts a stated range.

Notebook: all of them (their exercises)
"""

from __future__ import annotations

import numpy as np

from ..config import AUDIO
from ..features import _window_hop_frames
from .feedback import Exercise, NotApplicable, _scalar, _value, array, exact, number, pair, text

__all__ = ["EXERCISES"]


def _windows(seconds: float, hop_seconds: float) -> set[int]:
    """Window counts a right answer may give: the plain formula, and the library's (hop rounded to STFT frames)."""
    plain = 1 + int((seconds - AUDIO.clip_seconds) / hop_seconds + 1e-9)
    frames = 1 + int(seconds * AUDIO.sample_rate) // AUDIO.hop_length
    return {plain, 1 + (frames - AUDIO.n_frames) // _window_hop_frames(hop_seconds, AUDIO)}


def _one_of(counts, hint: str):
    def judge(answer, **context):
        if not _scalar(answer):
            return f"the answer should be one number, not {type(answer).__name__}"
        value = float(np.asarray(answer))
        return None if value.is_integer() and int(value) in counts() else hint

    return judge


def _demo_only(value):
    def compute(**context):
        if context.get("meta", 0) is None or context.get("demo") is False:
            raise NotApplicable("this exercise needs the synthetic demo's metadata")
        return value(**context)

    return compute


def _best_epoch(answer, *, history):
    val = np.asarray(history["val_accuracy"])
    if not _scalar(answer) or not float(np.asarray(answer)).is_integer():
        return "the answer should be an epoch number, a whole number"
    answer = int(np.asarray(answer))
    right = 1 <= answer <= len(val) and val[answer - 1] == val.max()
    if answer == int(np.argmax(val)) and not right:
        return "epochs count from 1: Python's argmax counts from 0."
    if not 1 <= answer <= len(val) or val[answer - 1] < val.max():
        return f"the highest validation accuracy is {val.max():.3f}; find the epoch (from 1) where it is reached."
    return None


def _top2(proba, y):
    best2 = np.argsort(-np.asarray(proba), axis=1)[:, :2]
    return float(np.mean([t in row for t, row in zip(y, best2)]))


def _majority(window_proba, window_song, song_ids, y):
    n = np.asarray(window_proba).shape[1]
    votes = [np.bincount(np.asarray(window_proba)[np.asarray(window_song) == s].argmax(1), minlength=n).argmax()
             for s in song_ids]
    return float(np.mean(np.array(votes) == np.asarray(y)))


def _ece(proba, y, n_bins):
    from ..calibration import expected_calibration_error

    return expected_calibration_error(np.asarray(proba), np.asarray(y), n_bins=n_bins)


def _n_components(E, share=0.9):
    from sklearn.decomposition import PCA

    return int(np.searchsorted(np.cumsum(PCA().fit(np.asarray(E)).explained_variance_ratio_), share) + 1)


def _t_interval(runs, model="reference", measure="song_vote"):
    from scipy import stats

    v = runs.query("model == @model")[measure].to_numpy(dtype=float)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return (v.mean() - half, v.mean() + half)


def _head(C=0.01):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))


def _head_accuracy(train, test, song_ids, y):
    import pandas as pd

    head = _head().fit(*train)
    proba = pd.DataFrame(head.predict_proba(test[0]), index=test[1])
    return float(np.mean(proba.groupby(level=0).mean().loc[list(song_ids)].to_numpy().argmax(1) == np.asarray(y)))


def _best_c(answer, *, train, validation):
    scores = {C: _head(C).fit(*train).score(*validation) for C in (0.001, 0.01, 0.1, 1)}
    grid = [C for C in scores if _scalar(answer) and np.isclose(float(np.asarray(answer)), C)]
    if not grid:
        return "pick C from (0.001, 0.01, 0.1, 1)"
    answer = grid[0]
    best = max(scores.values())
    if scores[answer] < best:
        return (f"C = {answer} scores {scores[answer]:.0%} on the validation patches; another C scores {best:.0%}. "
                "Did you score on the validation songs, not the training or test songs?")
    return None


def _wilson(right, n):
    from ..evaluate import accuracy_interval

    return accuracy_interval(right, n)


def _moved(tracks, split):
    from ..split import split_tracks

    return int((split_tracks(tracks, seed=1)["split"].to_numpy() != split["split"].to_numpy()).sum())


def _spoken():
    from ..demo.vocals import VOICE_STYLES

    return {name for name, style in VOICE_STYLES.items() if style.get("spoken")}


def _reggae_tag(top_msd):
    if "reggae" not in top_msd.index:
        raise NotApplicable("this data has no reggae songs")
    return top_msd.loc["reggae"].idxmax()


def _mtt_metal(top_mtt):
    if "metal" not in top_mtt.index:
        raise NotApplicable("this data has no metal songs")
    row = top_mtt.loc["metal"]
    return float(row.get("metal", 0) / row.sum())


def _mel_centre(band=100):
    import librosa

    return float(librosa.mel_frequencies(n_mels=AUDIO.n_mels + 2, fmax=AUDIO.sample_rate / 2)[band + 1])


def _points(expected, hint):
    base = number(expected, hint, tol=0.5)

    def judge(answer, **context):
        if _scalar(answer) and 0 < abs(float(np.asarray(answer))) <= 1:
            want = float(_value(expected, context))
            if abs(want) > 1.5:
                return "give the drop in points (0-100), not as a share: 0.4 is 40 points"
        return base(answer, **context)

    return judge


_EX = [
    # 01 -- listen and look
    Exercise("01.1", "STFT frames of a whole 30 s clip",
             exact(lambda **_: 1 + 30 * AUDIO.sample_rate // AUDIO.hop_length,
                   "count as step 1 does: one frame at 0 s, then one every hop of 512 samples, 1 + n_samples // hop, "
                   "with the samples of 30 s (not 9 s)."),
             "1 + 661,500 // 512 = 1,292 frames: 30 s is a longer picture, with the same 128 bands."),
    Exercise("01.2", "the STFT bin nearest 440 Hz",
             exact(round(440 / (AUDIO.sample_rate / AUDIO.n_fft)),
                   "bin k sits at k × 22,050 / 1,024 ≈ 21.5 Hz × k: divide 440 Hz by the spacing and round."),
             "440 / 21.53 = 20.4, so bin 20 (431 Hz); bin 21 (452 Hz) gets almost as much: a tone between bins "
             "spreads over both."),
    Exercise("01.3", "the genre with the strongest onsets",
             exact(lambda table, **_: table["onset_strength"].idxmax(),
                   "read the onset_strength column and take the genre with the largest value "
                   "(table[\"onset_strength\"].idxmax() does it)."),
             "drums make the spectrum jump from frame to frame; check that the genre's spectrogram shows it."),
    Exercise("01.4", "why genre is hard, in three sentences",
             text(3, {"labels that are subjective or overlap": ("subjective", "overlap", "disagree", "ambig", "share",
                                                                "agree", "mix", "blur", "opinion"),
                      "genre changing within a song": ("within", "change", "section", "intro", "partway", "break",
                                                       "switch", "middle", "part of"),
                      "the gap between signal and genre": ("signal", "gap", "number", "cultur", "pattern", "idea")}),
             "compare your wording with the top of the notebook: labels overlap, songs change, the gap is wide."),
    # 02 -- voices and songs that change
    Exercise("02.1", "the voice styles spoken by the speech synthesizer",
             exact(lambda **_: _spoken(), "the section lists three styles made by eSpeak NG; the sung ones come "
                                          "from the source-filter synthesizer."),
             "rap, toasting and shouts are words spoken by eSpeak NG; sung, twang, growl and scream come from the "
             "source-filter synthesizer."),
    Exercise("02.2", "demo hiphop songs with a chorus singer",
             number(_demo_only(lambda meta, **_: int(((meta["genre"] == "hiphop")
                                                       & meta["instruments"].str.contains("chorus: ", regex=False)
                                                       ).sum())),
                    "count the rows of meta whose genre is hiphop AND whose instruments include a part named "
                    "\"chorus\" (it reads \"chorus: sung voice\")."),
             "a singer on the hook, over the rap, as on many hip-hop records: a sung voice does not mean the song "
             "is not hiphop."),
    Exercise("02.3", "seconds of the other style inside the first 9 s",
             number(_demo_only(lambda start, end, **_: max(0.0, min(end, 9.0) - max(start, 0.0))),
                    "only the part of start..end before 9 s counts: min(end, 9) - start, and 0 if it starts later.",
                    tol=0.05),
             "that is all of the other style the reference network can ever hear of this song."),
    Exercise("02.4", "why a voice does not give the genre away, in two sentences",
             text(2, {"voices in several genres": ("genres", "several", "across", "many", "metal", "country",
                                                   "reggae", "both", "also"),
                      "how the voice is used": ("rap", "twang", "growl", "style", "way", "rhythm", "timbre", "spoken",
                                                "sung", "sound")}),
             "voices are shared; how a voice sings or speaks is what differs between genres."),
    # 03 -- the dataset and an honest split
    Exercise("03.1", "test songs with all ten genres",
             exact(150, "15% of each genre's 100 songs are test songs; there are ten genres."),
             "15 per genre × 10 genres: 150 test songs."),
    Exercise("03.2", "the 95% Wilson interval of 12 right of 15",
             pair(lambda **_: _wilson(12, 15),
                  "use the Wilson formula of the primer (the plain p ± 1.96·√(p(1−p)/n) is another, cruder interval), "
                  "as shares between 0 and 1.", tol=0.005),
             "about 55%-93%: one genre's 15 test songs say little about how well that genre is "
             "recognised."),
    Exercise("03.3", "songs in another set with split seed 1",
             number(lambda tracks, split, **_: _moved(tracks, split),
                    "compare other[\"split\"] with split[\"split\"] song by song and count the differences."),
             "a seed changes which songs are held out: results on one split are one draw."),
    Exercise("03.4", "what MFCCs are, in two sentences",
             text(2, {"the shape of the spectrum (a cosine transform)": ("shape", "cosine", "dct", "spectr",
                                                                         "coefficient"),
                      "timbre": ("timbre", "colour", "color", "instrument", "sound")}),
             "a few cosine weights per frame describe the spectrum's shape: the timbre, not the pitches."),
    # 04 -- training
    Exercise("04.1", "weights of the first Conv1D layer",
             exact(lambda model, **_: model.get_layer("conv1").count_params(),
                   "each filter has 3 frames × 128 bands weights; there are 128 filters, and each has one bias."),
             "128 filters × (3 × 128) weights + 128 biases = 49,280."),
    Exercise("04.2", "frames left after both blocks with a kernel of 5",
             exact(((AUDIO.n_frames - 4) // 3 - 4) // 3,
                   "per block: a kernel of 5 frames loses 4 frames, then pooling keeps a third, rounded down (//)."),
             "388 → 384 → 128 → 124 → 41 frames."),
    Exercise("04.3", "the epoch with the highest validation accuracy", _best_epoch,
             "on 50 validation songs, neighbouring epochs differ by a song or two: read the peak as rough."),
    Exercise("04.4", "why time is the sequence axis, in two sentences",
             text(2, {"filters slide along time": ("time", "slide", "shift", "along", "wherever"),
                      "every band read at each step": ("band", "channel", "spectrum", "frequenc")}),
             "sliding along time finds a pattern wherever it happens; the 128 bands are read together as channels."),
    Exercise("04.5", "softmax, cross-entropy and batch normalisation, a sentence each",
             text(3, {"softmax: probabilities": ("probabilit", "sum to 1", "sum to one", "add up", "distribution"),
                      "cross-entropy: the loss": ("loss", "wrong", "penal", "minimis", "minimiz", "true genre",
                                                  "cost", "error", "correct", "far"),
                      "batch normalisation: steadier, faster training": ("centre", "center", "scale", "normalis",
                                                                         "normaliz", "larger step", "statistic")}),
             "probabilities from scores, the loss that training minimises, and steadier, larger steps."),
    # 05 -- evaluation
    Exercise("05.1", "accuracy from the confusion matrix",
             number(lambda cm, **_: np.trace(np.asarray(cm)) / np.asarray(cm).sum(),
                    "the right answers are the diagonal cells: their sum over the sum of all cells.", tol=1e-9),
             "the diagonal over the total: the same number gl.evaluate_model reports."),
    Exercise("05.2", "recall of every genre",
             array(
                 lambda cm, **_: np.diag(np.asarray(cm)) / np.asarray(cm).sum(axis=1),
                 "recall divides the diagonal by the ROW sums (the true songs of each genre); dividing by the "
                 "column sums gives precision.", tol=1e-9),
             "recall per genre: the diagonal of the row-normalised matrix."),
    Exercise("05.3", "top-2 accuracy",
             number(lambda proba, y, **_: _top2(proba, y),
                    "for each song take the two largest probabilities (np.argsort(-proba, axis=1)[:, :2]) and count "
                    "the songs whose true genre is among them.", tol=1e-9),
             "at least the top-1 accuracy: genres that overlap often get the second place."),
    # 06 -- voting, attention, baseline
    Exercise("06.1", "windows of a 30 s clip every 1.5 s",
             _one_of(lambda: _windows(30.0, 1.5), "starts at 0, 1.5, 3, ... s; the last start is 30 − 9 = 21 s."),
             "1 + 21 / 1.5 = 15 by the formula; the library rounds the hop to whole STFT frames (65 frames, "
             "1.509 s) and gets 14."),
    Exercise("06.2", "accuracy of the majority vote",
             number(lambda window_proba, window_song, song_ids, y, **_: _majority(window_proba, window_song,
                                                                                  song_ids, y),
                    "each window votes its argmax; per song count the votes (np.bincount) and take the argmax; then "
                    "compare with y_test.", tol=1e-9),
             "compare it with the mean-probability vote above: which uses more of what the network said?"),
    Exercise("06.3", "test songs fixed and broken by the vote",
             pair(lambda pred, vote_pred, y, **_: (int(np.sum((pred != y) & (vote_pred == y))),
                                                   int(np.sum((pred == y) & (vote_pred != y)))),
                  "fixed: wrong from the first 9 s and right by the vote; broken: the other way round.", tol=0),
             "the vote's gain is fixed minus broken songs; with 75 songs one song is 1.3 points."),
    # 07 -- your own recording
    Exercise("07.1", "windows of a 3-minute recording every 4.5 s",
             _one_of(lambda: _windows(180.0, 4.5), "starts at 0, 4.5, 9, ... s; the last start is 180 − 9 = 171 s."),
             "1 + 171 / 4.5 = 39 by the formula; the library rounds the hop to whole STFT frames and gets 38."),
    Exercise("07.2", "the share of probability held by the top 3",
             number(lambda result, **_: sum(t["probability"] for t in result["top"]),
                    "add up the three probabilities in result[\"top\"].", tol=0.005),
             "what is left over goes to the genres outside the top 3."),
    Exercise("07.3", "where the network is most sure of the top genre",
             number(lambda timeline, result, **_: float(timeline[result["top"][0]["genre"]].idxmax()),
                    "take the column of the top genre in timeline and the index (window start) of its maximum.",
                    tol=0.01),
             "listen to that window above: do you hear the genre there?"),
    Exercise("07.4", "what a demo-trained model can and cannot say, in two sentences",
             text(2, {"it learned from synthetic demo music": ("synthetic", "demo", "generat", "program"),
                      "what it cannot say about real music": ("five", "cannot", "can't", "only", "real genre",
                                                              "not")}),
             "which demo genre a song sounds most like, yes; its real genre, no."),
    # 08 -- shortcuts
    Exercise("08.1", "the centre frequency of mel band 100",
             number(lambda **_: _mel_centre(100), "band k peaks at edge k + 1 of the 130 edges (index 101), in Hz.",
                    rel=0.05),
             "about 5.2 kHz: high, where cymbals and consonants live."),
    Exercise("08.2", "frames whose band 100 a -40 dB cue raises",
             number(lambda X, band, **_: float(np.mean(np.maximum(np.asarray(X)[..., band], -40.0)
                                                       > np.asarray(X)[..., band])),
                    "compare band 100 after and before the cue, over all clips and frames, and take the mean of "
                    "the comparison (a share between 0 and 1).", tol=1e-6),
             "a fainter cue touches fewer frames: only those quieter than -40 dB in that band."),
    Exercise("08.3", "the fall in test recall of the cued genre, in points",
             _points(lambda rows, recall, **_: 100 * (rows["normal model"][recall] - rows["cued model"][recall]),
                     "normal model's test recall minus the cued model's, times 100."),
             "the network had learned the tone more than the genre."),
    Exercise("08.4", "why validation did not warn, in two sentences",
             text(2, {"validation shared the quirk": ("validation", "share", "same", "quirk", "tone", "cue"),
                      "the test clips without it": ("test", "without", "new", "real")}),
             "a validation set with the training set's quirks cannot reveal them."),
    # 09 -- embeddings, calibration, seeds
    Exercise("09.1", "principal components for 90% of the spread",
             number(lambda E, **_: _n_components(E), "fit PCA() with all components, take np.cumsum of "
                                                     "explained_variance_ratio_ and find where it reaches 0.9 "
                                                     "(count from 1)."),
             "the network's 128 numbers live in far fewer directions: two are a rough picture."),
    Exercise("09.2", "the ECE with 10 bins",
             number(lambda proba, y, **_: _ece(proba, y, 10), "call my_ece(before, y_test, n_bins=10).", tol=1e-6),
             "the ECE depends on the bins: with few songs per bin it is a rough estimate."),
    Exercise("09.3", "the 95% interval over seeds of the whole-song vote",
             pair(lambda runs, **_: _t_interval(runs), "mean ± t · s / √n with the song_vote column of the "
                                                       "reference rows, t = stats.t.ppf(0.975, n - 1), s with ddof=1.",
                  tol=0.002),
             "the same numbers gl.results_over_seeds printed for the whole-song vote."),
    Exercise("09.4", "what an interval over seeds covers, in two sentences",
             text(2, {"the randomness of training": ("training", "seed", "weight", "initial", "random"),
                      "what it leaves out": ("test", "songs", "data", "real", "draw", "leave", "not")}),
             "training's luck, yes; the test songs' luck and other data, no."),
    # 10 -- musicnn zero-shot
    Exercise("10.1", "MSD's most frequent top tag for the demo's reggae",
             exact(lambda top_msd, **_: _reggae_tag(top_msd), "read the reggae row of top_msd and take the tag with "
                                                              "the largest count, spelt as the table spells it."),
             "with no reggae in its vocabulary, MSD has to reach for another word."),
    Exercise("10.2", "the share of demo metal that MTT tags metal",
             number(lambda top_mtt, **_: _mtt_metal(top_mtt), "in the metal row of top_mtt: the count under "
                                                              "'metal' over the row's total.", tol=0.005),
             "compare it with MSD's share for metal: two vocabularies, two verdicts."),
    Exercise("10.3", "musicnn patches in 30 s, and a 5-genre head's weights",
             pair((10, 200 * 5 + 5), "patches: 30 s in non-overlapping 3 s pieces; weights: 200 inputs × 5 "
                                     "genres, plus one bias per genre.", tol=0),
             "10 patches, 1,005 weights: notebook 11 trains exactly that head."),
    Exercise("10.4", "is the demo useless, in two or three sentences",
             text(2, {"the method is still taught": ("method", "split", "train", "evaluat", "learn", "teach"),
                      "domain shift on real recordings": ("domain", "shift", "real", "differ")}),
             "the method transfers; a demo-trained model's answers on real music may not."),
    # 11 -- transfer learning
    Exercise("11.1", "the MTT head's test accuracy",
             number(lambda train, test, song_ids, y, **_: _head_accuracy(train, test, song_ids, y),
                    "fit on the training songs' MTT patches, score the test songs' first 9 s (zero_mtt), average "
                    "per song; give a share between 0 and 1.", tol=0.02),
             "compare it with the MSD head's: where the 95% intervals overlap, 75 songs cannot rank the two."),
    Exercise("11.2", "the weights of a ten-genre head",
             exact(200 * 10 + 10, "200 inputs × 10 genres, plus one bias per genre."),
             "2,010 weights: still tiny beside the CNN's 788,485."),
    Exercise("11.3", "C chosen on the validation songs", _best_c,
             "chosen on validation songs: the test songs stay untouched until the one final score."),
    Exercise("11.4", "what transfer learning does not fix, in two sentences",
             text(2, {"domain shift": ("domain", "shift", "demo", "real", "differ"),
                      "the labels' biases": ("label", "bias", "tag", "vocabular", "reggae")}),
             "domain shift and the labels' biases stay; only training on the music you care about addresses them."),
]

#: Every exercise, by key.
EXERCISES = {ex.key: ex for ex in _EX}
