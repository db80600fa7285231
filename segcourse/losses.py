"""Per-pixel losses for segmentation, and the weights that shape them.

Two halves, like :mod:`segcourse.metrics`:

* numpy functions (no TensorFlow): the per-pixel cross-entropy formulas used as
  references in the chapters, class-weight recipes, per-pixel weight maps, and the U-Net
  border weight map of Ronneberger et al. (2015), eq. 2.
* Keras losses, built when first used (importing :mod:`segcourse.layers` also builds and
  registers them): :func:`sparse_ce_from_logits`, :class:`SoftDiceLoss`,
  :class:`SparseFocalLoss`, :class:`CEDiceLoss` and :func:`add_sample_weights` (the
  ``tf.data`` step that turns class weights into per-pixel sample weights).

Why sample weights? ``model.fit(class_weight=...)`` only works when each *sample* has one
class; with ``(B, H, W)`` targets Keras raises. The per-pixel route is: look up the
weight of each pixel's class, pass the ``(B, H, W)`` map as the third element of each
dataset item, and Keras multiplies it into the per-pixel loss before averaging.

Keras averaging convention (``reduction="sum_over_batch_size"``): the loss is
``sum(w * loss) / N`` with ``N`` the number of pixels (of non-ignored pixels when
``ignore_class`` is set), *not* ``sum(w * loss) / sum(w)``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = [
    "softmax",
    "log_softmax",
    "pixel_cross_entropy",
    "binary_cross_entropy_from_logits",
    "class_weights",
    "pixel_weights",
    "unet_weight_map",
    "sparse_ce_from_logits",
    "add_sample_weights",
    "SoftDiceLoss",
    "SparseFocalLoss",
    "CEDiceLoss",
]


# --------------------------------------------------------------------------- numpy


def log_softmax(z: Any, axis: int = -1) -> np.ndarray:
    """Numerically stable ``log(softmax(z))`` = ``z - logsumexp(z)``.

    Examples
    --------
    >>> np.round(np.exp(log_softmax([0.0, 0.0])), 3)
    array([0.5, 0.5])
    """
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=axis, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis`` (stable).

    Examples
    --------
    >>> np.round(softmax([1.0, 1.0, 1.0]), 3)
    array([0.333, 0.333, 0.333])
    """
    return np.exp(log_softmax(z, axis))


def pixel_cross_entropy(logits: Any, labels: Any) -> np.ndarray:
    """Per-pixel softmax cross-entropy from logits: ``logsumexp(z) - z[label]``.

    Parameters
    ----------
    logits : array_like, shape (..., C)
        Raw scores (no softmax applied!).
    labels : array_like of int, shape (...)
        True class per pixel.

    Returns
    -------
    ndarray, shape (...)
        One loss per pixel; average it yourself (see the module docstring).

    Examples
    --------
    >>> round(float(pixel_cross_entropy([[2.0, 0.0]], [0])[0]), 4)
    0.1269
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels)
    if z.ndim < 1 or y.shape != z.shape[:-1]:
        raise ValueError(
            f"labels: expected shape {z.shape[:-1]} (logits without the class axis), got {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"labels: expected integer class labels, got dtype {y.dtype}")
    c = z.shape[-1]
    if y.size and (y.min() < 0 or y.max() >= c):
        raise ValueError(f"labels: expected values in [0, {c}), got [{y.min()}, {y.max()}]")
    logp = log_softmax(z)
    return -np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]


def binary_cross_entropy_from_logits(logits: Any, targets: Any) -> np.ndarray:
    """Per-pixel sigmoid cross-entropy, stable form ``max(z,0) - z*y + log(1 + exp(-|z|))``.

    Examples
    --------
    >>> round(float(binary_cross_entropy_from_logits(4.0, 1.0)), 4)
    0.0181
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def class_weights(
    labels: Any,
    num_classes: int,
    method: str = "median",
    ignore_index: int | None = None,
) -> np.ndarray:
    """Per-class weights from label frequencies.

    Parameters
    ----------
    labels : array_like of int
        Label maps (any shape), typically the whole training set.
    num_classes : int
    method : {"inverse", "median", "enet"}
        ``"inverse"``: ``1 / f_c`` normalised to mean 1 over present classes;
        ``"median"``: median-frequency balancing (SegNet), ``median(f) / f_c``;
        ``"enet"``: ``1 / ln(1.02 + f_c)`` (Paszke et al., 2016).
    ignore_index : int, optional
        Label excluded from the counts.

    Returns
    -------
    ndarray of float64, shape (C,)
        Weight 0 for a class that never occurs.

    Examples
    --------
    >>> class_weights(np.array([0, 0, 0, 1]), 2, method="median")
    array([0.66666667, 2.        ])
    """
    methods = ("inverse", "median", "enet")
    if method not in methods:
        raise ValueError(f"method: expected one of {methods}, got {method!r}")
    y = np.asarray(labels).ravel()
    if ignore_index is not None:
        y = y[y != ignore_index]
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels: expected values in [0, {num_classes}), got [{y.min()}, {y.max()}]")
    counts = np.bincount(y.astype(np.int64), minlength=num_classes).astype(np.float64)
    if counts.sum() == 0:
        raise ValueError("labels: no (non-ignored) pixels to count")
    f = counts / counts.sum()
    present = f > 0
    w = np.zeros(num_classes)
    if method == "inverse":
        w[present] = 1.0 / f[present]
        w[present] /= w[present].mean()
    elif method == "median":
        w[present] = np.median(f[present]) / f[present]
    else:
        w[present] = 1.0 / np.log(1.02 + f[present])
    return w


