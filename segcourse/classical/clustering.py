"""k-means (Lloyd's algorithm) on pixel features, with k-means++ initialisation.

The objective is the inertia ``J = sum_n ||x_n - mu_{c(n)}||^2``. Each iteration is one
:func:`kmeans_step`: **assign** every point to its nearest centre (J cannot go up), then
**update** every centre to the mean of its points (J cannot go up). So J never increases
and the loop stops when the assignment stops changing — at a *local* optimum that depends
on the initial centres.

A common broken version (it appears in a well-known book listing) draws new random
centroids at the top of *every* iteration, so the update is thrown away and the loop never
converges; it also stores centroids in an integer array, truncating each mean. Here the
centres are drawn once, kept in float64 and carried from step to step.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from segcourse.classical import _validate as v

__all__ = [
    "KMeansState",
    "kmeans_plusplus",
    "assign",
    "update_centers",
    "kmeans_step",
    "kmeans_history",
    "kmeans",
    "inertia",
    "color_features",
    "color_position_features",
]


class KMeansState(NamedTuple):
    """One iteration of Lloyd's algorithm.

    ``labels`` are the assignment to ``centers``; ``inertia`` is J for that pair;
    ``next_centers`` are the means of the points of each label (the update).
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    next_centers: np.ndarray


def _points(X: Any, name: str = "X") -> np.ndarray:
    arr = np.asarray(X)
    if arr.dtype == object:
        raise TypeError(f"{name}: expected a numeric (N, D) array, got an object array")
    if arr.ndim != 2:
        hint = " (reshape an image with color_features)" if arr.ndim == 3 else ""
        raise ValueError(f"{name}: expected an (N, D) array of points, got shape {arr.shape}{hint}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name}: expected at least one point and one feature, got shape {arr.shape}")
    v.check_numeric_dtype(arr, name, allow_bool=True)
    arr = arr.astype(np.float64, copy=False)
    v.check_finite(arr, name)
    return arr


def _centers(centers: Any, d: int, name: str = "centers") -> np.ndarray:
    c = np.asarray(centers)
    v.check_numeric_dtype(c, name)
    c = c.astype(np.float64)
    if c.ndim != 2 or c.shape[1] != d or c.shape[0] == 0:
        raise ValueError(f"{name}: expected a (k, {d}) array, got shape {c.shape}")
    v.check_finite(c, name)
    return c


_CHUNK = 16384  # points per block: the temporaries stay in cache


def _nearest(XT: np.ndarray, x2sum: float, centers: np.ndarray) -> tuple[np.ndarray, float]:
    """Nearest centre per point and the objective, for points stored as (D, N).

    argmin_k ||x - c_k||^2 = argmin_k (||c_k||^2 - 2 x.c_k): the ||x||^2 term is the same for
    every k, so it is added once, to the objective only. The k x D multiply-adds are done
    with plain array arithmetic on cache-sized blocks rather than a matrix product: for a
    handful of centres a multithreaded BLAS call is slower than this, and much slower on a
    busy machine. Strict ``<`` keeps the lowest index on ties, like ``np.argmin``.
    """
    d_dim, n = XT.shape
    labels = np.zeros(n, dtype=np.intp)
    total = 0.0
    coef = -2.0 * centers
    c2 = (centers * centers).sum(1)
    for start in range(0, n, _CHUNK):
        block = XT[:, start : start + _CHUNK]
        m = block.shape[1]
        best = np.empty(m)
        dist = np.empty(m)
        tmp = np.empty(m)
        lab = labels[start : start + m]
        for i in range(centers.shape[0]):
            dist.fill(c2[i])
            for j in range(d_dim):
                np.multiply(block[j], coef[i, j], out=tmp)
                dist += tmp
            if i == 0:
                best[:] = dist
            else:
                closer = dist < best
                np.copyto(best, dist, where=closer)
                lab[closer] = i
        total += float(best.sum())
    return labels, max(x2sum + total, 0.0)


