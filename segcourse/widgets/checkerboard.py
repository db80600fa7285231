"""Checkerboard explorer: how many kernel stamps overlap at each output pixel.

A transposed convolution with an all-ones input and an all-ones ``k x k`` kernel counts, at
every output pixel, how many stamps land there. When the stride ``s`` does not divide ``k``
the count alternates (1, 2, 1, 2 ... for k = 3, s = 2): a checkerboard that a trained network
has to fight (Odena et al., 2016). The third panel is the fix: nearest-neighbour resize, then
an ordinary stride-1 convolution, which covers every pixel equally.
"""

from __future__ import annotations

import numpy as np

from segcourse.ops import conv2d, conv2d_transpose, unpool_nearest
from segcourse.widgets._figures import new_figure, show
from segcourse.widgets.explorer import Explorer

N = 8  # input pixels per side


def overlap_maps(k: int, s: int, n: int = N) -> tuple[np.ndarray, np.ndarray]:
    """(transposed conv, resize-then-conv) of an all-ones ``n x n`` image with a ones kernel.

    Examples
    --------
    >>> t, r = overlap_maps(3, 2, 4)
    >>> t[2, 2:6].tolist(), r[2, 2:6].tolist()
    ([4.0, 2.0, 4.0, 2.0], [9.0, 9.0, 9.0, 9.0])
    """
    ones = np.ones((1, n, n, 1))
    kern = np.ones((k, k, 1, 1))
    tconv = conv2d_transpose(ones, kern, (1, n * s, n * s, 1), s, "SAME")[0, :, :, 0]
    resized = conv2d(unpool_nearest(ones, s), kern, 1, "SAME")[0, :, :, 0]
    return tconv, resized


def render(*, k: int = 3, s: int = 2):
    """1-D overlap counts, the 2-D transposed-conv map and the resize-then-conv map."""
    tconv, resized = overlap_maps(k, s)
    m = k + s  # ignore the border, where zero padding lowers every count
    inner = tconv[m:-m, m:-m] if tconv.shape[0] > 2 * m else tconv
    values = sorted({int(v) for v in np.unique(inner)})
    even = len(values) == 1
    fig, axes = new_figure(3, width=9.6, height=3.2, ratios=[1.3, 1, 1])
    fig.subplots_adjust(top=0.8, bottom=0.12, wspace=0.25)
    row = conv2d_transpose(np.ones((1, N, 1, 1)), np.ones((k, 1, 1, 1)), (1, N * s, 1, 1), (s, 1),
                           "SAME")[0, :, 0, 0]
    axes[0].vlines(np.arange(len(row)), 0, row, color="C1" if not even else "C2", lw=5)
    axes[0].set_xlim(-1, len(row))
    axes[0].set_ylim(0, row.max() + 0.5)
    axes[0].set_title("1-D: stamps covering each output pixel", fontsize=9)
    axes[0].set_yticks(range(int(row.max()) + 1))
    axes[0].tick_params(labelsize=7)
    vmax = max(tconv.max(), resized.max())
    show(axes[1], tconv, f"transposed conv: interior {values}", cmap="magma", vmin=0, vmax=vmax)
    show(axes[2], resized, "resize ×s, then conv: uniform", cmap="magma", vmin=0, vmax=vmax)
    verdict = "even overlap (s divides k)" if even else "uneven overlap → checkerboard"
    fig.suptitle(f"kernel k = {k}, stride s = {s}: {verdict}", fontsize=10)
    return fig


def make_explorer() -> Explorer:
    """Overlap maps over kernel size and stride."""
    return Explorer(
        lambda **p: render(**p),
        controls={"k": [1, 2, 3, 4, 5, 6, 7, 8], "s": [1, 2, 3, 4]},
        static={"k": [2, 3, 4, 5, 6], "s": [1, 2, 3]},
        labels={"k": "kernel k", "s": "stride s"},
    )