def pixel_weights(labels: Any, weights: Any, ignore_index: int | None = None) -> np.ndarray:
    """Per-pixel sample weights: the weight of each pixel's class (``weights[labels]``).

    Pixels labelled ``ignore_index`` get weight 0. Pass the result as ``sample_weight``
    to ``fit`` (numpy arrays) or use :func:`add_sample_weights` in a ``tf.data`` pipeline.

    Examples
    --------
    >>> pixel_weights(np.array([[0, 1], [1, 255]]), [0.5, 2.0], ignore_index=255)
    array([[0.5, 2. ],
           [2. , 0. ]])
    """
    y = np.asarray(labels)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"weights: expected a 1-D array of per-class weights, got shape {w.shape}")
    valid = np.ones(y.shape, bool) if ignore_index is None else y != ignore_index
    if np.any(valid) and (y[valid].min() < 0 or y[valid].max() >= len(w)):
        raise ValueError(
            f"labels: expected values in [0, {len(w)}), got [{y[valid].min()}, {y[valid].max()}]"
        )
    return np.where(valid, w[np.where(valid, y, 0)], 0.0)


def unet_weight_map(
    instances: Any,
    w0: float = 10.0,
    sigma: float = 5.0,
    class_weights: Sequence[float] | str | None = None,
) -> np.ndarray:
    """The U-Net loss weight map ``w(x) = w_c(x) + w0 exp(-(d1(x) + d2(x))^2 / (2 sigma^2))``.

    ``d1``/``d2`` are the distances from a background pixel to the nearest and the
    second-nearest object (instance). The border term is added on background pixels
    only, so thin gaps between touching objects get a large weight and the network
    learns to keep them open (Ronneberger et al., 2015, eq. 2).

    Parameters
    ----------
    instances : array_like of int, shape (H, W)
        Instance labels: 0 = background, 1..N = objects. A binary mask is *not* enough
        for touching objects; label them first (e.g. ``scipy.ndimage.label``).
    w0 : float
        Border weight (paper: 10).
    sigma : float
        Length scale in pixels (paper: about 5). Note ``sigma``, not ``sigma**2``.
    class_weights : None, "balanced" or (w_background, w_foreground)
        ``w_c``: None means 1 everywhere; "balanced" uses inverse class frequency
        normalised so the mean of ``w_c`` over pixels is 1.

    Returns
    -------
    ndarray of float64, shape (H, W)

    Examples
    --------
    >>> inst = np.zeros((1, 5), int); inst[0, :2] = 1; inst[0, 3:] = 2
    >>> round(float(unet_weight_map(inst)[0, 2]), 4)   # 1-px gap: 1 + 10 exp(-4/50)
    10.2312
    """
    from scipy import ndimage as ndi

    inst = np.asarray(instances)
    if inst.ndim != 2:
        raise ValueError(f"instances: expected a 2-D instance-label image, got shape {inst.shape}")
    if not np.issubdtype(inst.dtype, np.integer):
        raise TypeError(f"instances: expected integer labels, got dtype {inst.dtype}")
    if sigma <= 0:
        raise ValueError(f"sigma: expected a positive number, got {sigma!r}")
    fg = inst > 0
    if class_weights is None:
        wc = np.ones(inst.shape)
    elif isinstance(class_weights, str):
        if class_weights != "balanced":
            raise ValueError(f"class_weights: expected None, 'balanced' or 2 numbers, got {class_weights!r}")
        n_fg = fg.sum()
        n_bg = fg.size - n_fg
        wb = fg.size / (2.0 * n_bg) if n_bg else 0.0
        wf = fg.size / (2.0 * n_fg) if n_fg else 0.0
        wc = np.where(fg, wf, wb)
    else:
        cw = np.asarray(class_weights, dtype=np.float64)
        if cw.shape != (2,):
            raise ValueError(f"class_weights: expected (w_background, w_foreground), got shape {cw.shape}")
        wc = np.where(fg, cw[1], cw[0])
    ids = np.unique(inst[fg])
    if ids.size < 2:
        return wc.astype(np.float64)
    # One distance transform per object (a loop over objects, not pixels).
    dist = np.stack([ndi.distance_transform_edt(inst != i) for i in ids])
    two = np.partition(dist, 1, axis=0)[:2]
    border = w0 * np.exp(-((two[0] + two[1]) ** 2) / (2.0 * sigma**2))
    return wc + np.where(fg, 0.0, border)


