"""segcourse.ops.pooling against tf.nn.max_pool_with_argmax, max-pool gradients and Keras."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from segcourse import ops

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


@st.composite
def pool_cases(draw):
    k = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["SAME", "VALID"]))
    h = draw(st.integers(k, 9))
    w = draw(st.integers(k, 9))
    n = draw(st.integers(1, 3))
    c = draw(st.integers(1, 3))
    ties = draw(st.booleans())
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    if ties:  # few distinct values -> many ties inside windows
        x = rng.integers(0, 3, size=(n, h, w, c)).astype(np.float32)
    else:
        x = rng.normal(size=(n, h, w, c)).astype(np.float32)
    return x, k, s, padding


@settings(max_examples=60, deadline=None)
@given(pool_cases(), st.booleans())
def test_max_pool_with_argmax_equals_tf(case, include_batch):
    x, k, s, padding = case
    v, a = ops.max_pool_with_argmax(x, k, s, padding, include_batch_in_index=include_batch)
    tv, ta = tf.nn.max_pool_with_argmax(x, k, s, padding, include_batch_in_index=include_batch)
    np.testing.assert_array_equal(v, tv.numpy())
    np.testing.assert_array_equal(a, ta.numpy())  # incl. ties: the first index wins
    assert a.dtype == np.int64
    # gather-back: the index points at the value
    n = x.shape[0]
    flat = x.reshape(-1) if include_batch else x.reshape(n, -1)
    gathered = flat[a] if include_batch else np.take_along_axis(flat, a.reshape(n, -1), 1).reshape(a.shape)
    np.testing.assert_array_equal(gathered, v)


@settings(max_examples=50, deadline=None)
@given(pool_cases())
def test_max_unpool_routes_like_the_max_pool_gradient(case):
    x, k, s, padding = case
    x = x + np.random.default_rng(0).normal(scale=1e-3, size=x.shape).astype(np.float32)  # no ties
    v, a = ops.max_pool_with_argmax(x, k, s, padding)
    up = ops.max_unpool(v, a, x.shape)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.max_pool2d(xt, k, s, padding)
    grad = tape.gradient(y, xt, output_gradients=y).numpy()
    np.testing.assert_allclose(up, grad, rtol=1e-6, atol=1e-6)
    # and with TF's own argmax (global indices) it agrees too
    _, ta = tf.nn.max_pool_with_argmax(x, k, s, padding, include_batch_in_index=True)
    np.testing.assert_allclose(ops.max_unpool(v, ta.numpy(), x.shape, include_batch_in_index=True), up)


def test_max_unpool_one_nonzero_per_window_and_odd_sizes():
    rng = np.random.default_rng(1)
    x = rng.random((3, 7, 9, 2)) + 0.5  # positive, odd size
    v, a = ops.max_pool_with_argmax(x, 2, padding="SAME")
    assert v.shape == (3, 4, 5, 2)
    up = ops.max_unpool(v, a, (7, 9))
    assert up.shape == x.shape
    padded = np.pad(up, ((0, 0), (0, 1), (0, 1), (0, 0)))
    blocks = padded.reshape(3, 4, 2, 5, 2, 2)
    assert (np.count_nonzero(blocks, axis=(2, 4)) == 1).all()
    np.testing.assert_array_equal(up[up != 0], x[up != 0])


def test_known_4x4_example():
    x = np.array([[1, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 0, 1, 2]], np.float32)
    _, a = ops.max_pool_with_argmax(x.reshape(1, 4, 4, 1))
    np.testing.assert_array_equal(a[0, :, :, 0], [[1, 6], [12, 15]])
    x2 = np.stack([x, x.T])[..., None]
    _, ag = ops.max_pool_with_argmax(x2, include_batch_in_index=True)
    assert ag[1].min() >= 16  # second image offset by H*W*C


def test_unpool_nearest_equals_upsampling2d():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 4, 3)).astype(np.float32)
    for size in (2, (2, 3)):
        ref = keras.layers.UpSampling2D(size)(x).numpy()
        np.testing.assert_array_equal(ops.unpool_nearest(x, size), ref)
    np.testing.assert_array_equal(ops.unpool_nearest(x[0, :, :, 0]), np.kron(x[0, :, :, 0], np.ones((2, 2))))


def test_bed_of_nails_equals_identity_transposed_conv():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 4, 3)).astype(np.float32)
    layer = keras.layers.Conv2DTranspose(3, 1, strides=2, padding="valid", use_bias=False)
    layer.build(x.shape)
    layer.kernel.assign(np.eye(3, dtype=np.float32)[None, None])
    np.testing.assert_allclose(ops.unpool_bed_of_nails(x), layer(x).numpy(), atol=1e-6)
    b = ops.unpool_bed_of_nails(np.array([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(b, [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])


def test_max_unpool_keeps_edge_location_that_nearest_loses():
    x = np.zeros((1, 8, 8, 1))
    x[0, :, 3] = 1.0  # a thin vertical line at column 3
    v, a = ops.max_pool_with_argmax(x)
    unp = ops.max_unpool(v, a, x.shape)[0, :, :, 0]
    near = ops.unpool_nearest(v)[0, :, :, 0]
    assert set(np.nonzero(unp.any(0))[0]) == {3}
    assert set(np.nonzero(near.any(0))[0]) == {2, 3}


def test_bad_inputs():
    x = np.ones((1, 4, 4, 1))
    with pytest.raises(ValueError, match="x: expected a 4-D"):
        ops.max_pool_with_argmax(np.ones((4, 4)))
    with pytest.raises(ValueError, match="NaN"):
        ops.max_pool_with_argmax(np.full((1, 2, 2, 1), np.nan))
    v, a = ops.max_pool_with_argmax(x)
    with pytest.raises(ValueError, match="output_shape"):
        ops.max_unpool(v, a, (2, 4, 4, 1))
    with pytest.raises(ValueError, match="argmax: indices outside"):
        ops.max_unpool(v, a + 100, (4, 4))
    with pytest.raises(ValueError, match="argmax: expected the shape"):
        ops.max_unpool(v, a[:, :1], (4, 4))
    with pytest.raises(ValueError, match="smaller than the pool"):
        ops.max_pool_with_argmax(np.ones((1, 1, 4, 1)), 2)
