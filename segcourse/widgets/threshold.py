"""Threshold explorer: histogram with the threshold line, the mask, and Otsu's curve.

Controls: the threshold ``t`` and the strength of an illumination ramp added to the image.
The histogram panel carries the between-class variance ``sigma_B^2(t)`` on a twin axis with
Otsu's maximum marked, so moving ``t`` shows at once what the mask looks like and how good
the split is by Otsu's criterion. With a strong ramp no single ``t`` gives a clean mask.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from segcourse.classical import class_statistics, otsu_variance
from segcourse.widgets._figures import new_figure, show
from segcourse.widgets.explorer import Explorer

THRESHOLDS = list(range(0, 256, 8))
RAMPS = [0, 60, 120]


def default_image() -> np.ndarray:
    """``skimage.data.camera()`` at half resolution (256 x 256, uint8)."""
    from skimage import data

    return data.camera()[::2, ::2]


def lit(image: np.ndarray, ramp: float) -> np.ndarray:
    """The image under uneven light: ``+ramp`` on the right edge down to ``-ramp`` on the left.

    Examples
    --------
    >>> lit(np.full((1, 3), 100, np.uint8), 50).tolist()
    [[50, 100, 150]]
    """
    img = np.asarray(image).astype(np.int16)
    shift = np.round(np.linspace(-ramp, ramp, img.shape[1])).astype(np.int16)
    return np.clip(img + shift[None, :], 0, 255).astype(np.uint8)


def render(*, image: np.ndarray, threshold: float, ramp: float = 0, curve=None):
    """Image, histogram with ``t`` and ``sigma_B^2``, and the mask ``image > t``."""
    img = lit(image, ramp)
    centers, sb2 = curve if curve is not None else otsu_variance(img)
    t_star = centers[int(np.argmax(sb2))]
    stats = class_statistics(img, threshold)
    fig, axes = new_figure(3, ratios=[1, 1.5, 1])
    show(axes[0], img, f"image (light ramp ±{ramp:g})", vmin=0, vmax=255)
    ax = axes[1]
    counts = np.bincount(img.ravel(), minlength=256)
    ax.stairs(counts, np.arange(257) - 0.5, fill=True, color="0.6")
    ax.axvline(threshold, color="C3", lw=2, label=f"t = {threshold:g}")
    ax.set_xlim(0, 255)
    ax.set_xticks([0, 64, 128, 192, 255])
    ax.set_ylim(0, 1.3 * np.sort(counts)[-3])  # a lone spike (saturated pixels) must not flatten the rest
    ax.set_yticks([])
    ax.tick_params(labelsize=7)
    twin = ax.twinx()
    twin.plot(centers, sb2, color="C0", lw=1.5, label="σ_B²(t)")
    twin.plot([t_star], [sb2.max()], "o", color="C0", ms=6, label=f"Otsu t* = {t_star:g}")
    twin.set_yticks([])
    twin.set_ylim(0, sb2.max() * 1.15 if sb2.max() > 0 else 1)
    ax.set_title(f"σ_B²(t) = {stats.between:.0f}   (max {sb2.max():.0f} at t*)", fontsize=9)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper left")
    mask = img > threshold
    show(axes[2], mask, f"mask: image > {threshold:g} ({mask.mean():.0%})")
    return fig


def make_explorer(image: np.ndarray | None = None) -> Explorer:
    """The threshold explorer on ``image`` (default: the camera man at 256 x 256)."""
    img = default_image() if image is None else np.asarray(image)

    @lru_cache(maxsize=8)
    def curve(ramp: float):
        return otsu_variance(lit(img, ramp))

    def _render(threshold: float, ramp: float):
        return render(image=img, threshold=threshold, ramp=ramp, curve=curve(ramp))

    return Explorer(
        _render,
        controls={"threshold": THRESHOLDS, "ramp": RAMPS},
        static={"threshold": list(range(16, 256, 24)), "ramp": RAMPS},
        labels={"threshold": "threshold t", "ramp": "light ramp ±"},
    )
