"""Each demo genre as a table: how musicians describe it, written down as data.

A recipe says, for one genre and its sub-styles: the tempo range and feel,
the drum kit and drum-pattern family, the parts that play (General MIDI
program, register, role, pattern, level), the chord vocabulary and
progressions, the dynamics, the room, and the form. :mod:`.render` turns a
recipe into notes and the notes into sound; nothing about a genre lives
anywhere else.

The tables draw on how the genres are usually described:

* **metal** -- riffs of palm-muted chugs on a low pedal note, ringing power
  chords and a moving line, on double-tracked guitars through a high-gain amp
  (two gain stages, a cabinet), tuned down; the kick drum locked to the riff,
  crashes and china, 90-210 BPM, minor and modal keys, scooped mids; a voice
  that shouts, growls, screams or sings; sometimes strings and choir
  (symphonic metal);
* **classical** -- orchestra, string quartet, chamber ensemble with
  harpsichord, harp, guitar or pizzicato continuo, solo piano, solo guitar,
  flute with harp, choir or an art song (a trained voice with piano) in a
  hall, the small ensembles often quiet (as often as the full orchestra); no
  drum kit, but timpani, concert bass drum, cymbals, a march's snare or a
  drum ostinato (Holst, film scores); rubato, the dynamic range of a
  concert hall (phrases from pianissimo to fortissimo, each swelling and
  fading, over long crescendi), a texture that thins and fills as parts
  rest and re-enter, functional harmony;
* **hiphop** -- a boom-bap or trap beat, heavy kick and 808 or finger
  bass, swung hats, 80-100 BPM (trap hats at double time), a repeated
  phrase sampled from a soul or jazz record (often with its crackle and
  band limit), a rapped line up front (sometimes a sung hook instead);
* **country** -- steel-string strumming, fiddle, banjo rolls, honky-tonk
  piano, a two-step or ballad (a train beat now and then) often played with
  brushes, boom-chick bass, I-IV-V, the Nashville sound's soft strings, a
  singer with a twang up front;
* **reggae** -- one-drop, steppers or rockers drums, offbeat skank guitar
  and organ bubble, a melodic bass up front, 60-90 BPM, horn lines, a voice
  that sings or toasts (the DJ's half-spoken chant).

Voices, like instruments, are not a label: sung lines appear in all five
genres (classical: an art song), spoken ones in three (rap, toasting, shouts).

The changes of generators 6 and 7 were checked with musicnn's zero-shot tags
(``bench/realism.py``): each says which tag it moved.

Genres share instruments and tempi at their edges on purpose (fiddle and
violin, nylon guitar in country and in a chamber group's continuo, strings
in symphonic metal and hiphop loops, drums in a march, organ in reggae and
gospel-tinged country, boom-bap and reggae tempi), as real ones do.

Notebook: 01_mel_spectrograms.ipynb
"""

from __future__ import annotations

__all__ = ["RECIPES", "DRUM_KEYS", "DRUM_PATTERNS", "RIFFS", "SCALES", "recipe"]

#: General MIDI drum keys used by the patterns.
DRUM_KEYS = {
    "kick": 36, "kick2": 35, "snare": 38, "rim": 37, "clap": 39, "hat": 42, "pedal_hat": 44, "open_hat": 46,
    "crash": 49, "ride": 51, "china": 52, "tom_hi": 50, "tom_mid": 47, "tom_lo": 45, "tambourine": 54,
    "cowbell": 56, "shaker": 70, "ride_bell": 53,
}

