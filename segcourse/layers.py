"""Keras 3 layers the architectures need and Keras does not provide.

* :class:`CropAndConcatenate` — U-Net skip connection: centre-crop the encoder feature map
  to the size of the upsampled decoder map, then concatenate along channels.
* :class:`MaxPoolingWithArgmax2D` / :class:`MaxUnpooling2D` — SegNet/DeconvNet max
  pooling that remembers *where* each maximum was ("switches"), and the unpooling that
  puts each value back there. They work with an unknown batch size and odd spatial sizes.
* :class:`BilinearUpsampling` — a ``Conv2DTranspose`` kernel initializer that makes the
  layer a bilinear upsampler (FCN).

Every class is registered with ``package="segcourse"`` and round-trips through
``.keras`` files with ``safe_mode=True`` (no ``Lambda`` layers). Importing this module
also registers the Keras metrics of :mod:`segcourse.metrics` and the losses of
:mod:`segcourse.losses`, so ``keras.saving.load_model`` finds every segcourse object
after ``import segcourse.layers``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import keras
from keras import ops

from segcourse import losses as _losses
from segcourse import metrics as _metrics
from segcourse.ops.arithmetic import conv_output_size
from segcourse.ops.bilinear import bilinear_weights

__all__ = [
    "CropAndConcatenate",
    "MaxPoolingWithArgmax2D",
    "MaxUnpooling2D",
    "BilinearUpsampling",
    "center_crop_offsets",
]

_metrics._build_keras_classes()
_losses._build_keras_classes()


def _pair(name: str, v: Any) -> tuple[int, int]:
    if isinstance(v, (int, np.integer)):
        v = (int(v), int(v))
    v = tuple(int(a) for a in v)
    if len(v) != 2 or min(v) < 1:
        raise ValueError(f"{name}: expected a positive int or a pair of them, got {v!r}")
    return v


def center_crop_offsets(big: int, small: int) -> tuple[int, int]:
    """(before, after) crop that centres ``small`` in ``big``; the extra pixel goes after.

    Examples
    --------
    >>> center_crop_offsets(64, 56), center_crop_offsets(9, 6)
    ((4, 4), (1, 2))
    """
    if small > big:
        raise ValueError(f"skip: cannot crop a size-{big} map to the larger size {small}")
    before = (big - small) // 2
    return before, big - small - before


@keras.saving.register_keras_serializable(package="segcourse")
class CropAndConcatenate(keras.layers.Layer):
    """Centre-crop ``skip`` to ``upsampled``'s height and width, then concatenate.

    Call it on ``[upsampled, skip]`` (NHWC); the output is
    ``concat([upsampled, crop(skip)], axis=-1)``. This is the skip connection of the
    original valid-padding U-Net, where the encoder map is larger than the decoder map
    (e.g. 64 vs 56: crop 4 on each side). When the sizes are already equal it is a plain
    concatenation. If the size difference is odd the extra row/column is cropped at the
    bottom/right.

    Examples
    --------
    >>> up = keras.Input((56, 56, 8)); skip = keras.Input((64, 64, 4))  # doctest: +SKIP
    >>> CropAndConcatenate()([up, skip]).shape                          # doctest: +SKIP
    (None, 56, 56, 12)
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def _check(self, up_shape: Sequence, skip_shape: Sequence) -> None:
        if len(up_shape) != 4 or len(skip_shape) != 4:
            raise ValueError(
                f"inputs: expected two NHWC tensors [upsampled, skip], got shapes "
                f"{tuple(up_shape)} and {tuple(skip_shape)}"
            )
        for ax, name in ((1, "height"), (2, "width")):
            u, s = up_shape[ax], skip_shape[ax]
            if u is not None and s is not None and s < u:
                raise ValueError(
                    f"skip: its {name} {s} is smaller than the upsampled {name} {u}; "
                    "pass the inputs as [upsampled, skip]"
                )

    def call(self, inputs: Sequence[Any]) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError("inputs: expected a list [upsampled, skip]")
        up, skip = inputs
        self._check(up.shape, skip.shape)
        hu, wu = ops.shape(up)[1], ops.shape(up)[2]
        hs, ws = ops.shape(skip)[1], ops.shape(skip)[2]
        top = (hs - hu) // 2
        left = (ws - wu) // 2
        if all(isinstance(v, int) for v in (hu, wu, hs, ws)):
            cropped = skip[:, top: top + hu, left: left + wu, :]
        else:
            b, c = ops.shape(skip)[0], ops.shape(skip)[3]
            cropped = ops.slice(skip, (0, top, left, 0), (b, hu, wu, c))
        return ops.concatenate([up, ops.cast(cropped, up.dtype)], axis=-1)

    def compute_output_shape(self, input_shape: Sequence[Sequence]) -> tuple:
        up_shape, skip_shape = input_shape
        self._check(up_shape, skip_shape)
        cu, cs = up_shape[-1], skip_shape[-1]
        c = None if cu is None or cs is None else cu + cs
        return (up_shape[0], up_shape[1], up_shape[2], c)

    def get_config(self) -> dict:
        return super().get_config()


def _pool_out(n: int | None, k: int, s: int, padding: str) -> int | None:
    return None if n is None else conv_output_size(n, k, s, padding)


