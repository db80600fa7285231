"""segcourse.metrics against keras.metrics (MeanIoU / IoU) and set-based numpy formulas."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from segcourse import metrics as M

keras = pytest.importorskip("keras")


@st.composite
def label_pairs(draw, max_classes=6):
    c = draw(st.integers(1, max_classes))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=7))
    t = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, c - 1)))
    p = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, c - 1)))
    return t, p, c


def _set_iou(t, p, c):
    a, b = t == c, p == c
    union = np.logical_or(a, b).sum()
    return np.nan if union == 0 else np.logical_and(a, b).sum() / union


# ----------------------------------------------------------------- numpy vs sets/Keras


@settings(max_examples=60, deadline=None)
@given(label_pairs())
def test_confusion_matrix_counts_pairs(data):
    t, p, c = data
    cm = M.confusion_matrix(t, p, c)
    assert cm.shape == (c, c) and cm.sum() == t.size
    for i in range(c):
        for j in range(c):
            assert cm[i, j] == np.sum((t == i) & (p == j))  # rows = truth


@settings(max_examples=60, deadline=None)
@given(label_pairs())
def test_iou_dice_accuracy_match_set_formulas(data):
    t, p, c = data
    cm = M.confusion_matrix(t, p, c)
    iou = M.iou_per_class(cm)
    dice = M.dice_per_class(cm)
    for k in range(c):
        ref = _set_iou(t, p, k)
        a, b = t == k, p == k
        dref = np.nan if a.sum() + b.sum() == 0 else 2 * (a & b).sum() / (a.sum() + b.sum())
        np.testing.assert_allclose(iou[k], ref)
        np.testing.assert_allclose(dice[k], dref)
    # Dice = 2J / (1 + J) and back
    np.testing.assert_allclose(dice, M.dice_from_iou(iou))
    np.testing.assert_allclose(M.iou_from_dice(dice), iou)
    assert M.pixel_accuracy(cm) == pytest.approx(np.mean(t == p))
    present = ~np.isnan(iou)
    assert M.mean_iou(cm) == pytest.approx(iou[present].mean())


@settings(max_examples=30, deadline=None)
@given(label_pairs())
def test_mean_iou_equals_keras_meaniou_on_integer_labels(data):
    t, p, c = data
    c = max(c, 2)  # keras MeanIoU needs num_classes >= 2
    m = keras.metrics.MeanIoU(num_classes=c)
    m.update_state(t.ravel(), p.ravel())
    assert M.mean_iou(M.confusion_matrix(t, p, c)) == pytest.approx(float(m.result()), abs=1e-6)
    np.testing.assert_array_equal(M.confusion_matrix(t, p, c), m.total_cm.numpy().astype(int))


def test_absent_class_is_nan_and_excluded_like_keras():
    t = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0, 1, 1, 1, 0, 0])
    cm = M.confusion_matrix(t, p, 5)
    iou = M.iou_per_class(cm)
    assert np.isnan(iou[2:]).all()
    np.testing.assert_allclose(iou[:2], [0.5, 0.5])
    m = keras.metrics.MeanIoU(num_classes=5)
    m.update_state(t, p)
    assert M.mean_iou(cm) == pytest.approx(0.5) == pytest.approx(float(m.result()))
    assert np.isnan(M.mean_iou(np.zeros((3, 3))))


def test_ignore_index_is_not_counted():
    t = np.array([[0, 1, 255], [1, 255, 0]])
    p = np.array([[0, 1, 1], [0, 0, 0]])
    cm = M.confusion_matrix(t, p, 2, ignore_index=255)
    np.testing.assert_array_equal(cm, [[2, 0], [1, 1]])
    k = keras.metrics.MeanIoU(num_classes=2, ignore_class=255)
    k.update_state(t, p)
    assert M.mean_iou(cm) == pytest.approx(float(k.result()))


def test_class_imbalance_trap_high_accuracy_low_iou():
    t = np.zeros((100, 100), int)
    t[45:55, 45:55] = 1  # 1 % foreground
    p = np.zeros_like(t)  # "predicts all background"
    cm = M.confusion_matrix(t, p, 2)
    assert M.pixel_accuracy(cm) == pytest.approx(0.99)
    np.testing.assert_allclose(M.iou_per_class(cm), [0.99, 0.0])
    assert M.mean_iou(cm) == pytest.approx(0.495)


def test_per_image_vs_dataset_miou():
    # image 1: a large object predicted perfectly; image 2: a small object half right
    t = np.zeros((2, 20, 20), int)
    p = np.zeros_like(t)
    t[0, :, :10] = 1
    p[0, :, :10] = 1
    t[1, 0, :2] = 1
    p[1, 0, 1:3] = 1
    per = M.per_image_iou(t, p, 2)
    np.testing.assert_allclose(per[0], [1.0, 1.0])
    np.testing.assert_allclose(per[1, 1], 1 / 3)
    for i in range(2):
        np.testing.assert_allclose(per[i], M.iou_per_class(M.confusion_matrix(t[i], p[i], 2)))
    per_image = M.mean_iou_per_image(t, p, 2)
    dataset = M.mean_iou_dataset(t, p, 2)
    assert per_image == pytest.approx(np.mean([1.0, np.mean(per[1])]))
    k = keras.metrics.MeanIoU(num_classes=2)
    k.update_state(t, p)
    assert dataset == pytest.approx(float(k.result()))
    assert dataset > per_image  # the small object's failure is diluted in the dataset score


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="y_pred.*argmax"):
        M.confusion_matrix([0, 1], [0.2, 0.7], 2)
    with pytest.raises(ValueError, match="y_true.*\\[0, 2\\)"):
        M.confusion_matrix([0, 5], [0, 1], 2)
    with pytest.raises(ValueError, match="y_pred: expected the shape"):
        M.confusion_matrix(np.zeros((4, 4), int), np.zeros((4, 4, 2), int), 2)
    with pytest.raises(ValueError, match="num_classes"):
        M.confusion_matrix([0], [0], 0)
    with pytest.raises(ValueError, match="cm: expected a square"):
        M.iou_per_class(np.zeros((2, 3)))


def test_numpy_metrics_do_not_import_tensorflow():
    code = ("import sys, segcourse.metrics as m; m.mean_iou([[1,0],[0,1]]); "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------- Keras wrappers


def test_keras_meaniou_one_hot_trap_is_real():
    """Teaching test: MeanIoU with one-hot y_true and probabilities (default flags) is wrong."""
    rng = np.random.default_rng(1)
    t = rng.integers(0, 3, (2, 8, 8))
    probs = rng.dirichlet(np.ones(3), size=(2, 8, 8)).astype("float32")
    right = M.mean_iou(M.confusion_matrix(t, probs.argmax(-1), 3))
    k = keras.metrics.MeanIoU(num_classes=3)
    k.update_state(np.eye(3)[t], probs)
    assert abs(float(k.result()) - right) > 0.05
    ours = M.MeanIoUMetric(3)
    ours.update_state(t, probs)
    assert float(ours.result()) == pytest.approx(right, abs=1e-6)
    with pytest.raises(ValueError, match="one-hot"):
        ours.update_state(np.eye(3)[t].astype("float32"), probs)


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 5), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_keras_wrappers_match_keras_iou_over_batches(c, batches, seed):
    rng = np.random.default_rng(seed)
    ours = M.keras_metrics(c)
    k_mean = keras.metrics.MeanIoU(num_classes=c, sparse_y_pred=False)
    k_class = [keras.metrics.IoU(c, target_class_ids=[j], sparse_y_pred=False) for j in range(c)]
    all_t, all_p = [], []
    for _ in range(batches):
        t = rng.integers(0, c, (2, 5, 6))
        logits = rng.normal(size=(2, 5, 6, c)).astype("float32")
        for m in ours:
            m.update_state(t[..., None], logits)
        k_mean.update_state(t, logits)
        for m in k_class:
            m.update_state(t, logits)
        all_t.append(t)
        all_p.append(logits.argmax(-1))
    res = {m.name: float(m.result()) for m in ours}
    cm = M.confusion_matrix(np.stack(all_t), np.stack(all_p), c)
    assert res["mean_iou"] == pytest.approx(float(k_mean.result()), abs=1e-6)
    assert res["pixel_accuracy"] == pytest.approx(M.pixel_accuracy(cm), abs=1e-6)
    iou = M.iou_per_class(cm)
    for j in range(c):
        if np.isnan(iou[j]):
            assert np.isnan(res[f"iou_{j}"])
        else:
            assert res[f"iou_{j}"] == pytest.approx(float(k_class[j].result()), abs=1e-6)
    for m in ours:
        m.reset_state()
    assert float(ours[0].result()) != float(ours[0].result())  # NaN after reset


def test_keras_wrapper_ignore_class_sample_weight_and_binary():
    rng = np.random.default_rng(3)
    t = rng.integers(0, 3, (2, 6, 6))
    t[0, 0] = 255
    logits = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    sw = rng.random((2, 6, 6)).astype("float32")
    ours = M.MeanIoUMetric(3, ignore_class=255)
    ours.update_state(t, logits, sample_weight=sw)
    # independent reference: a weighted bincount over the non-ignored pixels
    keep = t != 255
    codes = t[keep] * 3 + logits.argmax(-1)[keep]
    wcm = np.bincount(codes, weights=sw[keep], minlength=9).reshape(3, 3)
    assert float(ours.result()) == pytest.approx(M.mean_iou(wcm), abs=1e-6)
    unweighted = M.MeanIoUMetric(3, ignore_class=255)
    unweighted.update_state(t, logits)
    k = keras.metrics.MeanIoU(3, ignore_class=255, sparse_y_pred=False)
    k.update_state(t, logits)
    assert float(unweighted.result()) == pytest.approx(float(k.result()), abs=1e-6)
    # binary with one logit channel: threshold at 0
    tb = rng.integers(0, 2, (2, 6, 6))
    zb = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    mb = M.MeanIoUMetric(2)
    mb.update_state(tb, zb)
    assert float(mb.result()) == pytest.approx(M.mean_iou(M.confusion_matrix(tb, (zb[..., 0] > 0), 2)))
    mp = M.MeanDiceMetric(2, from_logits=False)
    probs = 1 / (1 + np.exp(-zb))
    mp.update_state(tb, probs)
    assert float(mp.result()) == pytest.approx(M.mean_dice(M.confusion_matrix(tb, probs[..., 0] > 0.5, 2)))


def test_keras_metrics_in_fit_and_save_load(tmp_path):
    import segcourse.layers  # noqa: F401  (registers the metrics)

    rng = np.random.default_rng(0)
    inp = keras.Input((8, 8, 1))
    model = keras.Model(inp, keras.layers.Conv2D(3, 1)(inp))
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=M.keras_metrics(3, ["bg", "a", "b"]))
    x = rng.normal(size=(6, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 3, (6, 8, 8))
    hist = model.fit(x, y, epochs=1, batch_size=3, verbose=0)
    assert {"pixel_accuracy", "mean_iou", "iou_bg", "iou_a", "iou_b"} <= set(hist.history)
    ev = model.evaluate(x, y, verbose=0, return_dict=True)
    pred = np.asarray(model(x)).argmax(-1)
    assert ev["mean_iou"] == pytest.approx(M.mean_iou(M.confusion_matrix(y, pred, 3)), abs=1e-5)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    ev2 = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert ev2["mean_iou"] == pytest.approx(ev["mean_iou"], abs=1e-6)
    cfg = M.ClassIoUMetric(3, 1, ignore_class=255).get_config()
    clone = M.ClassIoUMetric.from_config(cfg)
    assert (clone.class_id, clone.ignore_class, clone.num_classes) == (1, 255, 3)
