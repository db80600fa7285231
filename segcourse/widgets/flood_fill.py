"""Flood-fill explorer: seed, tolerance and connectivity.

The filled region (:func:`segcourse.classical.flood_fill`) is drawn over the image with the
seed marked; the histogram beside it shades the accepted band ``seed value ± tolerance``.
Every pixel in the band is *allowed*, but only those connected to the seed are *filled*.
"""

from __future__ import annotations

import numpy as np

from segcourse.classical import flood_fill, tolerance_mask
from segcourse.viz import overlay
from segcourse.widgets._figures import new_figure, show
from segcourse.widgets.explorer import Explorer

#: Named seeds (row, col) on the default image.
SEEDS = {"sky": (20, 200), "coat": (150, 40), "grass": (200, 220), "tower": (75, 211)}
TOLERANCES = list(range(0, 65, 5))
CONNECTIVITY = {"4-neighbours": 1, "8-neighbours": 2}


def default_image() -> np.ndarray:
    """``skimage.data.camera()`` at half resolution (256 x 256, uint8)."""
    from skimage import data

    return data.camera()[::2, ::2]


def render(*, image: np.ndarray, seed: tuple[int, int], tolerance: float, connectivity: int = 1):
    """Image with the filled region, and the histogram with the tolerance band."""
    region = flood_fill(image, seed, tolerance, connectivity)
    allowed = tolerance_mask(image, seed, tolerance)
    labels = np.where(region, 1, np.where(allowed, 2, 0))
    fig, axes = new_figure(2, width=7.6, height=3.2, ratios=[1, 1.3])
    grey = image / 255.0
    name = "4" if connectivity == 1 else "8"
    show(axes[0], overlay(grey, labels, alpha=0.55, ignore=0),
         f"filled, {name}-connected (orange): {region.sum()} px\n"
         f"in the band but cut off (green): {(allowed & ~region).sum()} px")
    axes[0].plot([seed[1]], [seed[0]], "P", color="k", mec="w", ms=11)
    ax = axes[1]
    counts = np.bincount(image.ravel(), minlength=256)
    ax.stairs(counts, np.arange(257) - 0.5, fill=True, color="0.6")
    value = int(image[seed])
    ax.axvspan(value - tolerance - 0.5, value + tolerance + 0.5, color="C1", alpha=0.3)
    ax.axvline(value, color="k", lw=1.5)
    ax.set_xlim(0, 255)
    ax.set_ylim(0, 1.3 * np.sort(counts)[-3])
    ax.set_yticks([])
    ax.tick_params(labelsize=7)
    ax.set_title(f"seed value {value} ± {tolerance:g}", fontsize=9)
    fig.subplots_adjust(wspace=0.05)
    return fig


def make_explorer(image: np.ndarray | None = None, seeds: dict | None = None) -> Explorer:
    """The flood-fill explorer (default: the camera man, seeds in :data:`SEEDS`)."""
    img = default_image() if image is None else np.asarray(image)
    named = dict(SEEDS if seeds is None else seeds)

    def _render(seed: str, tolerance: float, connectivity: str):
        return render(image=img, seed=named[seed], tolerance=tolerance, connectivity=CONNECTIVITY[connectivity])

    return Explorer(
        _render,
        controls={"seed": list(named), "tolerance": TOLERANCES, "connectivity": list(CONNECTIVITY)},
        static={"seed": list(named)[:3], "tolerance": [0, 10, 20, 30, 45], "connectivity": list(CONNECTIVITY)},
        labels={"tolerance": "tolerance ±"},
    )
