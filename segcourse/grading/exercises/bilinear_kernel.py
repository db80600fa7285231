"""Checks for ``exercises/bilinear-kernel.ipynb``: FCN's bilinear upsampling kernel."""

from __future__ import annotations

import numpy as np

from segcourse.grading.checker import Checker
from segcourse.ops import bilinear_kernel, bilinear_weights


def check_bilinear_kernel(fn) -> None:
    """``fn(k)``: the k x k bilinear kernel."""
    c = Checker("bilinear_kernel")
    for k in (1, 2, 3, 4, 5, 8, 16):
        c.expect_array(f"k = {k}", lambda k=k: np.asarray(fn(k), float), bilinear_kernel(k), atol=1e-12,
                       hint="factor = (k+1)//2; centre = factor-1 (odd k) or factor-0.5 (even k); "
                            "1-D tent t = 1 - |i - centre|/factor; the kernel is the outer product of t with itself")
    c.done()


def check_upsampling_weights(fn) -> None:
    """``fn(k, channels)``: a (k, k, channels, channels) kernel, bilinear on the channel diagonal."""
    c = Checker("upsampling_weights")
    for k, ch in ((4, 1), (4, 3), (16, 2)):
        c.expect_array(f"k = {k}, {ch} channel(s)", lambda k=k, ch=ch: np.asarray(fn(k, ch), float),
                       bilinear_weights(k, ch), atol=1e-12,
                       hint="zeros of shape (k, k, C, C), then W[:, :, c, c] = bilinear kernel for every c")
    c.done()
