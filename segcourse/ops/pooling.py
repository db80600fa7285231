"""Max pooling with argmax "switches", and three ways to undo pooling.

* :func:`max_pool_with_argmax` — like ``tf.nn.max_pool_with_argmax``: the pooled values and,
  for each, the flat index ``(y * W + x) * C + c`` of the input pixel it came from (within
  its image; ``W`` is the *unpadded* width even with ``"SAME"``). Ties go to the first
  pixel of the window in row-major order.
* :func:`max_unpool` — put each value back at its argmax, zeros elsewhere (SegNet /
  DeconvNet). Where windows overlap, values routed to the same pixel add up, exactly
  like the gradient of max pooling.
* :func:`unpool_nearest` — repeat each value over its block (``UpSampling2D``).
* :func:`unpool_bed_of_nails` — the value at the top-left of its block, zeros elsewhere.

Arrays are NHWC; the two simple unpoolings also accept a single 2-D ``(H, W)`` image.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from segcourse.ops.arithmetic import conv_output_size, same_padding
from segcourse.ops.conv import _pair_arg, _padding_mode

__all__ = ["max_pool_with_argmax", "max_unpool", "unpool_nearest", "unpool_bed_of_nails"]


def _nhwc(name: str, a: Any) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 4:
        raise ValueError(f"{name}: expected a 4-D NHWC array, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) and arr.dtype != bool:
        raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
    return arr


def max_pool_with_argmax(x: Any, pool: Any = 2, strides: Any = None, padding: str = "VALID",
                         include_batch_in_index: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling that also returns where each maximum was.

    Parameters
    ----------
    x : array_like, shape (N, H, W, C)
    pool : int or pair
        Window size.
    strides : int or pair, optional
        Defaults to ``pool`` (non-overlapping windows, as in Keras).
    padding : {"VALID", "SAME"}
    include_batch_in_index : bool
        If True, indices are ``((n * H + y) * W + x) * C + c`` (global), as TF's flag.

    Returns
    -------
    values : ndarray, shape (N, H_out, W_out, C)
    argmax : ndarray of int64, same shape

    Examples
    --------
    >>> x = np.array([[1, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 0, 1, 2]], float)
    >>> v, i = max_pool_with_argmax(x.reshape(1, 4, 4, 1))
    >>> v[0, :, :, 0], i[0, :, :, 0]
    (array([[5., 8.],
           [9., 2.]]), array([[ 1,  6],
           [12, 15]]))
    """
    x = _nhwc("x", x)
    if np.issubdtype(x.dtype, np.floating) and np.isnan(x).any():
        raise ValueError("x: contains NaN; max pooling with NaNs has no well-defined argmax")
    kh, kw = _pair_arg("pool", pool)
    sh, sw = (kh, kw) if strides is None else _pair_arg("strides", strides)
    mode = _padding_mode(padding)
    n, h, w, c = x.shape
    try:
        oh = conv_output_size(h, kh, sh, mode.lower())
        ow = conv_output_size(w, kw, sw, mode.lower())
    except ValueError:
        raise ValueError(f"x: spatial size {h}x{w} is smaller than the pool {kh}x{kw}") from None
    pt, pb = same_padding(h, kh, sh) if mode == "SAME" else (0, 0)
    pl, pr = same_padding(w, kw, sw) if mode == "SAME" else (0, 0)
    xf = x.astype(np.float64) if not np.issubdtype(x.dtype, np.floating) else x
    xp = np.pad(xf, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=-np.inf)
    s0, s1, s2, s3 = xp.strides
    win = as_strided(xp, (n, oh, ow, c, kh, kw), (s0, s1 * sh, s2 * sw, s3, s1, s2),
                     writeable=False).reshape(n, oh, ow, c, kh * kw)
    arg = np.argmax(win, axis=-1)  # first maximum in row-major window order
    values = np.take_along_axis(win, arg[..., None], axis=-1)[..., 0].astype(x.dtype)
    da, db = np.divmod(arg, kw)
    yy = np.arange(oh)[None, :, None, None] * sh - pt + da
    xx = np.arange(ow)[None, None, :, None] * sw - pl + db
    cc = np.arange(c)[None, None, None, :]
    idx = (yy * w + xx) * c + cc
    if include_batch_in_index:
        idx = idx + np.arange(n)[:, None, None, None] * (h * w * c)
    return values, idx.astype(np.int64)


