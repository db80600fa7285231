"""segcourse.train: budgets, quiet reproducible output, evaluation against independent references."""

import contextlib
import io

import numpy as np
import pytest

import keras

from segcourse import metrics, models, train
from segcourse.data import synthetic


def tiny_unet(size=32, channels=3, classes=2, padding="same", depth=2):
    keras.utils.set_random_seed(0)
    return models.build("unet", (size, size, channels), classes, padding=padding, depth=depth, base_filters=4,
                        batch_norm=True)


@pytest.fixture(scope="module")
def cars():
    return synthetic.train_test("cars", 24, 8, 32, seed=0)


def test_compiled_loss_is_cross_entropy_from_logits(cars):
    (x, y), _ = cars
    model = train.compile_model(tiny_unet(), 2)
    logits = np.asarray(model(x[:4], training=False), np.float64)
    z = logits - logits.max(-1, keepdims=True)
    ce = np.log(np.exp(z).sum(-1)) - np.take_along_axis(z, y[:4, ..., None], -1)[..., 0]
    assert np.isclose(float(model.compute_loss(x=x[:4], y=y[:4], y_pred=model(x[:4], training=False))),
                      ce.mean(), rtol=1e-4)


def test_fit_epoch_budget_counts_and_history(cars):
    (x, y), (xt, yt) = cars
    model = train.compile_model(tiny_unet(), 2)
    h = train.fit(model, (x, y), (xt, yt), epochs=2, batch_size=10, verbose=0, print_every=100)
    assert h.epochs == 2 and h.steps == 6 and h.images == 48 and not h.stopped_by_time
    assert set(h.history) >= {"loss", "mean_iou", "pixel_accuracy", "val_loss", "val_mean_iou"}
    assert all(len(v) == 2 for v in h.history.values())
    assert h.last("loss") == h.history["loss"][-1]
    with pytest.raises(KeyError, match="not logged"):
        h.last("accuracy")


def test_time_budget_stops_after_the_first_batch(cars):
    (x, y), _ = cars
    model = train.compile_model(tiny_unet(), 2)
    h = train.fit(model, (x, y), time_budget=1e-6, batch_size=8, verbose=0)
    assert h.steps == 1 and h.epochs == 1 and h.stopped_by_time


def test_quiet_output_is_rounded_and_reproducible(cars):
    (x, y), (xt, yt) = cars
    texts = []
    for _ in range(2):
        keras.utils.set_random_seed(0)
        model = train.compile_model(tiny_unet(), 2)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            train.fit(model, (x, y), (xt, yt), epochs=2, batch_size=8, verbose=0, seed=0)
        texts.append(out.getvalue())
    assert texts[0] == texts[1]
    lines = texts[0].strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch   2  loss ")
    value = lines[0].split("loss ")[1].split()[0]
    assert len(value.split(".")[1]) == 3


def test_evaluate_matches_independent_references(cars):
    _, (xt, yt) = cars
    model = train.compile_model(tiny_unet(), 2)
    ev = train.evaluate(model, xt, yt, class_names=["background", "car"], batch_size=3)
    pred = np.argmax(np.asarray(model.predict(xt, verbose=0)), -1)
    cm = np.zeros((2, 2), int)
    np.add.at(cm, (yt.ravel(), pred.ravel()), 1)
    assert np.array_equal(ev.confusion, cm)
    k = keras.metrics.MeanIoU(num_classes=2)
    k.update_state(yt, pred)
    assert np.isclose(ev.mean_iou, float(k.result()), atol=1e-6)
    assert np.allclose(ev.dice, 2 * ev.iou / (1 + ev.iou))
    assert "mean" in ev.table() and ev.table().count("\n") == 4


def test_evaluate_accepts_a_dataset(cars):
    from segcourse.data.pipeline import from_arrays

    _, (xt, yt) = cars
    model = train.compile_model(tiny_unet(), 2)
    a = train.evaluate(model, xt, yt)
    b = train.evaluate(model, from_arrays(xt, yt, 5, shuffle=False))
    assert np.array_equal(a.confusion, b.confusion)


def test_valid_padding_truth_is_centre_cropped():
    x, y = synthetic.make("cells", 6, 44, seed=1)
    model = train.compile_model(tiny_unet(44, 1, 2, padding="valid", depth=2), 2)
    assert model.output_shape[1] == 4
    h = train.fit(model, (x, y), epochs=1, batch_size=3, verbose=0)
    assert h.steps == 2
    ev = train.evaluate(model, x, y)
    pred = train.predict_labels(model, x)
    assert np.array_equal(ev.confusion, metrics.confusion_matrix(y[:, 20:24, 20:24], pred, 2))


def test_center_crop():
    a = np.arange(2 * 7 * 6).reshape(2, 7, 6)
    assert np.array_equal(train.center_crop(a, 3, 2), a[:, 2:5, 2:4])
    with pytest.raises(ValueError, match="larger"):
        train.center_crop(a, 8)


def test_plots(cars):
    import matplotlib

    matplotlib.use("Agg")
    from segcourse import viz

    (x, y), _ = cars
    fig = viz.plot_history({"loss": [1.0, 0.5], "val_loss": [1.2, 0.7], "mean_iou": [0.3, 0.6]})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1
    fig = viz.show_predictions(x, y, y, n=3, class_names=["background", "car"])
    assert len(fig.axes) == 12
    with pytest.raises(ValueError, match="none of the requested"):
        viz.plot_history({"loss": [1.0]}, metrics=["dice"])


def test_bad_budgets(cars):
    (x, y), _ = cars
    model = train.compile_model(tiny_unet(), 2)
    with pytest.raises(ValueError, match="budget"):
        train.fit(model, (x, y))
    with pytest.raises(ValueError, match="epochs"):
        train.fit(model, (x, y), epochs=0)
    with pytest.raises(ValueError, match="compile"):
        train.fit(tiny_unet(), (x, y), epochs=1)


def test_is_interactive_is_false_while_the_book_builds(monkeypatch):
    monkeypatch.setenv("SEGCOURSE_STATIC", "1")
    assert not train.is_interactive()


def test_cli_main(capsys, tmp_path):
    rc = train.main(["--family", "cars", "--size", "32", "--n-train", "16", "--n-test", "8", "--epochs", "1",
                     "--base-filters", "4", "--depth", "2", "--batch-size", "8", "--quiet", "--precision", "float32",
                     "--save", str(tmp_path / "m.keras")])
    out = capsys.readouterr().out
    assert rc == 0 and "epoch   1" in out and "car " in out and "pixel accuracy" in out
    assert (tmp_path / "m.keras").exists()