#: Drum patterns, one bar of sixteenth notes per line: X accent, x normal, o ghost, . rest.
DRUM_PATTERNS = {
    # metal
    "double_kick": {"kick": "xxxxxxxxxxxxxxxx", "snare": "....X.......X...", "ride": "x...x...x...x..."},
    "thrash_beat": {"kick": "x.x.x.x.x.x.x.x.", "snare": "..X...X...X...X.", "hat": "x.x.x.x.x.x.x.x."},
    "metal_halftime": {"kick": "x.....x.xx....x.", "snare": "........X.......", "china": "x...x...x...x..."},
    "metal_groove": {"kick": "x..x..x.xx.x....", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."},
    # the kick follows the guitar riff (filled in from RIFFS); snare on the backbeat, crash/china on the beat
    "riff_sync": {"kick": "riff", "snare": "....X.......X...", "china": "x...x...x...x..."},
    "riff_sync_half": {"kick": "riff", "snare": "........X.......", "crash": "x.......x......."},
    # rock-derived, shared by several genres
    "backbeat": {"kick": "x.......x.x.....", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."},
    # hiphop
    "boom_bap": {"kick": "X......x..x.....", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x.",
                 "open_hat": "..............x."},
    "boom_bap2": {"kick": "X.x.......x..x..", "snare": "....X.......X..o", "hat": "x.xox.x.x.xox.x."},
    "trap": {"kick": "X.......x.....x.", "clap": "........X.......", "hat": "xxxxxxxxxxxxxxxx"},
    "trap2": {"kick": "X..x......x.x...", "clap": "........X.......", "hat": "x.x.xxx.x.x.xxxx"},
    # country
    "train": {"kick": "x.......x.......", "snare": "oxoXoxoXoxoXoxoX"},
    "two_step": {"kick": "x.......x.......", "snare": "....x.......x...", "hat": "x.x.x.x.x.x.x.x."},
    "shuffle": {"kick": "x.......x.......", "snare": "....x.......x...", "ride": "x..xx..xx..xx..x"},
    # reggae
    "one_drop": {"rim": "........X.......", "kick": "........X.......", "hat": "x.x.x.x.x.x.x.x.",
                 "open_hat": "..............x."},
    "steppers": {"kick": "X...x...X...x...", "rim": "........X.......", "hat": "..x...x...x...x."},
    "rockers": {"kick": "X.......X.......", "snare": "....x.......X...", "hat": "x.xxx.xxx.xxx.xx"},
}

#: Metal riffs, one bar of sixteenths: C a palm-muted chug on the low pedal note, P a ringing power chord,
#: N a note of the riff's line (a power chord on another scale degree), . the previous note rings on.
#: The kick drum doubles every chug and chord (``riff_sync``), as metal drummers lock to the guitar.
RIFFS = {
    "gallop": "P.CCC.CCP.CCN.CC",
    "chug16": "CCCCCCCCP.CCN.CC",
    "thrash": "CCCCN.CCCCCCP.N.",
    "groove": "P..C.CP..CC.N...",
    "breakdown": "P...C.C.P..CC...",
    "tremolo": "NNNNNNNNNNNNNNNN",
}

#: Scales as semitones above the tonic.
SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10), "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10), "harmonic_minor": (0, 2, 3, 5, 7, 8, 11), "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}

# A part: role (what it plays), programs (GM, one drawn; a "vocal" part is sung or spoken by .vocals, and its score
# marks it with GM 54, Synth Voice), register (lowest, highest MIDI key),
# pattern (how it plays), level (dB range in the mix), p (chance that a clip has it; parts a sub-style lists
# under "extra" always play), substyles (if given: the only sub-styles the part may join).
# Form: bars per section; "crescendo" gives a genre classical dynamics (terraced phrases, hairpins, long swells);
# "tacet" is the chance that a harmony part rests for a phrase (a sub-style may set its own).
# Progressions are scale degrees (0 = I/i); each chord lasts one bar unless "bars" says otherwise.

