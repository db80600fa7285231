"""Checks for ``exercises/kmeans-step.ipynb``: one assignment + update step of k-means."""

from __future__ import annotations

import warnings

import numpy as np

from segcourse.classical import color_features, inertia
from segcourse.grading.checker import Checker


def _cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from skimage import data

    rng = np.random.default_rng(5)
    pixels = color_features(data.astronaut()[::16, ::16])  # 1024 colour pixels
    return {
        "1-D points, 2 centres": (np.array([[0.0], [1.0], [9.0], [10.0], [4.0]]), np.array([[0.0], [5.0]])),
        "2-D blobs, 3 centres": (rng.normal(0, 1, (60, 2)) + np.repeat([[0, 0], [6, 0], [0, 6]], 20, 0),
                                 np.array([[1.0, 1.0], [5.0, 1.0], [1.0, 5.0]])),
        "astronaut pixels (RGB), 4 centres": (pixels, pixels[[0, 100, 500, 900]].copy()),
        "a centre nobody is closest to": (np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0]]),
                                          np.array([[0.0, 0.5], [5.0, 5.0], [100.0, 100.0]])),
    }


def _reference(X: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # scipy's kmeans2 with one iteration is exactly one assign + update step; with
    # missing="warn" an empty cluster keeps its previous centre.
    from scipy.cluster.vq import kmeans2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new, labels = kmeans2(X, centers.copy(), iter=1, minit="matrix", missing="warn")
    return labels, new


def check_assign(assign) -> None:
    """``assign(X, centers)``: index of the nearest centre for every point."""
    c = Checker("assign")
    for case, (X, centers) in _cases().items():
        labels, _ = _reference(X, centers)
        c.expect_array(case, lambda: assign(X.copy(), centers.copy()), labels,
                       hint="squared distances of every point to every centre as an (N, k) array via "
                            "broadcasting X[:, None, :] - centers[None, :, :], then argmin over k")
    c.done()


def check_update(update) -> None:
    """``update(X, labels, centers)``: the mean of each cluster; an empty cluster keeps its centre."""
    c = Checker("update")
    for case, (X, centers) in _cases().items():
        labels, new = _reference(X, centers)
        c.expect_array(case, lambda: update(X.copy(), labels.copy(), centers.copy()), new,
                       rtol=1e-9, atol=1e-12,
                       hint="X[labels == j].mean(axis=0) for each j; if no point has label j, keep centers[j]")
    c.done()


def check_objective_decreases(assign, update) -> None:
    """Alternating your two steps never increases J (unlike redrawing random centres each time)."""
    c = Checker("kmeans_loop")
    from skimage import data

    X = color_features(data.astronaut()[::16, ::16])
    centers = np.random.default_rng(0).random((5, 3))

    def run():
        cs, js = centers.copy(), []
        for _ in range(10):
            labels = np.asarray(assign(X, cs))
            js.append(inertia(X, labels, cs))
            cs = np.asarray(update(X, labels, cs), dtype=float)
        return js

    c.expect_true("J never increases over 10 iterations", run,
                  lambda js: None if np.all(np.diff(js) <= 1e-9 * js[0]) else
                  f"J went up: {[round(j, 2) for j in js]}",
                  hint="each step must use the centres the previous step produced")
    c.done()
