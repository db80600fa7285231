"""Shared pieces of the benchmark modules: a result row and a robust timer."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Result:
    """One printed benchmark figure.

    Examples
    --------
    >>> Result("otsu 512x512 / skimage", 1.3, "x", "< 2", True).line()
    'otsu 512x512 / skimage                         1.30 x       target < 2        ok'
    """

    name: str
    value: float
    unit: str
    target: str
    ok: bool

    def line(self) -> str:
        verdict = "ok" if self.ok else "MISSED"
        return f"{self.name:<44} {self.value:>7.2f} {self.unit:<7} target {self.target:<9} {verdict}"


def best_time(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Best wall-clock seconds of ``number`` calls of ``fn`` over ``repeat`` rounds.

    The minimum is the least noisy estimate on a shared machine.

    Examples
    --------
    >>> best_time(lambda: sum(range(10)), repeat=2) >= 0
    True
    """
    fn()  # warm-up: caches, lazy imports, tracing
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)
