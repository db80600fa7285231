"""Widget callback latency: every explorer's live update (render + PNG) against the 100 ms budget."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np

from segcourse.bench._core import Result

BUDGET_MS = 100.0


def explorer_modules() -> list[str]:
    import segcourse.widgets

    return sorted(m.name for m in pkgutil.iter_modules(segcourse.widgets.__path__, "segcourse.widgets.")
                  if m.name != "segcourse.widgets.explorer")


def run(quick: bool = False) -> list[Result]:
    import matplotlib

    matplotlib.use("Agg")
    results = []
    for name in explorer_modules():
        module = importlib.import_module(name)
        if not hasattr(module, "make_explorer"):
            continue
        explorer = module.make_explorer()
        explorer.callback_ms()  # warm caches, as a learner's first move does
        times = explorer.callback_ms()
        worst = float(np.max(times))
        short = name.rsplit(".", 1)[-1]
        results.append(Result(f"{short}: slowest of {len(times)} updates", worst, "ms",
                              f"< {BUDGET_MS:.0f}", worst < BUDGET_MS))
    return results