def _means(XT: np.ndarray, labels: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Cluster means; an empty cluster's centre jumps to the worst-served point."""
    k = centers.shape[0]
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    sums = np.stack([np.bincount(labels, weights=row, minlength=k) for row in XT], axis=1)
    new = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1.0)[:, None], centers)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        # The empty centre served nobody, so moving it cannot raise J; putting it on the
        # points farthest from their own centre lets the next assignment lower J.
        own = ((XT - centers[labels].T) ** 2).sum(0)
        worst = np.argsort(-own, kind="stable")[: empty.size]
        new[empty] = XT[:, worst].T
    return new


def kmeans_plusplus(X: Any, k: int, seed: int = 0) -> np.ndarray:
    """k-means++ initial centres: each new centre is a data point drawn with probability
    proportional to its squared distance to the nearest centre chosen so far.

    Parameters
    ----------
    X : (N, D) array_like
    k : int
        Number of centres (``1 <= k <= N``).
    seed : int
        Seed for ``np.random.default_rng``.

    Returns
    -------
    (k, D) float64 ndarray

    Examples
    --------
    >>> X = np.array([[0.0], [0.1], [10.0], [10.1]])
    >>> sorted(np.round(kmeans_plusplus(X, 2, seed=1)[:, 0]).tolist())
    [0.0, 10.0]
    """
    pts = _points(X)
    kk = v.positive_int(k, "k")
    if kk > pts.shape[0]:
        raise ValueError(f"k: expected at most the number of points ({pts.shape[0]}), got {kk}")
    rng = np.random.default_rng(seed)
    XT = np.ascontiguousarray(pts.T)

    def sq_dist_to(c: np.ndarray) -> np.ndarray:
        return ((XT - c[:, None]) ** 2).sum(0)

    centers = np.empty((kk, pts.shape[1]))
    centers[0] = pts[rng.integers(pts.shape[0])]
    d2 = sq_dist_to(centers[0])
    for i in range(1, kk):
        total = d2.sum()
        if total <= 0:  # fewer distinct points than k: any point will do
            idx = rng.integers(pts.shape[0])
        else:
            idx = int(np.searchsorted(np.cumsum(d2), rng.random() * total, side="right"))
            idx = min(idx, pts.shape[0] - 1)
        centers[i] = pts[idx]
        d2 = np.minimum(d2, sq_dist_to(centers[i]))
    return centers


def assign(X: Any, centers: Any) -> np.ndarray:
    """Assignment step: the index of the nearest centre for every point (ties: lowest index).

    Examples
    --------
    >>> assign([[0.0], [4.0], [9.0]], [[1.0], [8.0]]).tolist()
    [0, 0, 1]
    """
    pts = _points(X)
    c = _centers(centers, pts.shape[1])
    return _nearest(np.ascontiguousarray(pts.T), 0.0, c)[0]


def update_centers(X: Any, labels: Any, centers: Any) -> np.ndarray:
    """Update step: every centre moves to the mean of the points assigned to it.

    A centre with no points would have no mean. It is moved to the point that is currently
    worst served (largest squared distance to its own centre), which cannot increase J
    (the empty centre served nobody) and lets the next assignment reduce it.

    Parameters
    ----------
    X : (N, D) array_like
    labels : (N,) int array_like
        Values in ``0 .. k-1``.
    centers : (k, D) array_like
        The centres ``labels`` refer to (used for ``k`` and for empty clusters).

    Returns
    -------
    (k, D) float64 ndarray

    Examples
    --------
    >>> update_centers([[0.0], [2.0], [10.0]], [0, 0, 1], [[0.0], [9.0]]).tolist()
    [[1.0], [10.0]]
    """
    pts = _points(X)
    c = _centers(centers, pts.shape[1])
    lab = np.asarray(labels)
    if lab.shape != (pts.shape[0],) or lab.dtype.kind not in "iu":
        raise ValueError(
            f"labels: expected ({pts.shape[0]},) integers, got shape {lab.shape} dtype {lab.dtype}"
        )
    k = c.shape[0]
    if lab.size and (lab.min() < 0 or lab.max() >= k):
        raise ValueError(f"labels: expected values in 0..{k - 1}, got {lab.min()}..{lab.max()}")
    return _means(np.ascontiguousarray(pts.T), lab.astype(np.intp), c)


