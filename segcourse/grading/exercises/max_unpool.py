"""Checks for ``exercises/max-unpool.ipynb``: max-unpooling from TensorFlow-style argmax indices."""

from __future__ import annotations

import numpy as np

from segcourse.grading.checker import Checker
from segcourse.ops import max_pool_with_argmax, max_unpool


def _cases():
    rng = np.random.default_rng(0)
    grid = np.array([[1, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 0, 1, 2]], float)[None, :, :, None]
    return {
        "the 4x4 example": (grid, "VALID"),
        "two channels": (rng.normal(size=(1, 4, 6, 2)), "VALID"),
        "odd size 7x9, 'SAME' pooling": (rng.normal(size=(1, 7, 9, 1)), "SAME"),
        "batch of 3 images, 3 channels": (rng.normal(size=(3, 6, 4, 3)), "VALID"),
        "odd size, batch 2, 'SAME'": (rng.normal(size=(2, 5, 5, 2)), "SAME"),
    }


def check_unravel(fn) -> None:
    """``fn(index, width, channels)`` returns ``(row, col, channel)`` of a flat TF argmax index."""
    c = Checker("unravel")
    for case, (idx, w, ch) in {"index 6 in a 4-wide, 1-channel image": (6, 4, 1),
                               "index 45, width 6, 2 channels": (45, 6, 2),
                               "index 0": (0, 5, 3), "last pixel of a 7x9x3 image": (188, 9, 3)}.items():
        y, rest = divmod(idx, w * ch)
        expected = (y, rest // ch, rest % ch)
        c.expect_equal(case, lambda idx=idx, w=w, ch=ch: tuple(int(v) for v in fn(idx, w, ch)), expected,
                       hint="index = (row * W + col) * C + channel: divide by C first, then by W")
    c.done()


def check_max_unpool(fn) -> None:
    """``fn(values, argmax, output_shape)``: scatter values back to their argmax positions."""
    c = Checker("max_unpool")
    for case, (x, padding) in _cases().items():
        v, a = max_pool_with_argmax(x, 2, padding=padding)
        expected = max_unpool(v, a, x.shape)
        c.expect_array(case, lambda v=v, a=a, shape=x.shape: fn(v.copy(), a.copy(), shape), expected, atol=1e-12,
                       hint="work per image: out.reshape(N, -1)[n, argmax[n].ravel()] = values[n].ravel(); "
                            "indices do not include the batch")
    c.done()
