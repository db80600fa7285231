"""Checks for ``exercises/unet-decoder.ipynb``: one U-Net decoder step, shapes and values, against Keras."""

from __future__ import annotations

import numpy as np

from segcourse.grading.checker import Checker


def _keras():
    from segcourse.env import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras

    return keras


def _decoder_model(below: tuple, skip: tuple, filters: int):
    """The reference: Keras layers for up-conv 2x2/2, crop-and-concatenate, two valid 3x3 ReLU convs."""
    keras = _keras()
    from segcourse.layers import CropAndConcatenate

    x_in, s_in = keras.Input(below), keras.Input(skip)
    up = keras.layers.Conv2DTranspose(filters, 2, strides=2, name="up")(x_in)
    cat = CropAndConcatenate(name="concat")([up, s_in])
    c1 = keras.layers.Conv2D(filters, 3, padding="valid", activation="relu", name="conv1")(cat)
    c2 = keras.layers.Conv2D(filters, 3, padding="valid", activation="relu", name="conv2")(c1)
    return keras.Model([x_in, s_in], {"up": up, "concat": cat, "conv1": c1, "conv2": c2})


_SHAPE_CASES = {
    "the paper's deepest step: 28x28x1024 below, 64x64x512 skip": ((28, 28, 1024), (64, 64, 512), 512),
    "the paper's top step: 196x196x128 below, 568x568x64 skip": ((196, 196, 128), (568, 568, 64), 64),
    "a small rectangular step": ((5, 7, 16), (14, 18, 8), 8),
    "same-padding sizes (nothing to crop)": ((8, 8, 32), (16, 16, 16), 16),
}


def check_decoder_shapes(decoder_shapes) -> None:
    """``decoder_shapes(below, skip, filters)`` -> dict of (H, W, C) after each operation."""
    c = Checker("decoder_shapes")
    for case, (below, skip, filters) in _SHAPE_CASES.items():
        model = _decoder_model(below, skip, filters)
        expected = {k: tuple(int(v) for v in t.shape[1:]) for k, t in model.output.items()}
        expected["cropped_skip"] = expected["up"][:2] + (skip[2],)

        def predicate(got, expected=expected):
            if not isinstance(got, dict):
                return f"expected a dict with keys {sorted(expected)}, got {type(got).__name__}"
            wrong = [f"{k}: expected {expected[k]}, got {tuple(got[k]) if k in got else 'missing'}"
                     for k in ("up", "cropped_skip", "concat", "conv1", "conv2")
                     if k not in got or tuple(int(v) for v in got[k]) != expected[k]]
            return "; ".join(wrong) or None

        c.expect_true(case, lambda below=below, skip=skip, filters=filters: decoder_shapes(below, skip, filters),
                      predicate, hint="up doubles height and width and has `filters` channels; the skip is "
                                      "cropped to that size; concat adds the channels; each valid 3x3 conv "
                                      "subtracts 2 from height and width")
    c.done()


def _crop_reference(skip: np.ndarray, height: int, width: int) -> np.ndarray:
    from segcourse.layers import CropAndConcatenate

    placeholder = np.zeros((skip.shape[0], height, width, 1), np.float32)
    return np.asarray(CropAndConcatenate()([placeholder, skip.astype(np.float32)]))[..., 1:]


def check_center_crop(center_crop) -> None:
    """``center_crop(skip, height, width)`` on (N, H, W, C): the centred window, extra pixel at the end."""
    _keras()
    rng = np.random.default_rng(0)
    cases = {
        "64x64 to 56x56 (4 per side)": (rng.normal(size=(2, 64, 64, 3)), 56, 56),
        "odd difference: 9x11 to 6x8": (rng.normal(size=(1, 9, 11, 2)), 6, 8),
        "nothing to crop": (rng.normal(size=(1, 5, 5, 1)), 5, 5),
    }
    c = Checker("center_crop")
    for case, (skip, h, w) in cases.items():
        c.expect_array(case, lambda skip=skip, h=h, w=w: center_crop(skip.copy(), h, w),
                       _crop_reference(skip, h, w), atol=1e-6,
                       hint="top = (H - height) // 2, left = (W - width) // 2; slice "
                            "skip[:, top:top + height, left:left + width, :]")
    c.done()


def _up_reference(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    keras = _keras()
    layer = keras.layers.Conv2DTranspose(kernel.shape[2], 2, strides=2, dtype="float64")
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    return np.asarray(layer(x))


def check_up_conv(up_conv) -> None:
    """``up_conv(x, kernel, bias)``: Keras ``Conv2DTranspose(filters, 2, strides=2)`` in numpy."""
    rng = np.random.default_rng(1)
    cases = {
        "1x1 input, 1 channel in, 1 out": (np.array([[[[2.0]]]]), np.arange(4.0).reshape(2, 2, 1, 1), np.zeros(1)),
        "3x4 input, 2 channels in, 3 out, with bias": (rng.normal(size=(2, 3, 4, 2)), rng.normal(size=(2, 2, 3, 2)),
                                                       rng.normal(size=3)),
        "6x6 input, 8 channels in, 4 out": (rng.normal(size=(1, 6, 6, 8)), rng.normal(size=(2, 2, 4, 8)),
                                            rng.normal(size=4)),
    }
    c = Checker("up_conv")
    for case, (x, k, b) in cases.items():
        c.expect_array(case, lambda x=x, k=k, b=b: up_conv(x.copy(), k.copy(), b.copy()), _up_reference(x, k, b),
                       atol=1e-9, hint="output pixel (2i + a, 2j + b) = kernel[a, b] @ x[i, j] + bias; the kernel "
                                       "is (2, 2, out, in) in Keras' layout; the 2x2 blocks do not overlap")
    c.done()


def check_decoder_step(decoder_step) -> None:
    """``decoder_step(below, skip, weights)``: up-conv, crop, concatenate, two valid 3x3 convs with ReLU."""
    rng = np.random.default_rng(2)
    cases = {
        "8x8x4 below, 20x20x2 skip, 3 filters": ((8, 8, 4), (20, 20, 2), 3),
        "5x6x6 below, 13x14x3 skip, 4 filters (odd crop)": ((5, 6, 6), (13, 14, 3), 4),
    }
    c = Checker("decoder_step")
    for case, (below, skip, f) in cases.items():
        model = _decoder_model(below, skip, f)
        weights = {
            "up_kernel": rng.normal(size=(2, 2, f, below[2])) * 0.5, "up_bias": rng.normal(size=f) * 0.1,
            "kernel1": rng.normal(size=(3, 3, f + skip[2], f)) * 0.3, "bias1": rng.normal(size=f) * 0.1,
            "kernel2": rng.normal(size=(3, 3, f, f)) * 0.3, "bias2": rng.normal(size=f) * 0.1,
        }
        model.get_layer("up").set_weights([weights["up_kernel"], weights["up_bias"]])
        model.get_layer("conv1").set_weights([weights["kernel1"], weights["bias1"]])
        model.get_layer("conv2").set_weights([weights["kernel2"], weights["bias2"]])
        x = rng.normal(size=(2,) + below).astype(np.float32)
        s = rng.normal(size=(2,) + skip).astype(np.float32)
        expected = np.asarray(model([x, s])["conv2"])
        c.expect_array(case, lambda x=x, s=s, w=weights: decoder_step(x.copy(), s.copy(), dict(w)), expected,
                       atol=1e-4, rtol=1e-4,
                       hint="up = up_conv(below, ...); concatenate [up, center_crop(skip, ...)] on the last axis "
                            "(up first); then conv3x3_valid + ReLU twice")
    c.done()
