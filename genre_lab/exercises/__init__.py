"""Exercises: checks that give feedback, and the student and instructor builds of the notebooks.

Why not nbgrader or otter-grader (the ecosystem's tools for this)? Both are made
for grading submitted work: nbgrader's student version raises
``NotImplementedError`` where a solution was (a traceback in every untouched
cell) and keeps its state in a course database; otter-grader's checks are test
files run by its own grader, with Docker support among its dependencies. Here
a check must be an ordinary cell whose output nbval compares, run offline with
pip-only dependencies and never raising. The one convention worth sharing is
nbgrader's solution markers, which :mod:`.build` uses.

Notebook: all of them
"""

from .build import BEGIN, END, build_exercises, notebook_summary, solution_blocks, student_source, student_version
from .catalogue import EXERCISES
from .feedback import Exercise, Feedback, check, is_placeholder, judge_answer

__all__ = ["BEGIN", "END", "EXERCISES", "Exercise", "Feedback", "build_exercises", "check", "is_placeholder",
           "judge_answer", "notebook_summary", "solution_blocks", "student_source", "student_version"]
