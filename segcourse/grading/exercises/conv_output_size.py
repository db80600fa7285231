"""Checks for ``exercises/conv-output-size.ipynb``: output length of a convolution (TF/Keras rules)."""

from __future__ import annotations

from segcourse.grading.checker import Checker
from segcourse.ops import conv_output_size, same_padding

_CASES = {
    "valid, stride 1 (i=7, k=3)": (7, 3, 1, "valid", 1),
    "valid, stride 2, last row never visited (i=6, k=3)": (6, 3, 2, "valid", 1),
    "valid, kernel as large as the input (i=5, k=5)": (5, 5, 1, "valid", 1),
    "same, stride 1 (i=7, k=3)": (7, 3, 1, "same", 1),
    "same, stride 2, odd input (i=7, k=3)": (7, 3, 2, "same", 1),
    "same, stride 3 (i=224, k=7)": (224, 7, 3, "same", 1),
    "valid, dilation 2 (i=7, k=3)": (7, 3, 1, "valid", 2),
    "valid, dilation 3, stride 1 (i=20, k=3)": (20, 3, 1, "valid", 3),
    "explicit padding 1 (i=6, k=3, s=2)": (6, 3, 2, 1, 1),
    "explicit padding 2, dilation 2 (i=9, k=3)": (9, 3, 1, 2, 2),
}


def check_conv_output_size(fn) -> None:
    """``fn(i, k, s, padding, d)`` returns the output length, like ``segcourse.ops.conv_output_size``."""
    c = Checker("conv_output_size")
    for case, args in _CASES.items():
        c.expect_equal(case, lambda args=args: int(fn(*args)), conv_output_size(*args),
                       hint="k_eff = d*(k-1)+1; 'valid': floor((i - k_eff)/s) + 1; 'same': ceil(i/s); "
                            "an int p pads p on both sides")
    c.done()


def check_same_padding(fn) -> None:
    """``fn(i, k, s)`` returns TF's ``(before, after)`` padding for ``"same"``."""
    c = Checker("same_padding")
    for case, (i, k, s) in {"i=6, k=3, s=2": (6, 3, 2), "i=5, k=3, s=2": (5, 3, 2),
                            "i=7, k=4, s=1": (7, 4, 1), "i=10, k=1, s=3": (10, 1, 3),
                            "i=224, k=7, s=2": (224, 7, 2), "i=3, k=7, s=1": (3, 7, 1)}.items():
        c.expect_equal(case, lambda i=i, k=k, s=s: tuple(int(v) for v in fn(i, k, s)), same_padding(i, k, s),
                       hint="o = ceil(i/s); P = max((o-1)*s + k - i, 0); before = P // 2, after = P - before")
    c.done()
