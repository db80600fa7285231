"""segcourse.classical.clustering: Lloyd's algorithm checked against scipy and brute force."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.cluster.vq import kmeans2
from skimage import color, data

from segcourse.classical import (
    assign,
    color_features,
    color_position_features,
    inertia,
    kmeans,
    kmeans_history,
    kmeans_plusplus,
    kmeans_step,
    update_centers,
)

point_clouds = hnp.arrays(
    np.float64,
    st.tuples(st.integers(2, 60), st.integers(1, 4)),
    elements=st.floats(-50, 50, allow_nan=False, width=32),
)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Label maps equal up to renaming the clusters."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def _blobs(seed: int, k: int = 4, n: int = 50, d: int = 3, spread: float = 0.05):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, (k, d))
    # keep the true centres well apart
    while min(np.linalg.norm(a - b) for a, b in itertools.combinations(centres, 2)) < 4:
        centres = rng.uniform(-10, 10, (k, d))
    truth = np.repeat(np.arange(k), n)
    X = centres[truth] + rng.normal(0, spread, (k * n, d))
    return X, truth


# ---------------------------------------------------------------- the objective


@settings(max_examples=60, deadline=None)
@given(point_clouds, st.integers(1, 6), st.integers(0, 1000), st.sampled_from(["k-means++", "random"]))
def test_objective_never_increases(X, k, seed, init):
    k = min(k, X.shape[0])
    hist = kmeans_history(X, k, seed=seed, init=init, tol=0, max_iter=50)
    j = np.array([s.inertia for s in hist])
    scale = max(1.0, float((X**2).sum()))
    assert np.all(np.diff(j) <= 1e-9 * scale)
    for s in hist:
        # the recorded objective is J of the labels with the centres they were assigned to
        assert s.inertia == pytest.approx(inertia(X, s.labels, s.centers), rel=1e-9, abs=1e-9 * scale)
        # and the update can only lower it further
        assert inertia(X, s.labels, s.next_centers) <= s.inertia + 1e-9 * scale


@settings(max_examples=40, deadline=None)
@given(point_clouds, st.integers(1, 5), st.integers(0, 1000))
def test_kmeans_step_is_assign_then_mean(X, k, seed):
    k = min(k, X.shape[0])
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-50, 50, (k, X.shape[1]))
    labels, new, j = kmeans_step(X, centers)
    d = ((X[:, None, :] - centers[None]) ** 2).sum(-1)
    # nearest centre (allowing for rounding only where two centres are practically tied)
    chosen = d[np.arange(len(X)), labels]
    assert np.all(chosen <= d.min(1) + 1e-9 * (1 + d.min(1)))
    assert j == pytest.approx(chosen.sum(), rel=1e-9, abs=1e-9)
    for c in range(k):
        if (labels == c).any():
            np.testing.assert_allclose(new[c], X[labels == c].mean(0), rtol=1e-12, atol=1e-12)
        else:  # an empty cluster jumps onto a data point
            assert any(np.array_equal(new[c], x) for x in X)
    np.testing.assert_array_equal(assign(X, centers), labels)


def test_lloyd_iterations_equal_scipy_kmeans2():
    X, _ = _blobs(3, k=3, n=80, spread=2.0)  # overlapping blobs: several iterations needed
    init = X[[0, 1, 2]].copy()
    for n_iter in (1, 2, 5, 10):
        hist = kmeans_history(X, 3, init=init, tol=0, max_iter=n_iter)
        ours = hist[-1].next_centers if len(hist) == n_iter else hist[-1].centers
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref, ref_labels = kmeans2(X, init.copy(), iter=n_iter, minit="matrix")
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("seed", range(8))
def test_finds_the_optimum_on_separable_data(seed):
    X, truth = _blobs(seed)
    labels, centers, j = kmeans(X, 4, seed=seed)
    assert _same_partition(labels, truth)
    optimum = sum(((X[truth == c] - X[truth == c].mean(0)) ** 2).sum() for c in range(4))
    assert j == pytest.approx(optimum, rel=1e-9)


def test_same_seed_same_result_and_n_init_keeps_the_best():
    X, _ = _blobs(11, k=6, spread=3.0)
    a = kmeans(X, 6, seed=5)
    b = kmeans(X, 6, seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2]
    singles = [kmeans(X, 6, seed=5 + r, init="random")[2] for r in range(4)]
    best = kmeans(X, 6, seed=5, init="random", n_init=4)[2]
    assert best == min(singles)


def test_random_init_reaches_different_local_optima():
    """Lloyd's algorithm only finds a local optimum: the start matters."""
    X, _ = _blobs(2, k=5, n=40, spread=1.5)
    finals = {round(kmeans(X, 5, seed=s, init="random")[2], 6) for s in range(12)}
    assert len(finals) > 1


