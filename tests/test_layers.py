"""segcourse.layers: against TF ops and the numpy references; serialisation round trips."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from segcourse import ops

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
from segcourse.layers import (  # noqa: E402
    BilinearUpsampling,
    CropAndConcatenate,
    MaxPoolingWithArgmax2D,
    MaxUnpooling2D,
    center_crop_offsets,
)


def _roundtrip(model, tmp_path, inputs):
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    before = model(inputs)
    after = loaded(inputs)
    before = before if isinstance(before, (list, tuple)) else [before]
    after = after if isinstance(after, (list, tuple)) else [after]
    for b, a in zip(before, after):
        assert np.max(np.abs(np.asarray(b, np.float64) - np.asarray(a, np.float64))) == 0.0
    return loaded


# ------------------------------------------------------------------ CropAndConcatenate


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(0, 9), st.integers(0, 9), st.integers(1, 3))
def test_crop_and_concatenate_equals_numpy_centre_crop(hu, wu, dh, dw, b):
    rng = np.random.default_rng(hu * 1000 + wu * 100 + dh * 10 + dw)
    up = rng.normal(size=(b, hu, wu, 2)).astype(np.float32)
    skip = rng.normal(size=(b, hu + dh, wu + dw, 3)).astype(np.float32)
    out = np.asarray(CropAndConcatenate()([up, skip]))
    top, left = dh // 2, dw // 2
    np.testing.assert_array_equal(out[..., :2], up)
    np.testing.assert_array_equal(out[..., 2:], skip[:, top:top + hu, left:left + wu])


def test_crop_and_concatenate_unet_sizes_dynamic_shapes_and_roundtrip(tmp_path):
    assert center_crop_offsets(64, 56) == (4, 4)
    up = keras.Input((56, 56, 8))
    skip = keras.Input((64, 64, 4))
    out = CropAndConcatenate()([up, skip])
    assert out.shape == (None, 56, 56, 12)
    model = keras.Model([up, skip], out)
    rng = np.random.default_rng(0)
    a = rng.random((2, 56, 56, 8)).astype(np.float32)
    b = rng.random((2, 64, 64, 4)).astype(np.float32)
    _roundtrip(model, tmp_path, [a, b])
    # unknown spatial sizes
    up_d = keras.Input((None, None, 8))
    skip_d = keras.Input((None, None, 4))
    dyn = keras.Model([up_d, skip_d], CropAndConcatenate()([up_d, skip_d]))
    np.testing.assert_array_equal(np.asarray(dyn([a, b])), np.asarray(model([a, b])))
    with pytest.raises(ValueError, match="skip: its height 50 is smaller"):
        CropAndConcatenate()([keras.Input((56, 56, 8)), keras.Input((50, 64, 4))])
    cfg = CropAndConcatenate(name="cc").get_config()
    assert CropAndConcatenate.from_config(cfg).name == "cc"


# ------------------------------------------------------------------ argmax pooling / unpooling


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(2, 9), st.integers(2, 9), st.sampled_from(["valid", "same"]),
       st.integers(2, 3), st.integers(0, 2**31 - 1))
def test_pooling_layers_equal_tf_and_numpy(b, h, w, padding, k, seed):
    if padding == "valid" and (h < k or w < k):
        return
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(b, h, w, 3)).astype(np.float32)
    v, a = MaxPoolingWithArgmax2D(k, padding=padding)(x)
    tv, ta = tf.nn.max_pool_with_argmax(x, k, k, padding.upper())
    np.testing.assert_array_equal(np.asarray(v), tv.numpy())
    np.testing.assert_array_equal(np.asarray(a), ta.numpy())
    nv, na = ops.max_pool_with_argmax(x, k, padding=padding.upper())
    np.testing.assert_array_equal(np.asarray(a), na)
    up = MaxUnpooling2D(k)([v, a, x])
    np.testing.assert_array_equal(np.asarray(up), ops.max_unpool(nv, na, x.shape))
    assert up.shape == x.shape


def test_symbolic_shapes_unknown_batch_odd_sizes_and_fit(tmp_path):
    x_in = keras.Input((7, 9, 3))
    pool = MaxPoolingWithArgmax2D(2, padding="same")
    v, idx = pool(x_in)
    assert v.shape == idx.shape == (None, 4, 5, 3)
    assert idx.dtype == "int64"
    assert pool.supports_jit is False  # tf.nn.max_pool_with_argmax has no XLA kernel
    h = keras.layers.Conv2D(3, 1)(v)
    up = MaxUnpooling2D()([h, idx, x_in])
    assert up.shape == (None, 7, 9, 3)
    model = keras.Model(x_in, keras.layers.Conv2D(2, 1)(up))
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 7, 9, 3)).astype(np.float32)
    y = rng.integers(0, 2, (7, 7, 9))
    hist = model.fit(x, y, batch_size=3, epochs=2, verbose=0)  # last batch has 1 image
    assert np.isfinite(hist.history["loss"]).all()
    assert model.predict(x[:1], verbose=0).shape == (1, 7, 9, 2)
    loaded = _roundtrip(model, tmp_path, x)
    names = [type(layer).__name__ for layer in loaded.layers]
    assert "MaxPoolingWithArgmax2D" in names and "MaxUnpooling2D" in names


def test_unpool_two_input_form_and_configs():
    x = np.random.default_rng(1).normal(size=(2, 6, 8, 1)).astype(np.float32)
    v, a = MaxPoolingWithArgmax2D(2)(x)
    up2 = MaxUnpooling2D(2)([v, a])
    up3 = MaxUnpooling2D(2)([v, a, x])
    np.testing.assert_array_equal(np.asarray(up2), np.asarray(up3))
    pool = MaxPoolingWithArgmax2D((2, 3), strides=(1, 2), padding="SAME", name="p")
    clone = MaxPoolingWithArgmax2D.from_config(pool.get_config())
    assert (clone.pool_size, clone.strides, clone.padding, clone.name) == ((2, 3), (1, 2), "same", "p")
    assert MaxUnpooling2D.from_config(MaxUnpooling2D((2, 3)).get_config()).size == (2, 3)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(pool))
    assert isinstance(restored, MaxPoolingWithArgmax2D)
    with pytest.raises(ValueError, match="padding"):
        MaxPoolingWithArgmax2D(2, padding="full")
    with pytest.raises(ValueError, match="pool_size"):
        MaxPoolingWithArgmax2D(0)


def test_argmax_layers_match_the_pure_keras_ops_design():
    """Design B (reshape + ops.argmax, local indices) gives the same unpooled tensor."""
    from keras import ops as K

    x = np.random.default_rng(2).normal(size=(2, 6, 8, 3)).astype(np.float32)
    v, a = MaxPoolingWithArgmax2D(2)(x)
    ours = np.asarray(MaxUnpooling2D()([v, a, x]))
    b, h, w, c = x.shape
    blocks = K.transpose(K.reshape(x, (b, h // 2, 2, w // 2, 2, c)), (0, 1, 3, 5, 2, 4))
    blocks = K.reshape(blocks, (b, h // 2, w // 2, c, 4))
    local = K.argmax(blocks, axis=-1)
    vals = K.max(blocks, axis=-1)
    onehot = K.one_hot(local, 4) * vals[..., None]
    back = K.reshape(K.transpose(K.reshape(onehot, (b, h // 2, w // 2, c, 2, 2)), (0, 1, 4, 2, 5, 3)),
                     (b, h, w, c))
    np.testing.assert_array_equal(ours, np.asarray(back))


# ------------------------------------------------------------------ bilinear initializer


def test_bilinear_initializer_makes_conv2d_transpose_a_bilinear_upsampler(tmp_path):
    x_in = keras.Input((5, 6, 2))
    layer = keras.layers.Conv2DTranspose(2, 4, strides=2, padding="same", use_bias=False,
                                         kernel_initializer=BilinearUpsampling())
    model = keras.Model(x_in, layer(x_in))
    np.testing.assert_allclose(np.asarray(layer.kernel), ops.bilinear_weights(4, 2))
    x = np.random.default_rng(3).random((1, 5, 6, 2)).astype(np.float32)
    y = np.asarray(model(x))
    ref = tf.image.resize(x, (10, 12), "bilinear").numpy()
    np.testing.assert_allclose(y[:, 2:-2, 2:-2], ref[:, 2:-2, 2:-2], atol=1e-6)
    loaded = _roundtrip(model, tmp_path, x)
    assert isinstance(loaded.layers[-1].kernel_initializer, BilinearUpsampling)
    with pytest.raises(ValueError, match="shape"):
        BilinearUpsampling()((3, 4, 1, 1))
