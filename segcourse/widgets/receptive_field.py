"""Receptive-field explorer for a stack of dilated convolutions: size, growth and holes.

Pick the dilation rates of a stack of ``k x k`` convolutions (optionally after a 2x2 pooling).
The left panel is the footprint of one output unit on the input: how many paths connect each
input pixel to it (:func:`segcourse.ops.receptive_field_footprint`; it equals the gradient of
the unit for all-ones kernels). Pixels inside the receptive field that no path reaches are
holes, drawn red: the *gridding* of rates with a common factor such as (2, 2, 2). Rates like
(1, 2, 5) cover everything. The table lists the recurrence ``r <- r + (k_eff - 1) j``.
"""

from __future__ import annotations

import numpy as np

from segcourse.ops import receptive_field_footprint, receptive_field_table
from segcourse.widgets._figures import new_figure
from segcourse.widgets.explorer import Explorer

PRESETS = ["1,1,1", "1,2,3", "1,2,4", "1,2,5", "2,2,2", "2,4,8", "3,3,3", "1,2,4,8"]


def stack(rates: str, k: int = 3, pool_first: bool = False) -> list[tuple[int, int, int]]:
    """Layers ``(kernel, stride, dilation)`` for a comma-separated list of rates.

    Examples
    --------
    >>> stack("1,2", pool_first=True)
    [(2, 2, 1), (3, 1, 1), (3, 1, 2)]
    """
    layers = [(2, 2, 1)] if pool_first else []
    return layers + [(k, 1, int(r)) for r in rates.split(",")]


def render(*, rates: str = "2,2,2", k: int = 3, pool: str = "no"):
    """Footprint with holes, its 1-D profile, and the recurrence table."""
    layers = stack(rates, k, pool == "yes")
    foot = receptive_field_footprint(layers)
    table = receptive_field_table(layers)
    r = len(foot)
    holes = int((foot == 0).sum())
    img = np.zeros((r, r, 3))
    fp = np.outer(foot, foot).astype(float)
    img[...] = (1 - fp / fp.max())[..., None] * np.array([1.0, 1.0, 1.0]) * 0.9
    img[fp > 0] = img[fp > 0] * 0.8 + 0.2 * np.array([0.0, 0.45, 0.7])
    img[fp == 0] = (0.85, 0.15, 0.1)
    fig, axes = new_figure(3, width=9.8, height=3.3, ratios=[1, 1.2, 1.1])
    fig.subplots_adjust(top=0.82, wspace=0.3, bottom=0.14)
    axes[0].imshow(img, interpolation="nearest")
    axes[0].set_axis_off()
    axes[0].set_title(f"footprint {r}×{r}: {holes * (2 * r - holes)} hole pixels", fontsize=9)
    xs = np.arange(r)
    axes[1].vlines(xs, 0, foot, color="C0", lw=max(1.0, 120 / r))  # one collection: fast
    axes[1].plot(xs[foot == 0], np.zeros(holes), "x", color="C3", ms=6)
    axes[1].set_xlim(-1, r)
    axes[1].set_title(f"1-D paths per input pixel ({holes} holes of {r})", fontsize=9)
    axes[1].tick_params(labelsize=7)
    axes[2].set_axis_off()
    lines = ["layer   k  s  d   r   j"]
    for row in table:
        lines.append(f"{row.name:<7} {row.kernel:>2} {row.stride:>2} {row.dilation:>2} {row.rf:>3} {row.jump:>3}")
    axes[2].text(0, 1, "\n".join(lines), family="monospace", fontsize=8, va="top")
    axes[2].set_title("r ← r + (k_eff − 1)·j,  j ← j·s", fontsize=9)
    pool_txt = "2×2 pool, then " if pool == "yes" else ""
    fig.suptitle(f"{pool_txt}{k}×{k} convs with dilations ({rates}): receptive field {r}", fontsize=10)
    return fig


def make_explorer() -> Explorer:
    """Receptive fields and gridding holes of dilated stacks."""
    return Explorer(
        lambda **p: render(**p),
        controls={"rates": PRESETS, "k": [2, 3], "pool": ["no", "yes"]},
        static={"rates": PRESETS, "k": [3], "pool": ["no", "yes"]},
        labels={"rates": "dilation rates", "k": "kernel k", "pool": "2×2 pooling first"},
    )
