"""Checks for the exercise notebooks, one module per exercise (``exercises/source/<name>.md``).

A check function takes the learner's function, runs it on cases with known answers through a
:class:`segcourse.grading.Checker`, and ends with ``checker.done()``. The expected answers come
from the tested package or an independent library, never from a second copy of the solution.
"""