@keras.saving.register_keras_serializable(package="segcourse")
class MaxPoolingWithArgmax2D(keras.layers.Layer):
    """Max pooling that also returns the argmax "switches" (TensorFlow backend).

    Returns ``[values, argmax]``: ``values`` as ``MaxPooling2D`` would give, and an int64
    tensor of the same shape holding, for each output, the flat index
    ``(y * W + x) * C + c`` of the winning input pixel *within its image*
    (``tf.nn.max_pool_with_argmax`` with ``include_batch_in_index=False``; ``W`` is the
    unpadded input width). Ties go to the first index. The op has no XLA kernel, so
    the layer sets ``supports_jit = False``.

    Examples
    --------
    >>> x = keras.Input((7, 9, 3))                                         # doctest: +SKIP
    >>> v, idx = MaxPoolingWithArgmax2D(2, padding="same")(x); v.shape   # doctest: +SKIP
    (None, 4, 5, 3)
    """

    def __init__(self, pool_size: int | Sequence[int] = 2,
                 strides: int | Sequence[int] | None = None,
                 padding: str = "valid", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_size = _pair("pool_size", pool_size)
        self.strides = self.pool_size if strides is None else _pair("strides", strides)
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"padding: expected 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.supports_jit = False

    def call(self, inputs: Any) -> list:
        import tensorflow as tf

        values, argmax = tf.nn.max_pool_with_argmax(
            inputs, ksize=(1, *self.pool_size, 1), strides=(1, *self.strides, 1),
            padding=self.padding.upper(), include_batch_in_index=False,
        )
        return [values, argmax]

    def compute_output_shape(self, input_shape: Sequence) -> list:
        b, h, w, c = input_shape
        shape = (b, _pool_out(h, self.pool_size[0], self.strides[0], self.padding),
                 _pool_out(w, self.pool_size[1], self.strides[1], self.padding), c)
        return [shape, shape]

    def compute_output_spec(self, inputs: Any) -> list:
        shape = self.compute_output_shape(inputs.shape)[0]
        return [keras.KerasTensor(shape, dtype=inputs.dtype),
                keras.KerasTensor(shape, dtype="int64")]

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(pool_size=self.pool_size, strides=self.strides, padding=self.padding)
        return cfg


@keras.saving.register_keras_serializable(package="segcourse")
class MaxUnpooling2D(keras.layers.Layer):
    """Put each pooled value back where its maximum came from; zeros elsewhere.

    Call on ``[values, argmax, like]`` where ``argmax`` comes from
    :class:`MaxPoolingWithArgmax2D` and ``like`` is the tensor that was pooled (used only
    for its shape, so odd sizes and an unknown batch size work). With two inputs
    ``[values, argmax]`` the output is ``size`` times larger (only correct when the
    pooled input's height and width were multiples of the pool size).

    Examples
    --------
    >>> x = keras.Input((7, 9, 3))                                      # doctest: +SKIP
    >>> v, idx = MaxPoolingWithArgmax2D(2, padding="same")(x)          # doctest: +SKIP
    >>> MaxUnpooling2D()([v, idx, x]).shape                             # doctest: +SKIP
    (None, 7, 9, 3)
    """

    def __init__(self, size: int | Sequence[int] = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = _pair("size", size)

    def _out_shape(self, values_shape: Sequence, like_shape: Sequence | None) -> tuple:
        if like_shape is not None:
            return (values_shape[0], like_shape[1], like_shape[2], values_shape[3])
        h, w = values_shape[1], values_shape[2]
        return (values_shape[0], None if h is None else h * self.size[0],
                None if w is None else w * self.size[1], values_shape[3])

    def call(self, inputs: Sequence[Any]) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError("inputs: expected [values, argmax] or [values, argmax, like]")
        values, argmax = inputs[0], inputs[1]
        shp = ops.shape(values)
        if len(inputs) == 3:
            lshp = ops.shape(inputs[2])
            out_h, out_w = lshp[1], lshp[2]
        else:
            out_h, out_w = shp[1] * self.size[0], shp[2] * self.size[1]
        b, c = shp[0], shp[3]
        per_image = out_h * out_w * c
        idx = ops.cast(argmax, "int64")
        offsets = ops.reshape(ops.arange(b, dtype="int64") * ops.cast(per_image, "int64"),
                              (-1, 1, 1, 1))
        flat_idx = ops.reshape(idx + offsets, (-1, 1))
        flat = ops.scatter(flat_idx, ops.reshape(values, (-1,)),
                           (ops.cast(b * per_image, "int64"),))
        return ops.reshape(flat, (b, out_h, out_w, c))

    def compute_output_shape(self, input_shape: Sequence[Sequence]) -> tuple:
        like = input_shape[2] if len(input_shape) == 3 else None
        return self._out_shape(input_shape[0], like)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(size=self.size)
        return cfg


@keras.saving.register_keras_serializable(package="segcourse")
class BilinearUpsampling(keras.initializers.Initializer):
    """Kernel initializer that turns ``Conv2DTranspose(C, 2s, strides=s, padding="same")``
    into channel-wise bilinear upsampling by ``s`` (FCN's initialisation).

    The kernel shape is ``(k, k, out, in)``; channel ``c`` is upsampled into channel
    ``c`` with :func:`segcourse.ops.bilinear_kernel`, other entries are zero.

    Examples
    --------
    >>> up = keras.layers.Conv2DTranspose(3, 4, strides=2, padding="same", use_bias=False,
    ...     kernel_initializer=BilinearUpsampling())  # doctest: +SKIP
    """

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        if len(shape) != 4 or shape[0] != shape[1]:
            raise ValueError(
                f"shape: expected a square Conv2DTranspose kernel (k, k, out, in), got {tuple(shape)}"
            )
        w = bilinear_weights(int(shape[0]), int(shape[3]), int(shape[2]))
        return ops.convert_to_tensor(w, dtype=dtype or "float32")

    def get_config(self) -> dict:
        return {}
