"""Watershed explorer: marker spacing and compactness on touching discs.

Markers are the peaks of the distance transform of the coin mask, at least ``min_distance``
pixels apart (:func:`segcourse.classical.distance_markers`); the teaching watershed
(:func:`segcourse.classical.watershed`) floods ``-distance`` inside the mask. Small spacing:
many markers, coins cut into pieces (over-segmentation). Large spacing: touching coins share
one marker and merge. Compactness trades following the relief for regular, round basins.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import ndimage as ndi

from segcourse.classical import distance_markers, otsu_threshold, watershed
from segcourse.viz import label_to_rgb
from segcourse.widgets._figures import new_figure, show
from segcourse.widgets.explorer import Explorer

MIN_DISTANCES = [1, 2, 3, 5, 7, 10, 14, 20]
COMPACTNESS = [0.0, 0.01, 0.1, 1.0]


def foreground_mask(image: np.ndarray) -> np.ndarray:
    """Otsu foreground with holes filled and specks (< 30 px) removed."""
    fg = ndi.binary_fill_holes(image > otsu_threshold(image))
    labels, n = ndi.label(fg)
    sizes = np.bincount(labels.ravel())
    return np.isin(labels, np.flatnonzero(sizes >= 30)) & fg


#: Centres (row, col) and radii of the default touching discs.
DISCS = [
    (26, 26, 16), (24, 54, 13), (30, 84, 17), (28, 110, 11), (56, 40, 15), (58, 70, 14),
    (62, 100, 16), (92, 24, 15), (94, 54, 17), (90, 86, 13), (98, 112, 14),
]


def default_image() -> np.ndarray:
    """Eleven overlapping bright discs on a dark background (128 x 128 uint8), with noise."""
    rows, cols = np.mgrid[:128, :128]
    inside = np.zeros((128, 128), dtype=bool)
    for r, c, radius in DISCS:
        inside |= (rows - r) ** 2 + (cols - c) ** 2 < radius**2
    noise = np.random.default_rng(0).normal(0, 40, inside.shape)
    image = ndi.gaussian_filter(np.where(inside, 180.0, 60.0) + noise, 1.0)
    return np.clip(image, 0, 255).astype(np.uint8)


def segment(mask: np.ndarray, min_distance: int, compactness: float):
    """Markers, distance map and watershed labels for one setting."""
    markers, distance = distance_markers(mask, min_distance)
    labels = watershed(-distance, markers, mask=mask, compactness=compactness)
    return markers, distance, labels


def render(*, image: np.ndarray, mask: np.ndarray, min_distance: int, compactness: float, result=None):
    """Distance map with markers, and the watershed regions over the image."""
    markers, distance, labels = segment(mask, min_distance, compactness) if result is None else result
    fig, axes = new_figure(2, width=7.2, height=3.0)
    show(axes[0], distance, f"distance to background · {markers.max()} markers", cmap="viridis")
    rows, cols = np.nonzero(markers)
    axes[0].plot(cols, rows, ".", color="r", ms=5)
    # neighbouring regions get different colours: colour by label, skipping the background
    rgb = label_to_rgb(np.where(labels > 0, (labels - 1) % 6 + 1, 0))
    grey = np.repeat((image / 255.0)[..., None], 3, -1)
    shown = np.where(labels[..., None] > 0, 0.6 * rgb + 0.4 * grey, grey)
    boundaries = ndi.morphological_gradient(labels, size=3) > 0
    shown[boundaries & mask] = 0.0
    show(axes[1], shown, f"{labels.max()} regions (min_distance {min_distance}, compactness {compactness:g})")
    return fig


def make_explorer(image: np.ndarray | None = None) -> Explorer:
    """The watershed explorer on a grey uint8 image of bright touching objects (default: eleven touching discs)."""
    img = default_image() if image is None else np.asarray(image)
    mask = foreground_mask(img)

    @lru_cache(maxsize=64)
    def cached(min_distance: int, compactness: float):
        return segment(mask, min_distance, compactness)

    def _render(min_distance: int, compactness: float):
        return render(image=img, mask=mask, min_distance=min_distance, compactness=compactness,
                      result=cached(min_distance, compactness))

    return Explorer(
        _render,
        controls={"min_distance": MIN_DISTANCES, "compactness": COMPACTNESS},
        static={"min_distance": [2, 5, 10, 20], "compactness": [0.0, 0.1, 1.0]},
        labels={"min_distance": "marker spacing", "compactness": "compactness"},
    )
