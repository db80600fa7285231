"""Training and evaluation for segmentation models, sized for a 2-core CPU.

* :func:`compile_model` — Adam, sparse cross-entropy **from logits** (the models return logits),
  dataset-level pixel accuracy and mean IoU as ``fit`` metrics.
* :func:`fit` — an epoch and/or wall-clock budget; a progress bar when a person is watching,
  one rounded, deterministic line per epoch otherwise (the book, CI); returns :class:`History`
  (curves, time, images/s; ``.plot()``).
* :func:`evaluate` — confusion matrix, per-class IoU and Dice, mIoU, pixel accuracy over a whole
  test set (one confusion matrix for all pixels, the PASCAL VOC definition).
* :func:`predict_labels` — argmax labels in batches; :func:`center_crop` for the smaller outputs
  of valid-padding networks.
* :func:`main` — the ``segcourse train`` command.

Examples
--------
>>> from segcourse import env, models, train                                  # doctest: +SKIP
>>> from segcourse.data import synthetic                                      # doctest: +SKIP
>>> env.setup(seed=0)                                                         # doctest: +SKIP
>>> (x, y), (xt, yt) = synthetic.train_test("pets", 1000, 200)               # doctest: +SKIP
>>> model = train.compile_model(models.build("unet", x.shape[1:], 3, base_filters=16,
...                                          batch_norm=True), num_classes=3)  # doctest: +SKIP
>>> history = train.fit(model, (x, y), (xt, yt), epochs=5, time_budget=60)    # doctest: +SKIP
>>> print(train.evaluate(model, xt, yt, class_names=synthetic.class_names("pets")))  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from segcourse import metrics as seg_metrics  # noqa: E402

__all__ = ["compile_model", "fit", "History", "evaluate", "Evaluation", "predict_labels", "center_crop",
           "TimeBudget", "is_interactive", "main"]


# --------------------------------------------------------------------------- helpers
def is_interactive() -> bool:
    """Is a person watching? False while the book builds (``SEGCOURSE_STATIC=1``) or under CI.

    True in a terminal or a Jupyter kernel otherwise.
    """
    if os.environ.get("SEGCOURSE_STATIC", "") == "1" or os.environ.get("CI"):
        return False
    if "ipykernel" in sys.modules:
        return True
    return bool(getattr(sys.stdout, "isatty", lambda: False)())


def center_crop(masks: np.ndarray, height: int, width: int | None = None) -> np.ndarray:
    """Centre-crop (N, H, W[, ...]) arrays to ``height x width`` (valid-padding outputs are smaller).

    Examples
    --------
    >>> center_crop(np.arange(36).reshape(1, 6, 6), 2).tolist()
    [[[14, 15], [20, 21]]]
    """
    width = height if width is None else width
    h, w = masks.shape[1], masks.shape[2]
    if height > h or width > w:
        raise ValueError(f"height/width: cannot crop size {h}x{w} to the larger {height}x{width}")
    top, left = (h - height) // 2, (w - width) // 2
    return masks[:, top:top + height, left:left + width]


def _output_hw(model: Any, height: int, width: int) -> tuple[int, int]:
    out = model.output_shape
    oh, ow = out[1], out[2]
    if oh is None or ow is None:  # fully convolutional with unknown size: run one tiny forward pass
        import keras

        probe = np.zeros((1, height, width, model.input_shape[-1]), np.float32)
        shape = keras.ops.shape(model(probe, training=False))
        oh, ow = int(shape[1]), int(shape[2])
    return oh, ow


def _as_dataset(model: Any, data: Any, batch_size: int, shuffle: bool, seed: int):
    """Arrays ``(x, y)`` -> a cached, shuffled, prefetched tf.data pipeline; datasets pass through.

    Masks are centre-cropped to the model's output size when it is smaller than the input.
    """
    import tensorflow as tf

    if isinstance(data, tf.data.Dataset):
        return data, None
    if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
        raise TypeError("data: expected (images, masks[, sample_weights]) arrays or a tf.data.Dataset, "
                        f"got {type(data).__name__}")
    from segcourse.data.pipeline import from_arrays

    x, y = np.asarray(data[0]), np.asarray(data[1])
    oh, ow = _output_hw(model, x.shape[1], x.shape[2])
    if (oh, ow) != y.shape[1:3]:
        y = center_crop(y, oh, ow)
    if len(data) == 3:
        w = np.asarray(data[2], np.float32)
        if w.shape[1:3] != (oh, ow):
            w = center_crop(w, oh, ow)
        ds = tf.data.Dataset.from_tensor_slices((x.astype(np.float32), y.astype(np.int32), w)).cache()
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE), len(x)
    return from_arrays(x, y, batch_size, shuffle=shuffle, seed=seed), len(x)


# --------------------------------------------------------------------------- compile
def compile_model(model: Any, num_classes: int, *, learning_rate: float = 1e-3, loss: Any = None,
                  class_names: Sequence[str] | None = None, per_class: bool = False,
                  ignore_class: int | None = None, optimizer: Any = None, steps_per_execution: int = 1) -> Any:
    """Compile ``model`` (logits out) for segmentation; returns the model.

    Default loss: ``SparseCategoricalCrossentropy(from_logits=True)`` — the models return logits,
    and putting a softmax in front of a from-logits loss (or leaving ``from_logits=False`` on
    logits) is the classic bug that stalls training. Metrics: pixel accuracy and dataset-level
    mean IoU (and per-class IoU with ``per_class=True``), computed from a confusion matrix.
    """
    import keras

    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes: expected a positive int, got {num_classes!r}")
    if loss is None:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=ignore_class)
    model.compile(
        optimizer=optimizer or keras.optimizers.Adam(learning_rate),
        loss=loss,
        metrics=seg_metrics.keras_metrics(num_classes, class_names, ignore_class=ignore_class, per_class=per_class),
        steps_per_execution=steps_per_execution,
    )
    return model


# --------------------------------------------------------------------------- fit
def TimeBudget(seconds: float):  # noqa: N802 - used like a class
    """A Keras callback that stops training once ``seconds`` of wall-clock time have passed.

    The check runs after every batch, so a run overshoots by at most one batch (plus the
    validation pass of the interrupted epoch). ``callback.stopped`` says whether it fired.
    """
    import keras

    class _TimeBudget(keras.callbacks.Callback):
        def __init__(self, seconds: float) -> None:
            super().__init__()
            self.seconds = float(seconds)
            self.stopped = False
            self.start = None

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if time.perf_counter() - self.start > self.seconds:
                self.model.stop_training = True
                self.stopped = True

    return _TimeBudget(seconds)


def _quiet_logger(print_every: int, digits: int, total_epochs: int | None):
    import keras

    class _EpochLines(keras.callbacks.Callback):
        """One rounded line per ``print_every`` epochs: reproducible text for the book."""

        def on_epoch_end(self, epoch, logs=None):
            last = total_epochs is not None and epoch + 1 == total_epochs
            if (epoch + 1) % print_every and not last:
                return
            parts = [f"epoch {epoch + 1:>3}"]
            for name, value in (logs or {}).items():
                v = float(value)
                parts.append(f"{name} {v:.{digits}f}" if math.isfinite(v) else f"{name} nan")
            print("  ".join(parts), flush=True)

    return _EpochLines()


@dataclass
class History:
    """What :func:`fit` returns: per-epoch curves and the run's cost."""

    history: dict[str, list[float]]
    epochs: int
    steps: int
    images: int
    seconds: float
    stopped_by_time: bool
    params: dict = field(default_factory=dict)

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else float("nan")

    def last(self, name: str) -> float:
        """Final value of a logged metric, e.g. ``history.last("val_mean_iou")``."""
        if name not in self.history:
            raise KeyError(f"name: {name!r} was not logged; logged: {sorted(self.history)}")
        return self.history[name][-1]

    def plot(self, metrics: Sequence[str] = ("loss", "mean_iou")):
        """Loss/metric curves (train solid, validation dashed); returns the Figure."""
        from segcourse.viz import plot_history

        return plot_history(self.history, metrics)

    def to_json(self) -> str:
        return json.dumps({"history": self.history, "epochs": self.epochs, "steps": self.steps,
                           "images": self.images, "seconds": self.seconds,
                           "stopped_by_time": self.stopped_by_time, "params": self.params}, indent=1)

    def summary(self) -> str:
        """A short line: epochs, steps and (time-dependent, so not for the book) speed."""
        how = "time budget" if self.stopped_by_time else "epoch budget"
        return (f"{self.epochs} epochs, {self.steps} steps ({how}); {self.seconds:.1f} s, "
                f"{self.images_per_second:.0f} images/s")


