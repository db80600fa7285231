"""segcourse.classical.regions against skimage.segmentation.flood and scipy.ndimage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import ndimage as ndi
from skimage import data, draw, segmentation

from segcourse.classical import (
    fill_outline,
    flood_fill,
    flood_fill_bfs,
    flood_fill_order,
    neighbour_offsets,
    region_grow,
    tolerance_mask,
)

few_level_images = hnp.arrays(
    np.uint8,
    st.tuples(st.integers(1, 16), st.integers(1, 16)),
    elements=st.integers(0, 6),
)
float_images = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 12), st.integers(1, 12)),
    elements=st.floats(-10, 10, allow_nan=False, width=32),
)


def _seed(draw_fn, shape):
    return (draw_fn(st.integers(0, shape[0] - 1)), draw_fn(st.integers(0, shape[1] - 1)))


# ---------------------------------------------------------------- flood fill


@settings(max_examples=60, deadline=None)
@given(few_level_images, st.integers(0, 4), st.sampled_from([1, 2]), st.data())
def test_flood_fill_equals_skimage_integer(img, tol, conn, data_):
    seed = _seed(data_.draw, img.shape)
    ref = segmentation.flood(img, seed, tolerance=tol, connectivity=conn)
    np.testing.assert_array_equal(flood_fill(img, seed, tol, conn), ref)
    np.testing.assert_array_equal(flood_fill_bfs(img, seed, tol, conn), ref)


@settings(max_examples=60, deadline=None)
@given(float_images, st.floats(0, 8), st.sampled_from([1, 2]), st.data())
def test_flood_fill_equals_skimage_float(img, tol, conn, data_):
    seed = _seed(data_.draw, img.shape)
    ref = segmentation.flood(img, seed, tolerance=tol, connectivity=conn)
    np.testing.assert_array_equal(flood_fill(img, seed, tol, conn), ref)
    np.testing.assert_array_equal(flood_fill_bfs(img, seed, tol, conn), ref)


@pytest.mark.parametrize("seed, tol", [((100, 100), 20), ((400, 300), 5), ((0, 0), 60), ((511, 511), 0)])
@pytest.mark.parametrize("conn", [1, 2])
def test_flood_fill_on_camera(seed, tol, conn):
    cam = data.camera()
    ours = flood_fill(cam, seed, tol, conn)
    np.testing.assert_array_equal(ours, segmentation.flood(cam, seed, tolerance=tol, connectivity=conn))
    assert ours[seed]


def test_flood_fill_bfs_equals_fast_on_a_real_crop():
    crop = data.coins()[40:140, 40:160]
    for seed, tol in [((10, 10), 10), ((50, 60), 40)]:
        for conn in (1, 2):
            np.testing.assert_array_equal(flood_fill_bfs(crop, seed, tol, conn), flood_fill(crop, seed, tol, conn))


def test_tolerance_is_relative_to_the_seed_value_not_the_neighbour():
    img = np.array([[10, 12, 14, 16]])
    np.testing.assert_array_equal(flood_fill(img, (0, 0), tolerance=2), [[True, True, False, False]])
    np.testing.assert_array_equal(tolerance_mask(np.array([[10, 12, 30]]), (0, 0), 2), [[True, True, False]])


def test_connectivity_diagonal_leak():
    eye = np.eye(5, dtype=np.uint8)
    assert flood_fill(eye, (0, 0), connectivity=1).sum() == 1
    assert flood_fill(eye, (0, 0), connectivity=2).sum() == 5
    assert len(neighbour_offsets(1)) == 4 and len(neighbour_offsets(2)) == 8


def test_uint8_tolerance_near_dtype_limits_does_not_wrap():
    img = np.array([[250, 255, 5, 0]], dtype=np.uint8)
    np.testing.assert_array_equal(flood_fill(img, (0, 1), tolerance=10), [[True, True, False, False]])
    np.testing.assert_array_equal(flood_fill(img, (0, 3), tolerance=10), [[False, False, True, True]])


@settings(max_examples=30, deadline=None)
@given(few_level_images, st.integers(0, 3), st.sampled_from([1, 2]), st.data())
def test_flood_fill_order_is_a_bfs_numbering_of_the_region(img, tol, conn, data_):
    seed = _seed(data_.draw, img.shape)
    order = flood_fill_order(img, seed, tol, conn)
    region = flood_fill(img, seed, tol, conn)
    np.testing.assert_array_equal(order >= 0, region)
    assert order[seed] == 0
    assert sorted(order[region].tolist()) == list(range(int(region.sum())))
    # BFS: visit order never decreases with the graph distance from the seed
    dist = np.full(img.shape, -1)
    dist[seed] = 0
    frontier = [seed]
    while frontier:
        nxt = []
        for r, c in frontier:
            for dr, dc in neighbour_offsets(conn):
                rr, cc = r + dr, c + dc
                if 0 <= rr < img.shape[0] and 0 <= cc < img.shape[1] and region[rr, cc] and dist[rr, cc] < 0:
                    dist[rr, cc] = dist[r, c] + 1
                    nxt.append((rr, cc))
        frontier = nxt
    by_order = np.argsort(order[region])
    assert np.all(np.diff(dist[region][by_order]) >= 0)


@pytest.mark.parametrize("fn", [flood_fill, flood_fill_bfs, flood_fill_order, region_grow])
@pytest.mark.parametrize("seed", [(-1, 0), (0, 8), (8, 0), (3, -2)])
def test_seed_outside_the_image_is_a_value_error(fn, seed):
    with pytest.raises(ValueError, match=r"seed: expected a \(row, col\) inside the image of shape \(8, 8\)"):
        fn(np.zeros((8, 8)), seed, 1)


def test_bad_seed_and_arguments():
    img = np.zeros((8, 8))
    with pytest.raises(ValueError, match="seed: expected a"):
        flood_fill(img, (1, 2, 3))
    with pytest.raises(TypeError, match="seed: expected integer"):
        flood_fill(img, (1.5, 2))
    with pytest.raises(ValueError, match="connectivity: expected 1"):
        flood_fill(img, (1, 2), connectivity=4)
    with pytest.raises(ValueError, match="tolerance"):
        flood_fill(img, (1, 2), tolerance=-1)
    with pytest.raises(ValueError, match=r"image: expected a 2-D grey image, got shape \(8, 8, 3\)"):
        flood_fill(np.zeros((8, 8, 3)), (1, 2))
    bad = img.copy()
    bad[4, 4] = np.nan
    with pytest.raises(ValueError, match="image: expected finite values"):
        flood_fill(bad, (1, 2))


# ---------------------------------------------------------------- region growing


def _region_grow_reference(img, seed, tol, conn):
    """Slow, literal definition: recompute the closest boundary pixel from scratch each step."""
    img = img.astype(np.float64)
    h, w = img.shape
    region = {seed}
    discovered = {}
    counter = 0

    def add_boundary(p):
        nonlocal counter
        for dr, dc in neighbour_offsets(conn):
            q = (p[0] + dr, p[1] + dc)
            if 0 <= q[0] < h and 0 <= q[1] < w and q not in region and q not in discovered:
                discovered[q] = counter
                counter += 1

    add_boundary(seed)
    while True:
        boundary = [q for q in discovered if q not in region]
        if not boundary:
            break
        mean = np.mean([img[p] for p in region])
        q = min(boundary, key=lambda q: (abs(img[q] - mean), img[q], discovered[q]))
        if abs(img[q] - mean) > tol:
            break
        region.add(q)
        add_boundary(q)
    out = np.zeros((h, w), dtype=bool)
    for p in region:
        out[p] = True
    return out


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 7), st.integers(1, 7)), elements=st.sampled_from([0.0, 1.0, 2.0, 3.5, 7.0])),
    st.sampled_from([0.0, 0.5, 1.0, 1.5, 3.0]),
    st.sampled_from([1, 2]),
    st.data(),
)
def test_region_grow_equals_literal_definition(img, tol, conn, data_):
    seed = _seed(data_.draw, img.shape)
    np.testing.assert_array_equal(region_grow(img, seed, tol, conn), _region_grow_reference(img, seed, tol, conn))


@settings(max_examples=30, deadline=None)
@given(few_level_images, st.sampled_from([1, 2]), st.data())
def test_region_grow_properties(img, conn, data_):
    seed = _seed(data_.draw, img.shape)
    region = region_grow(img, seed, 0, conn)
    # tolerance 0 on a piecewise-constant image is the flood fill of the seed's level
    np.testing.assert_array_equal(region, flood_fill(img, seed, 0, conn))
    everything = region_grow(img, seed, 1e9, conn)
    labels, _ = ndi.label(np.ones(img.shape), structure=ndi.generate_binary_structure(2, conn))
    assert everything.all()
    grown = region_grow(img, seed, 1.5, conn)
    n_components = ndi.label(grown, structure=ndi.generate_binary_structure(2, conn))[1]
    assert grown[seed] and n_components == 1


def test_region_grow_follows_a_gradient_further_than_flood_fill():
    ramp = np.tile(np.arange(80.0) * 0.25, (10, 1))
    grow = region_grow(ramp, (5, 0), tolerance=3)
    flood = flood_fill(ramp, (5, 0), tolerance=3)
    assert flood.sum() == 13 * 10 and grow.sum() > 1.5 * flood.sum()


# ---------------------------------------------------------------- outlines


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(bool, st.tuples(st.integers(1, 14), st.integers(1, 14))))
def test_fill_outline_equals_binary_fill_holes(mask):
    if not mask.any():
        with pytest.raises(ValueError, match="outline: expected at least one True pixel"):
            fill_outline(mask)
        return
    np.testing.assert_array_equal(fill_outline(mask), ndi.binary_fill_holes(mask))
    np.testing.assert_array_equal(
        fill_outline(mask, connectivity=2), ndi.binary_fill_holes(mask, structure=np.ones((3, 3)))
    )
    np.testing.assert_array_equal(fill_outline(mask, include_outline=False), ndi.binary_fill_holes(mask) & ~mask)


@pytest.mark.parametrize("seed", range(5))
def test_fill_outline_recovers_drawn_polygons(seed):
    """The annotation workflow: an annotator traces an object's border; filling gives the mask."""
    rng = np.random.default_rng(seed)
    shape = (96, 128)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 7))
    radii = rng.uniform(15, 35, 7)
    rows = 48 + radii * np.sin(angles)
    cols = 64 + radii * np.cos(angles)
    truth = np.zeros(shape, dtype=bool)
    truth[draw.polygon(rows, cols, shape)] = True
    outline = np.zeros(shape, dtype=bool)
    outline[draw.polygon_perimeter(rows, cols, shape)] = True
    filled = fill_outline(outline)
    target = truth | outline
    iou = (filled & target).sum() / (filled | target).sum()
    assert iou > 0.99  # polygon() and polygon_perimeter() round a few edge pixels differently
    assert (filled & outline).sum() == outline.sum()
    assert filled.sum() > 3 * outline.sum()