def inertia(X: Any, labels: Any, centers: Any) -> float:
    """The k-means objective ``sum_n ||x_n - centers[labels[n]]||^2``.

    Examples
    --------
    >>> inertia([[0.0], [2.0]], [0, 0], [[1.0]])
    2.0
    """
    pts = _points(X)
    c = _centers(centers, pts.shape[1])
    lab = np.asarray(labels)
    return float(((pts - c[lab]) ** 2).sum())


def kmeans_step(X: Any, centers: Any) -> tuple[np.ndarray, np.ndarray, float]:
    """One Lloyd iteration: assign, then update.

    Parameters
    ----------
    X : (N, D) array_like
    centers : (k, D) array_like

    Returns
    -------
    labels : (N,) int ndarray
        Nearest centre of each point (the assignment to the *old* centres).
    new_centers : (k, D) float64 ndarray
        Mean of each cluster (see :func:`update_centers` for empty clusters).
    inertia : float
        J of ``labels`` with the *old* centres, i.e. the objective right after assigning.

    Examples
    --------
    >>> labels, new, j = kmeans_step([[0.0], [1.0], [9.0], [10.0]], [[0.0], [5.0]])
    >>> labels.tolist(), new.tolist(), j
    ([0, 0, 1, 1], [[0.5], [9.5]], 42.0)
    """
    pts = _points(X)
    c = _centers(centers, pts.shape[1])
    XT = np.ascontiguousarray(pts.T)
    labels, j = _nearest(XT, float((pts * pts).sum()), c)
    return labels, _means(XT, labels, c), j


def _initial_centers(pts: np.ndarray, k: int, seed: int, init: Any) -> np.ndarray:
    if isinstance(init, str):
        if init == "k-means++":
            return kmeans_plusplus(pts, k, seed)
        if init == "random":
            rng = np.random.default_rng(seed)
            return pts[rng.choice(pts.shape[0], size=k, replace=False)].copy()
        raise ValueError(f"init: expected 'k-means++', 'random' or a (k, D) array, got {init!r}")
    c = _centers(init, pts.shape[1], "init")
    if c.shape[0] != k:
        raise ValueError(f"init: expected {k} centres, got {c.shape[0]}")
    return c


def kmeans_history(
    X: Any,
    k: int,
    seed: int = 0,
    max_iter: int = 100,
    init: Any = "k-means++",
    tol: float = 1e-4,
) -> list[KMeansState]:
    """Run Lloyd's algorithm and keep every iteration (for plots and the step-through widget).

    Stops after the first iteration whose assignment equals the previous one (converged:
    the centres no longer move), when the centres moved by at most ``tol`` (see below), or
    after ``max_iter`` iterations.

    Parameters
    ----------
    X : (N, D) array_like
    k : int
    seed : int
    max_iter : int
    init : {"k-means++", "random"} or (k, D) array
    tol : float
        Stop once ``sum ||new_center - center||^2 <= tol * mean(var(X, axis=0))`` (the
        scikit-learn criterion). ``tol=0`` runs until the assignment stops changing.

    Returns
    -------
    list of KMeansState
        ``history[i].inertia`` is non-increasing in ``i``.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [9.0], [10.0]])
    >>> [round(s.inertia, 2) for s in kmeans_history(X, 2, init=np.array([[0.0], [1.0]]), tol=0)]
    [145.0, 17.56, 1.0]
    """
    pts = _points(X)
    kk = v.positive_int(k, "k")
    if kk > pts.shape[0]:
        raise ValueError(f"k: expected at most the number of points ({pts.shape[0]}), got {kk}")
    n_iter = v.positive_int(max_iter, "max_iter")
    limit = v.non_negative_float(tol, "tol") * float(pts.var(axis=0).mean())
    centers = _initial_centers(pts, kk, seed, init)
    XT = np.ascontiguousarray(pts.T)
    x2sum = float((pts * pts).sum())
    history: list[KMeansState] = []
    prev = None
    for _ in range(n_iter):
        labels, j = _nearest(XT, x2sum, centers)
        new_centers = _means(XT, labels, centers)
        history.append(KMeansState(centers, labels, j, new_centers))
        if prev is not None and np.array_equal(labels, prev):
            break
        if limit > 0 and float(((new_centers - centers) ** 2).sum()) <= limit:
            break
        prev = labels
        centers = new_centers
    return history


