"""Unpooling explorer: max-pool an 8x8 grid, then grow it back three ways.

The input shows each 2x2 window's winner outlined (the *switch* that
:func:`segcourse.ops.max_pool_with_argmax` records). Nearest-neighbour unpooling copies each
value over its block, bed of nails puts it top-left, and max-unpooling puts it back where it
came from. Move the thin line with ``shift``: only max-unpooling keeps it in its column.
"""

from __future__ import annotations

import numpy as np

from segcourse.ops import max_pool_with_argmax, max_unpool, unpool_bed_of_nails, unpool_nearest
from segcourse.viz import draw_grid
from segcourse.widgets._figures import new_figure
from segcourse.widgets.explorer import Explorer

PATTERNS = ["line", "random", "ties"]


def make_input(pattern: str = "line", shift: int = 0) -> np.ndarray:
    """An 8x8 integer grid: a thin vertical line, random digits, or blocks full of ties.

    Examples
    --------
    >>> make_input("line", 1)[0].tolist()
    [1, 1, 9, 1, 1, 1, 1, 1]
    """
    if pattern == "line":
        x = np.ones((8, 8), int)
        x[:, (shift + 1) % 8] = 9
        x[(shift + 5) % 8, :] = 5
        return x
    if pattern == "random":
        return np.random.default_rng(shift).integers(0, 10, (8, 8))
    if pattern == "ties":
        x = np.kron(np.random.default_rng(shift).integers(1, 5, (4, 4)), np.ones((2, 2), int))
        x[1::4, 1::4] += 1  # one window in four has a clear winner; the others tie
        return x
    raise ValueError(f"pattern: expected one of {PATTERNS}, got {pattern!r}")


def render(*, pattern: str = "line", shift: int = 0):
    """Input with switches, pooled values, and nearest / bed-of-nails / max-unpooling."""
    x = make_input(pattern, shift)
    values, argmax = max_pool_with_argmax(x[None, :, :, None].astype(float))
    idx = argmax[0, :, :, 0]
    rows, cols = np.divmod(idx, x.shape[1])
    switches = [(r, c, 1, 1, "C3") for r, c in zip(rows.ravel(), cols.ravel())]
    pooled = values[0, :, :, 0]
    near = unpool_nearest(pooled)
    nails = unpool_bed_of_nails(pooled)
    unpooled = max_unpool(values, argmax, (8, 8))[0, :, :, 0]
    fig, axes = new_figure(5, width=11.0, height=2.8, ratios=[2, 1, 2, 2, 2])
    fig.subplots_adjust(top=0.82, wspace=0.15)
    kw = dict(fmt="{:.0f}", cmap="Blues", vmin=0, vmax=12, fontsize=6)
    winners = np.zeros(x.shape, bool)
    winners[rows, cols] = True
    draw_grid(axes[0], x, "input: winners (switches) outlined", boxes=switches, label_mask=winners, **kw)
    draw_grid(axes[1], pooled, "max pool 2×2", **kw)
    draw_grid(axes[2], near, "nearest (UpSampling2D)", show_values=False, cmap="Blues", vmin=0, vmax=12)
    draw_grid(axes[3], nails, "bed of nails", hide_zeros=True, **kw)
    draw_grid(axes[4], unpooled, "max-unpool (switches)", hide_zeros=True, boxes=switches, **kw)
    note = "; only max-unpooling keeps the line in its column" if pattern == "line" else ""
    fig.suptitle(f"pattern '{pattern}', shift {shift}{note}", fontsize=9)
    return fig


def make_explorer() -> Explorer:
    """Compare nearest, bed-of-nails and max-unpooling on three patterns."""
    return Explorer(
        lambda **p: render(**p),
        controls={"pattern": PATTERNS, "shift": [0, 1, 2, 3, 4, 5, 6, 7]},
        static={"pattern": PATTERNS, "shift": [0, 1, 2, 3]},
        labels={"shift": "shift / seed"},
    )
