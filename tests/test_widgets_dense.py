"""Value checks of the Part II-III explorers' inputs against TensorFlow / Keras."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import itertools

import matplotlib
import numpy as np
import pytest

from segcourse import ops
from segcourse.widgets import checkerboard, conv_arithmetic, iou_dice, receptive_field, tconv_scatter, unpooling

matplotlib.use("Agg")
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def test_conv_arithmetic_sliders_reach_exactly_what_keras_accepts():
    for k, s, padding, a in itertools.product([1, 2, 3, 4, 5], [1, 2, 3], ["valid", "same"],
                                              [conv_arithmetic.DEFAULT, 0, 1, 2]):
        params = dict(mode="transposed", i=4, k=k, s=s, padding=padding, d=1, output_padding=a)
        op = None if a == conv_arithmetic.DEFAULT else a
        try:
            y = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=op)(
                np.ones((1, 4, 4, 1), np.float32))
            accepted = y.shape[1] > 0
        except Exception:
            accepted = False
        assert conv_arithmetic.legal(params) == accepted, params
        if accepted:
            assert f"= {y.shape[1]};" in conv_arithmetic.describe(**params)
    # conv mode: stride with dilation is never offered; 'valid' needs i >= k_eff
    assert not conv_arithmetic.legal(dict(mode="conv", i=9, k=3, s=2, padding="same", d=2,
                                          output_padding=conv_arithmetic.DEFAULT))
    assert not conv_arithmetic.legal(dict(mode="conv", i=4, k=3, s=1, padding="valid", d=2,
                                          output_padding=conv_arithmetic.DEFAULT))
    for i, k, s, padding, d in [(6, 3, 2, "valid", 1), (7, 3, 2, "same", 1), (9, 3, 1, "valid", 3)]:
        y = tf.nn.convolution(np.ones((1, i, 1, 1)), np.ones((k, 1, 1, 1)), (s, 1), padding.upper(),
                              dilations=(d, 1))
        text = conv_arithmetic.describe(mode="conv", i=i, k=k, s=s, padding=padding, d=d)
        assert f"= {y.shape[1]}" in text


def test_scatter_stamps_shown_sum_to_tf():
    for s, k in itertools.product([1, 2, 3], [2, 3]):
        kern = tconv_scatter.KERNELS[k].astype(float)
        stamps = ops.conv_transpose_stamps(tconv_scatter.X, kern, strides=s)
        shape = (1, *stamps.shape[1:], 1)
        ref = tf.nn.conv2d_transpose(tconv_scatter.X[None, :, :, None].astype(float), kern[:, :, None, None],
                                     shape, s, "VALID").numpy()[0, :, :, 0]
        np.testing.assert_allclose(stamps.sum(0), ref)
    assert "transposed conv" in tconv_scatter.render(step=9, s=2, k=3).axes[3].get_title()


@pytest.mark.parametrize("k,s", [(3, 2), (4, 2), (2, 3), (5, 1)])
def test_checkerboard_maps_equal_keras_layers(k, s):
    tconv, resized = checkerboard.overlap_maps(k, s, n=6)
    ones = np.ones((1, 6, 6, 1), np.float32)
    layer = keras.layers.Conv2DTranspose(1, k, strides=s, padding="same", use_bias=False, kernel_initializer="ones")
    np.testing.assert_allclose(tconv, np.asarray(layer(ones))[0, :, :, 0], atol=1e-5)
    rc = keras.Sequential([keras.layers.UpSampling2D(s),
                           keras.layers.Conv2D(1, k, padding="same", use_bias=False, kernel_initializer="ones")])
    np.testing.assert_allclose(resized, np.asarray(rc(ones))[0, :, :, 0], atol=1e-5)


@pytest.mark.parametrize("pattern", unpooling.PATTERNS)
def test_unpooling_switches_are_tfs(pattern):
    x = unpooling.make_input(pattern, 2).astype(np.float32)[None, :, :, None]
    _, ours = ops.max_pool_with_argmax(x)
    _, ref = tf.nn.max_pool_with_argmax(x, 2, 2, "VALID")
    np.testing.assert_array_equal(ours, ref.numpy())
    if pattern == "ties":
        blocks = x[0, :, :, 0].reshape(4, 2, 4, 2).transpose(0, 2, 1, 3).reshape(16, 4)
        assert (np.sum(blocks == blocks.max(1, keepdims=True), axis=1) > 1).any()


def test_receptive_field_presets():
    holes = {p: int((ops.receptive_field_footprint(receptive_field.stack(p)) == 0).sum())
             for p in receptive_field.PRESETS}
    assert holes["2,2,2"] == 6 and holes["1,2,5"] == 0 and holes["2,4,8"] == 14 and holes["1,1,1"] == 0
    assert ops.receptive_field(receptive_field.stack("1,2,4,8")) == 31
    assert ops.receptive_field(receptive_field.stack("1,2", pool_first=True)) == 2 + 4 + 8


@pytest.mark.parametrize("radius,offset,scale", [(3, 2, 1.0), (12, 4, 1.25), (20, 16, 0.5)])
def test_iou_dice_numbers_equal_keras_iou(radius, offset, scale):
    truth, pred = iou_dice.masks(radius, offset, scale)
    k = keras.metrics.IoU(2, target_class_ids=[1])
    k.update_state(truth.astype(int), pred.astype(int))
    from segcourse.metrics import confusion_matrix, iou_per_class

    assert iou_per_class(confusion_matrix(truth, pred, 2))[1] == pytest.approx(float(k.result()), abs=1e-6)
    fig = iou_dice.render(radius=radius, offset=offset, scale=scale)
    assert f"IoU {float(k.result()):.3f}" in fig._suptitle.get_text()
