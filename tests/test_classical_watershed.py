"""The teaching priority-flood watershed against skimage.segmentation.watershed.

Measured agreement (scikit-image 0.26):
* images without tied marker values (float relief, distance transforms): identical labels;
* integer reliefs with several markers at the same grey value: the two heaps may release
  tied markers in a different order, so a few pixels change sides — over the random
  3-level images below 99.0% of pixels agree and 91% of cases are identical (the test
  asserts >= 97%), and every pixel gets a label.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import skimage.morphology
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi
from skimage import data, feature, segmentation

from segcourse.classical import (
    distance_markers,
    gradient_magnitude,
    minima_markers,
    otsu_threshold,
    watershed,
    watershed_flooding,
)


def _two_discs(shape=(80, 120)):
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    a = (rows - 40) ** 2 + (cols - 45) ** 2 < 26**2
    b = (rows - 40) ** 2 + (cols - 80) ** 2 < 20**2
    return a | b


@st.composite
def relief_and_markers(draw, integer=False):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    h, w = draw(st.integers(2, 12)), draw(st.integers(2, 12))
    img = rng.integers(0, 3, (h, w)) if integer else rng.random((h, w))
    n = draw(st.integers(1, min(5, h * w)))
    markers = np.zeros((h, w), dtype=np.int32)
    markers.flat[rng.choice(h * w, n, replace=False)] = np.arange(1, n + 1)
    mask = rng.random((h, w)) < 0.85 if draw(st.booleans()) else None
    if mask is not None:
        mask |= markers > 0
    return img, markers, mask


# ---------------------------------------------------------------- agreement with scikit-image


@settings(max_examples=60, deadline=None)
@given(relief_and_markers(), st.sampled_from([1, 2]), st.sampled_from([0.0, 0.01, 0.5]))
def test_identical_to_skimage_without_ties(case, conn, compactness):
    img, markers, mask = case
    ours = watershed(img, markers, mask=mask, connectivity=conn, compactness=compactness)
    ref = segmentation.watershed(img, markers, mask=mask, connectivity=conn, compactness=compactness)
    np.testing.assert_array_equal(ours, ref)


def test_agreement_with_skimage_on_tied_integer_reliefs():
    rng = np.random.default_rng(7)
    agree = total = 0
    for _ in range(200):
        img = rng.integers(0, 3, (8, 9))
        markers = np.zeros(img.shape, dtype=np.int32)
        n = rng.integers(2, 6)
        markers.flat[rng.choice(img.size, n, replace=False)] = np.arange(1, n + 1)
        for conn in (1, 2):
            ours = watershed(img, markers, connectivity=conn)
            ref = segmentation.watershed(img, markers, connectivity=conn)
            assert (ours > 0).all()
            agree += (ours == ref).sum()
            total += ours.size
    assert agree / total >= 0.97


@pytest.mark.parametrize("compactness", [0.0, 0.1, 1.0])
def test_coins_pipeline_identical_to_skimage(compactness):
    coins = data.coins()
    mask = ndi.binary_fill_holes(coins > otsu_threshold(coins))
    markers, distance = distance_markers(mask, min_distance=10)
    ours = watershed(-distance, markers, mask=mask, compactness=compactness)
    ref = segmentation.watershed(-distance, markers, mask=mask, compactness=compactness)
    np.testing.assert_array_equal(ours, ref)


def test_gradient_watershed_with_minima_markers_on_a_real_crop():
    crop = data.coins()[50:150, 50:170]
    g = gradient_magnitude(crop)
    markers = minima_markers(g)
    ref_markers, _ = ndi.label(skimage.morphology.local_minima(g, connectivity=1, allow_borders=True))
    np.testing.assert_array_equal(markers, ref_markers)
    ours = watershed(g, markers)
    ref = segmentation.watershed(g, markers)
    assert (ours == ref).mean() >= 0.999
    assert markers.max() > 100  # over-segmentation: one basin per regional minimum


# ---------------------------------------------------------------- the distance-transform recipe


def test_two_overlapping_discs_give_two_regions():
    discs = _two_discs()
    markers, distance = distance_markers(discs, min_distance=10)
    assert markers.max() == 2
    np.testing.assert_array_equal(distance, ndi.distance_transform_edt(discs))
    labels = watershed(-distance, markers, mask=discs)
    assert set(np.unique(labels)) == {0, 1, 2}
    np.testing.assert_array_equal(labels > 0, discs)
    # without the mask the background is flooded too: no 0 label is left
    unmasked = watershed(-distance, markers)
    assert set(np.unique(unmasked)) == {1, 2}


def test_markers_equal_the_current_skimage_recipe():
    discs = _two_discs()
    markers, distance = distance_markers(discs, min_distance=10)
    coords = feature.peak_local_max(distance, min_distance=10, labels=discs.astype(int), exclude_border=False)
    peaks = np.zeros(discs.shape, dtype=bool)
    peaks[tuple(coords.T)] = True
    ref, _ = ndi.label(peaks, structure=np.ones((3, 3)))
    np.testing.assert_array_equal(markers, ref)


def test_min_distance_controls_over_segmentation():
    coins = data.coins()
    mask = ndi.binary_fill_holes(coins > otsu_threshold(coins))
    counts = [distance_markers(mask, d)[0].max() for d in (2, 5, 10, 20)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


def test_removed_apis_the_old_tutorials_use():
    """The seed listing's imports no longer exist; the chapter teaches the replacements."""
    assert not hasattr(skimage.morphology, "watershed")
    assert "indices" not in inspect.signature(feature.peak_local_max).parameters


