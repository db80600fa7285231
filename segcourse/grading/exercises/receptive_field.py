"""Checks for ``exercises/receptive-field.ipynb``: the receptive-field recurrence."""

from __future__ import annotations

from segcourse.grading.checker import Checker
from segcourse.ops import receptive_field, receptive_field_table

VGG16_POOL5 = ([(3, 1, 1)] * 2 + [(2, 2, 1)]) * 2 + ([(3, 1, 1)] * 3 + [(2, 2, 1)]) * 3

_CASES = {
    "one 3x3 convolution": [(3, 1, 1)],
    "three 3x3 convolutions": [(3, 1, 1)] * 3,
    "2x2 pooling, then a 3x3 convolution": [(2, 2, 1), (3, 1, 1)],
    "a 3x3 convolution with dilation 2": [(3, 1, 2)],
    "dilations 1, 2, 4, 8": [(3, 1, 2**i) for i in range(4)],
    "strided 7x7 then 3x3 pooling (ResNet stem)": [(7, 2, 1), (3, 2, 1)],
    "VGG16 up to pool5": VGG16_POOL5,
    "VGG16 pool5 + fc6 as a 7x7 convolution": VGG16_POOL5 + [(7, 1, 1)],
}


def check_receptive_field(fn) -> None:
    """``fn(layers)`` with layers ``(kernel, stride, dilation)`` returns the receptive field."""
    c = Checker("receptive_field")
    for case, layers in _CASES.items():
        c.expect_equal(case, lambda layers=layers: int(fn(list(layers))), receptive_field(layers),
                       hint="start with r = j = 1; per layer, first r += (k_eff - 1) * j with the jump *before* "
                            "this layer, then j *= s (k_eff = d*(k-1)+1)")
    c.done()


def check_jumps(fn) -> None:
    """``fn(layers)`` returns the list of (rf, jump) after every layer."""
    c = Checker("rf_table")
    for case, layers in list(_CASES.items())[2:]:
        expected = [(row.rf, row.jump) for row in receptive_field_table(layers)]
        c.expect_equal(case, lambda layers=layers: [tuple(int(v) for v in t) for t in fn(list(layers))], expected,
                       hint="record (r, j) after updating both for each layer")
    c.done()
