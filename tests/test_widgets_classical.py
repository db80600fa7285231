"""The Part I explorers draw what the library computes, for every setting they offer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu
from skimage.segmentation import flood

from segcourse import classical as C
from segcourse.widgets import edges as edges_widget
from segcourse.widgets import flood_fill as flood_widget
from segcourse.widgets import kmeans as kmeans_widget
from segcourse.widgets import threshold as threshold_widget
from segcourse.widgets import watershed as watershed_widget

MODULES = [threshold_widget, kmeans_widget, flood_widget, edges_widget, watershed_widget]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_static_grid_is_small_and_inside_the_live_controls(module):
    ex = module.make_explorer()
    assert 1 <= ex.n_frames <= 40
    for name, values in ex.static.items():
        assert set(values) <= set(ex.controls[name]), name
    png = ex.png(**ex.initial())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_threshold_explorer_inputs():
    img = threshold_widget.default_image()
    assert img.shape == (256, 256) and img.dtype == np.uint8
    lit = threshold_widget.lit(img, 60)
    # the ramp brightens the right and darkens the left, clipped to uint8
    assert lit[:, -1].astype(int).mean() > img[:, -1].astype(int).mean()
    assert lit[:, 0].astype(int).mean() < img[:, 0].astype(int).mean()
    assert lit.dtype == np.uint8
    centers, sb2 = C.otsu_variance(lit)
    assert centers[np.argmax(sb2)] == threshold_otsu(lit)  # the marked maximum is Otsu's t
    assert set(threshold_widget.THRESHOLDS) >= {0, 248}


def test_kmeans_explorer_history_is_lloyd():
    img = kmeans_widget.default_image()
    assert img.shape == (100, 150, 3) and 0 <= img.min() and img.max() <= 1
    X = kmeans_widget.features(img, "colour+position")
    assert X.shape == (100 * 150, 5)
    hist = C.kmeans_history(kmeans_widget.features(img, "colour"), 4, seed=0, tol=0, max_iter=60)
    js = [s.inertia for s in hist]
    assert np.all(np.diff(js) <= 1e-9 * js[0])
    with pytest.raises(ValueError, match="kind"):
        kmeans_widget.features(img, "texture")


def test_flood_fill_explorer_seeds_and_regions():
    img = flood_widget.default_image()
    for name, seed in flood_widget.SEEDS.items():
        assert 0 <= seed[0] < img.shape[0] and 0 <= seed[1] < img.shape[1], name
        for conn in flood_widget.CONNECTIVITY.values():
            np.testing.assert_array_equal(
                C.flood_fill(img, seed, 20, conn), flood(img, seed, tolerance=20, connectivity=conn)
            )
    # the named seeds sit in regions of clearly different brightness
    values = sorted(int(img[s]) for s in flood_widget.SEEDS.values())
    assert values[-1] - values[0] > 150


@pytest.mark.parametrize("operator", edges_widget.OPERATORS)
def test_edge_explorer_responses_are_the_library_filters(operator):
    img = edges_widget.default_image()
    r = edges_widget.response(img, operator, 2.0)
    expected = {
        "Sobel |∇I|": lambda: np.hypot(*(ndi.sobel(ndi.gaussian_filter(img, 2.0, mode="mirror"), axis=a, mode="mirror") for a in (0, 1))),
        "Laplacian": lambda: ndi.laplace(ndi.gaussian_filter(img, 2.0, mode="mirror"), mode="mirror"),
        "LoG": lambda: ndi.gaussian_laplace(img, 2.0, mode="mirror"),
        "DoG": lambda: ndi.gaussian_filter(img, 2.0, mode="mirror") - ndi.gaussian_filter(img, 3.2, mode="mirror"),
    }[operator]()
    np.testing.assert_allclose(r, expected, rtol=1e-9, atol=1e-9)
    e = edges_widget.edges(r, operator)
    assert e.dtype == bool and 0 < e.mean() < 0.5


def test_watershed_explorer_splits_the_discs():
    img = watershed_widget.default_image()
    mask = watershed_widget.foreground_mask(img)
    rows, cols = np.mgrid[: img.shape[0], : img.shape[1]]
    truth = np.zeros(img.shape, dtype=bool)
    for r, c, radius in watershed_widget.DISCS:
        truth |= (rows - r) ** 2 + (cols - c) ** 2 < radius**2
    assert (mask & truth).sum() / (mask | truth).sum() > 0.9
    assert ndi.label(mask)[1] < len(watershed_widget.DISCS)  # the discs touch
    markers, distance, labels = watershed_widget.segment(mask, 7, 0.0)
    assert labels.max() == len(watershed_widget.DISCS)  # one region per disc
    assert np.array_equal(labels > 0, mask)
