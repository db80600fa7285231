"""IoU / Dice explorer on toy masks: a true disc and a predicted disc you can move and scale.

The left panel colours true positives, false positives, false negatives and true negatives.
The right panel is the curve ``Dice = 2 J / (1 + J)`` with the current prediction on it. Make
the object small: pixel accuracy stays near 1 while IoU collapses (the class-imbalance trap).
Every number comes from :mod:`segcourse.metrics` on the confusion matrix.
"""

from __future__ import annotations

import numpy as np

from segcourse.metrics import confusion_matrix, dice_from_iou, dice_per_class, iou_per_class, pixel_accuracy
from segcourse.widgets._figures import new_figure
from segcourse.widgets.explorer import Explorer

SIZE = 64
# TN, FP, FN, TP
_COLOURS = np.array([[0.93, 0.93, 0.93], [0.9, 0.62, 0.0], [0.8, 0.2, 0.2], [0.0, 0.45, 0.7]])


def disc(radius: float, cx: float, cy: float, size: int = SIZE) -> np.ndarray:
    """Boolean disc mask.

    Examples
    --------
    >>> int(disc(2, 5, 5, 11).sum())
    13
    """
    yy, xx = np.mgrid[:size, :size]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2


def masks(radius: int, offset: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(truth, prediction): a centred disc and a shifted, rescaled copy."""
    c = SIZE / 2 - 0.5
    return disc(radius, c, c), disc(radius * scale, c + offset, c)


def render(*, radius: int = 12, offset: int = 4, scale: float = 1.0):
    """TP/FP/FN/TN map, the Dice-IoU curve and the three scores."""
    truth, pred = masks(radius, offset, scale)
    cm = confusion_matrix(truth, pred, 2)
    iou = iou_per_class(cm)[1]
    dice = dice_per_class(cm)[1]
    acc = pixel_accuracy(cm)
    code = truth.astype(int) * 2 + pred.astype(int)  # 0 TN, 1 FP, 2 FN, 3 TP
    fig, axes = new_figure(2, width=7.4, height=3.3, ratios=[1, 1.25])
    fig.subplots_adjust(top=0.82, bottom=0.16, wspace=0.3)
    axes[0].imshow(_COLOURS[code], interpolation="nearest")
    axes[0].set_axis_off()
    axes[0].set_title("TP blue · FP orange · FN red", fontsize=9)
    j = np.linspace(0, 1, 101)
    axes[1].plot(j, dice_from_iou(j), color="0.5", lw=1.5, label="Dice = 2J/(1+J)")
    axes[1].plot(j, j, color="0.8", lw=1, ls="--", label="Dice = J")
    iou_v = 0.0 if np.isnan(iou) else iou
    dice_v = 0.0 if np.isnan(dice) else dice
    axes[1].plot([iou_v], [dice_v], "o", color="C3", ms=8)
    axes[1].set_xlabel("IoU (Jaccard)", fontsize=8)
    axes[1].set_ylabel("Dice", fontsize=8)
    axes[1].tick_params(labelsize=7)
    axes[1].legend(fontsize=7, loc="lower right", frameon=False)
    axes[1].set_xlim(0, 1)
    axes[1].set_ylim(0, 1.02)
    share = truth.mean()
    fig.suptitle(f"object {share:.1%} of the image:  IoU {iou_v:.3f}   Dice {dice_v:.3f}   "
                 f"pixel accuracy {acc:.3f}", fontsize=10)
    return fig


def make_explorer() -> Explorer:
    """Move and scale a predicted disc against a true one."""
    return Explorer(
        lambda **p: render(**p),
        controls={"radius": [3, 6, 12, 20], "offset": [0, 2, 4, 6, 8, 12, 16],
                  "scale": [0.5, 0.75, 1.0, 1.25, 1.5]},
        static={"radius": [3, 6, 12, 20], "offset": [0, 2, 4, 8], "scale": [1.0, 1.5]},
        labels={"radius": "true radius", "offset": "shift (px)", "scale": "predicted size ×"},
    )