def max_unpool(values: Any, argmax: Any, output_shape: Sequence[int],
               include_batch_in_index: bool = False) -> np.ndarray:
    """Scatter pooled values back to their argmax positions; zeros elsewhere.

    Parameters
    ----------
    values, argmax : array_like, shape (N, h, w, C)
        From :func:`max_pool_with_argmax` (or ``tf.nn.max_pool_with_argmax``).
    output_shape : (N, H, W, C) or (H, W)
        The shape of the tensor that was pooled. Store it: odd sizes cannot be
        recovered from the pooled shape.
    include_batch_in_index : bool
        Whether ``argmax`` holds global indices (see :func:`max_pool_with_argmax`).

    Returns
    -------
    ndarray, shape (N, H, W, C)
        Values routed to the same pixel (overlapping windows) are summed, like the
        gradient of max pooling.

    Examples
    --------
    >>> v = np.array([[[[5.0], [8.0]]]]); i = np.array([[[[1], [6]]]])
    >>> max_unpool(v, i, (1, 2, 4, 1))[0, :, :, 0]
    array([[0., 5., 0., 0.],
           [0., 0., 8., 0.]])
    """
    v = _nhwc("values", values)
    a = np.asarray(argmax)
    if a.shape != v.shape:
        raise ValueError(f"argmax: expected the shape of values {v.shape}, got {a.shape}")
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"argmax: expected integer indices, got dtype {a.dtype}")
    try:
        osh = [int(s) for s in output_shape]
    except TypeError:
        raise TypeError(f"output_shape: expected a sequence of ints, got {output_shape!r}") from None
    n, _, _, c = v.shape
    if len(osh) == 2:
        osh = [n, osh[0], osh[1], c]
    if len(osh) != 4 or osh[0] != n or osh[3] != c:
        raise ValueError(
            f"output_shape: expected (N={n}, H, W, C={c}) or (H, W), got {tuple(output_shape)}"
        )
    per = osh[1] * osh[2] * c
    flat = a.reshape(n, -1).astype(np.int64)
    if not include_batch_in_index:
        flat = flat + (np.arange(n) * per)[:, None]
    if flat.size and (flat.min() < 0 or flat.max() >= n * per):
        raise ValueError(
            f"argmax: indices outside an output of shape {tuple(osh)} "
            f"(check output_shape and include_batch_in_index)"
        )
    out = np.bincount(flat.ravel(), weights=v.reshape(-1).astype(np.float64), minlength=n * per)
    return out.reshape(osh).astype(v.dtype if v.dtype.kind == "f" else np.float64)


def _spatial(name: str, x: Any) -> tuple[np.ndarray, bool]:
    arr = np.asarray(x)
    if arr.ndim == 2:
        return arr[None, :, :, None], True
    if arr.ndim == 4:
        return arr, False
    raise ValueError(f"{name}: expected an (H, W) image or an NHWC array, got shape {arr.shape}")


def unpool_nearest(x: Any, size: Any = 2) -> np.ndarray:
    """Nearest-neighbour unpooling: each value fills its ``size`` block (= ``UpSampling2D``).

    Examples
    --------
    >>> unpool_nearest(np.array([[1, 2]]))
    array([[1, 1, 2, 2],
           [1, 1, 2, 2]])
    """
    arr, flat = _spatial("x", x)
    fh, fw = _pair_arg("size", size)
    out = np.repeat(np.repeat(arr, fh, axis=1), fw, axis=2)
    return out[0, :, :, 0] if flat else out


def unpool_bed_of_nails(x: Any, size: Any = 2) -> np.ndarray:
    """Bed-of-nails unpooling: each value at the top-left of its block, zeros elsewhere.

    Examples
    --------
    >>> unpool_bed_of_nails(np.array([[1, 2]]))
    array([[1, 0, 2, 0],
           [0, 0, 0, 0]])
    """
    arr, flat = _spatial("x", x)
    fh, fw = _pair_arg("size", size)
    n, h, w, c = arr.shape
    out = np.zeros((n, h * fh, w * fw, c), arr.dtype)
    out[:, ::fh, ::fw, :] = arr
    return out[0, :, :, 0] if flat else out
