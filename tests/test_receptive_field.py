"""Analytic receptive fields against receptive fields measured by gradients on Keras models.

The measured receptive field of one output unit is the set of input pixels with a
non-zero gradient. To see the *theoretical* receptive field (every pixel that can
influence the unit) the networks are made linear and positive: all-ones kernels, no
bias, no ReLU cut-off. Then the gradient of a unit with respect to the input counts the
paths from each input pixel to it, which is exactly ``receptive_field_footprint``.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from segcourse import ops

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _gradient_map(model, x, oy, ox):
    # A tf.function keeps only the ops the input gradient needs. Eager mode also runs
    # Conv2DBackpropFilter (the kernels' gradient), which on TF 2.21 + oneDNN crashed the
    # process (segfault/abort) for some tiny strided shapes.
    @tf.function
    def grad(xt):
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(xt)
            unit = tf.reduce_sum(model(xt)[0, oy, ox, :])
        return tape.gradient(unit, xt)

    return grad(tf.constant(x)).numpy()[0].sum(-1)


def _span(mask_1d):
    idx = np.nonzero(mask_1d)[0]
    return idx.min(), idx.max()


def _stack_model(layers, size, padding="valid"):
    """Single-channel linear conv stack with all-ones kernels, one Conv2D per (k, s, d)."""
    x_in = keras.Input((size, size, 1))
    h = x_in
    for k, s, d in layers:
        h = keras.layers.Conv2D(1, k, strides=s, dilation_rate=d, padding=padding, use_bias=False,
                                kernel_initializer="ones")(h)
    return keras.Model(x_in, h)


def test_vgg16_pool5_receptive_field_is_212_measured_on_keras_vgg16():
    vgg = keras.applications.VGG16(weights=None, include_top=False, input_shape=(224, 224, 3))
    layers = []
    for layer in vgg.layers:
        if isinstance(layer, keras.layers.Conv2D):
            layers.append((layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0], layer.padding))
        elif isinstance(layer, keras.layers.MaxPooling2D):
            layers.append((layer.pool_size[0], layer.strides[0], 1, layer.padding))
    assert ops.receptive_field(layers) == 212
    assert ops.receptive_field(layers + [(7, 1, 1)]) == 404  # + fc6 as a 7x7 conv

    # Max pooling sends the gradient to one pixel per window, so measure the theoretical RF on
    # the same geometry with average pooling, positive weights and a positive input.
    def swap(layer):
        if isinstance(layer, keras.layers.MaxPooling2D):
            return keras.layers.AveragePooling2D(layer.pool_size, layer.strides, layer.padding)
        return layer.__class__.from_config(layer.get_config())

    net = keras.models.clone_model(vgg, clone_function=swap)
    for layer in net.layers:
        if isinstance(layer, keras.layers.Conv2D):
            k = layer.kernel
            layer.kernel.assign(np.full(k.shape, 1.0 / np.prod(k.shape[:3]), np.float32))
            layer.bias.assign(np.zeros(layer.bias.shape, np.float32))
    x = np.ones((1, 224, 224, 3), np.float32)
    g = _gradient_map(net, x, 3, 3)
    rows = _span(np.abs(g).sum(1) > 0)
    cols = _span(np.abs(g).sum(0) > 0)
    assert rows[1] - rows[0] + 1 == 212 and cols[1] - cols[0] + 1 == 212
    table = ops.receptive_field_table(layers, input_size=224)
    last = table[-1]
    assert (last.size, last.jump, last.rf) == (7, 32, 212)
    centre = last.start + 3 * last.jump
    assert (rows[0] + rows[1]) / 2 == pytest.approx(centre)


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_exponential_dilations_give_2_to_the_L_plus_1_minus_1(L):
    layers = [(3, 1, 2**i) for i in range(L)]
    r = ops.receptive_field(layers)
    assert r == 2 ** (L + 1) - 1
    model = _stack_model(layers, r + 4)
    g = _gradient_map(model, np.ones((1, r + 4, r + 4, 1), np.float32), 0, 0)
    lo, hi = _span(g[0] > 0)
    assert hi - lo + 1 == r
    assert (g[0, lo:hi + 1] > 0).all()  # and no holes


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)), min_size=1,
                max_size=4))
def test_random_stacks_recurrence_equals_measured(stack):
    stack = [(k, s, d if s == 1 else 1) for k, s, d in stack]  # Keras: no stride with dilation
    r = ops.receptive_field(stack)
    foot = ops.receptive_field_footprint(stack)
    assert len(foot) == r
    size = r + 3
    model = _stack_model(stack, size)
    g = _gradient_map(model, np.ones((1, size, size, 1), np.float32), 0, 0)
    lo, hi = _span(g.sum(1) > 0)
    assert (lo, hi - lo + 1) == (0, r)
    # exact path counts: the 2-D gradient is the outer product of the 1-D footprints
    np.testing.assert_allclose(g[:r, :r], np.outer(foot, foot))
    table = ops.receptive_field_table(stack, input_size=size)
    assert table[-1].rf == r
    assert table[-1].start == pytest.approx((r - 1) / 2)  # valid padding: unit 0 starts at 0
    assert table[-1].size == model.output_shape[1]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 2)), min_size=1, max_size=4),
       st.integers(9, 20))
def test_same_padding_centres_match_measured(stack, size):
    layers = [(k, s, 1, "same") for k, s in stack]
    table = ops.receptive_field_table(layers, input_size=size)
    model = _stack_model([(k, s, 1) for k, s in stack], size, padding="same")
    n = table[-1].size
    assert n == model.output_shape[1]
    u = n // 2
    g = _gradient_map(model, np.ones((1, size, size, 1), np.float32), u, u)
    lo, hi = _span(g.sum(1) > 0)
    centre = table[-1].start + u * table[-1].jump
    half = (table[-1].rf - 1) / 2
    # the measured support is the analytic window clipped to the image
    assert lo == max(0, int(round(centre - half)))
    assert hi == min(size - 1, int(round(centre + half)))


def test_gridding_holes_measured():
    for rates, holes in [((2, 2, 2), 6), ((1, 2, 5), 0), ((2, 4, 8), 14), ((1, 2, 4), 0)]:
        layers = [(3, 1, d) for d in rates]
        foot = ops.receptive_field_footprint(layers)
        assert int((foot == 0).sum()) == holes
        r = len(foot)
        g = _gradient_map(_stack_model(layers, r), np.ones((1, r, r, 1), np.float32), 0, 0)
        np.testing.assert_allclose(g[0] / foot[0], foot)


def test_reference_stacks():
    context = [(3, 1, d) for d in (1, 1, 2, 4, 8, 16, 1)] + [(1, 1, 1)]
    assert ops.receptive_field(context) == 67  # Yu & Koltun context module
    unet = []
    for _ in range(4):
        unet += [(3, 1, 1), (3, 1, 1), (2, 2, 1)]
    unet += [(3, 1, 1), (3, 1, 1)]
    assert ops.receptive_field(unet) == 140
    assert ops.receptive_field_table(unet)[-1].jump == 16
    with pytest.raises(ValueError, match=r"layers\[1\]"):
        ops.receptive_field([(3, 1, 1), (0, 1, 1)])
    with pytest.raises(ValueError, match="input_size"):
        ops.receptive_field_table([(3, 1, 1, "same")])
