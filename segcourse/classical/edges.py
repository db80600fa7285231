"""Linear filters and edges: correlation/convolution, Sobel, Laplacian, LoG, DoG, zero crossings.

Everything here is plain numpy: a filter is a weighted sum of shifted copies of the padded
image, one shift per kernel tap. The results equal :mod:`scipy.ndimage` for the same
border ``mode`` (the tests check every mode, borders included).

Border modes use scipy's names, because that is where readers will meet them next:

=========== ============================ ==========================
``mode``     extension of ``a b c d``     numpy ``np.pad`` name
=========== ============================ ==========================
"mirror"     ``c b | a b c d | c b``      "reflect"
"reflect"    ``b a | a b c d | d c``      "symmetric"
"nearest"    ``a a | a b c d | d d``      "edge"
"wrap"       ``c d | a b c d | a b``      "wrap"
"constant"   ``k k | a b c d | k k``      "constant" (k = ``cval``)
=========== ============================ ==========================

The default here is ``"mirror"`` everywhere: it is what ``tf.image.sobel_edges`` and
``tf.pad(..., "REFLECT")`` do, so Part I and the TensorFlow chapters agree at the borders.
Note that scipy's own default is ``"reflect"``, which differs from ``"mirror"`` only in the
outermost pixels.

Sign conventions: rows grow downwards, so ``gy`` is positive where the image gets brighter
going *down* and ``gx`` where it gets brighter going *right* (the same as
``scipy.ndimage.sobel(image, axis=0)`` / ``axis=1`` and ``tf.image.sobel_edges``). Slides that
draw the y filter with ``+1 +2 +1`` on the top row use the opposite (y-up) sign.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from segcourse.classical import _validate as v

__all__ = [
    "correlate1d",
    "correlate2d",
    "convolve2d",
    "sobel",
    "gradient_magnitude",
    "gradient_direction",
    "laplacian",
    "gaussian_kernel1d",
    "gaussian",
    "log",
    "dog",
    "zero_crossings",
    "SOBEL_Y",
    "SOBEL_X",
    "LAPLACE_4",
    "LAPLACE_8",
]

#: Sobel kernel for d/d(row), as a *correlation* kernel (what scipy.ndimage.sobel(axis=0) applies).
SOBEL_Y = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])
#: Sobel kernel for d/d(col), as a correlation kernel (scipy.ndimage.sobel(axis=1)).
SOBEL_X = SOBEL_Y.T.copy()
#: 4-neighbour Laplacian (scipy.ndimage.laplace).
LAPLACE_4 = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
#: 8-neighbour Laplacian (diagonals included).
LAPLACE_8 = np.array([[1.0, 1.0, 1.0], [1.0, -8.0, 1.0], [1.0, 1.0, 1.0]])

_NUMPY_PAD = {
    "mirror": "reflect",
    "reflect": "symmetric",
    "nearest": "edge",
    "wrap": "wrap",
    "constant": "constant",
}


def _check_mode(mode: Any, allow_valid: bool) -> str:
    allowed = list(_NUMPY_PAD) + (["valid"] if allow_valid else [])
    if mode not in allowed:
        raise ValueError(f"mode: expected one of {allowed}, got {mode!r}")
    return mode


def _float_image(image: Any, name: str = "image") -> np.ndarray:
    # Integer images are converted to float64 *values* (not rescaled): filtering uint8 in
    # place would wrap around (scipy.ndimage.sobel on uint8 returns uint8 garbage).
    return v.grey_image(image, name).astype(np.float64, copy=False)


def _pad(image: np.ndarray, widths: list[tuple[int, int]], mode: str, cval: float) -> np.ndarray:
    if mode == "constant":
        return np.pad(image, widths, mode="constant", constant_values=cval)
    # np.pad repeats the reflection for pads wider than the image, as scipy does
    return np.pad(image, widths, mode=_NUMPY_PAD[mode])


def correlate1d(
    image: Any,
    weights: Any,
    axis: int = 0,
    mode: str = "mirror",
    cval: float = 0.0,
) -> np.ndarray:
    """Correlate a 2-D image with a 1-D kernel along one axis.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image; integers are converted to float64 values.
    weights : (K,) array_like
        Kernel with an odd number of taps; tap ``K // 2`` sits on the output pixel.
    axis : {0, 1}
        0 filters along rows (vertically), 1 along columns.
    mode : str
        Border mode (see the module docstring).
    cval : float
        Fill value for ``mode="constant"``.

    Returns
    -------
    (H, W) float64 ndarray
        Equal to ``scipy.ndimage.correlate1d(image, weights, axis, mode=mode, cval=cval)``.

    Examples
    --------
    >>> correlate1d([[0, 1, 2, 3]], [-1, 0, 1], axis=1, mode="nearest")
    array([[1., 2., 2., 1.]])
    """
    img = _float_image(image)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size % 2 == 0:
        raise ValueError(f"weights: expected a 1-D kernel with an odd length, got shape {w.shape}")
    if axis not in (0, 1):
        raise ValueError(f"axis: expected 0 or 1, got {axis!r}")
    _check_mode(mode, allow_valid=False)
    r = w.size // 2
    widths = [(0, 0), (0, 0)]
    widths[axis] = (r, r)
    padded = _pad(img, widths, mode, cval)
    out = np.zeros_like(img)
    n = img.shape[axis]
    for k, wk in enumerate(w):
        if wk != 0.0:
            sl = [slice(None), slice(None)]
            sl[axis] = slice(k, k + n)
            out += wk * padded[tuple(sl)]
    return out


def correlate2d(image: Any, kernel: Any, mode: str = "mirror", cval: float = 0.0) -> np.ndarray:
    """Slide ``kernel`` over ``image`` and take the weighted sum at each position (no flip).

    This is what deep-learning libraries call "convolution" (``tf.nn.conv2d`` does not flip).

    Parameters
    ----------
    image : (H, W) array_like
        Grey image; integers are converted to float64 values.
    kernel : (kh, kw) array_like
        Weights. Odd sizes for the same-size modes; any size for ``mode="valid"``.
    mode : str
        A border mode (see the module docstring), or ``"valid"`` for no padding: the
        output is then ``(H - kh + 1, W - kw + 1)``, as in ``scipy.signal.correlate2d``.
    cval : float
        Fill value for ``mode="constant"``.

    Returns
    -------
    float64 ndarray
        ``scipy.ndimage.correlate(image, kernel, mode=mode, cval=cval)`` for the border
        modes; ``scipy.signal.correlate2d(image, kernel, mode="valid")`` for ``"valid"``.

    Examples
    --------
    A vertical edge (bright left, dark right) and the ``[1, 0, -1]`` column kernel:

    >>> img = [[10, 10, 10, 0, 0, 0]] * 6
    >>> correlate2d(img, [[1, 0, -1]] * 3, mode="valid")[0]
    array([ 0., 30., 30.,  0.])
    """
    img = _float_image(image)
    k = np.asarray(kernel)
    v.check_numeric_dtype(k, "kernel", allow_bool=True)
    k = k.astype(np.float64)
    v.check_finite(k, "kernel")
    if k.ndim != 2 or k.size == 0:
        raise ValueError(f"kernel: expected a non-empty 2-D array, got shape {k.shape}")
    _check_mode(mode, allow_valid=True)
    kh, kw = k.shape
    if mode == "valid":
        if kh > img.shape[0] or kw > img.shape[1]:
            raise ValueError(
                f"kernel: mode='valid' needs a kernel no larger than the image {img.shape}, "
                f"got {k.shape}"
            )
        padded = img
        oh, ow = img.shape[0] - kh + 1, img.shape[1] - kw + 1
    else:
        if kh % 2 == 0 or kw % 2 == 0:
            raise ValueError(
                f"kernel: expected odd height and width (a centre tap) for mode={mode!r}, "
                f"got shape {k.shape}; use mode='valid' for even kernels"
            )
        padded = _pad(img, [(kh // 2, kh // 2), (kw // 2, kw // 2)], mode, cval)
        oh, ow = img.shape
    out = np.zeros((oh, ow), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            if k[i, j] != 0.0:
                out += k[i, j] * padded[i : i + oh, j : j + ow]
    return out


def convolve2d(image: Any, kernel: Any, mode: str = "mirror", cval: float = 0.0) -> np.ndarray:
    """True convolution: correlation with the kernel flipped in both axes.

    Parameters
    ----------
    image, kernel, mode, cval
        As in :func:`correlate2d`.

    Returns
    -------
    float64 ndarray
        ``scipy.ndimage.convolve(image, kernel, mode=mode, cval=cval)`` (odd kernels) or
        ``scipy.signal.convolve2d(image, kernel, mode="valid")``.

    Examples
    --------
    Flipping matters for asymmetric kernels only:

    >>> convolve2d([[0, 1, 2, 3]], [[-1, 0, 1]], mode="nearest")
    array([[-1., -2., -2., -1.]])
    """
    k = np.asarray(kernel)
    if k.ndim != 2:
        raise ValueError(f"kernel: expected a non-empty 2-D array, got shape {k.shape}")
    return correlate2d(image, k[::-1, ::-1], mode=mode, cval=cval)


def sobel(image: Any, mode: str = "mirror") -> tuple[np.ndarray, np.ndarray]:
    """Sobel derivatives ``(gy, gx)`` of a grey image (not the magnitude).

    ``gy`` is d/d(row) (positive when brighter *below*), ``gx`` is d/d(col). The kernels are
    the unnormalised ``[-1, 0, 1] x [1, 2, 1]`` pair, so a unit step gives 4; scikit-image's
    ``filters.sobel_h``/``sobel_v`` divide by 4 and its ``filters.sobel`` magnitude is
    ``sqrt((gy**2 + gx**2) / 2) / 4``.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image; integers are converted to float64 values.
    mode : str
        Border mode, default ``"mirror"`` (TensorFlow's ``REFLECT``).

    Returns
    -------
    gy, gx : (H, W) float64 ndarrays
        Equal to ``scipy.ndimage.sobel(image, axis=0, mode=mode)`` and ``axis=1``, and to
        the ``[..., 0]`` / ``[..., 1]`` outputs of ``tf.image.sobel_edges``.

    Examples
    --------
    >>> gy, gx = sobel([[0, 0, 1, 1]] * 3)
    >>> gx[1]
    array([0., 4., 4., 0.])
    >>> float(abs(gy).max())
    0.0
    """
    return correlate2d(image, SOBEL_Y, mode=mode), correlate2d(image, SOBEL_X, mode=mode)


def gradient_magnitude(image: Any, mode: str = "mirror") -> np.ndarray:
    """Sobel gradient magnitude ``sqrt(gy**2 + gx**2)``.

    Examples
    --------
    >>> gradient_magnitude([[0, 0, 1, 1]] * 3)[1]
    array([0., 4., 4., 0.])
    """
    gy, gx = sobel(image, mode=mode)
    return np.hypot(gy, gx)


def gradient_direction(image: Any, mode: str = "mirror") -> np.ndarray:
    """Sobel gradient direction ``arctan2(gy, gx)`` in radians, in ``(-pi, pi]``.

    0 points right (brighter to the right), ``pi/2`` points *down* (rows grow downwards).
    Where the gradient is exactly zero the direction is 0 by convention of ``arctan2``.

    Examples
    --------
    >>> round(float(gradient_direction([[0, 0, 1, 1]] * 3)[1, 1]), 3)
    0.0
    >>> round(float(gradient_direction([[0] * 3, [0] * 3, [1] * 3, [1] * 3])[1, 1]), 3)
    1.571
    """
    gy, gx = sobel(image, mode=mode)
    return np.arctan2(gy, gx)


def laplacian(image: Any, diagonals: bool = False, mode: str = "mirror") -> np.ndarray:
    """Discrete Laplacian: sum of the neighbours minus their number times the centre.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image.
    diagonals : bool
        ``False`` uses the 4-neighbour kernel :data:`LAPLACE_4` (equal to
        ``scipy.ndimage.laplace``); ``True`` the 8-neighbour :data:`LAPLACE_8`.
    mode : str
        Border mode.

    Returns
    -------
    (H, W) float64 ndarray

    Examples
    --------
    >>> laplacian([[0, 0, 0], [0, 1, 0], [0, 0, 0]], mode="constant")
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    return correlate2d(image, LAPLACE_8 if diagonals else LAPLACE_4, mode=mode)


def gaussian_kernel1d(sigma: float, order: int = 0, truncate: float = 4.0) -> np.ndarray:
    """Sampled 1-D Gaussian (``order=0``) or its second derivative (``order=2``).

    The radius is ``int(truncate * sigma + 0.5)`` and the order-0 kernel sums to 1, as in
    ``scipy.ndimage.gaussian_filter1d``. The order-2 kernel is
    ``(x**2 / sigma**4 - 1 / sigma**2) * g(x)`` with ``g`` the normalised order-0 kernel.

    Examples
    --------
    >>> k = gaussian_kernel1d(1.0)
    >>> k.size, round(float(k.sum()), 12)
    (9, 1.0)
    """
    s = v.positive_float(sigma, "sigma")
    if order not in (0, 2):
        raise ValueError(f"order: expected 0 or 2, got {order!r}")
    t = v.positive_float(truncate, "truncate")
    radius = int(t * s + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-0.5 * x**2 / s**2)
    g /= g.sum()
    if order == 0:
        return g
    return (x**2 / s**4 - 1.0 / s**2) * g


def gaussian(image: Any, sigma: float, mode: str = "mirror", truncate: float = 4.0) -> np.ndarray:
    """Gaussian blur as two 1-D passes (the 2-D Gaussian is separable).

    Returns
    -------
    (H, W) float64 ndarray
        Equal to ``scipy.ndimage.gaussian_filter(image, sigma, mode=mode, truncate=truncate)``.

    Examples
    --------
    >>> out = gaussian([[0, 0, 0], [0, 9, 0], [0, 0, 0]], sigma=1.0, mode="constant")
    >>> bool(out[1, 1] < 9 and out[0, 0] > 0)
    True
    """
    k = gaussian_kernel1d(sigma, 0, truncate)
    return correlate1d(correlate1d(image, k, axis=0, mode=mode), k, axis=1, mode=mode)


def log(image: Any, sigma: float, mode: str = "mirror", truncate: float = 4.0) -> np.ndarray:
    """Laplacian of Gaussian: d²/dy² and d²/dx² of the blurred image, summed.

    Each term is separable (second-derivative kernel along one axis, Gaussian along the
    other), so the cost grows with ``sigma``, not ``sigma**2``. Multiply by ``sigma**2`` to
    compare responses across scales. The LoG of a bright blob is negative at its centre.

    Returns
    -------
    (H, W) float64 ndarray
        Equal to ``scipy.ndimage.gaussian_laplace(image, sigma, mode=mode, truncate=truncate)``.

    Examples
    --------
    >>> img = [[0] * 9] * 4 + [[0] * 4 + [1] + [0] * 4] + [[0] * 9] * 4
    >>> response = log(img, sigma=1.0)
    >>> bool(response[4, 4] < 0 and response[4, 4] == response.min())
    True
    """
    g0 = gaussian_kernel1d(sigma, 0, truncate)
    g2 = gaussian_kernel1d(sigma, 2, truncate)
    dyy = correlate1d(correlate1d(image, g2, axis=0, mode=mode), g0, axis=1, mode=mode)
    dxx = correlate1d(correlate1d(image, g0, axis=0, mode=mode), g2, axis=1, mode=mode)
    return dyy + dxx


def dog(
    image: Any,
    low_sigma: float,
    high_sigma: float | None = None,
    mode: str = "mirror",
    truncate: float = 4.0,
) -> np.ndarray:
    """Difference of Gaussians ``gaussian(low_sigma) - gaussian(high_sigma)``.

    A band-pass filter. With ``high_sigma = k * low_sigma`` (default ``k = 1.6``) it
    approximates ``-(k - 1) * low_sigma**2 * LoG``, i.e. a cheap LoG with the opposite sign.

    Returns
    -------
    (H, W) float64 ndarray
        Equal to ``skimage.filters.difference_of_gaussians(image, low_sigma, high_sigma,
        mode=mode)`` on a float image.

    Examples
    --------
    >>> img = [[0] * 9] * 4 + [[0] * 4 + [1] + [0] * 4] + [[0] * 9] * 4
    >>> bool(dog(img, 1.0)[4, 4] > 0)
    True
    """
    lo = v.positive_float(low_sigma, "low_sigma")
    hi = 1.6 * lo if high_sigma is None else v.positive_float(high_sigma, "high_sigma")
    if hi < lo:
        raise ValueError(f"high_sigma: expected >= low_sigma ({lo}), got {hi}")
    img = _float_image(image)
    return gaussian(img, lo, mode=mode, truncate=truncate) - gaussian(
        img, hi, mode=mode, truncate=truncate
    )


def zero_crossings(response: Any, threshold: float = 0.0) -> np.ndarray:
    """Mark where a filter response changes sign between 4-neighbours (Marr–Hildreth edges).

    A pixel ``p`` is marked when ``response[p] >= 0``, one of its 4-neighbours ``q`` has
    ``response[q] < 0`` and the jump ``response[p] - response[q]`` exceeds ``threshold``.
    Marking only the non-negative side gives one-pixel-thin curves; the threshold drops the
    weak crossings that noise produces in flat regions.

    Parameters
    ----------
    response : (H, W) array_like
        Typically :func:`log` of an image.
    threshold : float
        Minimum jump across the crossing.

    Returns
    -------
    (H, W) bool ndarray

    Examples
    --------
    >>> zero_crossings([[2.0, 1.0, -1.0, -2.0]]).astype(int)
    array([[0, 1, 0, 0]])
    """
    r = _float_image(response, "response")
    t = v.non_negative_float(threshold, "threshold")
    pos = r >= 0
    out = np.zeros(r.shape, dtype=bool)
    # pairs (p, q) with q below p, and with q right of p; check both orientations
    for a, b in (
        (np.s_[:-1, :], np.s_[1:, :]),
        (np.s_[:, :-1], np.s_[:, 1:]),
    ):
        jump = r[a] - r[b]
        out[a] |= pos[a] & ~pos[b] & (jump > t)
        out[b] |= pos[b] & ~pos[a] & (-jump > t)
    return out
