"""Convolution and transposed convolution in numpy, with TensorFlow's conventions.

* :func:`conv2d` — same arguments and result as ``tf.nn.conv2d`` (NHWC input, kernel
  ``(kh, kw, in, out)``, strides, ``"VALID"``/``"SAME"``, dilations). Like TF (and every
  deep-learning library) it computes a cross-correlation: the kernel is not flipped.
* :func:`conv2d_transpose` — same arguments and result as ``tf.nn.conv2d_transpose``
  (kernel ``(kh, kw, out, in)``). Scatter view: every input pixel paints a copy of the
  kernel, scaled by its value, into the output at ``stride`` spacing; overlapping paint
  adds up; then the result is cropped to ``output_shape``.
* :func:`conv_matrix` / :func:`conv_transpose_matrix` — the matrix view (one channel):
  the convolution is ``y = C x`` for a sparse ``C``, and the transposed convolution is
  ``x' = C^T y``. That is where the name comes from.
* :func:`conv_transpose_stamps` — the individual "paint strokes" of the scatter view,
  for the stepper widget.

The loops below run over kernel taps (``kh * kw``, a handful), never over pixels.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from segcourse.ops.arithmetic import (
    conv_output_size,
    effective_kernel_size,
    same_padding,
    tf_transpose_output_range,
)

__all__ = [
    "conv2d",
    "conv2d_transpose",
    "conv_matrix",
    "conv_transpose_matrix",
    "conv_transpose_stamps",
    "conv_transpose_as_conv",
]


def _pair_arg(name: str, v: Any) -> tuple[int, int]:
    """Accept an int, a pair, or TF's length-4 NHWC form ``[1, a, b, 1]``."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        out = (int(v), int(v))
    else:
        try:
            seq = [int(a) for a in v]
        except TypeError:
            raise TypeError(f"{name}: expected an int or a sequence of ints, got {v!r}") from None
        if len(seq) == 1:
            out = (seq[0], seq[0])
        elif len(seq) == 2:
            out = (seq[0], seq[1])
        elif len(seq) == 4:
            if seq[0] != 1 or seq[3] != 1:
                raise ValueError(f"{name}: the batch and channel entries must be 1, got {v!r}")
            out = (seq[1], seq[2])
        else:
            raise ValueError(f"{name}: expected 1, 2 or 4 values, got {v!r}")
    if min(out) < 1:
        raise ValueError(f"{name}: expected positive values, got {v!r}")
    return out


def _padding_mode(padding: Any) -> str:
    if not isinstance(padding, str) or padding.upper() not in ("VALID", "SAME"):
        raise ValueError(f"padding: expected 'VALID' or 'SAME', got {padding!r}")
    return padding.upper()


def _array(name: str, a: Any, ndim: int, what: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array {what}, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected a real numeric array, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float64)
    return arr


def conv2d(x: Any, kernel: Any, strides: Any = 1, padding: str = "VALID",
           dilations: Any = 1) -> np.ndarray:
    """2-D convolution (cross-correlation) with ``tf.nn.conv2d`` semantics.

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
    kernel : array_like, shape (kh, kw, C_in, C_out)
    strides, dilations : int, pair, or ``[1, a, b, 1]``
    padding : {"VALID", "SAME"}
        ``"SAME"`` pads ``floor(P/2)`` before and the rest after (see
        :func:`segcourse.ops.same_padding`).

    Returns
    -------
    ndarray, shape (N, H_out, W_out, C_out)

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> conv2d(x, np.ones((2, 2, 1, 1)), strides=2)[0, :, :, 0]
    array([[10., 18.],
           [42., 50.]])
    """
    x = _array("x", x, 4, "(N, H, W, C_in)")
    w = _array("kernel", kernel, 4, "(kh, kw, C_in, C_out)")
    if w.shape[2] != x.shape[3]:
        raise ValueError(
            f"kernel: expected {x.shape[3]} input channels (x has shape {x.shape}), "
            f"got kernel shape {w.shape}"
        )
    sh, sw = _pair_arg("strides", strides)
    dh, dw = _pair_arg("dilations", dilations)
    mode = _padding_mode(padding)
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    if mode == "SAME":
        pt, pb = same_padding(h, kh, sh, dh)
        pl, pr = same_padding(wd, kw, sw, dw)
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
        mode_arg = "same"
    else:
        mode_arg = "valid"
    try:
        oh = conv_output_size(h, kh, sh, mode_arg.lower(), dh)
        ow = conv_output_size(wd, kw, sw, mode_arg.lower(), dw)
    except ValueError as e:
        raise ValueError(f"x: input {h}x{wd} too small for the kernel: {e}") from None
    s0, s1, s2, s3 = x.strides
    # Windows (N, oh, ow, kh, kw, C): a strided view, no copy until the contraction.
    win = as_strided(x, (n, oh, ow, kh, kw, c),
                     (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3), writeable=False)
    dtype = np.result_type(x.dtype, w.dtype)
    out = np.tensordot(win, w, axes=((3, 4, 5), (0, 1, 2)))
    return out.astype(dtype, copy=False)


