"""Graded exercises: checks with specific feedback, notebook generation, and ``segcourse grade``.

* :mod:`segcourse.grading.checker` — :class:`Checker`, the feedback and summary line of a check cell.
* :mod:`segcourse.grading.exercises` — one module of checks per exercise.
* :mod:`segcourse.grading.notebooks` — student / instructor notebooks from one nbgrader-format source.
* :mod:`segcourse.grading.grade` — run a copy of a notebook and score it.
"""

from segcourse.grading.checker import Checker, CheckFailed, compare_arrays

__all__ = ["Checker", "CheckFailed", "compare_arrays"]
