"""Transposed-convolution scatter stepper: each input pixel paints a scaled copy of the kernel.

Step ``n`` shows the input with pixel ``n`` outlined, the kernel, that pixel's stamp
(``x[y, x] * kernel`` placed at ``(y s, x s)``), and the running sum of the first ``n``
stamps. The last step is the full ``"VALID"`` transposed convolution; where stamps overlap
(``k > s``) the numbers add up. The stamps come from :func:`segcourse.ops.conv_transpose_stamps`.
"""

from __future__ import annotations

import numpy as np

from segcourse.ops import conv_transpose_stamps
from segcourse.viz import draw_grid
from segcourse.widgets._figures import new_figure
from segcourse.widgets.explorer import Explorer

X = np.array([[1, 2, 0], [0, 3, 1], [2, 0, 1]])
KERNELS = {2: np.array([[1, 2], [0, 1]]), 3: np.array([[0, 1, 0], [1, 2, 1], [0, 1, 0]])}


def render(*, step: int = 9, s: int = 2, k: int = 3, x: np.ndarray = X):
    """Input, kernel, current stamp and the accumulated output after ``step`` stamps."""
    kernel = KERNELS[k]
    stamps = conv_transpose_stamps(x, kernel, strides=s)
    n = len(stamps)
    step = int(np.clip(step, 0, n))
    total = stamps[:step].sum(0) if step else np.zeros(stamps.shape[1:])
    h, w = x.shape
    fig, axes = new_figure(4, width=9.6, height=3.2, ratios=[h, k, stamps.shape[1], stamps.shape[1]])
    fig.subplots_adjust(top=0.8)
    if step:
        py, px = divmod(step - 1, w)
        box_in = [(py, px, 1, 1, "C3")]
        box_out = [(py * s, px * s, k, k, "C3")]
        current = stamps[step - 1]
        title = f"stamp {step}: {x[py, px]} × kernel\nat ({py * s}, {px * s})"
    else:
        box_in, box_out, current = [], [], np.zeros(stamps.shape[1:])
        title = "step 0: nothing painted yet"
    vmax = max(stamps.sum(0).max(), 1)
    draw_grid(axes[0], x, "input x", fmt="{:.0f}", cmap="Blues", vmin=0, vmax=4, boxes=box_in)
    draw_grid(axes[1], kernel, "kernel", fmt="{:.0f}", cmap="Oranges", vmin=0, vmax=3)
    draw_grid(axes[2], current, title, fmt="{:.0f}", cmap="Oranges", vmin=0, vmax=vmax, boxes=box_out,
              fontsize=6, hide_zeros=True)
    done = "transposed conv" if step == n else f"sum of stamps 1..{step}"
    draw_grid(axes[3], total, f"output\n= {done}", fmt="{:.0f}", cmap="Greens", vmin=0, vmax=vmax,
              boxes=box_out, fontsize=6, hide_zeros=True)
    fig.suptitle(f"stride s = {s}, kernel {k}×{k}: output size (3−1)·{s} + {k} = {stamps.shape[1]}",
                 fontsize=9)
    return fig


def make_explorer() -> Explorer:
    """The scatter stepper (play button on the step)."""
    steps = list(range(0, X.size + 1))
    return Explorer(
        lambda **p: render(**p),
        controls={"step": steps, "s": [1, 2, 3], "k": [2, 3]},
        static={"step": steps, "s": [1, 2], "k": [3]},
        play="step",
        labels={"s": "stride s", "k": "kernel k"},
    )
