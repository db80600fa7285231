"""Histogram thresholds: manual, valley, midpoint of peaks, Otsu, multi-Otsu, local.

Conventions (the same as scikit-image):

* A threshold ``t`` splits the grey levels into class 0 = ``{x <= t}`` and class 1 =
  ``{x > t}``; the foreground is ``image > t``.
* Several sorted thresholds ``t0 < t1 < ...`` give class ``k`` = ``{t_{k-1} < x <= t_k}``
  (:func:`apply_thresholds`). Beware ``np.digitize(image, thresholds)`` without
  ``right=True``: it puts pixels *equal* to a threshold in the upper class.
* Histograms (:func:`histogram`) use one bin per integer value for integer images (``nbins``
  is then ignored) and ``nbins`` equal bins over ``[min, max]`` for float images; a
  threshold is always a bin centre.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from segcourse.classical import _validate as v
from segcourse.classical.edges import gaussian

__all__ = [
    "histogram",
    "two_peaks",
    "valley_threshold",
    "midpoint_threshold",
    "otsu_variance",
    "otsu_threshold",
    "ClassStatistics",
    "class_statistics",
    "multi_otsu",
    "multi_otsu_objective",
    "local_threshold",
    "apply_thresholds",
]

_MAX_INT_BINS = 1 << 24


def histogram(image: Any, nbins: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Counts of grey levels and the bin centres they belong to.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image (integer or float; no NaN).
    nbins : int
        Number of equal-width bins over ``[image.min(), image.max()]`` for float images.
        Ignored for integer images, which get one bin per value from min to max.

    Returns
    -------
    counts : (B,) int64 ndarray
    bin_centers : (B,) ndarray
        Integers for integer images, floats otherwise. Equal to
        ``skimage.exposure.histogram(image, nbins)``.

    Examples
    --------
    >>> counts, centers = histogram(np.array([[3, 3, 5]], dtype=np.uint8))
    >>> counts.tolist(), centers.tolist()
    ([2, 0, 1], [3, 4, 5])
    """
    img = v.grey_image(image)
    nb = v.positive_int(nbins, "nbins", minimum=2)
    flat = img.ravel()
    if img.dtype.kind in "ui":
        if img.dtype.kind == "u" and img.dtype.itemsize <= 2:
            # non-negative and small: bincount directly, then trim to [min, max]
            full = np.bincount(flat)
            nz = np.flatnonzero(full)
            lo, hi = int(nz[0]), int(nz[-1])
            return full[lo : hi + 1], np.arange(lo, hi + 1)
        lo, hi = int(flat.min()), int(flat.max())
        if hi - lo >= _MAX_INT_BINS:
            raise ValueError(
                f"image: integer range [{lo}, {hi}] needs more than {_MAX_INT_BINS} bins; "
                f"convert to float to bin it into nbins bins"
            )
        counts = np.bincount((flat.astype(np.int64) - lo), minlength=hi - lo + 1)
        return counts, np.arange(lo, hi + 1)
    counts, edges = np.histogram(flat, bins=nb)
    return counts, (edges[:-1] + edges[1:]) / 2.0


def _smooth3(h: np.ndarray) -> np.ndarray:
    # 3-tap running mean with half-sample symmetric borders (scipy "reflect")
    p = np.concatenate(([h[0]], h, [h[-1]]))
    return (p[:-2] + p[1:-1] + p[2:]) / 3.0


def _local_maxima(h: np.ndarray) -> np.ndarray:
    # A maximum is the last bin of a rise (or of the start) followed by a fall; flat
    # stretches are skipped, so a plateau top counts once.
    d = np.sign(np.diff(h))
    nz = np.flatnonzero(d)
    s = d[nz]
    before = np.concatenate(([1.0], s[:-1]))
    return nz[(s < 0) & (before > 0)]


