"""Segmentation metrics, all computed from one confusion matrix.

The numpy functions at the top need nothing but numpy: importing this module does not
import TensorFlow or Keras. The Keras metric wrappers at the bottom
(:class:`MeanIoUMetric`, :class:`ClassIoUMetric`, :class:`PixelAccuracyMetric`,
:class:`MeanDiceMetric` and the factory :func:`keras_metrics`) are built the first time
one of them is used, which is when Keras is imported. Importing :mod:`segcourse.layers`
also builds (and registers) them, so ``keras.saving.load_model`` finds them.

Conventions (shared by every function here):

* ``cm[t, p]`` counts pixels whose **true** class is ``t`` and **predicted** class is ``p``
  (rows = truth, columns = prediction).
* A class whose union ``TP + FP + FN`` is empty (absent from the truth and never
  predicted) has IoU and Dice ``NaN`` and is left out of every mean, as
  ``keras.metrics.MeanIoU`` does.
* Dataset-level scores accumulate one confusion matrix over *all* pixels of *all*
  images (the PASCAL VOC / Cityscapes definition); per-image scores average a score
  computed image by image, which weighs a tiny object as much as a large one.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

__all__ = [
    "confusion_matrix",
    "pixel_accuracy",
    "class_accuracy",
    "iou_per_class",
    "mean_iou",
    "dice_per_class",
    "mean_dice",
    "dice_from_iou",
    "iou_from_dice",
    "per_image_iou",
    "mean_iou_per_image",
    "mean_iou_dataset",
    "keras_metrics",
    "MeanIoUMetric",
    "ClassIoUMetric",
    "PixelAccuracyMetric",
    "MeanDiceMetric",
]


# --------------------------------------------------------------------------- numpy


def _as_labels(name: str, a: Any) -> np.ndarray:
    arr = np.asarray(a)
    if arr.dtype == bool:
        arr = arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and arr.size and np.all(np.isfinite(arr)) \
                and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(
                f"{name}: expected integer class labels, got dtype {arr.dtype} "
                "(if these are scores or probabilities, take argmax over the class axis first; "
                "IoU on probabilities is not IoU)"
            )
    return arr


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    num_classes: int,
    ignore_index: int | None = None,
) -> np.ndarray:
    """Count pixels by (true class, predicted class).

    Parameters
    ----------
    y_true, y_pred : array_like of int
        Label maps of the same shape (any number of images and dimensions).
    num_classes : int
        Number of classes ``C``; labels must lie in ``[0, C)``.
    ignore_index : int, optional
        Pixels whose *true* label equals this value (e.g. 255, the VOC "void") are not
        counted.

    Returns
    -------
    cm : ndarray of int64, shape (C, C)
        ``cm[t, p]`` = number of pixels of true class ``t`` predicted as ``p``.

    Raises
    ------
    ValueError
        On mismatched shapes or labels outside ``[0, C)`` (other than ``ignore_index``).
    TypeError
        On non-integer (e.g. probability) inputs.

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], num_classes=2)
    array([[1, 1],
           [0, 2]])
    """
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes: expected a positive int, got {num_classes!r}")
    t = _as_labels("y_true", y_true)
    p = _as_labels("y_pred", y_pred)
    if t.shape != p.shape:
        raise ValueError(
            f"y_pred: expected the shape of y_true {t.shape}, got {p.shape} "
            "(one-hot labels or un-argmaxed scores have an extra class axis)"
        )
    t = t.ravel()
    p = p.ravel()
    if ignore_index is not None:
        keep = t != ignore_index
        t, p = t[keep], p[keep]
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.size and (a.min() < 0 or a.max() >= num_classes):
            raise ValueError(
                f"{name}: expected labels in [0, {num_classes}), got values in "
                f"[{a.min()}, {a.max()}]"
            )
    counts = np.bincount(t.astype(np.int64) * num_classes + p, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


def _as_cm(cm: Any) -> np.ndarray:
    cm = np.asarray(cm, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm: expected a square (C, C) confusion matrix, got shape {cm.shape}")
    if np.any(cm < 0) or not np.all(np.isfinite(cm)):
        raise ValueError("cm: expected finite non-negative counts")
    return cm


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan)
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    return out


def _nanmean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=np.float64)
    if np.all(np.isnan(x)):
        return float("nan")
    return float(np.nanmean(x))


def pixel_accuracy(cm: Any) -> float:
    """Fraction of pixels whose predicted class is the true class: ``trace(cm) / sum(cm)``.

    Examples
    --------
    >>> pixel_accuracy([[90, 0], [10, 0]])  # predicts "all background"
    0.9
    """
    cm = _as_cm(cm)
    total = cm.sum()
    return float(np.trace(cm) / total) if total > 0 else float("nan")


def class_accuracy(cm: Any) -> np.ndarray:
    """Per-class recall ``TP / (TP + FN)`` (NaN for a class absent from the truth).

    Examples
    --------
    >>> class_accuracy([[90, 0], [10, 0]])
    array([1., 0.])
    """
    cm = _as_cm(cm)
    return _safe_ratio(np.diag(cm), cm.sum(axis=1))


def iou_per_class(cm: Any) -> np.ndarray:
    """Intersection over union per class, ``TP / (TP + FP + FN)``.

    ``TP = cm[c, c]``, ``FN = row_c - TP``, ``FP = col_c - TP``. A class with an empty
    union is ``NaN``.

    Examples
    --------
    >>> iou_per_class([[3, 1, 0], [0, 2, 0], [0, 0, 0]])
    array([0.75      , 0.66666667,        nan])
    """
    cm = _as_cm(cm)
    tp = np.diag(cm)
    union = cm.sum(axis=0) + cm.sum(axis=1) - tp
    return _safe_ratio(tp, union)


def mean_iou(cm: Any) -> float:
    """Mean IoU over the classes that occur (truth or prediction); ``NaN`` if none does.

    Examples
    --------
    >>> round(mean_iou([[3, 1, 0], [0, 2, 0], [0, 0, 0]]), 4)
    0.7083
    """
    return _nanmean(iou_per_class(cm))


def dice_per_class(cm: Any) -> np.ndarray:
    """Dice (F1) per class, ``2 TP / (2 TP + FP + FN)``; ``NaN`` for an empty union.

    Examples
    --------
    >>> dice_per_class([[3, 1], [0, 2]])
    array([0.85714286, 0.8       ])
    """
    cm = _as_cm(cm)
    tp = np.diag(cm)
    den = cm.sum(axis=0) + cm.sum(axis=1)
    return _safe_ratio(2 * tp, den)


def mean_dice(cm: Any) -> float:
    """Mean Dice over the classes that occur; ``NaN`` if none does.

    Examples
    --------
    >>> round(mean_dice([[3, 1], [0, 2]]), 4)
    0.8286
    """
    return _nanmean(dice_per_class(cm))


def dice_from_iou(j: Any) -> Any:
    """Dice from Jaccard: ``D = 2J / (1 + J)`` (elementwise).

    Examples
    --------
    >>> float(dice_from_iou(0.5))
    0.6666666666666666
    """
    j = np.asarray(j, dtype=np.float64)
    return 2 * j / (1 + j)


def iou_from_dice(d: Any) -> Any:
    """Jaccard from Dice: ``J = D / (2 - D)`` (elementwise).

    Examples
    --------
    >>> round(float(iou_from_dice(0.8)), 4)
    0.6667
    """
    d = np.asarray(d, dtype=np.float64)
    return d / (2 - d)


def per_image_iou(
    y_true: Any, y_pred: Any, num_classes: int, ignore_index: int | None = None
) -> np.ndarray:
    """IoU of every class in every image, shape ``(N, C)`` (``NaN`` where a class is absent).

    ``y_true`` and ``y_pred`` are ``(N, ...)`` label maps; the first axis indexes images.

    Examples
    --------
    >>> t = np.array([[[0, 1]], [[0, 0]]]); p = np.array([[[0, 1]], [[0, 1]]])
    >>> per_image_iou(t, p, 2)
    array([[1. , 1. ],
           [0.5, 0. ]])
    """
    t = _as_labels("y_true", y_true)
    p = _as_labels("y_pred", y_pred)
    if t.shape != p.shape or t.ndim < 1:
        raise ValueError(f"y_pred: expected the shape of y_true {t.shape}, got {p.shape}")
    n = t.shape[0]
    # One bincount for all images: offset each image's (t, p) code by image index.
    flat_t = t.reshape(n, -1)
    flat_p = p.reshape(n, -1)
    confusion_matrix(flat_t, flat_p, num_classes, ignore_index)  # validates the labels
    codes = flat_t.astype(np.int64) * num_classes + flat_p
    codes = codes + (np.arange(n) * num_classes**2)[:, None]
    keep = np.ones(codes.shape, bool) if ignore_index is None else flat_t != ignore_index
    cms = np.bincount(codes[keep], minlength=n * num_classes**2).reshape(
        n, num_classes, num_classes
    ).astype(np.float64)
    tp = np.diagonal(cms, axis1=1, axis2=2)
    union = cms.sum(axis=1) + cms.sum(axis=2) - tp
    return _safe_ratio(tp, union)


def mean_iou_per_image(
    y_true: Any, y_pred: Any, num_classes: int, ignore_index: int | None = None
) -> float:
    """Average over images of each image's mIoU (the *per-image* convention).

    Examples
    --------
    >>> t = np.array([[[0, 1]], [[0, 0]]]); p = np.array([[[0, 1]], [[0, 1]]])
    >>> mean_iou_per_image(t, p, 2)
    0.625
    """
    ious = per_image_iou(y_true, y_pred, num_classes, ignore_index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per_image = np.nanmean(ious, axis=1)
    return _nanmean(per_image)


def mean_iou_dataset(
    y_true: Any, y_pred: Any, num_classes: int, ignore_index: int | None = None
) -> float:
    """mIoU of one confusion matrix accumulated over all images (the *dataset* convention).

    Examples
    --------
    >>> t = np.array([[[0, 1]], [[0, 0]]]); p = np.array([[[0, 1]], [[0, 1]]])
    >>> round(mean_iou_dataset(t, p, 2), 4)
    0.5833
    """
    return mean_iou(confusion_matrix(y_true, y_pred, num_classes, ignore_index))


# --------------------------------------------------------------------------- Keras
# Everything below imports Keras lazily: the classes are created on first use.

_KERAS_NAMES = ("MeanIoUMetric", "ClassIoUMetric", "PixelAccuracyMetric", "MeanDiceMetric",
                "ConfusionMatrixMetric")
_keras_classes: dict[str, type] = {}


def _build_keras_classes() -> dict[str, type]:
    """Create (once) and register the Keras metric classes."""
    if _keras_classes:
        return _keras_classes
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="segcourse")
    class ConfusionMatrixMetric(keras.metrics.Metric):
        """Accumulate a ``(C, C)`` confusion matrix (rows = truth) over batches.

        ``y_true``: integer labels ``(B, H, W)`` or ``(B, H, W, 1)``. One-hot labels
        are rejected with a clear error (they are the classic ``MeanIoU`` trap).
        ``y_pred``: scores ``(B, H, W, C)`` (logits or probabilities: the argmax is the
        same), a single binary logit/probability ``(B, H, W, 1)`` when ``num_classes=2``
        (thresholded at 0 if ``from_logits`` else 0.5), or integer labels.
        Pixels whose true label is ``ignore_class`` or outside ``[0, C)`` are not counted.
        ``result()`` is the full matrix; subclasses reduce it to one number so that it
        can be logged by ``fit``.
        """

        def __init__(self, num_classes: int, ignore_class: int | None = None,
                     from_logits: bool = True, name: str = "confusion_matrix",
                     dtype: Any = None, **kwargs: Any) -> None:
            super().__init__(name=name, dtype=dtype, **kwargs)
            if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
                raise ValueError(f"num_classes: expected a positive int, got {num_classes!r}")
            self.num_classes = int(num_classes)
            self.ignore_class = None if ignore_class is None else int(ignore_class)
            self.from_logits = bool(from_logits)
            self.total_cm = self.add_variable(
                name="total_cm", shape=(self.num_classes, self.num_classes),
                initializer="zeros", dtype="float64",
            )

        def _labels_from_pred(self, y_pred: Any) -> Any:
            c = self.num_classes
            y_pred = ops.convert_to_tensor(y_pred)
            if "int" in str(y_pred.dtype) or "bool" in str(y_pred.dtype):
                return ops.reshape(ops.cast(y_pred, "int32"), (-1,))
            last = y_pred.shape[-1]
            if last == c and c > 1:
                return ops.reshape(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), (-1,))
            if last == 1 and c == 2:
                thr = 0.0 if self.from_logits else 0.5
                return ops.reshape(ops.cast(y_pred > thr, "int32"), (-1,))
            raise ValueError(
                f"y_pred: expected scores with {c} channels (or 1 channel when num_classes=2) "
                f"or integer labels, got shape {tuple(y_pred.shape)} and dtype {y_pred.dtype}"
            )

        def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
            c = self.num_classes
            y_true = ops.convert_to_tensor(y_true)
            yp = ops.convert_to_tensor(y_pred)
            scores = not ("int" in str(yp.dtype) or "bool" in str(yp.dtype))
            if (scores and c > 1 and len(y_true.shape) == len(yp.shape)
                    and y_true.shape[-1] == c and "float" in str(y_true.dtype)):
                raise ValueError(
                    f"y_true: expected integer labels, got what looks like one-hot labels of "
                    f"shape {tuple(y_true.shape)}; pass argmax(y_true, -1)"
                )
            t = ops.reshape(ops.cast(y_true, "int32"), (-1,))
            p = self._labels_from_pred(yp)
            valid = ops.logical_and(t >= 0, t < c)
            valid = ops.logical_and(valid, ops.logical_and(p >= 0, p < c))
            if self.ignore_class is not None:
                valid = ops.logical_and(valid, t != self.ignore_class)
            w = ops.cast(valid, "float64")
            if sample_weight is not None:
                sw = ops.cast(ops.convert_to_tensor(sample_weight), "float64")
                if len(sw.shape) <= 1:  # one weight per image (or a scalar)
                    per_image = ops.ones_like(
                        ops.reshape(ops.cast(y_true, "float64"), (ops.shape(y_true)[0], -1)))
                    sw = per_image * ops.reshape(sw, (-1, 1))
                w = w * ops.reshape(sw, (-1,))
            codes = ops.where(valid, t * c + p, 0)
            counts = ops.bincount(codes, weights=w, minlength=c * c)
            counts = ops.reshape(ops.cast(counts[: c * c], "float64"), (c, c))
            self.total_cm.assign(self.total_cm + counts)

        def reset_state(self) -> None:
            self.total_cm.assign(ops.zeros((self.num_classes, self.num_classes), "float64"))

        def _iou(self) -> Any:
            cm = self.total_cm
            tp = ops.diagonal(cm)
            union = ops.sum(cm, axis=0) + ops.sum(cm, axis=1) - tp
            return tp, union

        def result(self) -> Any:
            return self.total_cm

        def get_config(self) -> dict:
            cfg = super().get_config()
            cfg.update(num_classes=self.num_classes, ignore_class=self.ignore_class,
                       from_logits=self.from_logits)
            return cfg

    @keras.saving.register_keras_serializable(package="segcourse")
    class MeanIoUMetric(ConfusionMatrixMetric):
        """Dataset-level mean IoU over the classes that occur (empty unions excluded).

        Unlike ``keras.metrics.MeanIoU`` with its default flags, it takes logits or
        probabilities directly (it argmaxes them) and rejects one-hot ``y_true``.
        """

        def __init__(self, num_classes: int, ignore_class: int | None = None,
                     from_logits: bool = True, name: str = "mean_iou", **kwargs: Any) -> None:
            super().__init__(num_classes, ignore_class, from_logits, name=name, **kwargs)

        def result(self) -> Any:
            tp, union = self._iou()
            present = ops.cast(union > 0, "float64")
            iou = tp / ops.maximum(union, 1.0)
            n = ops.sum(present)
            return ops.cast(ops.where(n > 0, ops.sum(iou * present) / ops.maximum(n, 1.0),
                                      float("nan")), "float32")

    @keras.saving.register_keras_serializable(package="segcourse")
    class ClassIoUMetric(ConfusionMatrixMetric):
        """Dataset-level IoU of one class (``NaN`` while the class has an empty union)."""

        def __init__(self, num_classes: int, class_id: int, ignore_class: int | None = None,
                     from_logits: bool = True, name: str | None = None, **kwargs: Any) -> None:
            if not 0 <= int(class_id) < int(num_classes):
                raise ValueError(f"class_id: expected an int in [0, {num_classes}), got {class_id!r}")
            super().__init__(num_classes, ignore_class, from_logits,
                             name=name or f"iou_{int(class_id)}", **kwargs)
            self.class_id = int(class_id)

        def result(self) -> Any:
            tp, union = self._iou()
            k = self.class_id
            return ops.cast(ops.where(union[k] > 0, tp[k] / ops.maximum(union[k], 1.0),
                                      float("nan")), "float32")

        def get_config(self) -> dict:
            cfg = super().get_config()
            cfg.update(class_id=self.class_id)
            return cfg

    @keras.saving.register_keras_serializable(package="segcourse")
    class PixelAccuracyMetric(ConfusionMatrixMetric):
        """Fraction of (non-ignored) pixels classified correctly."""

        def __init__(self, num_classes: int, ignore_class: int | None = None,
                     from_logits: bool = True, name: str = "pixel_accuracy", **kwargs: Any) -> None:
            super().__init__(num_classes, ignore_class, from_logits, name=name, **kwargs)

        def result(self) -> Any:
            cm = self.total_cm
            total = ops.sum(cm)
            return ops.cast(ops.where(total > 0, ops.trace(cm) / ops.maximum(total, 1.0),
                                      float("nan")), "float32")

    @keras.saving.register_keras_serializable(package="segcourse")
    class MeanDiceMetric(ConfusionMatrixMetric):
        """Dataset-level mean Dice over the classes that occur."""

        def __init__(self, num_classes: int, ignore_class: int | None = None,
                     from_logits: bool = True, name: str = "mean_dice", **kwargs: Any) -> None:
            super().__init__(num_classes, ignore_class, from_logits, name=name, **kwargs)

        def result(self) -> Any:
            cm = self.total_cm
            tp = ops.diagonal(cm)
            den = ops.sum(cm, axis=0) + ops.sum(cm, axis=1)
            present = ops.cast(den > 0, "float64")
            dice = 2 * tp / ops.maximum(den, 1.0)
            n = ops.sum(present)
            return ops.cast(ops.where(n > 0, ops.sum(dice * present) / ops.maximum(n, 1.0),
                                      float("nan")), "float32")

    for cls in (ConfusionMatrixMetric, MeanIoUMetric, ClassIoUMetric, PixelAccuracyMetric,
                MeanDiceMetric):
        cls.__module__ = __name__
        cls.__qualname__ = cls.__name__
        _keras_classes[cls.__name__] = cls
    return _keras_classes


def keras_metrics(
    num_classes: int,
    class_names: Sequence[str] | None = None,
    ignore_class: int | None = None,
    from_logits: bool = True,
    per_class: bool = True,
) -> list:
    """Keras metrics for ``model.compile(metrics=...)``: pixel accuracy, mIoU and per-class IoU.

    Each reports one number per epoch, so ``fit`` logs e.g. ``mean_iou``, ``iou_pet``,
    ``iou_border`` ... Pass them via ``metrics=`` (unweighted) rather than
    ``weighted_metrics=`` when you train with class-weighted sample weights.

    Parameters
    ----------
    num_classes : int
    class_names : sequence of str, optional
        Used to name the per-class metrics (``iou_<name>``); default ``iou_<index>``.
    ignore_class : int, optional
        True label that is not counted.
    from_logits : bool
        Only matters for a single-channel binary output (threshold 0 vs 0.5).
    per_class : bool
        Add one :class:`ClassIoUMetric` per class.

    Examples
    --------
    >>> [m.name for m in keras_metrics(2, ["bg", "fg"])]  # doctest: +SKIP
    ['pixel_accuracy', 'mean_iou', 'iou_bg', 'iou_fg']
    """
    k = _build_keras_classes()
    if class_names is not None and len(class_names) != num_classes:
        raise ValueError(
            f"class_names: expected {num_classes} names, got {len(class_names)}"
        )
    out = [
        k["PixelAccuracyMetric"](num_classes, ignore_class, from_logits),
        k["MeanIoUMetric"](num_classes, ignore_class, from_logits),
    ]
    if per_class:
        for c in range(num_classes):
            label = class_names[c] if class_names is not None else str(c)
            out.append(k["ClassIoUMetric"](num_classes, c, ignore_class, from_logits,
                                           name=f"iou_{label}"))
    return out


def __getattr__(name: str) -> Any:
    if name in _KERAS_NAMES:
        return _build_keras_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
