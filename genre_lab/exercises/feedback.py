"""Checks that give feedback: what a student's answer gets, in one short message.

A check cell calls ``gl.check("04.2", answer, model=model)``: the exercise's key
(notebook 04, exercise 2), the student's answer, and whatever the check needs
from the notebook's run (a model, a table), never the expected value itself,
which the judge computes. The message is one of four:

* ``Exercise 04.2: not done yet ...`` -- the placeholder ``...`` is still there;
* ``Exercise 04.2: not yet. <hint>`` -- a wrong answer, with what is off;
* ``Exercise 04.2: correct. <why>`` -- the same words on every machine, so
  that nbval, which compares outputs, proves that the solutions pass;
* ``Exercise 02.2: skipped on this data: ...`` -- the exercise needs the
  synthetic demo's metadata, and this is GTZAN.

Nothing raises: an answer that makes the judge fail (a function of the
student's code that raises, an answer of the wrong type) is reported in one line.

Notebook: all of them (their exercises)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Exercise", "Feedback", "NotApplicable", "check", "judge_answer", "is_placeholder", "sentences",
           "exact", "number", "pair", "array", "text", "same_words"]

TODO = "not done yet"
WRONG = "not yet"
RIGHT = "correct"


@dataclass(frozen=True)
class Exercise:
    """One exercise: its key, its task in one line, and its judge.

    ``judge(answer, **context)`` returns None if the answer is right, else a
    hint that says what is off. ``right`` is said to a right answer.
    """

    key: str
    task: str
    judge: Callable[..., str | None]
    right: str


@dataclass(frozen=True)
class Feedback:
    """What :func:`judge_answer` decided: ``status`` is "done", "todo", "wrong" or "skipped"; ``message`` is shown."""

    status: str
    message: str

    def __str__(self) -> str:
        return self.message


def is_placeholder(answer: Any) -> bool:
    """True for an answer the student has not written: ``...``, an empty string, ``None``, or a tuple of ``...``."""
    if answer is Ellipsis or answer is None:
        return True
    if isinstance(answer, (tuple, list)) and answer and all(a is Ellipsis for a in answer):
        return True
    return isinstance(answer, str) and answer.strip() in ("", "...")


def _scalar(answer: Any) -> bool:
    """One number: a Python or numpy number, or a 0-d array; not a string, not a bool."""
    return (not isinstance(answer, (str, bytes, bool, np.bool_)) and np.ndim(answer) == 0
            and np.issubdtype(np.asarray(answer).dtype, np.number))


def judge_answer(key: str, answer: Any, **context) -> Feedback:
    """Judge one answer without printing: the :class:`Feedback` that :func:`check` shows.

    Raises
    ------
    KeyError
        If no exercise has this key (a typo in a notebook, not a student's mistake).
    """
    from .catalogue import EXERCISES

    if key not in EXERCISES:
        raise KeyError(f"no exercise {key!r}; exercises are {', '.join(sorted(EXERCISES))}")
    ex = EXERCISES[key]
    todo = Feedback("todo", f"Exercise {key}: {TODO}. Replace the ... in the answer cell above with your answer, "
                            "run that cell, then run this one.")
    if is_placeholder(answer):
        return todo
    try:
        hint = ex.judge(answer, **context)
    except NotApplicable as err:
        return Feedback("skipped", f"Exercise {key}: skipped on this data: {err}.")
    except Exception as err:  # kept on purpose: a student's answer may make a judge raise anything; one line, no wall
        hint = f"checking your answer raised {type(err).__name__}: {err}"
    if hint is None:
        return Feedback("done", f"Exercise {key}: {RIGHT}. {ex.right[:1].upper()}{ex.right[1:]}")
    return Feedback("wrong", f"Exercise {key}: {WRONG}. {hint[:1].upper()}{hint[1:]}")


def check(key: str, answer: Any, **context) -> None:
    """Print the feedback on one exercise's answer (see the module docstring).

    Notebook: all of them (the check cell after each answer cell)
    """
    print(judge_answer(key, answer, **context).message)


class NotApplicable(Exception):
    """Raised by a judge when the exercise needs what this data lacks (the demo's metadata on GTZAN, a genre)."""


def sentences(answer: str) -> int:
    """How many sentences a written answer has (runs of text ending in . ! or ?)."""
    return len([s for s in re.split(r"[.!?]+(?:\s|$)", answer.strip()) if len(s.split()) >= 3])


# Judges: each returns a function (answer, **context) -> None or a hint. ``expected`` may be a value or a function
# of the context (what the notebook's run measured).

def _value(expected, context):
    return expected(**context) if callable(expected) else expected


def exact(expected, hint: str):
    """Right if the answer equals ``expected`` (numbers compared as numbers, words case-blind, sets as sets)."""

    def judge(answer, **context):
        want = _value(expected, context)
        if isinstance(want, str):
            ok = isinstance(answer, str) and same_words(answer) == same_words(want)
        elif isinstance(want, (set, frozenset)):
            ok = {same_words(a) for a in answer} == {same_words(w) for w in want}
        else:
            ok = _scalar(answer) and float(np.asarray(answer)) == float(want)
        return None if ok else hint.format(answer=answer, **context)

    return judge


def number(expected, hint: str, *, tol: float = 0.0, rel: float = 0.0):
    """Right if the answer is within ``tol`` (absolute) or ``rel`` (relative) of ``expected``."""

    def judge(answer, **context):
        want = float(_value(expected, context))
        if not _scalar(answer):
            return f"the answer should be one number, not {type(answer).__name__}"
        ok = abs(float(np.asarray(answer)) - want) <= max(tol, rel * abs(want), 1e-6 * abs(want))  # float32 too
        return None if ok else hint.format(answer=answer, **context)

    return judge


def pair(expected, hint: str, *, tol: float):
    """Right if the answer is two numbers, each within ``tol`` of ``expected``'s."""

    def judge(answer, **context):
        want = np.asarray(_value(expected, context), float)
        got = np.asarray(answer, float) if not isinstance(answer, str) else np.array([])
        if got.shape != want.shape:
            return f"the answer should be {len(want)} numbers, like (0.5, 0.9)"
        return None if np.all(np.abs(got - want) <= tol) else hint.format(answer=answer, **context)

    return judge


def array(expected, hint: str, *, tol: float = 1e-6):
    """Right if the answer is close to ``expected`` element by element."""

    def judge(answer, **context):
        with np.errstate(all="ignore"):  # a genre without test songs has no recall: nan on both sides is right
            want = np.asarray(_value(expected, context), float)
        got = np.asarray(answer, float)
        if got.shape != want.shape:
            return f"the result has shape {got.shape}; expected {want.shape}"
        ok = np.allclose(got, want, rtol=0, atol=tol, equal_nan=True)
        return None if ok else hint.format(answer=answer, **context)

    return judge


def text(n_sentences: int, about: dict[str, tuple[str, ...]], *, need: int | None = None):
    """Right if the written answer has at least ``n_sentences`` sentences and touches ``need`` of the ideas in
    ``about`` (idea -> words that show it; any one word will do)."""
    need = len(about) if need is None else need

    def judge(answer, **context):
        if not isinstance(answer, str):
            return "write your answer as text between the quotes: answer = \"\"\"...\"\"\""
        n = sentences(answer)
        if n < n_sentences:
            return f"your answer has {n} sentence(s); the task asks for {n_sentences}."
        words = answer.lower()
        missing = [idea for idea, keys in about.items() if not any(k in words for k in keys)]
        if len(about) - len(missing) < need:
            return f"say something about: {', '.join(missing)}."
        return None

    return judge


def same_words(answer: str) -> str:
    """An answer's words, lower case, for comparing written names (``"Hip hop"`` -> ``"hip hop"``)."""
    return " ".join(str(answer).lower().split())
