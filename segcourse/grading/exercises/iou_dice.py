"""Checks for ``exercises/iou-dice.ipynb``: IoU, Dice and mIoU from a confusion matrix."""

from __future__ import annotations

import numpy as np

from segcourse.grading.checker import Checker
from segcourse.metrics import confusion_matrix, dice_per_class, iou_per_class, mean_iou


def _cms() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, (32, 32))
    p = np.where(rng.random((32, 32)) < 0.7, t, rng.integers(0, 4, (32, 32)))
    lazy = np.zeros((64, 64), int)
    truth = lazy.copy()
    truth[30:34, 30:34] = 1
    return {
        "2 classes": np.array([[50, 10], [5, 35]]),
        "3 classes": np.array([[3, 1, 0], [0, 3, 1], [1, 0, 3]]),
        "4 classes, random labels": confusion_matrix(t, p, 4),
        "'all background' on a small object": confusion_matrix(truth, lazy, 2),
        "classes 2 and 3 absent (empty union -> NaN)": np.array([[4, 1, 0, 0], [2, 3, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]),
        "perfect prediction": np.diag([10, 0, 7]),
    }


def check_iou(fn) -> None:
    """``fn(cm)``: per-class IoU, NaN where the union is empty."""
    c = Checker("iou_per_class")
    for case, cm in _cms().items():
        c.expect_array(case, lambda cm=cm: np.asarray(fn(cm.copy()), float), iou_per_class(cm), atol=1e-12,
                       hint="TP = diagonal, FP = column sum - TP, FN = row sum - TP; IoU = TP/(TP+FP+FN), "
                            "NaN when the denominator is 0 (rows are the truth)")
    c.done()


def check_dice(fn) -> None:
    """``fn(cm)``: per-class Dice, NaN where the union is empty."""
    c = Checker("dice_per_class")
    for case, cm in _cms().items():
        c.expect_array(case, lambda cm=cm: np.asarray(fn(cm.copy()), float), dice_per_class(cm), atol=1e-12,
                       hint="Dice = 2TP/(2TP+FP+FN) = 2TP/(row sum + column sum)")
    c.done()


def check_mean_iou(fn) -> None:
    """``fn(cm)``: mean IoU over the classes with a non-empty union."""
    c = Checker("mean_iou")
    for case, cm in _cms().items():
        c.expect_equal(case, lambda cm=cm: float(fn(cm.copy())), mean_iou(cm),
                       hint="average only the classes whose IoU is not NaN (np.nanmean)")
    c.done()
