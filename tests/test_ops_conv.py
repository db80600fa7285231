"""segcourse.ops.conv against tf.nn.conv2d / tf.nn.conv2d_transpose / Keras / gradients."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from segcourse import ops

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


@st.composite
def conv_cases(draw, allow_dilation=True):
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    d = draw(st.integers(1, 3)) if allow_dilation and sh == sw == 1 else 1
    padding = draw(st.sampled_from(["SAME", "VALID"]))
    h = draw(st.integers(1, 9))
    w = draw(st.integers(1, 9))
    if padding == "VALID":
        h, w = h + d * (kh - 1), w + d * (kw - 1)
    n, cin, cout = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    return dict(kh=kh, kw=kw, sh=sh, sw=sw, d=d, padding=padding, h=h, w=w, n=n,
                cin=cin, cout=cout, seed=seed)


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv2d_equals_tf(c):
    rng = np.random.default_rng(c["seed"])
    x = rng.normal(size=(c["n"], c["h"], c["w"], c["cin"]))
    k = rng.normal(size=(c["kh"], c["kw"], c["cin"], c["cout"]))
    ours = ops.conv2d(x, k, (c["sh"], c["sw"]), c["padding"], c["d"])
    ref = tf.nn.convolution(x, k, strides=(c["sh"], c["sw"]), padding=c["padding"],
                            dilations=c["d"]).numpy()
    np.testing.assert_allclose(ours, ref, atol=1e-10)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("s", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_conv2d_transpose_equals_tf_for_every_legal_output_size(k, s, padding):
    rng = np.random.default_rng(100 * k + 10 * s + len(padding))
    i = 4
    x = rng.normal(size=(2, i, i + 1, 3))
    w = rng.normal(size=(k, k, 2, 3))
    lo, hi = ops.tf_transpose_output_range(i, k, s, padding.lower())
    lo_w, hi_w = ops.tf_transpose_output_range(i + 1, k, s, padding.lower())
    for oh in range(lo, hi + 1):
        for ow in (lo_w, hi_w):
            shape = (2, oh, ow, 2)
            ref = tf.nn.conv2d_transpose(x, w, shape, s, padding).numpy()
            np.testing.assert_allclose(ops.conv2d_transpose(x, w, shape, s, padding), ref, atol=1e-10)
    for bad in (lo - 1, hi + 1):
        if bad >= 1:
            with pytest.raises(ValueError, match="output_shape: output height"):
                ops.conv2d_transpose(x, w, (2, bad, lo_w, 2), s, padding)


@settings(max_examples=40, deadline=None)
@given(conv_cases(allow_dilation=False), st.data())
def test_conv2d_transpose_equals_tf_random_shapes(c, data):
    rng = np.random.default_rng(c["seed"])
    i, j = c["h"], c["w"]
    x = rng.normal(size=(c["n"], i, j, c["cin"]))
    w = rng.normal(size=(c["kh"], c["kw"], c["cout"], c["cin"]))
    p = c["padding"]
    oh = data.draw(st.integers(*ops.tf_transpose_output_range(i, c["kh"], c["sh"], p.lower())))
    ow = data.draw(st.integers(*ops.tf_transpose_output_range(j, c["kw"], c["sw"], p.lower())))
    shape = (c["n"], oh, ow, c["cout"])
    ref = tf.nn.conv2d_transpose(x, w, shape, (c["sh"], c["sw"]), p).numpy()
    np.testing.assert_allclose(ops.conv2d_transpose(x, w, shape, [1, c["sh"], c["sw"], 1], p), ref,
                               atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(2, 3), st.integers(1, 2), st.sampled_from(["SAME", "VALID"]),
       st.integers(0, 2**31 - 1))
def test_dilated_conv2d_transpose_equals_tf_float32(k, d, s, padding, seed):
    # float64 transposed conv with dilation has no TF CPU kernel; oneDNN float32 does.
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, 4, 5, 2)).astype(np.float32)
    w = rng.normal(size=(k, k, 3, 2)).astype(np.float32)
    oh = ops.tf_transpose_output_range(4, k, s, padding.lower(), d)[1]
    ow = ops.tf_transpose_output_range(5, k, s, padding.lower(), d)[0]
    ref = tf.nn.conv2d_transpose(x, w, (1, oh, ow, 3), s, padding, dilations=d).numpy()
    ours = ops.conv2d_transpose(x, w, (1, oh, ow, 3), s, padding, dilations=d)
    np.testing.assert_allclose(ours, ref, atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_conv2d_transpose_is_the_gradient_of_conv2d(c):
    rng = np.random.default_rng(c["seed"])
    x = rng.normal(size=(c["n"], c["h"], c["w"], c["cin"]))
    k = rng.normal(size=(c["kh"], c["kw"], c["cin"], c["cout"]))
    s, p, d = (c["sh"], c["sw"]), c["padding"], c["d"]
    y = ops.conv2d(x, k, s, p, d)
    g = rng.normal(size=y.shape)
    # The same kernel tensor serves both: conv reads it as (kh, kw, in, out), the transposed
    # conv as (kh, kw, out, in) -- which is exactly the adjoint.
    ours = ops.conv2d_transpose(g, k, x.shape, s, p, d)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        yt = tf.nn.convolution(xt, k, strides=s, padding=p, dilations=d)
    grad = tape.gradient(yt, xt, output_gradients=tf.constant(g)).numpy()
    np.testing.assert_allclose(ours, grad, atol=1e-9)
    # adjoint identity <conv(x), g> == <x, conv_transpose(g)>, numpy only
    assert np.sum(y * g) == pytest.approx(np.sum(x * ours), rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(conv_cases())
def test_matrix_view(c):
    rng = np.random.default_rng(c["seed"])
    x = rng.normal(size=(c["h"], c["w"]))
    k = rng.normal(size=(c["kh"], c["kw"]))
    s, p, d = (c["sh"], c["sw"]), c["padding"], c["d"]
    C = ops.conv_matrix(x.shape, k, s, p, d)
    y = ops.conv2d(x[None, :, :, None], k[:, :, None, None], s, p, d)[0, :, :, 0]
    np.testing.assert_allclose(C @ x.ravel(), y.ravel(), atol=1e-10)
    g = rng.normal(size=y.shape)
    T = ops.conv_transpose_matrix(x.shape, k, s, p, d)
    np.testing.assert_array_equal(T, C.T)
    yt = ops.conv2d_transpose(g[None, :, :, None], k[:, :, None, None], x.shape, s, p, d)[0, :, :, 0]
    np.testing.assert_allclose(T @ g.ravel(), yt.ravel(), atol=1e-10)
    if d == 1:
        ref = tf.nn.conv2d_transpose(g[None, :, :, None], k[:, :, None, None],
                                     (1, *x.shape, 1), s, p).numpy()[0, :, :, 0]
        np.testing.assert_allclose(T @ g.ravel(), ref.ravel(), atol=1e-10)


def test_scatter_stamps_sum_to_the_valid_transposed_conv():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    k = rng.normal(size=(3, 2))
    st_ = ops.conv_transpose_stamps(x, k, strides=2)
    assert st_.shape == (12, 7, 8)
    full = ops.conv2d_transpose(x[None, :, :, None], k[:, :, None, None], (7, 8), 2, "VALID")
    np.testing.assert_allclose(st_.sum(0), full[0, :, :, 0], atol=1e-12)
    # each stamp is one input value times the kernel, placed at stride offsets
    np.testing.assert_allclose(st_[5][2:5, 2:4], x[1, 1] * k)
    assert np.count_nonzero(st_[5]) == np.count_nonzero(k)


@pytest.mark.parametrize("k,s,counts", [(3, 2, {1, 2}), (5, 2, {2, 3}), (4, 2, {2}), (2, 2, {1}),
                                        (16, 8, {2}), (3, 1, {3})])
def test_checkerboard_overlap_counts(k, s, counts):
    ones = np.ones((1, 12, 1, 1))
    kern = np.ones((k, 1, 1, 1))
    y = ops.conv2d_transpose(ones, kern, (1, 12 * s, 1, 1), s, "SAME")[0, :, 0, 0]
    interior = y[k: -k]
    assert set(np.unique(interior).astype(int)) == counts
    assert (len(counts) == 1) == (k % s == 0)  # uniform overlap iff the stride divides the kernel


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.integers(1, 3), st.sampled_from(["same", "valid"]), st.integers(-1, 2),
       st.integers(0, 2**31 - 1))
def test_keras_conv2d_transpose_layer_equals_reference(k, s, padding, a, seed):
    output_padding = None if a < 0 else a
    try:
        ops.check_output_padding(k, s, padding, output_padding)
    except ValueError:
        assume(False)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 4, 5, 3)).astype(np.float32)
    layer = keras.layers.Conv2DTranspose(2, k, strides=s, padding=padding,
                                         output_padding=output_padding, use_bias=False)
    y = np.asarray(layer(x))
    oh = ops.conv_transpose_output_size(4, k, s, padding, output_padding)
    ow = ops.conv_transpose_output_size(5, k, s, padding, output_padding)
    assert y.shape == (2, oh, ow, 2)
    w = np.asarray(layer.kernel, np.float64)
    assert w.shape == (k, k, 2, 3)  # (kh, kw, out, in)
    # Keras' "valid" with k < s zero-pads past (i-1)s + k: our VALID crop zero-fills too.
    lo, hi = ops.tf_transpose_output_range(4, k, s, padding)
    if lo <= oh <= hi:
        ours = ops.conv2d_transpose(x.astype(np.float64), w, (2, oh, ow, 2), s, padding.upper())
        np.testing.assert_allclose(y, ours, atol=1e-4)


def test_bad_arguments_raise_clear_errors():
    x = np.ones((1, 4, 4, 2))
    with pytest.raises(ValueError, match="kernel: expected shape"):
        ops.conv2d_transpose(x, np.ones((3, 3, 1, 3)), (1, 8, 8, 1), 2, "SAME")
    with pytest.raises(ValueError, match="output_shape: expected batch"):
        ops.conv2d_transpose(x, np.ones((3, 3, 1, 2)), (2, 8, 8, 1), 2, "SAME")
    with pytest.raises(ValueError, match="padding"):
        ops.conv2d(x, np.ones((3, 3, 2, 1)), 1, "FULL")
    with pytest.raises(ValueError, match="x: expected a 4-D"):
        ops.conv2d(np.ones((4, 4)), np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="kernel: expected 2 input channels"):
        ops.conv2d(x, np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="too small"):
        ops.conv2d(x, np.ones((5, 5, 2, 1)))
    with pytest.raises(ValueError, match="strides"):
        ops.conv2d(x, np.ones((3, 3, 2, 1)), strides=0)


@settings(max_examples=40, deadline=None)
@given(conv_cases(), st.data())
def test_stretch_pad_and_convolve_view(c, data):
    rng = np.random.default_rng(c["seed"])
    x = rng.normal(size=(c["h"], c["w"]))
    k = rng.normal(size=(c["kh"], c["kw"]))
    s, p, d = (c["sh"], c["sw"]), c["padding"], c["d"]
    oh = data.draw(st.integers(*ops.tf_transpose_output_range(c["h"], c["kh"], c["sh"], p.lower(), d)))
    ow = data.draw(st.integers(*ops.tf_transpose_output_range(c["w"], c["kw"], c["sw"], p.lower(), d)))
    z, flipped = ops.conv_transpose_as_conv(x, k, (oh, ow), s, p, d)
    direct = ops.conv2d(z[None, :, :, None], flipped[:, :, None, None], 1, "VALID", d)[0, :, :, 0]
    ref = ops.conv2d_transpose(x[None, :, :, None], k[:, :, None, None], (oh, ow), s, p, d)[0, :, :, 0]
    np.testing.assert_allclose(direct, ref, atol=1e-10)
    assert np.count_nonzero(z) <= x.size  # only the inputs; everything else is inserted zeros
