"""Output-size arithmetic against what TensorFlow ops and Keras layers actually produce."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from segcourse import ops

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

sizes = st.integers(1, 23)
kernels = st.integers(1, 6)
strides = st.integers(1, 4)
dilations = st.integers(1, 3)
paddings = st.sampled_from(["valid", "same"])


@settings(max_examples=60, deadline=None)
@given(sizes, kernels, strides, dilations, paddings)
def test_conv_output_size_matches_tf_conv(i, k, s, d, padding):
    assume(s == 1 or d == 1)  # TF/Keras do not combine stride > 1 with dilation > 1
    x = np.ones((1, i, 2, 1), np.float32)
    w = np.ones((k, 1, 1, 1), np.float32)
    k_eff = d * (k - 1) + 1
    if padding == "valid" and i < k_eff:
        with pytest.raises(ValueError, match="shorter than the effective kernel"):
            ops.conv_output_size(i, k, s, padding, d)
        return
    y = tf.nn.convolution(x, w, strides=(s, 1), padding=padding.upper(), dilations=(d, 1))
    assert ops.conv_output_size(i, k, s, padding, d) == y.shape[1]


@settings(max_examples=40, deadline=None)
@given(sizes, kernels, strides, paddings)
def test_conv_output_size_matches_keras_layers(i, k, s, padding):
    assume(padding == "same" or i >= k)
    conv = keras.layers.Conv2D(1, (k, 1), strides=(s, 1), padding=padding)
    pool = keras.layers.MaxPooling2D((k, 1), strides=(s, 1), padding=padding)
    assert conv.compute_output_shape((1, i, 3, 1))[1] == ops.conv_output_size(i, k, s, padding)
    assert pool(np.ones((1, i, 3, 1), np.float32)).shape[1] == ops.conv_output_size(i, k, s, padding)


@settings(max_examples=40, deadline=None)
@given(sizes, kernels, strides, st.integers(0, 3))
def test_explicit_padding_matches_tf(i, k, s, p):
    assume(i + 2 * p >= k)
    x = np.ones((1, i, 1, 1), np.float32)
    y = tf.nn.conv2d(x, np.ones((k, 1, 1, 1), np.float32), (s, 1), [[0, 0], [p, p], [0, 0], [0, 0]])
    assert ops.conv_output_size(i, k, s, p) == y.shape[1]


@settings(max_examples=40, deadline=None)
@given(sizes, kernels, strides, dilations)
def test_same_padding_split_reproduces_tf_same(i, k, s, d):
    """SAME conv == VALID conv on the input padded by our (before, after) split."""
    assume(s == 1 or d == 1)
    rng = np.random.default_rng(i * 100 + k * 10 + s)
    x = rng.normal(size=(1, i, 1, 1))
    w = rng.normal(size=(k, 1, 1, 1))
    before, after = ops.same_padding(i, k, s, d)
    assert before <= after <= before + 1
    same = tf.nn.convolution(x, w, strides=(s, 1), padding="SAME", dilations=(d, 1)).numpy()
    xp = np.pad(x, ((0, 0), (before, after), (0, 0), (0, 0)))
    valid = tf.nn.convolution(xp, w, strides=(s, 1), padding="VALID", dilations=(d, 1)).numpy()
    np.testing.assert_allclose(same, valid, atol=1e-12)


def test_same_padding_known_values():
    assert ops.same_padding(6, 3, 2) == (0, 1)  # the first window starts at pixel 0
    assert ops.same_padding(5, 3, 2) == (1, 1)
    assert ops.same_padding(7, 4, 1) == (1, 2)  # the extra pixel goes bottom/right


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 9), kernels, strides, paddings, st.integers(-1, 3))
def test_conv_transpose_output_size_matches_keras(i, k, s, padding, a):
    output_padding = None if a < 0 else a
    try:
        ops.check_output_padding(k, s, padding, output_padding)
        legal = True
    except ValueError:
        legal = False
    layer_kw = dict(strides=s, padding=padding, output_padding=output_padding)
    if legal:
        layer = keras.layers.Conv2DTranspose(1, k, **layer_kw)
        y = layer(np.ones((1, i, i, 1), np.float32))
        assert y.shape[1] == ops.conv_transpose_output_size(i, k, s, padding, output_padding)
        if output_padding is None:
            expected = i * s if padding == "same" else (i - 1) * s + max(k, s)
        elif padding == "same":
            expected = (i - 1) * s - 2 * (k // 2) + k + a
        else:
            expected = (i - 1) * s + k + a
        assert y.shape[1] == expected
    else:
        with pytest.raises(ValueError, match="output_padding: expected an int in"):
            ops.conv_transpose_output_size(i, k, s, padding, output_padding)
        # ... and Keras/TF fail too (or, with oneDNN and i = 1, silently return nothing)
        try:
            y = keras.layers.Conv2DTranspose(1, k, **layer_kw)(np.ones((1, i, i, 1), np.float32))
        except Exception:
            return
        assert y.shape[1] == 0


def test_keras_transposed_size_table_examples():
    f = ops.conv_transpose_output_size
    assert [f(5, 3, 2, "same"), f(5, 4, 2, "same")] == [10, 10]
    assert [f(5, 3, 2, "same", 1), f(5, 3, 2, "same", 0)] == [10, 9]
    assert [f(5, 2, 2, "valid"), f(5, 3, 2, "valid"), f(5, 3, 2, "valid", 1), f(5, 1, 2, "valid")] == [
        10, 11, 12, 10]
    assert [f(5, 64, 32, "same"), f(5, 16, 8, "same")] == [160, 40]
    assert f(4, 3, 2, 1, 1) == 8  # paper/PyTorch: (i-1)s - 2p + k + a


def test_illegal_output_padding_raises_our_error_before_tf():
    with pytest.raises(ValueError, match=r"output_padding: expected an int in \[1, 1\].*got 0"):
        ops.check_output_padding(4, 2, "same", 0)
    with pytest.raises(ValueError, match="output_padding"):
        ops.check_output_padding(3, 2, "valid", 2)
    with pytest.raises(TypeError, match="output_padding"):
        ops.check_output_padding(3, 2, "valid", 1.0)
    # TF's own error for the same setting is opaque
    with pytest.raises(Exception) as info:
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", output_padding=0)(
            np.ones((1, 3, 3, 1), np.float32))
    assert "output_padding" not in str(info.value)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 7), kernels, strides, paddings)
def test_tf_transpose_output_range_is_exactly_what_tf_accepts(i, k, s, padding):
    lo, hi = ops.tf_transpose_output_range(i, k, s, padding)
    x = np.ones((1, i, 1, 1))
    w = np.ones((k, 1, 1, 1))
    for o in range(max(lo - 2, 1), hi + 3):
        # forward size check is the defining property of the legal range
        forward_ok = (o >= k or padding == "same") and ops.conv_output_size(o, k, s, padding) == i
        assert forward_ok == (lo <= o <= hi)
    for o in (lo, hi):
        y = tf.nn.conv2d_transpose(x, w, [1, o, 1, 1], (s, 1), padding.upper())
        assert y.shape[1] == o


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 25), kernels, st.integers(1, 3), paddings)
def test_output_padding_for_inverts_a_forward_conv(n, k, s, padding):
    assume(padding == "same" or n >= k)
    m = ops.conv_output_size(n, k, s, padding)
    a = ops.output_padding_for(n, m, k, s, padding)
    up = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=a)
    assert up(np.ones((1, m, 1, 1), np.float32)).shape[1] == n


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="padding"):
        ops.conv_output_size(5, 3, 1, "full")
    with pytest.raises(ValueError, match="s: expected an int >= 1"):
        ops.conv_output_size(5, 3, 0)
    with pytest.raises(TypeError, match="k: expected an int"):
        ops.conv_output_size(5, 2.5)
    with pytest.raises(ValueError, match="target"):
        ops.output_padding_for(20, 5, 3, 2, "same")


def test_ops_and_numpy_losses_do_not_import_tensorflow():
    import subprocess
    import sys

    code = ("import sys, numpy as np, segcourse.ops as o, segcourse.losses as L; "
            "o.conv2d_transpose(np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1)), (1, 4, 4, 1), 2); "
            "L.unet_weight_map(np.eye(4, dtype=int)); "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