def two_peaks(
    image: Any, nbins: int = 256, max_iter: int = 10_000
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Smooth the histogram until exactly two peaks remain.

    Repeats a 3-bin running mean until the histogram has at most two local maxima
    (Prewitt & Mendelsohn's "minimum" method, as in ``skimage.filters.threshold_minimum``).

    Returns
    -------
    smoothed : (B,) float64 ndarray
        The smoothed counts.
    bin_centers : (B,) ndarray
    peaks : (int, int)
        Indices into ``bin_centers`` of the two peaks, left first.

    Raises
    ------
    ValueError
        If smoothing leaves fewer than two peaks (a unimodal histogram) or ``max_iter``
        rounds do not reach two.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = np.concatenate([rng.normal(60, 10, 3000), rng.normal(170, 15, 5000)])
    >>> img = img.clip(0, 255).astype(np.uint8).reshape(80, 100)
    >>> _, centers, (a, b) = two_peaks(img)
    >>> int(centers[a]), int(centers[b])
    (58, 168)
    """
    counts, centers = histogram(image, nbins)
    n_iter = v.positive_int(max_iter, "max_iter")
    h = counts.astype(np.float64)
    for _ in range(n_iter):
        h = _smooth3(h)
        peaks = _local_maxima(h)
        if peaks.size < 3:
            break
    else:
        raise ValueError(f"max_iter: histogram still has {peaks.size} peaks after {n_iter} rounds")
    if peaks.size != 2:
        raise ValueError(
            "image: the smoothed histogram has only one peak; valley and midpoint "
            "thresholds need a bimodal histogram (try otsu_threshold)"
        )
    return h, centers, (int(peaks[0]), int(peaks[1]))


def valley_threshold(image: Any, nbins: int = 256, max_iter: int = 10_000) -> float:
    """The lowest point of the smoothed histogram between its two peaks.

    Returns
    -------
    float
        A bin centre; foreground is ``image > t``. Equal to
        ``skimage.filters.threshold_minimum(image, nbins, max_num_iter=max_iter)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = np.concatenate([rng.normal(60, 10, 3000), rng.normal(170, 15, 5000)])
    >>> img = img.clip(0, 255).astype(np.uint8).reshape(80, 100)
    >>> int(valley_threshold(img))
    104
    """
    h, centers, (a, b) = two_peaks(image, nbins, max_iter)
    return centers[a + int(np.argmin(h[a : b + 1]))]


def midpoint_threshold(image: Any, nbins: int = 256, max_iter: int = 10_000) -> float:
    """Half-way between the two histogram peaks found by :func:`two_peaks`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = np.concatenate([rng.normal(60, 10, 3000), rng.normal(170, 15, 5000)])
    >>> img = img.clip(0, 255).astype(np.uint8).reshape(80, 100)
    >>> float(midpoint_threshold(img))
    113.0
    """
    _, centers, (a, b) = two_peaks(image, nbins, max_iter)
    return (centers[a] + centers[b]) / 2.0


def _between_class_counts(counts: np.ndarray, centers: np.ndarray) -> np.ndarray:
    # Unnormalised between-class variance w0*w1*(m0 - m1)**2 for a threshold after each bin
    # but the last, written exactly as scikit-image does so that ties break identically.
    c = counts.astype(np.float64)
    w0 = np.cumsum(c)
    w1 = np.cumsum(c[::-1])[::-1]
    m0 = np.cumsum(c * centers) / w0
    m1 = (np.cumsum((c * centers)[::-1]) / w1[::-1])[::-1]
    return w0[:-1] * w1[1:] * (m0[:-1] - m1[1:]) ** 2


def otsu_variance(image: Any, nbins: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Between-class variance for every candidate threshold, in one vectorised pass.

    With grey-level probabilities ``p_g``, ``w0(t) = sum_{g<=t} p_g`` and
    ``mu(t) = sum_{g<=t} g p_g``::

        sigma_B^2(t) = w0 w1 (mu0 - mu1)^2 = (mu_T w0(t) - mu(t))^2 / (w0(t) (1 - w0(t)))

    Parameters
    ----------
    image : (H, W) array_like
    nbins : int
        See :func:`histogram`.

    Returns
    -------
    thresholds : (B,) ndarray
        The bin centres (candidate ``t``).
    sigma_b2 : (B,) float64 ndarray
        ``sigma_B^2(t)`` in squared intensity units; 0 for the last bin (everything in class 0).

    Examples
    --------
    >>> t, s = otsu_variance(np.array([[0, 0, 4, 4]]))
    >>> t.tolist(), s.tolist()
    ([0, 1, 2, 3, 4], [4.0, 4.0, 4.0, 4.0, 0.0])
    """
    counts, centers = histogram(image, nbins)
    n = float(counts.sum())
    s = np.zeros(centers.shape, dtype=np.float64)
    s[:-1] = _between_class_counts(counts, centers) / n**2
    return centers, s


def otsu_threshold(image: Any, nbins: int = 256) -> float:
    """Otsu's threshold: the ``t`` that maximises the between-class variance.

    Maximising ``sigma_B^2`` is the same as minimising the within-class variance, because
    ``sigma_T^2 = sigma_W^2 + sigma_B^2`` and ``sigma_T^2`` does not depend on ``t``. Ties go
    to the lowest ``t`` (a two-valued image ``{a, b}`` gets ``t = a``).

    Parameters
    ----------
    image : (H, W) array_like
        Grey image.
    nbins : int
        Bins for float images (integer images use one bin per value).

    Returns
    -------
    t : scalar
        A bin centre; the foreground is ``image > t``. Equal to
        ``skimage.filters.threshold_otsu(image, nbins)``. A constant image returns its value,
        so its foreground is empty (no NaN, no error).

    Examples
    --------
    >>> from skimage import data
    >>> int(otsu_threshold(data.camera()))
    102
    >>> float(otsu_threshold(np.full((4, 4), 7.5)))
    7.5
    """
    counts, centers = histogram(image, nbins)
    if np.count_nonzero(counts) == 1:
        return np.asarray(image).flat[0]
    return centers[int(np.argmax(_between_class_counts(counts, centers)))]


class ClassStatistics(NamedTuple):
    """Weights, means and variances of the two classes ``{x <= t}`` and ``{x > t}``."""

    w0: float
    w1: float
    mu0: float
    mu1: float
    var0: float
    var1: float
    within: float  #: sigma_W^2 = w0 var0 + w1 var1
    between: float  #: sigma_B^2 = w0 w1 (mu0 - mu1)^2
    total: float  #: sigma_T^2, the variance of the whole image


def class_statistics(image: Any, t: float) -> ClassStatistics:
    """Split the pixels at ``t`` and report the variance decomposition.

    Computed from the pixels themselves (not the histogram), so it also checks the
    histogram formulas: ``within + between == total`` up to rounding. An empty class has
    weight 0 and mean/variance 0.

    Examples
    --------
    >>> s = class_statistics(np.array([[0, 0, 4, 4]]), 2)
    >>> s.mu0, s.mu1, s.within, s.between, s.total
    (0.0, 4.0, 0.0, 4.0, 4.0)
    """
    img = v.grey_image(image).astype(np.float64)
    t = float(t)
    lower = img <= t
    n = img.size
    parts = []
    for sel in (img[lower], img[~lower]):
        w = sel.size / n
        parts.append((w, float(sel.mean()) if sel.size else 0.0, float(sel.var()) if sel.size else 0.0))
    (w0, mu0, var0), (w1, mu1, var1) = parts
    return ClassStatistics(
        w0=w0,
        w1=w1,
        mu0=mu0,
        mu1=mu1,
        var0=var0,
        var1=var1,
        within=w0 * var0 + w1 * var1,
        between=w0 * w1 * (mu0 - mu1) ** 2,
        total=float(img.var()),
    )


def _prefix_sums(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = counts.astype(np.float64) / counts.sum()
    idx = np.arange(p.size, dtype=np.float64)
    # P[i] = mass of bins < i; S[i] = first moment (in bin indices) of bins < i
    return np.concatenate(([0.0], np.cumsum(p))), np.concatenate(([0.0], np.cumsum(p * idx)))


def _class_scores(P: np.ndarray, S: np.ndarray) -> np.ndarray:
    # score[i, j] = M^2 / W for the class made of bins i .. j-1 (0 if it holds no pixels)
    w = P[None, :] - P[:, None]
    m = S[None, :] - S[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(w > 0, m * m / np.where(w > 0, w, 1.0), 0.0)
    return score


def multi_otsu_objective(image: Any, thresholds: Any, nbins: int = 256) -> float:
    """The multi-Otsu criterion ``sum_k w_k (mu_k - mu_T)^2`` for given thresholds.

    ``thresholds`` are grey values (bin centres); class ``k`` holds the bins
    ``t_{k-1} < x <= t_k``. For one threshold this is ``sigma_B^2`` of :func:`otsu_variance`.

    Examples
    --------
    >>> multi_otsu_objective(np.array([[0, 0, 4, 4]]), [2])
    4.0
    """
    counts, centers = histogram(image, nbins)
    t = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
    labels = np.digitize(centers, np.sort(t), right=True)
    p = counts / counts.sum()
    mu_t = float((p * centers).sum())
    total = 0.0
    for k in range(t.size + 1):
        w = p[labels == k].sum()
        if w > 0:
            mu = (p[labels == k] * centers[labels == k]).sum() / w
            total += w * (mu - mu_t) ** 2
    return float(total)


def multi_otsu(image: Any, classes: int = 3, nbins: int = 256) -> np.ndarray:
    """Multi-level Otsu: ``classes - 1`` thresholds maximising the between-class variance.

    The criterion ``sum_k w_k mu_k^2`` (equivalent to ``sum_k w_k (mu_k - mu_T)^2``) is a sum
    of one term per class, so the exact optimum over all ordered thresholds is found by
    dynamic programming over the histogram bins in ``O(classes * B^2)``, instead of
    enumerating all ``O(B^(classes-1))`` combinations. Exact ties (a symmetric histogram,
    e.g. ``skimage.data.checkerboard()``) go to the lexicographically smallest thresholds;
    scikit-image may return another of the tied solutions.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image.
    classes : int
        Number of classes (>= 2). ``classes=2`` gives :func:`otsu_threshold`.
    nbins : int
        Bins for float images.

    Returns
    -------
    (classes - 1,) ndarray
        Sorted thresholds (bin centres). Use :func:`apply_thresholds` for the label map.

    Raises
    ------
    ValueError
        If the histogram has fewer non-empty bins than ``classes``.

    Notes
    -----
    Agrees with ``skimage.filters.threshold_multiotsu``, except where scikit-image 0.26's
    lookup table mis-initialises the first moment (``first_moment[0] = prob[0]``, open PR
    #8252): images with much of their mass in the lowest bin can get a different lowest
    threshold there. The tests use an exhaustive search as the reference in those cases.

    Examples
    --------
    >>> from skimage import data
    >>> multi_otsu(data.camera(), classes=3).tolist()
    [87, 176]
    """
    counts, centers = histogram(image, nbins)
    k = v.positive_int(classes, "classes", minimum=2)
    nvalues = int(np.count_nonzero(counts))
    if nvalues < k:
        raise ValueError(
            f"classes: the image has only {nvalues} distinct (binned) grey levels, "
            f"so it cannot be split into {k} classes"
        )
    B = counts.size
    P, S = _prefix_sums(counts)
    score = _class_scores(P, S)  # (B+1, B+1); class = bins i..j-1
    # best[c, i]: best total for classes c..k-1 covering bins i..B-1 (-inf if impossible)
    best = np.full((k + 1, B + 1), -np.inf)
    best[k, B] = 0.0
    j = np.arange(B + 1)
    for c in range(k - 1, -1, -1):
        cand = score + best[c + 1][None, :]
        cand = np.where(j[None, :] > j[:, None], cand, -np.inf)
        best[c] = cand.max(axis=1)
    # Walk forward choosing the smallest boundary that keeps the optimum (lexicographic ties).
    bounds = [0]
    for c in range(k - 1):
        i = bounds[-1]
        cand = score[i] + best[c + 1]
        cand[: i + 1] = -np.inf
        target = best[c, i]
        tol = 1e-12 * max(abs(target), 1e-300)
        bounds.append(int(np.flatnonzero(cand >= target - tol)[0]))
    return centers[np.asarray(bounds[1:]) - 1]


def local_threshold(
    image: Any,
    block_size: int = 35,
    offset: float = 0.0,
    method: str = "gaussian",
    mode: str = "reflect",
) -> np.ndarray:
    """A threshold *surface*: the local mean around each pixel, minus ``offset``.

    Global thresholds fail under uneven illumination; comparing each pixel with its own
    neighbourhood fixes that. Foreground is ``image > local_threshold(image, ...)``.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image (integer values are used as they are, not rescaled).
    block_size : int
        Odd neighbourhood size. ``"mean"`` averages a ``block_size`` square (computed with an
        integral image); ``"gaussian"`` uses a Gaussian with ``sigma = (block_size - 1) / 6``.
    offset : float
        Subtracted from the local mean.
    method : {"gaussian", "mean"}
    mode : str
        Border mode (scipy names; default ``"reflect"`` as in scikit-image).

    Returns
    -------
    (H, W) float64 ndarray
        Equal to ``skimage.filters.threshold_local(image, block_size, method, offset=offset,
        mode=mode)``.

    Examples
    --------
    >>> ramp = np.add.outer(np.zeros(8), np.linspace(0, 20, 8))
    >>> ramp[:, ::2] += 5  # faint stripes on an illumination ramp
    >>> (ramp > local_threshold(ramp, 3, method="mean")).astype(int)[3]
    array([1, 0, 1, 0, 1, 0, 1, 0])
    """
    img = v.grey_image(image).astype(np.float64)
    b = v.positive_int(block_size, "block_size")
    if b % 2 == 0:
        raise ValueError(f"block_size: expected an odd integer, got {b}")
    off = float(offset)
    if method == "gaussian":
        return gaussian(img, (b - 1) / 6.0, mode=mode) - off if b > 1 else img - off
    if method != "mean":
        raise ValueError(f"method: expected 'gaussian' or 'mean', got {method!r}")
    from segcourse.classical.edges import _check_mode, _pad

    _check_mode(mode, allow_valid=False)
    r = b // 2
    padded = _pad(img, [(r, r), (r, r)], mode, 0.0)
    # integral image with a zero row/column in front: box sum = 4 lookups per pixel
    ii = np.zeros((padded.shape[0] + 1, padded.shape[1] + 1))
    ii[1:, 1:] = padded.cumsum(0).cumsum(1)
    h, w = img.shape
    box = ii[b : b + h, b : b + w] - ii[:h, b : b + w] - ii[b : b + h, :w] + ii[:h, :w]
    return box / (b * b) - off


def apply_thresholds(image: Any, thresholds: Any) -> np.ndarray:
    """Label map from sorted thresholds: class ``k`` is ``t_{k-1} < x <= t_k``.

    Parameters
    ----------
    image : (H, W) array_like
    thresholds : scalar or sequence
        Thresholds in any order (they are sorted).

    Returns
    -------
    (H, W) int ndarray
        Values ``0 .. len(thresholds)``; with one threshold this is ``image > t``.

    Examples
    --------
    >>> apply_thresholds(np.array([[1, 2, 3, 4, 5]]), [2, 4]).tolist()
    [[0, 0, 1, 1, 2]]
    """
    img = v.grey_image(image)
    t = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"thresholds: expected a scalar or a 1-D sequence, got shape {t.shape}")
    v.check_finite(t, "thresholds")
    return np.digitize(img, np.sort(t), right=True)
