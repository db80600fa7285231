"""Benchmarks that print the course's performance figures (``python -m segcourse.bench``).

Each area module (``classical``, ``ops``, ``data``, ``train``, ``widgets``) exposes
``run(quick: bool = False) -> list[Result]``. Timings are reported as ratios against a
baseline measured in the same process, so the figures mean the same on a busy machine.
"""

from segcourse.bench._core import Result, best_time

__all__ = ["Result", "best_time"]