def _scatter_crop(x: np.ndarray, w: np.ndarray, out_hw: tuple[int, int], offset: tuple[int, int],
                  strides: tuple[int, int], dilations: tuple[int, int]) -> np.ndarray:
    """Scatter every input pixel's weighted kernel, then crop ``out_hw`` at ``offset``.

    Kernel tap ``(a, b)`` sends input ``(y, x)`` to output ``(y s + a d, x s + b d)``. Output
    rows then fall into ``s`` phases (row mod ``s``); within one phase every tap is a
    *contiguous* shifted block, so each tap costs one small matrix product and one
    contiguous add. One transpose interleaves the phases at the end.
    """
    n, h, wd, c_in = x.shape
    kh, kw, c_out, _ = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    (oh, ow), (top, left) = out_hw, offset
    dtype = np.result_type(x.dtype, w.dtype)
    # rows per phase: enough for the full scatter and for the requested crop (zero-filled)
    hp = -(-max((h - 1) * sh + effective_kernel_size(kh, dh), top + oh) // sh)
    wp = -(-max((wd - 1) * sw + effective_kernel_size(kw, dw), left + ow) // sw)
    phases = np.zeros((sh, sw, n, hp, wp, c_out), dtype)
    xf = x.reshape(-1, c_in)
    for a in range(kh):
        ra, qa = divmod(a * dh, sh)[::-1]
        for b in range(kw):
            rb, qb = divmod(b * dw, sw)[::-1]
            painted = (xf @ w[a, b].T).reshape(n, h, wd, c_out)  # x[n, y, x, :] * W[a, b]
            phases[ra, rb, :, qa:qa + h, qb:qb + wd, :] += painted
    full = phases.transpose(2, 3, 0, 4, 1, 5).reshape(n, hp * sh, wp * sw, c_out)
    return full[:, top:top + oh, left:left + ow, :].astype(dtype, copy=True)


def conv2d_transpose(x: Any, kernel: Any, output_shape: Sequence[int], strides: Any = 1,
                     padding: str = "SAME", dilations: Any = 1) -> np.ndarray:
    """Transposed convolution with the arguments and result of ``tf.nn.conv2d_transpose``.

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
    kernel : array_like, shape (kh, kw, C_out, C_in)
        Note the order: output channels before input channels (TF / Keras
        ``Conv2DTranspose.kernel`` layout).
    output_shape : sequence of 4 ints ``(N, H_out, W_out, C_out)`` (or 2: ``(H_out, W_out)``)
        Must be a size whose forward convolution gives back ``(H, W)``; see
        :func:`segcourse.ops.tf_transpose_output_range`. Anything else raises a clear
        ``ValueError`` (TF raises too).
    strides, dilations : int, pair, or ``[1, a, b, 1]``
    padding : {"VALID", "SAME"}

    Returns
    -------
    ndarray, shape ``output_shape``

    Notes
    -----
    Scatter: ``full[n, y s + a d, x s + b d, o] += x[n, y, x, c] W[a, b, o, c]`` (no kernel
    flip), ``full`` of length ``(i - 1) s + k_eff``; then ``"VALID"`` keeps
    ``full[:O]`` (zero-filled past the end) and ``"SAME"`` keeps
    ``full[p : p + O]`` with ``p = floor(P / 2)``, ``P = max((ceil(O/s) - 1) s + k_eff - O, 0)``.
    The result equals the gradient of ``conv2d`` with respect to its input.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    >>> k = np.array([[0.0, 1.0], [2.0, 3.0]]).reshape(2, 2, 1, 1)
    >>> conv2d_transpose(x, k, (1, 3, 3, 1), strides=1, padding="VALID")[0, :, :, 0]
    array([[ 0.,  1.,  2.],
           [ 2., 10., 10.],
           [ 6., 17., 12.]])
    """
    x = _array("x", x, 4, "(N, H, W, C_in)")
    w = _array("kernel", kernel, 4, "(kh, kw, C_out, C_in)")
    if w.shape[3] != x.shape[3]:
        raise ValueError(
            f"kernel: expected shape (kh, kw, C_out, {x.shape[3]}) (last axis = input channels of "
            f"x with shape {x.shape}), got {w.shape}"
        )
    sh, sw = _pair_arg("strides", strides)
    dh, dw = _pair_arg("dilations", dilations)
    mode = _padding_mode(padding)
    n, h, wd, _ = x.shape
    kh, kw, c_out, _ = w.shape
    try:
        osh = [int(v) for v in output_shape]
    except TypeError:
        raise TypeError(f"output_shape: expected a sequence of ints, got {output_shape!r}") from None
    if len(osh) == 2:
        osh = [n, osh[0], osh[1], c_out]
    if len(osh) != 4:
        raise ValueError(f"output_shape: expected (N, H, W, C) or (H, W), got {output_shape!r}")
    if osh[0] != n or osh[3] != c_out:
        raise ValueError(
            f"output_shape: expected batch {n} and {c_out} channels (from x and kernel), got {tuple(osh)}"
        )
    oh, ow = osh[1], osh[2]
    for name, o, i, k, s, d in (("height", oh, h, kh, sh, dh), ("width", ow, wd, kw, sw, dw)):
        lo, hi = tf_transpose_output_range(i, k, s, mode.lower(), d)
        if not lo <= o <= hi:
            raise ValueError(
                f"output_shape: output {name} {o} is not legal for input {name} {i}, kernel {k}, "
                f"stride {s}, dilation {d}, padding {mode!r}; expected a value in [{lo}, {hi}] "
                "(the sizes whose forward convolution gives back the input size)"
            )
    if mode == "SAME":
        top = same_padding(oh, kh, sh, dh)[0]
        left = same_padding(ow, kw, sw, dw)[0]
    else:
        top = left = 0
    return _scatter_crop(x, w, (oh, ow), (top, left), (sh, sw), (dh, dw))


def conv_matrix(input_shape: Sequence[int], kernel: Any, strides: Any = 1,
                padding: str = "VALID", dilations: Any = 1) -> np.ndarray:
    """Matrix ``C`` of a single-channel convolution: ``conv2d(x).ravel() == C @ x.ravel()``.

    Parameters
    ----------
    input_shape : (H, W)
    kernel : array_like, shape (kh, kw)
    strides, dilations, padding : as in :func:`conv2d`.

    Returns
    -------
    ndarray, shape (H_out * W_out, H * W)
        Row ``r`` holds the kernel weights at the input pixels output ``r`` reads. Its
        transpose is the transposed convolution (see :func:`conv_transpose_matrix`).

    Examples
    --------
    >>> conv_matrix((3, 1), np.array([[1.0], [2.0]]))
    array([[1., 2., 0.],
           [0., 1., 2.]])
    """
    try:
        h, wd = (int(v) for v in input_shape)
    except (TypeError, ValueError):
        raise ValueError(f"input_shape: expected (H, W), got {input_shape!r}") from None
    k = _array("kernel", kernel, 2, "(kh, kw)")
    sh, sw = _pair_arg("strides", strides)
    dh, dw = _pair_arg("dilations", dilations)
    mode = _padding_mode(padding)
    kh, kw = k.shape
    if mode == "SAME":
        pt = same_padding(h, kh, sh, dh)[0]
        pl = same_padding(wd, kw, sw, dw)[0]
    else:
        pt = pl = 0
    oh = conv_output_size(h, kh, sh, mode.lower(), dh)
    ow = conv_output_size(wd, kw, sw, mode.lower(), dw)
    oy, ox = np.meshgrid(np.arange(oh), np.arange(ow), indexing="ij")
    rows = (oy * ow + ox).ravel()
    mat = np.zeros((oh * ow, h * wd), dtype=np.result_type(k.dtype, np.float64))
    for a in range(kh):
        for b in range(kw):
            iy = (oy * sh - pt + a * dh).ravel()
            ix = (ox * sw - pl + b * dw).ravel()
            ok = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < wd)
            mat[rows[ok], (iy * wd + ix)[ok]] += k[a, b]
    return mat


def conv_transpose_matrix(output_shape: Sequence[int], kernel: Any, strides: Any = 1,
                          padding: str = "VALID", dilations: Any = 1) -> np.ndarray:
    """Matrix of a single-channel transposed convolution: ``C^T`` of the forward convolution.

    ``output_shape`` is the *large* (H_out, W_out) shape, i.e. the input shape of the
    forward convolution whose matrix is transposed. Then
    ``conv2d_transpose(y, k, output_shape).ravel() == conv_transpose_matrix(...) @ y.ravel()``.

    Examples
    --------
    >>> conv_transpose_matrix((3, 1), np.array([[1.0], [2.0]]))
    array([[1., 0.],
           [2., 1.],
           [0., 2.]])
    """
    return conv_matrix(output_shape, kernel, strides, padding, dilations).T


def conv_transpose_stamps(x: Any, kernel: Any, strides: Any = 1, dilations: Any = 1) -> np.ndarray:
    """Each input pixel's contribution to an (uncropped) single-channel transposed convolution.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)

    Returns
    -------
    ndarray, shape (H * W, (H-1) sh + kh_eff, (W-1) sw + kw_eff)
        ``stamps[y * W + x]`` is ``x[y, x] * kernel`` placed at ``(y sh, x sw)``;
        ``stamps.sum(0)`` is the full (``"VALID"``) transposed convolution and
        ``stamps.cumsum(0)`` shows it being painted pixel by pixel.

    Examples
    --------
    >>> st = conv_transpose_stamps(np.array([[1.0, 2.0]]), np.ones((1, 2)), strides=1)
    >>> st.sum(0)
    array([[1., 3., 2.]])
    """
    xs = _array("x", x, 2, "(H, W)")
    k = _array("kernel", kernel, 2, "(kh, kw)")
    sh, sw = _pair_arg("strides", strides)
    dh, dw = _pair_arg("dilations", dilations)
    h, wd = xs.shape
    kh, kw = k.shape
    fh = (h - 1) * sh + effective_kernel_size(kh, dh)
    fw = (wd - 1) * sw + effective_kernel_size(kw, dw)
    stamps = np.zeros((h * wd, fh, fw), np.result_type(xs.dtype, k.dtype))
    idx = np.arange(h * wd)
    py, px = np.divmod(idx, wd)
    vals = xs.ravel()
    for a in range(kh):
        for b in range(kw):
            stamps[idx, py * sh + a * dh, px * sw + b * dw] += vals * k[a, b]
    return stamps


def conv_transpose_as_conv(x: Any, kernel: Any, output_shape: Sequence[int], strides: Any = 1,
                           padding: str = "VALID", dilations: Any = 1) -> tuple[np.ndarray, np.ndarray]:
    """The "stretch, pad and convolve" view of a single-channel transposed convolution.

    Insert ``s - 1`` zeros between neighbouring inputs, pad, and run an ordinary stride-1
    ``"VALID"`` convolution with the kernel rotated by 180 degrees: the result is
    ``conv2d_transpose(x, kernel, output_shape, strides, padding)``.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)
    output_shape : (H_out, W_out)
    strides, padding, dilations : as in :func:`conv2d_transpose`.

    Returns
    -------
    stretched : ndarray, shape (H_out + kh_eff - 1, W_out + kw_eff - 1)
        The zero-stretched, padded input.
    flipped : ndarray, shape (kh, kw)
        ``kernel[::-1, ::-1]``; convolve with ``dilations``.

    Examples
    --------
    >>> z, f = conv_transpose_as_conv(np.array([[1.0, 2.0]]), np.array([[1.0, 10.0]]), (1, 4), 2)
    >>> z
    array([[0., 1., 0., 2., 0.]])
    >>> conv2d(z[None, :, :, None], f[:, :, None, None])[0, :, :, 0]
    array([[ 1., 10.,  2., 20.]])
    """
    xs = _array("x", x, 2, "(H, W)")
    k = _array("kernel", kernel, 2, "(kh, kw)")
    sh, sw = _pair_arg("strides", strides)
    dh, dw = _pair_arg("dilations", dilations)
    mode = _padding_mode(padding)
    try:
        oh, ow = (int(v) for v in output_shape)
    except (TypeError, ValueError):
        raise ValueError(f"output_shape: expected (H_out, W_out), got {output_shape!r}") from None
    # validates the output size exactly as conv2d_transpose does
    conv2d_transpose(xs[None, :, :, None], k[:, :, None, None], (oh, ow), (sh, sw), mode, (dh, dw))
    h, wd = xs.shape
    kh, kw = k.shape
    pads = []
    for i, o, kk, s, d in ((h, oh, kh, sh, dh), (wd, ow, kw, sw, dw)):
        k_eff = effective_kernel_size(kk, d)
        top = same_padding(o, kk, s, d)[0] if mode == "SAME" else 0
        before = k_eff - 1 - top
        after = o + k_eff - 1 - ((i - 1) * s + 1) - before
        pads.append((before, after))
    stretched = np.zeros(((h - 1) * sh + 1, (wd - 1) * sw + 1), xs.dtype)
    stretched[::sh, ::sw] = xs
    return np.pad(stretched, pads), k[::-1, ::-1].copy()