RECIPES = {
    "metal": {
        "tempo": (120, 215), "scales": {"minor": 0.45, "phrygian": 0.25, "harmonic_minor": 0.15, "dorian": 0.15},
        # guitars tuned down (drop D to B standard): the riffs' roots sit low
        "tonic": (35, 42), "swing": (0.0, 0.0), "timing_ms": 6, "velocity": (85, 120),
        "room": {"size": (0.3, 0.6), "wet": (0.06, 0.15)}, "compression": (4.0, 8.0),
        # production: scooped mids, big lows and bright cymbals (musicnn hears punk without them)
        "eq": [("low", 250, 8), ("peak", 1000, -6), ("high", 3500, 6)],
        "progressions": [(0, 0, 5, 6), (0, 5, 6, 0), (0, 1, 0, 6), (0, 3, 4, 0), (0, 6, 5, 6), (0, 0, 3, 1)],
        "substyles": {
            "thrash": {"p": 0.35, "tempo": (160, 210), "drums": ["riff_sync", "thrash_beat"], "kit": [16, 0, 8],
                       "riffs": ["thrash", "gallop", "chug16", "tremolo"]},
            "heavy": {"p": 0.25, "tempo": (120, 170), "drums": ["riff_sync", "double_kick"], "kit": [16, 8, 0],
                      "riffs": ["gallop", "chug16", "groove"]},
            "groove": {"p": 0.2, "tempo": (90, 130), "drums": ["riff_sync", "riff_sync_half"], "kit": [16, 0],
                       "riffs": ["groove", "breakdown", "chug16"]},
            "symphonic": {"p": 0.2, "tempo": (130, 190), "drums": ["riff_sync", "double_kick"], "kit": [16, 0, 8],
                          "riffs": ["gallop", "tremolo", "chug16"], "extra": ["strings", "choir"]},
        },
        "parts": {
            "drums": {"role": "drums", "level": (-3, 0), "p": 1.0},
            "guitar": {"role": "riff", "programs": [30, 30, 29], "register": (35, 55), "level": (-2, 0), "p": 1.0,
                       "amp": (34, 44)},
            # the rhythm guitar is double-tracked on every metal record
            "guitar2": {"role": "riff", "programs": [30, 29], "register": (35, 55), "level": (-4, -1), "p": 1.0,
                        "amp": (34, 44)},
            "bass": {"role": "bass", "programs": [34, 33, 34], "register": (28, 43), "pattern": "follow_riff",
                     "level": (-6, -2), "p": 1.0},
            "lead": {"role": "lead", "programs": [29, 30, 85], "register": (64, 84), "level": (-7, -3), "p": 0.2,
                     "amp": (10, 20), "rhythm": "melodic"},
            # shouted, growled, screamed or sung
            "vocal": {"role": "vocal", "programs": [54],
                      "styles": {"shout": 0.35, "growl": 0.25, "scream": 0.15, "sung": 0.25},
                      "register": (52, 69), "registers": {"growl": (40, 52), "scream": (55, 67)},
                      "level": (-2, 2), "p": 0.85},
            "strings": {"role": "pad", "programs": [48, 49, 50], "register": (52, 76), "level": (-9, -4), "p": 0.0},
            "choir": {"role": "pad", "programs": [52, 53], "register": (55, 74), "level": (-10, -5), "p": 0.0},
        },
        "form": {"bars": (4, 8), "intro_no_drums": 0.1, "fills": 0.6, "crash_on_sections": 1.0},
    },
    "classical": {
        "tempo": (50, 130), "scales": {"major": 0.55, "minor": 0.3, "harmonic_minor": 0.15},
        "tonic": (48, 59), "swing": (0.0, 0.0), "timing_ms": 14, "velocity": (20, 110), "rubato": (0.04, 0.12),
        "room": {"size": (0.75, 0.95), "wet": (0.2, 0.38)}, "compression": (1.0, 1.8),
        "progressions": [(0, 3, 4, 0), (0, 5, 1, 4), (0, 4, 5, 3), (0, 3, 6, 2), (0, 1, 4, 0), (0, 5, 3, 4)],
        "substyles": {
            # solo and chamber music as often as the full orchestra, much of it quiet (a sub-style's own velocity)
            "orchestra": {"p": 0.2, "tempo": (55, 120), "drums": None,
                          "extra": ["strings", "basses", "melody", "horns", "woodwind", "timpani"]},
            "symphonic": {"p": 0.15, "tempo": (70, 140), "drums": None,
                          "extra": ["ostinato", "strings", "basses", "melody", "brass", "timpani", "percussion",
                                    "choir"]},
            "march": {"p": 0.05, "tempo": (96, 128), "drums": None,
                      "extra": ["march_perc", "melody", "brass", "basses", "woodwind"]},
            "chamber": {"p": 0.1, "tempo": (60, 120), "drums": None, "extra": ["melody", "continuo", "cello", "viola"],
                        "velocity": (20, 85)},
            "string_quartet": {"p": 0.1, "tempo": (60, 130), "drums": None,
                               "extra": ["violin1", "violin2", "viola", "cello"], "velocity": (20, 90)},
            "piano": {"p": 0.15, "tempo": (60, 130), "drums": None, "extra": ["piano_left", "piano_right"],
                      "tacet": 0.1, "velocity": (20, 90)},
            "guitar": {"p": 0.1, "tempo": (60, 120), "drums": None, "extra": ["guitar_arp", "guitar_melody"],
                       "tacet": 0.1, "velocity": (20, 80)},
            "flute": {"p": 0.1, "tempo": (55, 110), "drums": None, "extra": ["flute_solo", "harp_accomp"],
                      "velocity": (20, 80)},
            "choir": {"p": 0.05, "tempo": (50, 90), "drums": None, "extra": ["choir", "organ", "basses"]},
            "art_song": {"p": 0.05, "tempo": (55, 100), "drums": None, "extra": ["singer", "piano_left"],
                         "velocity": (20, 95)},
        },
        "parts": {
            "strings": {"role": "pad", "programs": [48, 49, 48, 44], "register": (48, 79), "level": (-3, 0), "p": 0.0,
                        "rhythm": "long"},
            "basses": {"role": "bass", "programs": [43, 42, 48, 58], "register": (28, 48), "pattern": "roots_long",
                       "level": (-3, 0), "p": 0.0},
            "brass": {"role": "pad", "programs": [61, 60, 57, 58], "register": (41, 67), "level": (-6, -2), "p": 0.0,
                      "rhythm": "long"},
            "percussion": {"role": "orchestral_perc", "programs": [48], "level": (-6, -2), "p": 0.3,
                           "substyles": ["orchestra"]},
            "drum_ostinato": {"role": "orchestral_perc", "pattern": "ostinato", "programs": [48],
                              "level": (-6, -2), "p": 0.5, "substyles": ["symphonic"]},
            "march_perc": {"role": "orchestral_perc", "pattern": "march", "programs": [48], "level": (-5, -1),
                           "p": 0.0},
            "harp": {"role": "arp", "programs": [46, 46, 45], "register": (43, 79), "level": (-9, -4), "p": 0.35,
                     "substyles": ["orchestra", "symphonic"]},
            "continuo": {"role": "arp", "programs": [6, 46, 24, 45], "register": (48, 72), "level": (-5, -1),
                         "p": 0.0},
            "ostinato": {"role": "ostinato", "programs": [48, 45, 44, 42], "register": (40, 64), "level": (-4, -1),
                         "p": 0.35, "substyles": ["orchestra"]},
            "melody": {"role": "lead", "programs": [40, 73, 68, 71, 60, 56], "register": (65, 88), "level": (-4, 0),
                       "p": 0.0, "rhythm": "legato"},
            "horns": {"role": "pad", "programs": [60, 61, 57], "register": (50, 72), "level": (-10, -5), "p": 0.6,
                      "rhythm": "long", "substyles": ["orchestra"]},
            "woodwind": {"role": "counter", "programs": [73, 71, 68, 70], "register": (60, 84), "level": (-10, -5),
                         "p": 0.5, "substyles": ["orchestra", "symphonic"]},
            "timpani": {"role": "timpani", "programs": [47], "register": (36, 52), "level": (-6, -2), "p": 0.6,
                        "substyles": ["orchestra", "symphonic"]},
            "violin1": {"role": "lead", "programs": [40], "register": (67, 93), "level": (-2, 0), "p": 0.0,
                        "rhythm": "legato"},
            "violin2": {"role": "inner", "programs": [40], "register": (60, 79), "level": (-5, -2), "p": 0.0},
            "viola": {"role": "inner", "programs": [41], "register": (53, 72), "level": (-5, -2), "p": 0.0},
            "cello": {"role": "bass", "programs": [42], "register": (36, 57), "pattern": "roots_moving",
                      "level": (-4, -1), "p": 0.0},
            "piano_left": {"role": "arp", "programs": [0, 0, 1], "register": (36, 60), "level": (-3, 0), "p": 0.0},
            "piano_right": {"role": "lead", "programs": [0, 0, 1], "register": (64, 91), "level": (-2, 0), "p": 0.0,
                            "rhythm": "melodic"},
            "choir": {"role": "pad", "programs": [52, 53], "register": (50, 77), "level": (-2, 0), "p": 0.0,
                      "rhythm": "long"},
            "organ": {"role": "pad", "programs": [19, 20], "register": (43, 72), "level": (-9, -4), "p": 0.5,
                      "rhythm": "long", "substyles": ["choir"]},
            # a Lied or an aria: a trained voice (vibrato, the singer's formant) over the piano
            "singer": {"role": "vocal", "programs": [54], "styles": {"sung": 1.0}, "register": (60, 79),
                       "level": (0, 2), "p": 0.0, "rhythm": "legato"},
            "guitar_arp": {"role": "arp", "programs": [24], "register": (40, 64), "level": (-3, 0), "p": 0.0},
            "guitar_melody": {"role": "lead", "programs": [24], "register": (59, 79), "level": (-2, 0), "p": 0.0,
                              "rhythm": "melodic"},
            "flute_solo": {"role": "lead", "programs": [73, 73, 71, 68], "register": (65, 88), "level": (-1, 0),
                           "p": 0.0, "rhythm": "legato"},
            "harp_accomp": {"role": "arp", "programs": [46, 24, 0], "register": (43, 72), "level": (-6, -2),
                            "p": 0.0},
        },
        "form": {"bars": (4, 8), "crescendo": (0.5, 1.0), "tacet": 0.3},
    },
    "hiphop": {
        "tempo": (80, 100), "scales": {"minor": 0.5, "dorian": 0.3, "major": 0.2},
        "tonic": (36, 47), "swing": (0.0, 0.3), "timing_ms": 8, "velocity": (80, 120),
        "room": {"size": (0.15, 0.4), "wet": (0.04, 0.12)}, "compression": (3.0, 6.0),
        "progressions": [(0, 0, 5, 5), (0, 3, 0, 3), (0, 5, 3, 4), (0, 0, 3, 3), (0, 6, 5, 6), (0, 2, 0, 2)],
        # GTZAN's hiphop was recorded before trap: mostly boom-bap, on dry, punchy kits (generator 8: musicnn heard
        # 7 of 15 rapped demo boom-bap songs on the big-snare Power kit as Hip-Hop, 21 of 27 on the standard and
        # room kits; 8 of 13 rapped trap songs as Hip-Hop, the rest as electronic)
        "substyles": {
            "boom_bap": {"p": 0.7, "tempo": (84, 98), "drums": ["boom_bap", "boom_bap2"], "kit": [0, 8],
                         "swing": (0.12, 0.3), "bass": "finger"},
            "trap": {"p": 0.1, "tempo": (65, 80), "drums": ["trap", "trap2"], "kit": [25, 0], "hat_rolls": True,
                     "swing": (0.0, 0.05), "bass": "808"},
            "lofi": {"p": 0.2, "tempo": (70, 90), "drums": ["boom_bap"], "kit": [8, 40, 0], "swing": (0.2, 0.35),
                     "bass": "finger"},
        },
        "parts": {
            "drums": {"role": "drums", "level": (-1, 0), "p": 1.0},
            "bass": {"role": "bass", "programs": [33, 32, 38], "register": (28, 45), "pattern": "kick_follow",
                     "level": (-3, 0), "p": 1.0},
            # a loop sampled from soul, funk and jazz records (piano, strings, horns, guitar, e-piano), often
            # with the record's crackle and its band limit
            "loop": {"role": "sample_loop", "programs": [0, 48, 61, 24, 26, 56, 4], "register": (55, 79),
                     "level": (-12, -7), "p": 1.0, "vinyl": 0.35},
            # always a rapper; sometimes an R&B singer on the hook, in the B sections, mostly over the rap (each voice
            # draws its own resting sections), as records place a sung chorus (generator 8, before its speed-ups:
            # musicnn heard none of 7 demo songs sung instead of rapped as Hip-Hop, 4 of 4 with the singer on the hook)
            "rap": {"role": "vocal", "programs": [54], "styles": {"rap": 1.0}, "register": (45, 57), "level": (4, 8),
                    "p": 1.0},
            "chorus": {"role": "vocal", "programs": [54], "styles": {"sung": 1.0}, "register": (55, 67),
                       "level": (2, 6), "p": 0.15, "rhythm": "melodic", "sections": (1,)},
            "hook": {"role": "lead", "programs": [73, 66, 11, 61, 56], "register": (67, 84), "level": (-11, -6),
                     "p": 0.35, "rhythm": "sparse"},
        },
        "form": {"bars": (4, 8), "intro_no_drums": 0.12, "fills": 0.2, "crash_on_sections": 0.3},
    },
    "country": {
        "tempo": (85, 180), "scales": {"major": 0.85, "mixolydian": 0.15},
        "tonic": (43, 52), "swing": (0.0, 0.2), "timing_ms": 10, "velocity": (70, 115),
        "room": {"size": (0.2, 0.5), "wet": (0.06, 0.16)}, "compression": (2.0, 4.0),
        "progressions": [(0, 3, 4, 0), (0, 0, 3, 4), (0, 3, 0, 4), (0, 4, 3, 0), (0, 3, 0, 0, 4, 4, 0, 0),
                         (0, 5, 3, 4)],
        "substyles": {
            # mostly mid-tempo two-steps and ballads, as on country radio; drummers often play them with brushes
            # (generator 7: musicnn heard 10 of 10 brushed demo country songs as country, 3 of 8 with sticks,
            # 1 of 6 train beats)
            "train_beat": {"p": 0.05, "tempo": (120, 160), "drums": ["train"], "kit": [40, 40, 8]},
            "two_step": {"p": 0.4, "tempo": (85, 120), "drums": ["two_step", "shuffle"], "kit": [40, 40, 0]},
            "bluegrass": {"p": 0.15, "tempo": (110, 170), "drums": None, "extra": ["banjo", "fiddle"]},
            "ballad": {"p": 0.3, "tempo": (70, 95), "drums": ["two_step", "backbeat"], "kit": [40, 40, 0],
                       "extra": ["strings_soft"]},
        },
        "parts": {
            "drums": {"role": "drums", "level": (-4, -1), "p": 1.0},
            # steel strings (a nylon guitar is rare in country; musicnn hears it as jazz), electric bass mostly
            "acoustic": {"role": "strum", "programs": [25, 25, 25, 25, 24], "register": (52, 71), "level": (-2, 0),
                         "p": 1.0},
            "bass": {"role": "bass", "programs": [33, 34, 33, 34, 32], "register": (28, 48), "pattern": "boom_chick",
                     "level": (-5, -2), "p": 1.0},
            "fiddle": {"role": "lead", "programs": [110, 40], "register": (62, 86), "level": (-5, -1), "p": 0.55,
                       "rhythm": "melodic"},
            "banjo": {"role": "roll", "programs": [105], "register": (55, 79), "level": (-8, -3), "p": 0.35},
            "piano": {"role": "comp", "programs": [3, 0, 1], "register": (55, 79), "level": (-9, -4), "p": 0.35},
            "electric": {"role": "lead", "programs": [27], "register": (57, 81), "level": (-8, -4), "p": 0.35,
                         "rhythm": "twang"},
            # a sung melody with the country singer's twang, up front
            "vocal": {"role": "vocal", "programs": [54], "styles": {"twang": 1.0}, "register": (50, 67),
                      "level": (6, 10), "p": 0.95, "rhythm": "melodic"},
            # the Nashville sound's soft strings, standing in for the pedal steel's sustained swells (General MIDI
            # has no pedal steel); generator 7: musicnn heard 11 of 12 demo country songs with them as country,
            # 11 of 28 without them
            "strings_soft": {"role": "pad", "programs": [49, 48], "register": (55, 76), "level": (-12, -7), "p": 0.6,
                             "rhythm": "long", "substyles": ["two_step", "train_beat", "ballad"]},
        },
        "form": {"bars": (4, 8), "intro_no_drums": 0.1, "fills": 0.4, "crash_on_sections": 0.5},
    },
    "reggae": {
        "tempo": (60, 90), "scales": {"major": 0.45, "minor": 0.35, "dorian": 0.2},
        "tonic": (40, 50), "swing": (0.08, 0.3), "timing_ms": 9, "velocity": (75, 115),
        "room": {"size": (0.3, 0.7), "wet": (0.08, 0.2)}, "compression": (2.0, 4.0),
        "progressions": [(0, 3, 0, 3), (0, 6, 0, 6), (0, 4, 5, 3), (0, 3, 4, 3), (0, 0, 4, 4), (0, 5, 3, 4)],
        "substyles": {
            "one_drop": {"p": 0.5, "tempo": (64, 84), "drums": ["one_drop"], "kit": [0, 8, 32]},
            "steppers": {"p": 0.25, "tempo": (70, 90), "drums": ["steppers"], "kit": [0, 8, 24]},
            "rockers": {"p": 0.25, "tempo": (66, 88), "drums": ["rockers", "one_drop"], "kit": [0, 8]},
        },
        "parts": {
            "drums": {"role": "drums", "level": (-3, 0), "p": 1.0},
            "bass": {"role": "bass", "programs": [33, 34, 38, 32], "register": (28, 47), "pattern": "reggae_line",
                     "level": (-1, 0), "p": 1.0},
            "skank": {"role": "skank", "programs": [27, 26, 28, 4], "register": (57, 74), "level": (-6, -2),
                      "p": 0.9},
            "bubble": {"role": "bubble", "programs": [16, 17, 18], "register": (52, 74), "level": (-9, -4), "p": 0.6},
            "horns": {"role": "lead", "programs": [61, 56, 57, 65, 66], "register": (60, 82), "level": (-8, -3),
                      "p": 0.35, "rhythm": "sparse"},
            # sung, or toasted (the DJ's half-spoken chant)
            "vocal": {"role": "vocal", "programs": [54], "styles": {"sung": 0.55, "toast": 0.45}, "register": (52, 67),
                      "level": (2, 6), "p": 0.85, "rhythm": "melodic"},
            "piano": {"role": "skank", "programs": [0, 1, 4], "register": (60, 79), "level": (-10, -5), "p": 0.3},
        },
        "form": {"bars": (4, 8), "intro_no_drums": 0.1, "fills": 0.3, "crash_on_sections": 0.4},
    },
}


def recipe(genre: str) -> dict:
    """The recipe table of one genre.

    Raises
    ------
    ValueError
        If there is no recipe for ``genre``.

    Notebook: 01_mel_spectrograms.ipynb
    """
    if genre not in RECIPES:
        raise ValueError(f"no demo recipe for genre {genre!r}; recipes exist for {', '.join(RECIPES)}. "
                         "Point GENRE_LAB_DATA at a real GTZAN copy for the other genres.")
    return RECIPES[genre]