# --------------------------------------------------------------------------- Keras
# Everything below imports Keras lazily: the classes are created on first use.

_KERAS_NAMES = ("SoftDiceLoss", "SparseFocalLoss", "CEDiceLoss")
_keras_classes: dict[str, type] = {}


def sparse_ce_from_logits(ignore_class: int | None = None, **kwargs: Any) -> Any:
    """``keras.losses.SparseCategoricalCrossentropy(from_logits=True, ...)``.

    The model must output raw logits (no softmax layer): applying softmax and then a
    from-logits loss is the classic bug (the loss floors and the gradients vanish).
    Pixels whose label is ``ignore_class`` are left out and the mean is over the rest.

    Examples
    --------
    >>> sparse_ce_from_logits(ignore_class=255).get_config()["from_logits"]  # doctest: +SKIP
    True
    """
    import keras

    return keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=ignore_class, **kwargs
    )


def add_sample_weights(class_weights: Sequence[float], ignore_class: int | None = None):
    """Return ``fn(image, label) -> (image, label, weights)`` for ``tf.data.Dataset.map``.

    ``weights`` has the shape of ``label`` and holds ``class_weights[label]`` (0 for
    ``ignore_class``), so ``fit`` applies the class weights pixel by pixel.

    Examples
    --------
    >>> ds = ds.map(add_sample_weights([0.5, 2.0, 1.0]))  # doctest: +SKIP
    >>> model.fit(ds)                                     # doctest: +SKIP
    """
    from keras import ops

    w = np.asarray(class_weights, dtype=np.float32)
    if w.ndim != 1:
        raise ValueError(f"class_weights: expected a 1-D sequence, got shape {w.shape}")
    table = ops.convert_to_tensor(w)
    n = len(w)

    def fn(image, label):
        lab = ops.cast(label, "int32")
        valid = ops.logical_and(lab >= 0, lab < n)
        if ignore_class is not None:
            valid = ops.logical_and(valid, lab != ignore_class)
        weights = ops.where(valid, ops.take(table, ops.where(valid, lab, 0)), 0.0)
        return image, label, weights

    return fn