# ---------------------------------------------------------------- flooding levels


def test_flooding_levels_give_the_animation_frames():
    discs = _two_discs()
    markers, distance = distance_markers(discs, min_distance=10)
    labels, level = watershed_flooding(-distance, markers, mask=discs)
    np.testing.assert_array_equal(labels, watershed(-distance, markers, mask=discs))
    assert np.isinf(level[~discs]).all() and np.isfinite(level[discs]).all()
    # water never sits below the ground it covers
    assert np.all(level[discs] >= -distance[discs] - 1e-12)
    frames = [np.where(level <= lv, labels, 0) for lv in np.linspace(-distance.max(), 0, 6)]
    sizes = [int((f > 0).sum()) for f in frames]
    assert sizes == sorted(sizes) and sizes[-1] == discs.sum()


def test_small_relief_example():
    labels, level = watershed_flooding(np.array([[0, 1, 3, 1, 0]]), np.array([[1, 0, 0, 0, 2]]))
    assert labels.tolist() == [[1, 1, 1, 2, 2]]
    assert level.tolist() == [[0.0, 1.0, 3.0, 1.0, 0.0]]


# ---------------------------------------------------------------- bad input


def test_bad_inputs_name_the_argument():
    img = np.zeros((6, 6))
    markers = np.zeros((6, 6), dtype=int)
    markers[1, 1] = 1
    with pytest.raises(ValueError, match=r"markers: expected shape \(6, 6\)"):
        watershed(img, markers[:5])
    with pytest.raises(ValueError, match="markers: expected at least one marker"):
        watershed(img, np.zeros((6, 6), dtype=int))
    with pytest.raises(TypeError, match="markers: expected an integer label image"):
        watershed(img, markers.astype(float))
    with pytest.raises(ValueError, match="markers: expected labels >= 0"):
        watershed(img, -markers)
    with pytest.raises(ValueError, match=r"mask: expected shape \(6, 6\)"):
        watershed(img, markers, mask=np.ones((5, 6), dtype=bool))
    with pytest.raises(ValueError, match="mask: expected at least one True pixel"):
        distance_markers(np.zeros((6, 6), dtype=bool))
    with pytest.raises(ValueError, match="compactness"):
        watershed(img, markers, compactness=-1)
    with pytest.raises(ValueError, match=r"image: expected a 2-D grey image, got shape \(6, 6, 3\)"):
        watershed(np.zeros((6, 6, 3)), markers)
