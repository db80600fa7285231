"""segcourse.losses against numpy formulas and Keras' own losses."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import ndimage as ndi

from segcourse import losses as L

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")


def _np_softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _np_ce(z, y):
    p = _np_softmax(np.asarray(z, np.float64))
    return -np.log(np.take_along_axis(p, y[..., None], -1)[..., 0])


def _case(seed, c=3, shape=(2, 5, 6), scale=3.0):
    rng = np.random.default_rng(seed)
    z = (scale * rng.normal(size=shape + (c,))).astype("float32")
    y = rng.integers(0, c, shape)
    return z, y, rng


# ------------------------------------------------------------------ cross-entropy


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 6), st.integers(0, 2**31 - 1))
def test_pixel_cross_entropy_matches_numpy_and_keras(c, seed):
    z, y, _ = _case(seed, c)
    ours = L.pixel_cross_entropy(z, y)
    np.testing.assert_allclose(ours, _np_ce(z, y), rtol=1e-6, atol=1e-9)
    k = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    np.testing.assert_allclose(np.asarray(k(y, z)), ours, rtol=1e-4, atol=1e-5)
    assert float(L.sparse_ce_from_logits()(y, z)) == pytest.approx(ours.mean(), rel=1e-5)


def test_ignored_pixels_do_not_change_the_loss():
    z, y, _ = _case(0)
    y_ign = y.copy()
    y_ign[0, :2] = 255
    keep = y_ign != 255
    expected = _np_ce(z, y)[keep].mean()  # mean over the valid pixels only
    assert float(L.sparse_ce_from_logits(255)(y_ign, z)) == pytest.approx(expected, rel=1e-5)
    # changing the logits of ignored pixels changes nothing
    z2 = z.copy()
    z2[0, :2] = 100.0
    assert float(L.sparse_ce_from_logits(255)(y_ign, z2)) == pytest.approx(expected, rel=1e-5)


def test_softmax_before_from_logits_loss_inflates_and_floors_the_loss():
    # a confident, correct pixel
    z = np.array([[6.0, -1.0, -2.0]], "float32")
    y = np.array([0])
    right = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z))
    bug = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, _np_softmax(z)))
    assert right == pytest.approx(_np_ce(z, y)[0], rel=1e-4)
    assert bug == pytest.approx(_np_ce(_np_softmax(z), y)[0], rel=1e-5)
    c = 3
    floor = np.log(1 + (c - 1) / np.e)  # the best a "probability as logit" can do
    assert right < 0.01 and bug > floor - 1e-6 and bug > 30 * right
    # The mirror bug: raw logits into the default (from_logits=False) loss.
    z, y, _ = _case(1)
    wrong = float(keras.losses.SparseCategoricalCrossentropy()(y, z))
    assert abs(wrong - _np_ce(z, y).mean()) > 0.1


def test_double_sigmoid_is_wrong_and_our_binary_ce_is_right():
    z = np.array([4.0, -3.0, 0.5])
    t = np.array([1.0, 0.0, 1.0])
    ref = -(t * np.log(1 / (1 + np.exp(-z))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-z))))
    np.testing.assert_allclose(L.binary_cross_entropy_from_logits(z, t), ref)
    k = tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=z).numpy()
    np.testing.assert_allclose(k, ref)
    double = tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=tf.sigmoid(z)).numpy()
    assert double[0] > 10 * ref[0]  # 0.31 instead of 0.018 for a confident correct pixel


# ------------------------------------------------------------------ class weights


def test_class_weight_in_fit_fails_and_sample_weight_route_works():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6, 6, 1)).astype("float32")
    y = (rng.random((4, 6, 6)) < 0.2).astype("int32")
    inp = keras.Input((6, 6, 1))
    model = keras.Model(inp, keras.layers.Conv2D(2, 1)(inp))
    model.compile("sgd", L.sparse_ce_from_logits())
    with pytest.raises((TypeError, ValueError)):
        model.fit(x, y, class_weight={0: 1.0, 1: 5.0}, epochs=1, verbose=0)
    w = np.array([1.0, 5.0])
    sw = L.pixel_weights(y, w)
    got = model.evaluate(x, y, sample_weight=sw, verbose=0, batch_size=4)
    logits = np.asarray(model(x))
    expected = np.sum(sw * _np_ce(logits, y)) / y.size  # Keras: sum(w * l) / N
    assert got == pytest.approx(expected, rel=1e-5)
    # the tf.data route gives the same weights
    ds = tf.data.Dataset.from_tensor_slices((x, y)).map(L.add_sample_weights(w)).batch(4)
    _, _, sw_ds = next(iter(ds))
    np.testing.assert_allclose(sw_ds.numpy(), sw)
    hist = model.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])


def test_class_weights_recipes():
    y = np.array([0] * 8 + [1] * 2)
    np.testing.assert_allclose(L.class_weights(y, 3, "median"), [0.5 / 0.8, 0.5 / 0.2, 0.0])
    inv = L.class_weights(y, 2, "inverse")
    np.testing.assert_allclose(inv, np.array([1 / 0.8, 1 / 0.2]) / np.mean([1 / 0.8, 1 / 0.2]))
    np.testing.assert_allclose(L.class_weights(y, 2, "enet"), 1 / np.log(1.02 + np.array([0.8, 0.2])))
    np.testing.assert_allclose(L.pixel_weights([[0, 1], [255, 1]], [1, 3], ignore_index=255),
                               [[1, 3], [0, 3]])
    with pytest.raises(ValueError, match="method"):
        L.class_weights(y, 2, "nope")
    with pytest.raises(ValueError, match="labels"):
        L.pixel_weights([0, 2], [1.0, 2.0])


# ------------------------------------------------------------------ Dice and focal


def _np_soft_dice(z, y, smooth=1.0, include_background=True):
    c = z.shape[-1]
    p = _np_softmax(z.astype(np.float64))
    g = np.eye(c)[y]
    inter = (p * g).sum((1, 2))
    den = p.sum((1, 2)) + g.sum((1, 2))
    d = (2 * inter + smooth) / (den + smooth)
    if not include_background:
        d = d[:, 1:]
    return (1 - d.mean(-1)).mean()


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.integers(0, 2**31 - 1), st.booleans(), st.floats(1e-3, 2.0))
def test_soft_dice_matches_numpy(c, seed, bg, smooth):
    z, y, _ = _case(seed, c)
    loss = L.SoftDiceLoss(smooth=smooth, include_background=bg)
    assert float(loss(y, z)) == pytest.approx(_np_soft_dice(z, y, smooth, bg), rel=1e-4, abs=1e-6)
    assert float(loss(y[..., None], z)) == pytest.approx(float(loss(y, z)), rel=1e-6)
    probs = L.SoftDiceLoss(from_logits=False, smooth=smooth, include_background=bg)
    assert float(probs(y, _np_softmax(z).astype("float32"))) == pytest.approx(float(loss(y, z)), rel=1e-4)


def test_soft_dice_binary_channel_and_perfect_prediction():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (2, 6, 6))
    z = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    p = 1 / (1 + np.exp(-z[..., 0].astype(np.float64)))
    d = (2 * (p * y).sum((1, 2)) + 1) / (p.sum((1, 2)) + y.sum((1, 2)) + 1)
    assert float(L.SoftDiceLoss()(y, z)) == pytest.approx(np.mean(1 - d), rel=1e-4)
    perfect = np.where(np.eye(3)[y] > 0, 30.0, -30.0).astype("float32")
    assert float(L.SoftDiceLoss(smooth=1e-6)(y, perfect)) == pytest.approx(0.0, abs=1e-5)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.integers(0, 2**31 - 1), st.floats(0.0, 4.0))
def test_focal_matches_numpy_formula(c, seed, gamma):
    z, y, rng = _case(seed, c)
    alpha = rng.random(c).round(3).tolist()
    p = np.take_along_axis(_np_softmax(z.astype(np.float64)), y[..., None], -1)[..., 0]
    ref = -(1 - p) ** gamma * np.log(p)
    got = float(L.SparseFocalLoss(gamma=gamma)(y, z))
    assert got == pytest.approx(ref.mean(), rel=1e-4, abs=1e-6)
    got_a = float(L.SparseFocalLoss(gamma=gamma, alpha=alpha)(y, z))
    assert got_a == pytest.approx((np.asarray(alpha)[y] * ref).mean(), rel=1e-4, abs=1e-6)


def test_focal_agrees_with_keras_categorical_focal_and_ce():
    z, y, _ = _case(5, 4)
    ours = float(L.SparseFocalLoss(gamma=2.0, alpha=0.25)(y, z))
    k = keras.losses.CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0, from_logits=True)
    assert ours == pytest.approx(float(k(np.eye(4)[y], z)), rel=1e-4)
    assert float(L.SparseFocalLoss(gamma=0.0)(y, z)) == pytest.approx(_np_ce(z, y).mean(), rel=1e-5)
    y_ign = y.copy()
    y_ign[1] = 255
    got = float(L.SparseFocalLoss(gamma=0.0, ignore_class=255)(y_ign, z))
    assert got == pytest.approx(_np_ce(z, y)[0].mean(), rel=1e-5)
    mix = float(L.CEDiceLoss(dice_weight=0.5)(y, z))
    assert mix == pytest.approx(_np_ce(z, y).mean() + 0.5 * _np_soft_dice(z, y), rel=1e-4)


def test_losses_serialise_and_reload(tmp_path):
    import segcourse.layers  # noqa: F401  (registers everything)

    for loss in (L.SoftDiceLoss(include_background=False, ignore_class=255),
                 L.SparseFocalLoss(gamma=1.5, alpha=[0.2, 0.8]),
                 L.CEDiceLoss(dice_weight=2.0)):
        clone = type(loss).from_config(loss.get_config())
        assert clone.get_config() == loss.get_config()
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
        assert type(restored) is type(loss)
    inp = keras.Input((4, 4, 1))
    model = keras.Model(inp, keras.layers.Conv2D(2, 1)(inp))
    model.compile("sgd", L.SparseFocalLoss(gamma=1.0))
    model.save(tmp_path / "f.keras")
    loaded = keras.saving.load_model(tmp_path / "f.keras", safe_mode=True)
    assert loaded.loss.gamma == 1.0


def test_bad_loss_arguments():
    with pytest.raises(ValueError, match="gamma"):
        L.SparseFocalLoss(gamma=-1)
    with pytest.raises(ValueError, match="labels: expected shape"):
        L.pixel_cross_entropy(np.zeros((2, 3)), np.zeros(3, int))
    with pytest.raises(TypeError, match="labels"):
        L.pixel_cross_entropy(np.zeros((2, 3)), np.zeros(2))


# ------------------------------------------------------------------ U-Net weight map


def test_unet_weight_map_reference_vectors():
    one = np.zeros((3, 5), int)
    one[:, :2] = 1
    one[:, 3:] = 2
    w = L.unet_weight_map(one)
    np.testing.assert_allclose(w[:, 2], 1 + 10 * np.exp(-4 / 50))
    assert w[1, 2] == pytest.approx(10.2312, abs=1e-4)
    np.testing.assert_allclose(w[:, :2], 1.0)
    two = np.zeros((3, 6), int)
    two[:, :2] = 1
    two[:, 4:] = 2
    assert L.unet_weight_map(two)[1, 2] == pytest.approx(9.3527, abs=1e-4)
    single = np.zeros((5, 5), int)
    single[1:3, 1:3] = 1
    np.testing.assert_allclose(L.unet_weight_map(single), 1.0)
    cw = L.unet_weight_map(one, class_weights=(0.5, 2.0))
    np.testing.assert_allclose(cw[:, :2], 2.0)
    assert cw[1, 2] == pytest.approx(0.5 + 10 * np.exp(-4 / 50))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 4), st.floats(1.0, 8.0))
def test_unet_weight_map_matches_brute_force(seed, n_obj, sigma):
    rng = np.random.default_rng(seed)
    inst = np.zeros((12, 13), int)
    for i in range(1, n_obj + 1):
        r, c = rng.integers(0, 10), rng.integers(0, 11)
        inst[r:r + 3, c:c + 3] = i
    ids = [i for i in np.unique(inst) if i > 0]
    w = L.unet_weight_map(inst, w0=10.0, sigma=sigma)
    yy, xx = np.indices(inst.shape)
    if len(ids) < 2:
        np.testing.assert_allclose(w, 1.0)
        return
    # brute force: distance from every pixel to every object pixel, min per object
    d = []
    for i in ids:
        py, px = np.nonzero(inst == i)
        dist = np.sqrt((yy[..., None] - py) ** 2 + (xx[..., None] - px) ** 2).min(-1)
        d.append(dist)
    d = np.sort(np.stack(d), axis=0)
    ref = 1 + np.where(inst == 0, 10 * np.exp(-((d[0] + d[1]) ** 2) / (2 * sigma**2)), 0)
    np.testing.assert_allclose(w, ref, rtol=1e-10)
    labelled, _ = ndi.label(inst > 0)
    assert labelled.max() >= 1


def test_unet_weight_map_bad_input():
    with pytest.raises(ValueError, match="instances"):
        L.unet_weight_map(np.zeros((2, 2, 2), int))
    with pytest.raises(TypeError, match="instances"):
        L.unet_weight_map(np.zeros((2, 2)))