def _build_keras_classes() -> dict[str, type]:
    """Create (once) and register the Keras loss classes."""
    if _keras_classes:
        return _keras_classes
    import keras
    from keras import ops

    def _sparse_labels(y_true: Any, y_pred: Any) -> Any:
        y_true = ops.convert_to_tensor(y_true)
        if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
            y_true = ops.squeeze(y_true, axis=-1)
        return ops.cast(y_true, "int32")

    def _valid_mask(labels: Any, c: int, ignore_class: int | None) -> Any:
        valid = ops.logical_and(labels >= 0, labels < max(c, 2))
        if ignore_class is not None:
            valid = ops.logical_and(valid, labels != ignore_class)
        return valid

    @keras.saving.register_keras_serializable(package="segcourse")
    class SoftDiceLoss(keras.losses.Loss):
        """Soft Dice loss ``1 - (2 sum(p g) + eps) / (sum(p) + sum(g) + eps)`` per image and class.

        Dice is computed for every image and every class separately and averaged over
        classes (``include_background=False`` drops class 0); the result is one loss per
        image, averaged over the batch by Keras. This is not ``keras.losses.Dice``, which
        lumps the batch, the pixels and the classes into one sum.

        ``y_true``: integer labels ``(B, H, W)`` or ``(B, H, W, 1)``. ``y_pred``: logits
        (``from_logits=True``) or probabilities ``(B, H, W, C)``; with ``C = 1`` it is the
        binary case (sigmoid) and only the foreground Dice is used.
        """

        def __init__(self, from_logits: bool = True, smooth: float = 1.0,
                     include_background: bool = True, ignore_class: int | None = None,
                     name: str = "soft_dice", reduction: str = "sum_over_batch_size",
                     dtype: Any = None) -> None:
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            self.from_logits = bool(from_logits)
            self.smooth = float(smooth)
            self.include_background = bool(include_background)
            self.ignore_class = None if ignore_class is None else int(ignore_class)

        def call(self, y_true: Any, y_pred: Any) -> Any:
            y_pred = ops.convert_to_tensor(y_pred)
            c = y_pred.shape[-1]
            labels = _sparse_labels(y_true, y_pred)
            valid = ops.cast(_valid_mask(labels, c, self.ignore_class), y_pred.dtype)[..., None]
            safe = ops.where(valid[..., 0] > 0, labels, 0)
            if c == 1:
                p = ops.sigmoid(y_pred) if self.from_logits else y_pred
                g = ops.cast(safe[..., None] == 1, y_pred.dtype)
            else:
                p = ops.softmax(y_pred, axis=-1) if self.from_logits else y_pred
                g = ops.one_hot(safe, c, dtype=y_pred.dtype)
            p = p * valid
            g = g * valid
            axes = tuple(range(1, len(y_pred.shape) - 1))
            inter = ops.sum(p * g, axis=axes)
            denom = ops.sum(p, axis=axes) + ops.sum(g, axis=axes)
            dice = (2.0 * inter + self.smooth) / (denom + self.smooth)  # (B, C)
            if c > 1 and not self.include_background:
                dice = dice[:, 1:]
            return 1.0 - ops.mean(dice, axis=-1)

        def get_config(self) -> dict:
            cfg = super().get_config()
            cfg.update(from_logits=self.from_logits, smooth=self.smooth,
                       include_background=self.include_background,
                       ignore_class=self.ignore_class)
            return cfg

    @keras.saving.register_keras_serializable(package="segcourse")
    class SparseFocalLoss(keras.losses.Loss):
        """Focal loss on integer labels, ``-alpha_y (1 - p_y)^gamma log p_y`` per pixel.

        Computed from ``log_softmax`` (stable). ``gamma = 0`` and ``alpha = None`` give
        plain cross-entropy. ``alpha`` is None, one number, or one weight per class.
        Pixels labelled ``ignore_class`` are left out and the mean is over the rest,
        exactly as ``SparseCategoricalCrossentropy(ignore_class=...)`` does. Returns
        per-pixel losses, so per-pixel ``sample_weight`` works.
        """

        def __init__(self, gamma: float = 2.0, alpha: float | Sequence[float] | None = None,
                     from_logits: bool = True, ignore_class: int | None = None,
                     name: str = "sparse_focal", reduction: str = "sum_over_batch_size",
                     dtype: Any = None) -> None:
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            if gamma < 0:
                raise ValueError(f"gamma: expected a number >= 0, got {gamma!r}")
            self.gamma = float(gamma)
            if alpha is None or isinstance(alpha, (int, float)):
                self.alpha = None if alpha is None else float(alpha)
            else:
                self.alpha = [float(a) for a in alpha]
            self.from_logits = bool(from_logits)
            self.ignore_class = None if ignore_class is None else int(ignore_class)

        def call(self, y_true: Any, y_pred: Any) -> Any:
            y_pred = ops.convert_to_tensor(y_pred)
            c = y_pred.shape[-1]
            labels = _sparse_labels(y_true, y_pred)
            valid = _valid_mask(labels, c, self.ignore_class)
            safe = ops.where(valid, labels, 0)
            if self.from_logits:
                logp = ops.log_softmax(y_pred, axis=-1)
            else:
                logp = ops.log(ops.clip(y_pred, 1e-7, 1.0))
            logp_y = ops.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
            p_y = ops.exp(logp_y)
            loss = -ops.power(1.0 - p_y, self.gamma) * logp_y
            if isinstance(self.alpha, list):
                if len(self.alpha) != c:
                    raise ValueError(f"alpha: expected {c} per-class weights, got {len(self.alpha)}")
                loss = loss * ops.take(ops.convert_to_tensor(self.alpha, loss.dtype), safe)
            elif self.alpha is not None:
                loss = loss * self.alpha
            fvalid = ops.cast(valid, loss.dtype)
            # Rescale so that Keras' mean over all pixels equals the mean over valid ones.
            scale = ops.cast(ops.size(fvalid), loss.dtype) / ops.maximum(ops.sum(fvalid), 1.0)
            return loss * fvalid * scale

        def get_config(self) -> dict:
            cfg = super().get_config()
            cfg.update(gamma=self.gamma, alpha=self.alpha, from_logits=self.from_logits,
                       ignore_class=self.ignore_class)
            return cfg

    @keras.saving.register_keras_serializable(package="segcourse")
    class CEDiceLoss(keras.losses.Loss):
        """``sparse CE from logits + dice_weight * SoftDiceLoss`` (a common, robust mix)."""

        def __init__(self, dice_weight: float = 1.0, include_background: bool = True,
                     ignore_class: int | None = None, name: str = "ce_dice",
                     reduction: str = "sum_over_batch_size", dtype: Any = None) -> None:
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            self.dice_weight = float(dice_weight)
            self.include_background = bool(include_background)
            self.ignore_class = None if ignore_class is None else int(ignore_class)
            self._dice = SoftDiceLoss(include_background=include_background,
                                      ignore_class=ignore_class, reduction=None)
            self._focal = SparseFocalLoss(gamma=0.0, ignore_class=ignore_class, reduction=None)

        def call(self, y_true: Any, y_pred: Any) -> Any:
            ce = self._focal.call(y_true, y_pred)  # (B, H, W), gamma=0 -> cross-entropy
            axes = tuple(range(1, len(ce.shape)))
            per_image_ce = ops.mean(ce, axis=axes)
            return per_image_ce + self.dice_weight * self._dice.call(y_true, y_pred)

        def get_config(self) -> dict:
            cfg = super().get_config()
            cfg.update(dice_weight=self.dice_weight,
                       include_background=self.include_background,
                       ignore_class=self.ignore_class)
            return cfg

    for cls in (SoftDiceLoss, SparseFocalLoss, CEDiceLoss):
        cls.__module__ = __name__
        cls.__qualname__ = cls.__name__
        _keras_classes[cls.__name__] = cls
    return _keras_classes


def __getattr__(name: str) -> Any:
    if name in _KERAS_NAMES:
        return _build_keras_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