def fit(model: Any, train: Any, validation: Any = None, *, epochs: int | None = None,
        time_budget: float | None = None, batch_size: int = 32, verbose: int | None = None,
        print_every: int = 1, digits: int = 3, seed: int = 0, callbacks: Sequence[Any] = ()) -> History:
    """Train a compiled model within an epoch and/or a wall-clock budget.

    Parameters
    ----------
    model : keras.Model
        Compiled (see :func:`compile_model`).
    train, validation : (images, masks) arrays, (images, masks, weights) or tf.data.Dataset
        Arrays become a cached, shuffled, prefetched pipeline of ``batch_size``; masks are
        centre-cropped to the output size of valid-padding models.
    epochs : int, optional
        Maximum number of epochs.
    time_budget : float, optional
        Maximum seconds of training; at least one of ``epochs`` and ``time_budget`` is needed.
        A time budget makes the number of steps depend on the machine: the book uses epochs.
    verbose : {0, 1}, optional
        1: Keras' progress bar; 0: one rounded line per ``print_every`` epochs. Default: 1 when
        :func:`is_interactive`, else 0.
    """
    if epochs is None and time_budget is None:
        raise ValueError("epochs/time_budget: give at least one budget")
    if epochs is not None and (not isinstance(epochs, int) or epochs < 1):
        raise ValueError(f"epochs: expected a positive int, got {epochs!r}")
    if time_budget is not None and not time_budget > 0:
        raise ValueError(f"time_budget: expected seconds > 0, got {time_budget!r}")
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise ValueError("model: compile it first (segcourse.train.compile_model)")
    verbose = (1 if is_interactive() else 0) if verbose is None else int(verbose)
    train_ds, n_train = _as_dataset(model, train, batch_size, shuffle=True, seed=seed)
    val_ds = _as_dataset(model, validation, batch_size, shuffle=False, seed=seed)[0] if validation is not None else None

    cbs = list(callbacks)
    budget = TimeBudget(time_budget) if time_budget is not None else None
    if budget is not None:
        cbs.append(budget)
    if verbose == 0:
        cbs.append(_quiet_logger(print_every, digits, epochs))

    steps = {"n": 0, "images": 0}

    import keras

    class _Count(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps["n"] += 1

    cbs.append(_Count())
    start = time.perf_counter()
    # shuffle=False: the pipeline already shuffles (Keras warns on stderr otherwise)
    keras_history = model.fit(train_ds, validation_data=val_ds, epochs=epochs or 10**6, shuffle=False,
                              verbose=verbose, callbacks=cbs)
    seconds = time.perf_counter() - start
    hist = {k: [float(v) for v in vals] for k, vals in keras_history.history.items()}
    n_epochs = len(next(iter(hist.values()))) if hist else 0
    if n_train is not None:
        per_epoch_steps = math.ceil(n_train / batch_size)
        images = sum(min(batch_size, n_train - (s % per_epoch_steps) * batch_size) for s in range(steps["n"]))
    else:
        images = steps["n"] * batch_size
    return History(hist, n_epochs, steps["n"], images, seconds,
                   bool(budget is not None and budget.stopped),
                   {"batch_size": batch_size, "epochs": epochs, "time_budget": time_budget, "seed": seed})


# --------------------------------------------------------------------------- evaluate
def predict_labels(model: Any, images: Any, batch_size: int = 32) -> np.ndarray:
    """Argmax labels ``(N, H', W')`` for ``images`` (N, H, W, C), computed batch by batch.

    Calls the model directly (``training=False``) under a compiled ``tf.function``, which is
    faster than ``model.predict`` for the small batches of a course.
    """
    import tensorflow as tf

    images = np.asarray(images, np.float32)
    if images.ndim != 4:
        raise ValueError(f"images: expected a 4-D (N, H, W, C) array, got shape {images.shape}")
    step = _predict_fn(model)
    out = [step(tf.constant(images[i:i + batch_size])).numpy() for i in range(0, len(images), batch_size)]
    return np.concatenate(out).astype(np.int32) if out else np.zeros((0,) + images.shape[1:3], np.int32)


def _predict_fn(model: Any):
    import tensorflow as tf

    fn = getattr(model, "_segcourse_predict", None)
    if fn is None:
        @tf.function(reduce_retracing=True)
        def fn(x):
            return tf.argmax(model(x, training=False), axis=-1, output_type=tf.int32)

        model._segcourse_predict = fn
    return fn


@dataclass
class Evaluation:
    """Scores of a model on a test set, all from one confusion matrix (rows = truth)."""

    confusion: np.ndarray
    class_names: tuple[str, ...]

    @property
    def iou(self) -> np.ndarray:
        return seg_metrics.iou_per_class(self.confusion)

    @property
    def dice(self) -> np.ndarray:
        return seg_metrics.dice_per_class(self.confusion)

    @property
    def mean_iou(self) -> float:
        return seg_metrics.mean_iou(self.confusion)

    @property
    def mean_dice(self) -> float:
        return seg_metrics.mean_dice(self.confusion)

    @property
    def pixel_accuracy(self) -> float:
        return seg_metrics.pixel_accuracy(self.confusion)

    def as_dict(self) -> dict:
        return {"mean_iou": self.mean_iou, "mean_dice": self.mean_dice, "pixel_accuracy": self.pixel_accuracy,
                "iou": dict(zip(self.class_names, self.iou.tolist())),
                "dice": dict(zip(self.class_names, self.dice.tolist()))}

    def table(self, digits: int = 3) -> str:
        """Per-class IoU and Dice, then the means; rounded for reproducible printing."""
        width = max(8, max(len(c) for c in self.class_names))
        f = lambda v: "  nan" if not np.isfinite(v) else f"{v:.{digits}f}"  # noqa: E731
        lines = [f"{'class':<{width}}  IoU    Dice"]
        for name, i, d in zip(self.class_names, self.iou, self.dice):
            lines.append(f"{name:<{width}}  {f(i)}  {f(d)}")
        lines.append(f"{'mean':<{width}}  {f(self.mean_iou)}  {f(self.mean_dice)}")
        lines.append(f"pixel accuracy {f(self.pixel_accuracy)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def evaluate(model: Any, images: Any, masks: Any = None, *, num_classes: int | None = None,
             class_names: Sequence[str] | None = None, batch_size: int = 32,
             ignore_index: int | None = None) -> Evaluation:
    """Evaluate on a test set: ``evaluate(model, x, y)`` or ``evaluate(model, dataset)``.

    Truth masks larger than the model's output (valid padding) are centre-cropped to it.
    ``num_classes`` defaults to the model's output channels.
    """
    import tensorflow as tf

    c = num_classes or int(model.output_shape[-1])
    names = tuple(class_names) if class_names is not None else tuple(str(i) for i in range(c))
    if len(names) != c:
        raise ValueError(f"class_names: expected {c} names, got {len(names)}")
    cm = np.zeros((c, c), np.int64)
    if isinstance(images, tf.data.Dataset):
        if masks is not None:
            raise TypeError("masks: give either a dataset or (images, masks), not both")
        batches = ((np.asarray(b[0]), np.asarray(b[1])) for b in images)
    else:
        if masks is None:
            raise TypeError("masks: evaluate(model, images, masks) needs the truth masks")
        x, y = np.asarray(images), np.asarray(masks)
        if len(x) != len(y):
            raise ValueError(f"masks: expected {len(x)} masks for {len(x)} images, got {len(y)}")
        batches = ((x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(x), batch_size))
    for xb, yb in batches:
        pred = predict_labels(model, xb, batch_size)
        if yb.ndim == 4:
            yb = yb[..., 0]
        if yb.shape[1:3] != pred.shape[1:3]:
            yb = center_crop(yb, pred.shape[1], pred.shape[2])
        cm += seg_metrics.confusion_matrix(yb, pred, c, ignore_index=ignore_index)
    return Evaluation(cm, names)


# --------------------------------------------------------------------------- CLI
def _parser() -> argparse.ArgumentParser:
    from segcourse.data import synthetic

    p = argparse.ArgumentParser(prog="segcourse train",
                                description="Train a segmentation model on a synthetic family (offline) "
                                            "and print per-class IoU, mIoU and Dice on its test split.")
    p.add_argument("--family", default="pets", choices=sorted(synthetic.FAMILIES))
    p.add_argument("--model", default="unet", help="architecture name for segcourse.models.build (default unet)")
    p.add_argument("--size", type=int, default=64, help="image height and width (default 64)")
    p.add_argument("--n-train", type=int, default=2000, help="training images (default 2000)")
    p.add_argument("--n-test", type=int, default=500, help="test images, from a separate seed (default 500)")
    p.add_argument("--batch-size", type=int, default=32, help="default 32")
    p.add_argument("--epochs", type=int, default=None, help="maximum epochs")
    p.add_argument("--time", type=float, default=None, help="maximum seconds of training (default 60 "
                                                            "when --epochs is not given)")
    p.add_argument("--base-filters", type=int, default=16, help="U-Net filters at the first level (default 16)")
    p.add_argument("--depth", type=int, default=4, help="U-Net poolings (default 4)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    p.add_argument("--precision", default="auto", choices=["auto", "float32", "mixed_bfloat16"],
                   help="Keras dtype policy (default auto: bfloat16 where the CPU has it natively)")
    p.add_argument("--seed", type=int, default=0, help="seed of the data and the weights (default 0)")
    p.add_argument("--save", default=None, help="write the trained model to this .keras file")
    p.add_argument("--plot", default=None, help="write the training curves to this image file")
    p.add_argument("--quiet", action="store_true", help="one line per epoch instead of a progress bar")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``segcourse train``: train on a synthetic family with a budget; print the test scores."""
    args = _parser().parse_args(argv)
    from segcourse import env, models
    from segcourse.data import synthetic

    env.setup(seed=args.seed, precision=args.precision)
    budget = args.time if (args.time is not None or args.epochs is not None) else 60.0
    (x, y), (xt, yt) = synthetic.train_test(args.family, args.n_train, args.n_test, args.size, args.seed)
    c = synthetic.num_classes(args.family)
    names = synthetic.class_names(args.family)
    kw = {"base_filters": args.base_filters, "depth": args.depth, "batch_norm": True} if args.model == "unet" else {}
    model = compile_model(models.build(args.model, x.shape[1:], c, **kw), c, learning_rate=args.lr,
                          class_names=names)
    print(f"{args.model} on {args.family} {args.size}x{args.size}: {model.count_params():,} parameters, "
          f"{args.n_train} train / {args.n_test} test images")
    history = fit(model, (x, y), (xt, yt), epochs=args.epochs, time_budget=budget, batch_size=args.batch_size,
                  verbose=0 if args.quiet else None, seed=args.seed)
    print(history.summary())
    print(evaluate(model, xt, yt, class_names=names, batch_size=args.batch_size))
    if args.save:
        model.save(args.save)
        print(f"saved {args.save}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        history.plot().savefig(args.plot, dpi=100)
        print(f"saved {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
