"""Small, fast figures for the Part I explorers (each callback must stay under 100 ms).

``matplotlib.figure.Figure`` is used directly (no pyplot bookkeeping), layouts are fixed
(``tight_layout`` draws the figure once more just to measure it), and images are drawn
with nearest-neighbour sampling.
"""

from __future__ import annotations

from typing import Sequence


def new_figure(ncols: int, width: float = 9.6, height: float = 3.0, ratios: Sequence[float] | None = None):
    """A figure with one row of ``ncols`` axes and a fixed layout; returns ``(fig, axes)``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, ncols, squeeze=False, gridspec_kw={"width_ratios": ratios} if ratios else None)[0]
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.15, top=0.88, wspace=0.12)
    return fig, axes


def show(ax, image, title: str = "", **kwargs) -> None:
    """``imshow`` without axes, nearest sampling, small title."""
    kwargs.setdefault("interpolation", "nearest")
    if getattr(image, "ndim", 3) == 2:
        kwargs.setdefault("cmap", "gray")
    ax.imshow(image, **kwargs)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
