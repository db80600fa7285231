"""The FCN bilinear kernel against tf.image.resize and Keras UpSampling2D."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

from segcourse import ops

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def test_profiles():
    np.testing.assert_allclose(ops.bilinear_kernel_1d(4), [0.25, 0.75, 0.75, 0.25])
    np.testing.assert_allclose(ops.bilinear_kernel_1d(3), [0.5, 1.0, 0.5])
    np.testing.assert_allclose(ops.bilinear_kernel_1d(1), [1.0])
    k = ops.bilinear_kernel(4)
    np.testing.assert_allclose(k, np.outer([0.25, 0.75, 0.75, 0.25], [0.25, 0.75, 0.75, 0.25]))
    for s in (2, 3, 4, 8):
        # each output pixel of the k = 2s, stride-s transposed conv receives total weight 1
        t = ops.bilinear_kernel_1d(2 * s)
        np.testing.assert_allclose(t.reshape(2, s).sum(0), np.ones(s))


def test_weights_layout_is_keras_kernel_layout():
    w = ops.bilinear_weights(4, 3)
    assert w.shape == (4, 4, 3, 3)  # (kh, kw, out, in)
    for c in range(3):
        np.testing.assert_allclose(w[:, :, c, c], ops.bilinear_kernel(4))
    off = w.copy()
    off[:, :, np.arange(3), np.arange(3)] = 0
    assert not off.any()
    with pytest.raises(ValueError, match="channels"):
        ops.bilinear_weights(4, 0)
    with pytest.raises(ValueError, match="k: expected"):
        ops.bilinear_kernel(0)


@pytest.mark.parametrize("s", [2, 4, 8])
def test_bilinear_transposed_conv_equals_resize_in_the_interior(s):
    rng = np.random.default_rng(s)
    x = rng.random((1, 6, 7, 2))
    k = 2 * s
    y = ops.conv2d_transpose(x, ops.bilinear_weights(k, 2), (1, 6 * s, 7 * s, 2), s, "SAME")
    ref = tf.image.resize(x, (6 * s, 7 * s), "bilinear").numpy()  # half-pixel centres, float32
    m = s  # the implicit zero padding only affects a border of s pixels
    np.testing.assert_allclose(y[:, m:-m, m:-m], ref[:, m:-m, m:-m], atol=1e-6)
    up = keras.layers.UpSampling2D(s, interpolation="bilinear")(x.astype(np.float32)).numpy()
    np.testing.assert_allclose(y[:, m:-m, m:-m], up[:, m:-m, m:-m], atol=1e-5)
    assert not np.allclose(y[:, :m], ref[:, :m])  # ... but the border is attenuated


def test_border_attenuation_of_a_ones_image():
    y = ops.conv2d_transpose(np.ones((1, 4, 4, 1)), ops.bilinear_weights(4, 1), (1, 8, 8, 1), 2, "SAME")
    assert y[0, 0, 0, 0] == pytest.approx(0.5625)
    np.testing.assert_allclose(y[0, 1:-1, 1:-1, 0], 1.0)
