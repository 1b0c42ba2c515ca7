"""The embedded demo dataset: recorded-instrument sampler, genre recipes, rendering, and the dataset lifecycle."""

import hashlib
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import genre_lab as gl
from genre_lab.demo import dataset as demo_dataset
from genre_lab.demo.recipes import RECIPES
from genre_lab.demo.render import draw_plan, render_clip
from genre_lab.demo.sampler import SoundFont, SoundFontError, load_soundfont
from genre_lab.demo.vocals import SPEAKERS, VOICE_STYLES, render_vocal, speak

SR = 22_050


def _digest(root, pattern="*.au"):
    h = hashlib.sha256()
    for p in sorted(root.rglob(pattern)):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _f0(y, sr=SR):
    """Fundamental frequency by autocorrelation (robust for one steady note)."""
    import librosa

    f = librosa.yin(y[: sr // 2], fmin=40, fmax=4000, sr=sr, frame_length=4096)
    return float(np.median(f))


@pytest.fixture(scope="module")
def tiny_demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "a"
    gl.make_demo_dataset(root, clips_per_genre=2, seed=7, seconds=4.0, n_jobs=2)
    return root


# ---------------------------------------------------------------- sampler

@pytest.mark.parametrize("program,key", [(0, 60), (25, 52), (33, 36), (40, 70)])
def test_a_zone_plays_at_its_own_pitch_at_its_root_key_and_an_octave_up_at_twice_f0(program, key):
    from genre_lab.demo.zone import play_voice

    voice = load_soundfont().voices(0, program, key, 100)[0]
    root = voice.root_key
    own = 440 * 2 ** ((root - 69) / 12)  # at its root key a zone sounds that key (its tuning corrects the recording)
    at_root = _f0(play_voice(voice, root, 0, SR, SR)[0])
    assert abs(at_root / own - 1) < 0.01, (at_root, own)
    up = _f0(play_voice(voice, root + 12, 0, SR, SR)[0])  # the same recording, resampled an octave up
    assert abs(up / (2 * at_root) - 1) < 0.01, (up, at_root)


def test_a_looped_note_sustains_past_its_sample():
    sf2 = load_soundfont()
    voice = sf2.voices(0, 48, 60, 100)[0]  # strings: a looped zone
    assert voice.loop is not None
    sample_seconds = len(voice.data) / voice.sample_rate
    held = 4 * sample_seconds + 1.0
    y = sf2.render_note(0, 48, 60, 100, held, SR)
    tail = y[int((held - 0.3) * SR):int(held * SR)]
    assert len(y) >= held * SR
    assert np.sqrt(np.mean(tail ** 2)) > 0.05 * np.sqrt(np.mean(y[: SR // 2] ** 2))  # still sounding


@pytest.mark.parametrize("bank,program,key", [(0, 48, 60), (0, 0, 40), (0, 25, 52), (0, 47, 45), (128, 0, 49)])
def test_a_held_note_grown_in_steps_equals_one_rendered_whole(bank, program, key, monkeypatch):
    # strings, piano, steel guitar, timpani (unlooped layers that end), a crash cymbal on the drum bank
    grown = SoundFont()
    for seconds in (0.2, 1.1, 3.7):  # short notes first: the cached held note is extended twice
        grown.render_note(bank, program, key, 90, seconds, SR)
    whole = SoundFont().render_note(bank, program, key, 90, 3.7, SR)
    from genre_lab.demo import sampler

    monkeypatch.setattr(sampler, "NOTE_CACHE_BYTES", 1)  # every note clears the cache: rendered anew
    tiny = SoundFont()
    for seconds in (0.2, 3.7):
        again = tiny.render_note(bank, program, key, 90, seconds, SR)
    np.testing.assert_array_equal(again, whole)
    work = np.full(10 * SR, np.nan, np.float32)
    np.testing.assert_array_equal(grown.render_note(bank, program, key, 90, 3.7, SR, out=work), whole)


def test_a_full_note_cache_forgets_the_notes_used_longest_ago(monkeypatch):
    from genre_lab.demo import sampler

    sf = SoundFont()
    for key in (36, 38, 42, 36):  # a kick, a snare, a hi-hat, and the kick again
        sf.render_note(128, 0, key, 100, 0.2, SR)
    keys = lambda: [ck[2] for ck in sf._held_cache]  # noqa: E731
    assert keys() == [38, 42, 36]  # in the order of last use
    sizes = {ck[2]: got.nbytes for ck, got in sf._held_cache.items()}
    # full after the next note: the cache keeps three quarters of its size, the notes played last
    monkeypatch.setattr(sampler, "NOTE_CACHE_BYTES", sum(sizes.values()) - 1)
    sf.render_note(128, 0, 36, 100, 0.2, SR)  # the kick once more: it is the note used last
    sf.render_note(128, 0, 49, 100, 0.2, SR)  # a crash: the cache was over its size, so it forgets first
    assert keys()[-2:] == [36, 49] and 38 not in keys(), keys()  # the snare, used longest ago, went
    assert set(sf._held_state) == set(sf._held_cache) and sf._complete <= set(sf._held_cache)
    assert sf._note_bytes == sum(got.nbytes for got in sf._held_cache.values())


def test_an_interrupted_note_leaves_the_cache_as_it_was(monkeypatch):
    from genre_lab.demo import sampler
    from genre_lab.demo.zone import play_voice

    sf = SoundFont()
    sf.render_note(0, 48, 60, 90, 0.2, SR)  # strings: a short note, extended by the next one
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the second layer of the extension: as if the student pressed stop
            raise KeyboardInterrupt
        return play_voice(*args, **kwargs)

    monkeypatch.setattr(sampler, "play_voice", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sf.render_note(0, 48, 60, 90, 3.0, SR)
    monkeypatch.setattr(sampler, "play_voice", play_voice)
    again, fresh = sf.render_note(0, 48, 60, 90, 3.0, SR), SoundFont().render_note(0, 48, 60, 90, 3.0, SR)
    np.testing.assert_array_equal(again, fresh)
    assert sf._note_bytes == sum(got.nbytes for got in sf._held_cache.values())


def test_a_score_written_by_write_score_reads_back_as_pretty_midis_own(tmp_path):
    import pretty_midi

    _, pm, _ = render_clip("country", 3, seconds=8.0, sr=SR)
    demo_dataset.write_score(pm, tmp_path / "ours.mid")
    pm.write(str(tmp_path / "theirs.mid"))
    ours, theirs = (pretty_midi.PrettyMIDI(str(tmp_path / f)) for f in ("ours.mid", "theirs.mid"))
    assert abs(ours.get_tempo_changes()[1][0] - pm.get_tempo_changes()[1][0]) < 0.01
    assert [(t.numerator, t.denominator) for t in ours.time_signature_changes] == \
        [(t.numerator, t.denominator) for t in theirs.time_signature_changes]
    assert [(i.name, i.program, i.is_drum) for i in ours.instruments] == \
        [(i.name, i.program, i.is_drum) for i in theirs.instruments] == \
        [(i.name, i.program, i.is_drum) for i in pm.instruments]
    for a, b in zip(ours.instruments, theirs.instruments):
        got = sorted((n.start, n.pitch, n.velocity, n.end) for n in a.notes)
        want = sorted((n.start, n.pitch, n.velocity, n.end) for n in b.notes)
        assert [g[1:3] for g in got] == [w[1:3] for w in want]
        assert max((abs(g[k] - w[k]) for g, w in zip(got, want) for k in (0, 3)), default=0) < 1e-3


def test_a_missing_or_unreadable_soundfont_gives_a_clear_error(tmp_path):
    with pytest.raises(SoundFontError, match="no SoundFont at .*reinstall pretty_midi"):
        SoundFont(tmp_path / "missing.sf2")
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"RIFF\x04\x00\x00\x00sfbk not really")
    with pytest.raises(SoundFontError, match="cannot be read as a SoundFont"):
        SoundFont(bad)


# ---------------------------------------------------------------- recipes and rendering

@pytest.mark.parametrize("genre,substyle", [(g, s) for g in RECIPES for s in RECIPES[g]["substyles"]])
def test_every_recipe_renders_clean_audio_of_the_right_length(genre, substyle):
    y, score, info = render_clip(genre, [3, len(substyle)], seconds=4.0, style_change=False, substyle=substyle)
    assert y.dtype == np.float32 and y.shape == (4 * SR,)
    assert np.all(np.isfinite(y))
    assert 0.1 < np.abs(y).max() <= 1.0  # peak at most 0 dBFS: never clips
    assert info["substyle"] == substyle and info["other_genre"] is None
    assert sum(len(i.notes) for i in score.instruments) > 5
    kit = [i for i in score.instruments if i.name == "drums"]
    assert (not kit) == (RECIPES[genre]["substyles"][substyle]["drums"] is None)


def test_loudness_is_drawn_alike_for_every_genre_over_the_range_of_real_recordings():
    from genre_lab.demo.render import master

    for genre in RECIPES:
        levels = [draw_plan(genre, np.random.default_rng(s)).mix["loudness_db"] for s in range(30)]
        assert -22.0 <= min(levels) and max(levels) <= -9.0 and max(levels) - min(levels) > 8.0
    plan = draw_plan("metal", np.random.default_rng(0))
    noise = np.random.default_rng(1).standard_normal(3 * SR).astype(np.float32) * 0.1
    for target in (-21.0, -14.0):  # white noise peaks 12 dB above its RMS: louder would be limited
        plan.mix["loudness_db"] = target
        y = master(noise, plan, SR, np.random.default_rng(2))
        rms_db = 20 * np.log10(np.sqrt(np.mean(y ** 2)))
        assert abs(rms_db - target) < 0.5 and np.abs(y).max() <= 10 ** (plan.mix["peak_db"] / 20) + 1e-6


def test_classical_has_no_drum_kit_and_metal_always_does():
    for seed in range(4):
        _, score, _ = render_clip("classical", seed, seconds=2.0, style_change=False)
        assert not any(i.name == "drums" for i in score.instruments)  # (orchestral percussion is no drum kit)
        _, score, _ = render_clip("metal", seed, seconds=2.0, style_change=False)
        assert any(i.name == "drums" and i.is_drum for i in score.instruments)


def test_country_sings_with_a_twang_over_soft_strings_in_its_drummed_sub_styles():
    from genre_lab.demo.compose import compose

    plans = [draw_plan("country", np.random.default_rng(s)) for s in range(200)]
    voices = [p.parts["vocal"]["voice"]["style"] for p in plans if "vocal" in p.parts]
    assert len(voices) > 170 and set(voices) == {"twang"}
    strings = {sub: np.mean([("strings_soft" in p.parts) for p in plans if p.substyle == sub])
               for sub in RECIPES["country"]["substyles"]}
    assert strings["bluegrass"] == 0.0 and strings["ballad"] == 1.0, strings  # as the recipe's sub-styles say
    assert 0.4 < strings["two_step"] < 0.8, strings
    kits = [p.parts["drums"]["program"] for p in plans if "drums" in p.parts]
    assert np.mean([k == 40 for k in kits]) > 0.55  # brushes, mostly
    plan = next(p for p in plans if "strings_soft" in p.parts)
    score = compose(plan, np.random.default_rng(0), 12.0)
    pad = next(i for i in score.instruments if i.name == "strings_soft")
    low, high = RECIPES["country"]["parts"]["strings_soft"]["register"]
    assert pad.notes and all(low <= n.pitch <= high for n in pad.notes)
    assert np.median([n.end - n.start for n in pad.notes]) > 60 / plan.bpm  # held chords, longer than a beat


def test_hiphop_always_raps_and_a_singer_takes_only_the_chorus_over_it():
    from genre_lab.demo.compose import compose
    from genre_lab.demo.render import vocal_style
    from genre_lab.demo.score import Score

    plans = [draw_plan("hiphop", np.random.default_rng(s)) for s in range(300)]
    assert all(p.parts["rap"]["voice"]["style"] == "rap" and vocal_style(p) == "rap" for p in plans)
    sung = [p for p in plans if "chorus" in p.parts]
    assert 0.08 < len(sung) / len(plans) < 0.25 and all(p.parts["chorus"]["voice"]["style"] == "sung" for p in sung)
    subs = {sub: np.mean([p.substyle == sub for p in plans]) for sub in RECIPES["hiphop"]["substyles"]}
    assert subs["boom_bap"] > 0.55 and subs["trap"] < 0.2, subs  # GTZAN-era hip-hop: mostly boom-bap
    assert all(p.parts["drums"]["program"] != 16 for p in plans if p.substyle == "boom_bap")  # no big rock snare
    plan = sung[0]
    plan.form["section_bars"] = 4
    score = compose(plan, np.random.default_rng(1), 30.0)
    timing = Score(plan, np.random.default_rng(1), 30.0)  # the score's bar grid: the same plan and seed
    parts = {i.name: i for i in score.instruments}

    def section(t):  # A (0) or B (1) section of a time in the clip
        return timing.section(int(np.searchsorted(timing.bar_start, t + plan.offset_s, "right") - 1))

    chorus = [n for n in parts["chorus"].notes if n.start > 0.0]  # (a note begun before the clip starts at 0)
    assert chorus and all(section(n.start + 0.05) == 1 for n in chorus), "the singer sings B sections only"
    rap = {section(n.start + 0.05) for n in parts["rap"].notes if n.start > 0.0}
    assert rap == {0, 1}, "the rapper has the verses, and raps in the choruses too"


def test_classical_percussion_is_the_orchestra_kit_played_as_march_ostinato_or_accents():
    patterns = set()
    for substyle in ("march", "symphonic", "orchestra"):
        for seed in range(6):
            plan = draw_plan("classical", np.random.default_rng(seed), substyle=substyle)
            perc = {name: part for name, part in plan.parts.items() if part["role"] == "orchestral_perc"}
            assert all(part["program"] == 48 for part in perc.values())  # the GM Orchestra kit, never a band kit
            patterns |= {part.get("pattern", "accents") for part in perc.values()}
    assert patterns == {"accents", "march", "ostinato"}
    # a march: the snare plays every bar, on the drum channel
    y, score, info = render_clip("classical", [1, 2], seconds=12.0, style_change=False, substyle="march")
    march = next(i for i in score.instruments if i.name == "march_perc")
    assert march.is_drum
    bar = 240.0 / info["bpm"]
    per_bar = np.bincount([int((n.start + 0.05) // bar) for n in march.notes if n.pitch == 38])
    assert len(per_bar) >= 3 and per_bar[: int(12.0 // bar)].min() >= 4
    # a drum ostinato: low drums only
    for seed in range(20):
        _, score, _ = render_clip("classical", [seed, 7], seconds=12.0, style_change=False, substyle="symphonic")
        ostinato = [i for i in score.instruments if i.name == "drum_ostinato"]
        if ostinato and ostinato[0].notes:
            assert ostinato[0].is_drum and {n.pitch for n in ostinato[0].notes} <= {35, 41, 43, 45, 47}
            break
    else:
        pytest.fail("no symphonic clip of 20 played a drum ostinato")


def test_a_recorded_style_change_lies_where_the_spectrum_changes():
    y, _, info = render_clip("classical", 11, seconds=20.0, style_change=True)
    start, end = info["other_start_s"], info["other_end_s"]
    assert info["other_genre"] in RECIPES and info["other_genre"] != "classical"
    import librosa

    S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR, n_fft=1024, hop_length=512), ref=np.max)
    t = librosa.frames_to_time(np.arange(S.shape[1]), sr=SR, hop_length=512)
    inside = S[:, (t > start + 1) & (t < end - 1)].mean(axis=1)
    outside = S[:, (t < start - 1) | (t > end + 1)].mean(axis=1)
    first, second = S[:, (t > 1) & (t < 5)].mean(axis=1), S[:, (t > 15) & (t < 19)].mean(axis=1)
    # the section differs from the rest of the song by more than two stretches of the same style differ
    same = np.abs(first - second).mean() if (end < 1 or start > 19) else None
    gap = np.abs(inside - outside).mean()
    assert gap > 3.0, gap
    if same is not None:
        assert gap > same


# ---------------------------------------------------------------- the dataset

def test_demo_is_gtzan_shaped_with_scores_and_a_metadata_table(tiny_demo):
    tracks, skipped = gl.scan_dataset(tiny_demo)
    assert skipped.empty and len(tracks) == 10
    assert tracks["path"].iloc[0] == "genres/metal/metal.00000.au"
    info = sf.info(tiny_demo / "genres/metal/metal.00000.au")
    assert (info.samplerate, info.channels, info.subtype, info.format) == (22_050, 1, "PCM_16", "AU")
    assert info.frames == 4 * 22_050
    assert gl.dataset_kind(tiny_demo) == "synthetic demo"
    marker = json.loads((tiny_demo / "GENRE_LAB_DEMO.json").read_text())
    assert "SYNTHETIC" in marker["note"] and marker["complete"] is True and marker["seed"] == 7
    meta = gl.read_demo_metadata(tiny_demo)
    assert list(meta["track_id"]) == list(tracks["track_id"])
    assert (meta["genre"] == tracks["genre"]).all()
    for row in meta.itertuples():
        assert (tiny_demo / "genres" / row.genre / f"{row.track_id}.mid").is_file()
        assert row.substyle in RECIPES[row.genre]["substyles"]
        made = gl.demo_recipe(row.genre, int(row.track_id.split(".")[1]), seed=7, seconds=4.0)
        assert made["bpm"] == row.bpm and made["vocal"] == row.vocal
        assert row.vocal in ("", *VOICE_STYLES) and 0.0 <= row.vocal_seconds <= 4.0
        assert (row.vocal == "") <= (row.vocal_seconds == 0.0)  # an instrumental has no voice


def test_the_score_matches_the_audio(tiny_demo):
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(tiny_demo / "genres/reggae/reggae.00000.mid"))
    assert pm.instruments and max(n.end for i in pm.instruments for n in i.notes) > 2.0
    names = {i.name for i in pm.instruments}
    assert "bass" in names or any(n.endswith(":bass") for n in names)


def test_same_seed_same_bytes_different_seed_different(tiny_demo, tmp_path):
    again = gl.make_demo_dataset(tmp_path / "b", clips_per_genre=2, seed=7, seconds=4.0, n_jobs=1)
    assert _digest(again) == _digest(tiny_demo)
    assert _digest(again, "*.csv") == _digest(tiny_demo, "*.csv")
    other = gl.make_demo_dataset(tmp_path / "c", clips_per_genre=2, seed=8, seconds=4.0, n_jobs=1)
    assert _digest(other) != _digest(tiny_demo)


def test_existing_clips_are_kept(tiny_demo):
    path = tiny_demo / "genres/reggae/reggae.00001.au"
    mtime = path.stat().st_mtime_ns
    gl.make_demo_dataset(tiny_demo, clips_per_genre=2, seed=7, seconds=4.0)
    assert path.stat().st_mtime_ns == mtime


def test_unknown_recipe_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no demo recipe for genre 'jazz'"):
        gl.make_demo_dataset(tmp_path, genres=["jazz"], clips_per_genre=1)


def test_regenerating_with_another_seed_or_count_replaces_the_clips(tmp_path):
    root = tmp_path / "d"
    gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=3, seed=1, seconds=2.0, n_jobs=1)
    first = _digest(root)
    gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=2, seed=2, seconds=2.0, n_jobs=1)
    assert sorted(p.name for p in (root / "genres/reggae").glob("*.au")) == ["reggae.00000.au", "reggae.00001.au"]
    fresh = tmp_path / "e"
    gl.make_demo_dataset(fresh, genres=["reggae"], clips_per_genre=2, seed=2, seconds=2.0, n_jobs=1)
    assert _digest(root) == _digest(fresh) != first
    assert gl.read_demo_marker(root)["complete"] is True


def test_a_dataset_of_the_first_generator_is_replaced(tmp_path, monkeypatch):
    from genre_lab import config, datasets

    root = tmp_path / "demo"
    monkeypatch.setattr(datasets, "default_data_root", lambda: root)
    monkeypatch.setattr(gl.demo.dataset, "default_data_root", lambda: root)
    monkeypatch.setattr(config, "default_data_root", lambda: root)
    (root / "genres" / "metal").mkdir(parents=True)
    sf.write(root / "genres/metal/metal.00000.au", np.zeros(SR, np.float32), SR, format="AU", subtype="PCM_16")
    (root / "GENRE_LAB_DEMO.txt").write_text("seed=2018 clips_per_genre=1 seconds=1.0 genres=metal\ncomplete\n")
    real = gl.make_demo_dataset
    monkeypatch.setattr("genre_lab.demo.dataset.make_demo_dataset",
                        lambda r, **kw: real(r, genres=["metal"], clips_per_genre=1, seconds=1.0, n_jobs=1))
    gl.ensure_dataset()
    assert not (root / "GENRE_LAB_DEMO.txt").exists()
    assert gl.read_demo_marker(root)["generator"] == demo_dataset.GENERATOR_VERSION
    assert np.abs(sf.read(root / "genres/metal/metal.00000.au")[0]).max() > 0.1  # re-rendered, not the old silence


def test_the_default_root_is_generated_once_and_kept_when_complete(tmp_path, monkeypatch):
    from genre_lab import config, datasets

    monkeypatch.setattr(datasets, "default_data_root", lambda: tmp_path / "demo")
    monkeypatch.setattr(gl.demo.dataset, "default_data_root", lambda: tmp_path / "demo")
    monkeypatch.setattr(config, "default_data_root", lambda: tmp_path / "demo")
    calls = []
    real = gl.make_demo_dataset

    def counting(root, **kw):
        calls.append(kw)
        return real(root, genres=["metal"], clips_per_genre=1, seconds=1.0, n_jobs=1, seed=kw.get("seed", 2018))

    monkeypatch.setattr("genre_lab.demo.dataset.make_demo_dataset", counting)
    gl.ensure_dataset()
    gl.ensure_dataset()
    assert len(calls) == 1
    marker = tmp_path / "demo" / "GENRE_LAB_DEMO.json"
    marker.write_text(marker.read_text().replace('"complete": true', '"complete": false'))  # as if interrupted
    gl.ensure_dataset()
    assert len(calls) == 2


def test_an_interrupted_change_of_seed_never_mixes_clips(tmp_path, monkeypatch):
    root = tmp_path / "d"
    gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=3, seed=1, seconds=2.0, n_jobs=1)
    real, calls = demo_dataset._write_clip, []

    def dies_after_one(*args):
        if calls:
            raise KeyboardInterrupt
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(demo_dataset, "_write_clip", dies_after_one)
    with pytest.raises(KeyboardInterrupt):
        gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=3, seed=2, seconds=2.0, n_jobs=1)
    assert not gl.read_demo_marker(root)["complete"]
    assert not list(root.rglob("*.genre_lab-tmp*"))  # no half-written file left behind
    monkeypatch.setattr(demo_dataset, "_write_clip", real)
    gl.make_demo_dataset(root, genres=["reggae"], clips_per_genre=3, seed=2, seconds=2.0, n_jobs=1)
    fresh = tmp_path / "e"
    gl.make_demo_dataset(fresh, genres=["reggae"], clips_per_genre=3, seed=2, seconds=2.0, n_jobs=1)
    assert _digest(root) == _digest(fresh)


def test_a_folder_with_other_audio_is_never_overwritten(au_root):
    before = sorted(p.name for p in au_root.rglob("*.au"))
    with pytest.raises(ValueError, match="did not generate"):
        gl.make_demo_dataset(au_root, genres=["metal"], clips_per_genre=1, seconds=1.0, n_jobs=1)
    assert sorted(p.name for p in au_root.rglob("*.au")) == before


def test_ensure_dataset_finishes_an_interrupted_run_with_its_own_settings(tmp_path, monkeypatch):
    from genre_lab import config, datasets

    root = tmp_path / "demo"
    monkeypatch.setattr(datasets, "default_data_root", lambda: root)
    monkeypatch.setattr(gl.demo.dataset, "default_data_root", lambda: root)
    monkeypatch.setattr(config, "default_data_root", lambda: root)
    gl.make_demo_dataset(root, genres=["country"], clips_per_genre=2, seed=7, seconds=1.5, n_jobs=1)
    marker = root / "GENRE_LAB_DEMO.json"
    marker.write_text(marker.read_text().replace('"complete": true', '"complete": false'))
    (root / "genres/country/country.00001.au").unlink()
    gl.ensure_dataset()
    got = gl.read_demo_marker(root)
    assert (got["complete"], got["seed"], got["clips_per_genre"], got["seconds"], got["genres"]) == \
        (True, 7, 2, 1.5, ("country",))
    assert sorted(p.name for p in (root / "genres/country").glob("*.au")) == ["country.00000.au", "country.00001.au"]


def test_two_concurrent_make_demo_processes_leave_a_complete_consistent_dataset(tmp_path):
    root = tmp_path / "shared"
    cmd = [sys.executable, "-m", "genre_lab", "make-demo", "--root", str(root), "--clips-per-genre", "2",
           "--seed", "5", "--seconds", "2"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1].decode()[-500:] for o in outs]
    assert gl.read_demo_marker(root)["complete"] is True
    tracks, skipped = gl.scan_dataset(root)
    assert skipped.empty and len(tracks) == 10
    fresh = gl.make_demo_dataset(tmp_path / "alone", clips_per_genre=2, seed=5, seconds=2.0, n_jobs=1)
    assert _digest(root) == _digest(fresh)
    assert pd.read_csv(root / "metadata.csv").equals(pd.read_csv(fresh / "metadata.csv"))
    assert not list(root.rglob("*.genre_lab-tmp*"))


def test_classical_plays_phrases_from_pianissimo_to_fortissimo_and_its_texture_thins_and_fills():
    """Real orchestral music breathes: the demo's classical is not one steady wall of sound."""
    from genre_lab.demo.score import Score as _Score

    spans, softest = [], []
    for seed in range(8):  # the score's loudness of each bar, 0..1
        dyn = np.array(_Score(draw_plan("classical", np.random.default_rng(seed)), np.random.default_rng(seed), 30.0)._dyn)
        softest.append(dyn.min())
        spans.append(dyn.max() - dyn.min())
        dyn = np.array(_Score(draw_plan("metal", np.random.default_rng(seed)), np.random.default_rng(seed), 30.0)._dyn)
        assert dyn.min() >= 0.75  # metal stays loud
    assert np.median(softest) < 0.25 and np.median(spans) > 0.3  # pianissimo somewhere, and far from it elsewhere
    rests, ranges = 0, []
    for seed in range(6):
        y, score, info = render_clip("classical", [seed, 3], seconds=30.0, style_change=False, substyle="orchestra")
        melody = next(i for i in score.instruments if i.name == "melody")
        bar = 240.0 / info["bpm"]
        melody_phrases = {int(n.start // (2 * bar)) for n in melody.notes}
        for inst in score.instruments:  # some harmony part rests for a phrase while the melody plays on
            if inst.name in ("strings", "basses", "horns", "woodwind") and inst.notes:
                played = {int(n.start // (2 * bar)) for n in inst.notes}
                rests += bool(melody_phrases - played - {max(melody_phrases)})
        frames = 20 * np.log10(np.sqrt(np.mean(y[: len(y) // 1024 * 1024].reshape(-1, 1024) ** 2, axis=1)) + 1e-9)
        ranges.append(np.percentile(frames, 95) - np.percentile(frames, 5))
    assert rests >= 3
    assert np.median(ranges) > 8.0  # dB between the soft and the loud moments of a clip
    for seed in range(3):  # other genres keep their band playing
        _, score, _ = render_clip("metal", [seed, 3], seconds=30.0, style_change=False)
        guitar = next(i for i in score.instruments if i.name == "guitar")
        assert np.diff(sorted(n.start for n in guitar.notes)).max() < 2.0


def test_an_unknown_role_is_an_error_not_silently_chords():
    from genre_lab.demo.compose import ROLES, compose
    from genre_lab.demo.harmony import CHORD_STYLES

    assert set(CHORD_STYLES) <= set(ROLES)
    plan = draw_plan("reggae", np.random.default_rng(1))
    plan.parts[next(iter(plan.parts))]["role"] = "kazoo"
    with pytest.raises(ValueError, match="kazoo.*nothing plays"):
        compose(plan, np.random.default_rng(1), 4.0)


def _notes(starts, dur=0.4, pitch=55, velocity=100):
    import pretty_midi

    return [pretty_midi.Note(velocity=velocity, pitch=pitch, start=float(t), end=float(t) + dur) for t in starts]


def _rms(y, t0, t1, sr=SR):
    return float(np.sqrt(np.mean(y[int(t0 * sr):int(t1 * sr)] ** 2)))


@pytest.mark.parametrize("style", sorted(VOICE_STYLES))
def test_a_voice_sounds_where_the_part_sings_and_is_silent_where_it_rests(style):
    # a phrase of syllables from 0.5 to 2.5 s, a rest, another from 4 to 5 s
    notes = _notes(np.arange(0.5, 2.5, 0.4)) + _notes(np.arange(4.0, 5.0, 0.25), dur=0.22)
    y = render_vocal(notes, style=style, sr=SR, seed=3, n_samples=6 * SR)
    assert y.dtype == np.float32 and len(y) == 6 * SR and np.isfinite(y).all()
    singing = min(_rms(y, 0.6, 2.3), _rms(y, 4.05, 4.9))
    assert singing > 1e-3, "the voice is heard in each phrase"
    assert _rms(y, 3.0, 3.9) < 0.01 * singing and _rms(y, 0.0, 0.45) < 0.01 * singing, "silent where it rests"


_VOICE_DIGEST = """
import hashlib, sys
import numpy as np, pretty_midi
from genre_lab.demo.vocals import render_vocal, speak
if sys.argv[1] == "busy":  # speak first: any state the engine keeps moves
    speak("something else entirely, to move any state the engine keeps", voice="shelby", rate=300, pitch=90)
notes = [pretty_midi.Note(velocity=100, pitch=55, start=float(t), end=float(t) + 0.14) for t in np.arange(0.2, 2, 0.15)]
print(hashlib.sha256(b"".join(render_vocal(notes, style=s, sr=22050, seed=5).tobytes()
                              for s in ("rap", "shout", "twang"))).hexdigest())
"""


def test_a_voice_is_the_same_for_the_same_seed_in_any_process_whatever_was_spoken_before():
    run = lambda mode: subprocess.run([sys.executable, "-c", _VOICE_DIGEST, mode], capture_output=True,  # noqa: E731
                                      text=True, check=True).stdout.strip()
    assert run("fresh") == run("busy")
    notes = _notes(np.arange(0.2, 2.0, 0.15), dur=0.14)
    assert not np.array_equal(render_vocal(notes, style="rap", sr=SR, seed=5),
                              render_vocal(notes, style="rap", sr=SR, seed=6))


def test_a_sung_vowel_has_its_formants_and_sits_on_the_notes_pitch():
    y = render_vocal(_notes([0.0], dur=1.0, pitch=57), style="sung", sr=SR, seed=1)  # A3 = 220 Hz
    assert abs(_f0(y[int(0.3 * SR):int(0.9 * SR)]) - 220.0) < 12.0  # vibrato moves it a little


def test_the_glottal_pulse_is_read_at_any_phase_of_its_cycle():
    from genre_lab.demo.vocals import _glottal

    # float32 rounds a phase just below a whole cycle up to 1.0: the pulse's table must still be read there
    cycle = np.array([0.0, 0.3, np.nextafter(np.float32(1), np.float32(0)), 1.0], np.float32)
    y = _glottal(cycle, np.full(4, 110.0, np.float32), SR)
    assert np.isfinite(y).all() and y[3] == pytest.approx(y[0], abs=1e-6)  # the cycle's end is the next one's start


def test_an_unknown_voice_style_or_speaker_is_an_error():
    with pytest.raises(ValueError, match="unknown voice style 'yodel'"):
        render_vocal(_notes([0.0]), style="yodel", sr=SR, seed=1)
    with pytest.raises(ValueError, match="unknown speaker"):
        speak("hello", voice="nobody")


def test_voices_appear_across_genres_and_rap_is_not_only_hiphop():
    styles = {g: {s for spec in r["parts"].values() if spec["role"] == "vocal" for s in spec["styles"]}
              for g, r in RECIPES.items()}
    spoken_styles = {s for s, spec in VOICE_STYLES.items() if spec.get("spoken")}
    sung = [g for g, st in styles.items() if st - spoken_styles]  # sung, twang, growl, scream: a melody
    spoken = [g for g, st in styles.items() if st & spoken_styles]
    assert len(sung) >= 4 and len(spoken) >= 3, (sung, spoken)
    plans = [draw_plan(g, np.random.default_rng(s)) for g in RECIPES for s in range(40)]
    voiced = {g: np.mean([any("voice" in p for p in plan.parts.values()) for plan in plans if plan.genre == g])
              for g in RECIPES}
    assert all(voiced[g] > 0.7 for g in ("metal", "hiphop", "country", "reggae")), voiced


def test_the_metal_kick_doubles_the_guitar_riff():
    plan = draw_plan("metal", np.random.default_rng(4), substyle="groove")
    plan.drums["patterns"] = ["riff_sync", "riff_sync"]
    plan.form["riffs"] = ["breakdown", "groove"]  # riffs with rests: a constant double kick would not pass
    plan.form.update(no_drum_intro=False, fills=0.0)  # a fill's toms replace the kick in the bar's last beat
    from genre_lab.demo.compose import compose

    score = compose(plan, np.random.default_rng(4), 8.0)
    drums = next(i for i in score.instruments if i.name == "drums")
    guitar = next(i for i in score.instruments if i.name == "guitar")
    kicks = sorted(n.start for n in drums.notes if n.pitch == 36)
    onsets = sorted({round(n.start, 3) for n in guitar.notes})
    assert len(kicks) > 10
    # every guitar attack has a kick within the players' timing spread, and no kick falls where the guitar rests
    near = [min(abs(k - t) for k in kicks) for t in onsets]
    assert max(near) < 0.05
    alone = [min(abs(k - t) for t in onsets) for k in kicks if k < max(onsets)]
    assert max(alone) < 0.05


def test_a_production_eq_changes_the_spectrum_where_it_says_and_refuses_unknown_bands():
    from genre_lab.demo.mix import production_eq, vinyl

    noise = np.random.default_rng(0).standard_normal(2 * SR).astype(np.float32) * 0.1
    y = production_eq([("peak", 1000, -12)])(noise, SR)
    spec = lambda x: np.abs(np.fft.rfft(x)) ** 2  # noqa: E731
    f = np.fft.rfftfreq(len(noise), 1 / SR)
    band = (f > 900) & (f < 1100)
    ratio = spec(y)[band].sum() / spec(noise)[band].sum()
    assert 10 * np.log10(ratio) < -8
    with pytest.raises(ValueError, match="unknown EQ band kind"):
        production_eq([("notch", 50, -3)])
    old = vinyl(noise, SR, cutoff_hz=3000, seed=1)
    high = f > 6000
    assert spec(old)[high].sum() < 0.1 * spec(noise)[high].sum()  # band-limited like an old record
    assert np.array_equal(old, vinyl(noise, SR, cutoff_hz=3000, seed=1))