def test_fill_outline_does_not_depend_on_the_corner():
    """The source workflow flood-filled the outside from pixel (1, 1); an outline passing
    through that pixel breaks it. Filling from the whole border does not care."""
    outline = np.zeros((20, 20), dtype=bool)
    rr, cc = draw.polygon_perimeter([1, 1, 15, 15], [1, 15, 15, 1])
    outline[rr, cc] = True
    filled = fill_outline(outline)
    assert filled[8, 8] and filled[1:16, 1:16].all() and not filled[17:, :].any()
    corner_flood = flood_fill(outline.astype(np.uint8), (1, 1))  # the old recipe's first step
    assert corner_flood.sum() == outline.sum()  # it "filled" the outline itself: wrong region


def test_open_outline_encloses_nothing_and_bad_masks_raise():
    line = np.zeros((10, 10), dtype=bool)
    line[5, 2:8] = True
    np.testing.assert_array_equal(fill_outline(line), line)
    with pytest.raises(ValueError, match="outline: expected a binary mask"):
        fill_outline(np.array([[0, 2], [1, 0]]))
    with pytest.raises(ValueError, match=r"outline: expected a 2-D binary mask, got shape \(4, 4, 3\)"):
        fill_outline(np.ones((4, 4, 3), dtype=bool))