def test_the_broken_listing_never_converges():
    """The listing that redraws random centroids inside the loop keeps jumping around."""
    X = color_features(data.astronaut()[::8, ::8])
    rng = np.random.default_rng(0)
    js = []
    for _ in range(10):
        centroids = rng.integers(0, 255, size=(5, 3)) / 255.0  # drawn again every iteration
        labels, _, j = kmeans_step(X, centroids)
        js.append(j)
    assert np.any(np.diff(js) > 0)  # the objective goes up as well as down
    good = [s.inertia for s in kmeans_history(X, 5, init=rng.integers(0, 255, (5, 3)) / 255.0, tol=0)]
    assert np.all(np.diff(good) <= 1e-9) and good[-1] < min(js)


# ---------------------------------------------------------------- k-means++


def test_kmeans_plusplus_picks_data_points_far_apart():
    X, truth = _blobs(4, k=5)
    hits = 0
    for seed in range(20):
        c = kmeans_plusplus(X, 5, seed=seed)
        assert all(any(np.array_equal(ci, x) for x in X) for ci in c)
        # with blobs this tight, D^2 sampling essentially always hits every blob once
        hits += len({int(truth[np.argmin(((X - ci) ** 2).sum(1))]) for ci in c}) == 5
    assert hits >= 19
    np.testing.assert_array_equal(kmeans_plusplus(X, 5, seed=3), kmeans_plusplus(X, 5, seed=3))


def test_duplicate_points_and_k_equal_n():
    X = np.array([[1.0, 1.0]] * 5 + [[2.0, 2.0]])
    labels, centers, j = kmeans(X, 3)
    assert j == 0.0 and len(set(labels.tolist())) == 2  # only two distinct points exist
    labels, centers, j = kmeans(np.eye(4), 4)
    assert j == 0.0 and sorted(labels.tolist()) == [0, 1, 2, 3]


def test_empty_cluster_is_reseeded_without_raising_the_objective():
    X = np.array([[0.0], [0.2], [10.0], [10.4], [20.0]])
    centers = np.array([[0.0], [10.0], [1000.0]])  # the third centre serves nobody
    labels, new, j = kmeans_step(X, centers)
    assert 2 not in labels
    assert new[2, 0] in X[:, 0]
    assert inertia(X, assign(X, new), new) <= j


# ---------------------------------------------------------------- features


def test_color_features_and_position_features():
    img = data.astronaut()[:32, :48]
    f = color_features(img)
    assert f.shape == (32 * 48, 3) and f.min() >= 0 and f.max() <= 1
    np.testing.assert_allclose(f.reshape(32, 48, 3), img / 255.0)
    lab = color_features(img, space="lab")
    np.testing.assert_allclose(lab.reshape(32, 48, 3), color.rgb2lab(img / 255.0) / 100.0)
    fp = color_position_features(img, weight=2.0)
    assert fp.shape == (32 * 48, 5)
    np.testing.assert_allclose(fp[:, :3], f)
    rows, cols = np.mgrid[0:32, 0:48]
    np.testing.assert_allclose(fp[:, 3], 2.0 * rows.ravel() / 48)
    np.testing.assert_allclose(fp[:, 4], 2.0 * cols.ravel() / 48)
    assert color_features(np.zeros((4, 5))).shape == (20, 1)


def test_position_weight_makes_clusters_compact():
    """Colour alone splits a two-colour checkerboard by colour; with position it splits space."""
    board = np.kron((np.indices((4, 4)).sum(0) % 2), np.ones((8, 8)))
    img = np.stack([board] * 3, -1)
    by_colour, _, _ = kmeans(color_features(img), 2)
    assert _same_partition(by_colour, board.ravel().astype(int))
    by_place, _, _ = kmeans(color_position_features(img, weight=20.0), 2, n_init=3)
    halves = by_place.reshape(32, 32)
    # each cluster is now one contiguous half of the image, containing both colours
    assert len(np.unique(halves[:, :16])) == 1 or len(np.unique(halves[:16, :])) == 1


# ---------------------------------------------------------------- bad input


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match=r"X: expected an \(N, D\) array of points, got shape \(4, 4, 3\)"):
        kmeans(np.zeros((4, 4, 3)), 2)
    bad = np.zeros((10, 2))
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="X: expected finite values, got 1 NaN"):
        kmeans(bad, 2)
    with pytest.raises(ValueError, match="k: expected at most the number of points"):
        kmeans(np.zeros((3, 2)), 4)
    with pytest.raises(ValueError, match="k: expected an integer >= 1"):
        kmeans(np.zeros((3, 2)), 0)
    with pytest.raises(ValueError, match=r"init: expected a \(k, 2\) array"):
        kmeans(np.zeros((3, 2)), 2, init=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="init: expected 'k-means\\+\\+'"):
        kmeans(np.zeros((3, 2)), 2, init="farthest")
    with pytest.raises(ValueError, match="labels: expected values in 0..1"):
        update_centers(np.zeros((3, 2)), np.array([0, 1, 2]), np.zeros((2, 2)))
    with pytest.raises(TypeError, match="X"):
        kmeans(np.array([["a", "b"]], dtype=object), 1)
    with pytest.raises(ValueError, match="space"):
        color_features(np.zeros((4, 4, 3)), space="hsv")
