"""Checks for ``exercises/tconv-scatter.ipynb``: transposed convolution by scattering kernels."""

from __future__ import annotations

import numpy as np

from segcourse.grading.checker import Checker
from segcourse.ops import conv2d_transpose, conv_transpose_output_size


def _full(x, k, s):
    h, w = x.shape
    kh, kw = k.shape
    shape = ((h - 1) * s + kh, (w - 1) * s + kw)
    return conv2d_transpose(x[None, :, :, None], k[:, :, None, None], shape, s, "VALID")[0, :, :, 0]


def check_scatter(fn) -> None:
    """``fn(x, kernel, stride)``: the full (``"VALID"``) transposed convolution of a 2-D array."""
    rng = np.random.default_rng(0)
    cases = {
        "1x1 input: the kernel itself": (np.array([[2.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]), 1),
        "2x2 input, 2x2 kernel, stride 1 (overlaps add)": (np.array([[1.0, 2.0], [3.0, 4.0]]),
                                                          np.array([[0.0, 1.0], [2.0, 3.0]]), 1),
        "stride 2 = kernel size (no overlap)": (rng.integers(0, 5, (3, 3)).astype(float), np.ones((2, 2)), 2),
        "3x3 kernel, stride 2 (partial overlap)": (rng.normal(size=(3, 4)), rng.normal(size=(3, 3)), 2),
        "stride 3 > kernel 2 (gaps)": (rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), 3),
        "rectangular kernel 1x3": (rng.normal(size=(4, 2)), rng.normal(size=(1, 3)), 2),
    }
    c = Checker("transposed_conv")
    for case, (x, k, s) in cases.items():
        c.expect_array(case, lambda x=x, k=k, s=s: fn(x.copy(), k.copy(), s), _full(x, k, s), atol=1e-9,
                       hint="start from zeros of shape ((H-1)*s + kh, (W-1)*s + kw) and add x[i, j] * kernel "
                            "into the block whose top-left corner is (i*s, j*s); do not flip the kernel")
    c.done()


def check_keras_size(fn) -> None:
    """``fn(i, k, s, padding, output_padding)``: Keras ``Conv2DTranspose`` output length."""
    cases = {
        "valid, k=3, s=2": (5, 3, 2, "valid", None),
        "valid, k=1 < s=2 (Keras pads to i*s)": (5, 1, 2, "valid", None),
        "valid, k=3, s=2, output_padding=1": (5, 3, 2, "valid", 1),
        "same, k=3, s=2": (5, 3, 2, "same", None),
        "same, k=4, s=2": (5, 4, 2, "same", None),
        "same, k=3, s=2, output_padding=0": (5, 3, 2, "same", 0),
        "same, k=4, s=2, output_padding=1": (5, 4, 2, "same", 1),
        "same, k=16, s=8 (FCN-8s)": (5, 16, 8, "same", None),
    }
    c = Checker("keras_transpose_size")
    for case, args in cases.items():
        c.expect_equal(case, lambda args=args: int(fn(*args)), conv_transpose_output_size(*args),
                       hint="valid: (i-1)s + max(k, s), or (i-1)s + k + a; same: i*s, or (i-1)s + k%2 + a")
    c.done()
