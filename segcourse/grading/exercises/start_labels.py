"""Checks for ``exercises/start-labels.ipynb``: a segmentation is an integer label per pixel."""

from __future__ import annotations

import numpy as np

from segcourse.grading.checker import Checker


def _cases(seed: int = 0) -> dict[str, tuple[np.ndarray, int]]:
    rng = np.random.default_rng(seed)
    return {
        "2x2 image, 2 classes": (np.array([[0, 1], [1, 1]]), 2),
        "random 16x16, 3 classes": (rng.integers(0, 3, size=(16, 16)), 3),
        "class 3 absent (num_classes=4)": (rng.integers(0, 3, size=(8, 5)), 4),
        "batch of 2 images": (rng.integers(0, 5, size=(2, 6, 7)), 5),
    }


def check_one_hot(one_hot) -> None:
    """``one_hot(labels, num_classes)`` returns float32 ``labels.shape + (num_classes,)`` indicators."""
    c = Checker("one_hot")
    for case, (labels, k) in _cases().items():
        # Reference: the indicator definition, written as a comparison with each class index.
        expected = (labels[..., None] == np.arange(k)).astype(np.float32)
        c.expect_array(case, lambda: one_hot(labels.copy(), k), expected,
                       hint="channel c is 1 exactly where labels == c; the last axis has num_classes entries")
    c.expect_true("dtype is float32", lambda: one_hot(np.array([[0, 1]]), 2),
                  lambda got: None if np.asarray(got).dtype == np.float32 else
                  f"expected dtype float32 (what Keras losses expect), got {np.asarray(got).dtype}",
                  hint="ask for dtype=np.float32 when you build the array")
    c.done()


def check_class_frequencies(class_frequencies) -> None:
    """``class_frequencies(labels, num_classes)``: fraction of pixels in each class (sums to 1)."""
    c = Checker("class_frequencies")
    for case, (labels, k) in _cases(1).items():
        expected = np.bincount(labels.ravel(), minlength=k) / labels.size
        c.expect_array(case, lambda: class_frequencies(labels.copy(), k), expected, atol=1e-9,
                       hint="count each class (np.bincount with minlength) and divide by the number of pixels")
    imbalanced = np.zeros((64, 64), dtype=int)
    imbalanced[30:34, 30:34] = 1
    c.expect_array("imbalanced mask: 1 object pixel in 256", lambda: class_frequencies(imbalanced, 2),
                   np.array([1 - 16 / 4096, 16 / 4096]), atol=1e-9)
    c.done()