def kmeans(
    X: Any,
    k: int,
    seed: int = 0,
    max_iter: int = 100,
    init: Any = "k-means++",
    n_init: int = 1,
    tol: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Cluster points with k-means (Lloyd's algorithm).

    Parameters
    ----------
    X : (N, D) array_like
        One row per point, e.g. :func:`color_features` of an image.
    k : int
        Number of clusters.
    seed : int
        Seeds the initialisation; the same seed gives the same result.
    max_iter : int
        Iteration cap per run.
    init : {"k-means++", "random"} or (k, D) array
        Initial centres.
    n_init : int
        Runs with seeds ``seed, seed + 1, ...``; the run with the lowest inertia is kept.
    tol : float
        Centre-shift stopping tolerance, see :func:`kmeans_history`.

    Returns
    -------
    labels : (N,) int ndarray
        Index of the nearest centre for each point.
    centers : (k, D) float64 ndarray
        The centres ``labels`` were assigned to.
    inertia : float
        ``sum ||x - centers[labels]||^2``.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]])
    >>> labels, centers, j = kmeans(X, 2)
    >>> bool(labels[0] == labels[1] != labels[2] == labels[3]), j
    (True, 1.0)
    """
    runs = v.positive_int(n_init, "n_init")
    if not isinstance(init, str) and runs > 1:
        raise ValueError("n_init: expected 1 when init is an explicit array of centres")
    best = None
    for r in range(runs):
        last = kmeans_history(X, k, seed=seed + r, max_iter=max_iter, init=init, tol=tol)[-1]
        if best is None or last.inertia < best[2]:
            best = (last.labels, last.centers, last.inertia)
    assert best is not None
    return best


def color_features(image: Any, space: str = "rgb") -> np.ndarray:
    """One row per pixel with its colour: ``(H*W, C)``.

    Parameters
    ----------
    image : (H, W, C) or (H, W) array_like
        Colour (or grey) image. uint8 is scaled to [0, 1].
    space : {"rgb", "lab"}
        ``"lab"`` converts RGB with ``skimage.color.rgb2lab`` and divides by 100 so the three
        axes have comparable ranges; Euclidean distance in Lab is closer to perceived
        colour difference than in RGB.

    Returns
    -------
    (H*W, C) float64 ndarray
        Rows in raster order; ``labels.reshape(H, W)`` maps cluster labels back.

    Examples
    --------
    >>> color_features(np.zeros((2, 3, 3), dtype=np.uint8)).shape
    (6, 3)
    """
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = arr[..., None]
    img = v.colour_image(arr)
    x = img.astype(np.float64)
    if img.dtype == np.uint8:
        x = x / 255.0
    if space == "lab":
        if x.shape[2] != 3:
            raise ValueError(f"image: space='lab' needs an RGB image, got {x.shape[2]} channels")
        from skimage.color import rgb2lab

        x = rgb2lab(np.clip(x, 0.0, 1.0)) / 100.0
    elif space != "rgb":
        raise ValueError(f"space: expected 'rgb' or 'lab', got {space!r}")
    return x.reshape(-1, x.shape[2])


def color_position_features(image: Any, weight: float = 1.0, space: str = "rgb") -> np.ndarray:
    """Colour plus scaled pixel position: ``(H*W, C + 2)`` rows ``[colour..., w*row, w*col]``.

    Positions are divided by the longer image side, so ``weight=1`` makes crossing the whole
    image cost about as much as the largest colour change. Larger weights give compact,
    superpixel-like clusters; ``weight=0`` is plain colour clustering.

    Examples
    --------
    >>> f = color_position_features(np.zeros((2, 4, 3)), weight=1.0)
    >>> f.shape, f[-1, 3:].tolist()
    ((8, 5), [0.25, 0.75])
    """
    w = v.non_negative_float(weight, "weight")
    colour = color_features(image, space)
    h, wd = np.asarray(image).shape[:2]
    rows, cols = np.mgrid[0:h, 0:wd].astype(np.float64) / max(h, wd)
    return np.concatenate([colour, w * rows.reshape(-1, 1), w * cols.reshape(-1, 1)], axis=1)
