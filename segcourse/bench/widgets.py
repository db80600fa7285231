"""Widget callback latency: every explorer's live update (render + PNG) against the 100 ms budget.

The budget is judged on the median update over two passes of the static grid; the 90th
percentile is printed beside it (matplotlib and the garbage collector add occasional spikes).
"""

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
        times = np.array(explorer.callback_ms() + explorer.callback_ms())
        median, p90 = float(np.median(times)), float(np.percentile(times, 90))
        short = name.rsplit(".", 1)[-1]
        results.append(Result(f"{short}: median update ({len(times)} updates)", median, "ms",
                              f"< {BUDGET_MS:.0f}", median < BUDGET_MS))
        results.append(Result(f"  {short}: 90th percentile", p90, "ms", "-", True))
    return results
