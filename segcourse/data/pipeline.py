"""tf.data input pipelines for segmentation: cache, shuffle, augment, batch, prefetch, measure.

The order matters and is the usual one for data that fits in memory::

    source -> cache -> shuffle -> (repeat) -> augment -> batch -> (sample weights) -> prefetch

* ``cache`` after the deterministic, expensive part (decoding, resizing), before anything random;
* ``shuffle`` with a seed, reshuffled each epoch;
* augmentation after the cache so every epoch sees new transforms;
* ``prefetch`` last, so the next batch is prepared while the model trains on this one.

Examples
--------
>>> from segcourse.data import synthetic, pipeline                          # doctest: +SKIP
>>> x, y = synthetic.make("pets", 256, 64, seed=0)                          # doctest: +SKIP
>>> ds = pipeline.from_arrays(x, y, batch_size=32, shuffle=True, seed=0)    # doctest: +SKIP
>>> pipeline.throughput(ds, batches=8).images_per_second > 0                # doctest: +SKIP
True
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from segcourse.data import synthetic  # noqa: E402
from segcourse.data.augment import PairedAugment, augment_dataset  # noqa: E402

__all__ = ["from_arrays", "synthetic_dataset", "stream", "throughput", "Throughput", "finalize"]


def _tf():
    import tensorflow as tf

    return tf


def _check_pairs(images: np.ndarray, masks: np.ndarray) -> None:
    if images.ndim != 4:
        raise ValueError(f"images: expected a 4-D (N, H, W, C) array, got shape {images.shape}")
    # masks may be smaller than the images (the centre of a valid-padding network's input)
    if (masks.ndim not in (3, 4) or masks.shape[0] != images.shape[0] or masks.shape[1] > images.shape[1]
            or masks.shape[2] > images.shape[2]):
        raise ValueError(f"masks: expected shape {images.shape[:3]} (N, H, W) to match the images, got {masks.shape}")
    if not np.issubdtype(masks.dtype, np.integer):
        raise TypeError(f"masks: expected an integer array of labels, got dtype {masks.dtype}")
    if np.issubdtype(images.dtype, np.floating) and not np.isfinite(images).all():
        raise ValueError("images: contains NaN or infinite values")


def finalize(ds, batch_size: int, *, drop_remainder: bool = False, class_weights: Sequence[float] | None = None,
             ignore_class: int | None = None, prefetch: bool = True):
    """Batch, optionally add per-pixel sample weights (``fit`` then weights every pixel), prefetch."""
    tf = _tf()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if class_weights is not None:
        from segcourse.losses import add_sample_weights

        ds = ds.map(add_sample_weights(class_weights, ignore_class=ignore_class),
                    num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE) if prefetch else ds


def from_arrays(images: np.ndarray, masks: np.ndarray, batch_size: int = 32, *, shuffle: bool = True,
                seed: int = 0, augment: PairedAugment | None = None, cache: bool = True, repeat: bool = False,
                drop_remainder: bool = False, class_weights: Sequence[float] | None = None,
                ignore_class: int | None = None, prefetch: bool = True):
    """A batched ``tf.data.Dataset`` of ``(image, mask)`` (or ``(image, mask, weights)``) from arrays.

    Parameters
    ----------
    images : ndarray (N, H, W, C)
        Float images in [0, 1] (uint8 images are scaled by 1/255).
    masks : ndarray (N, H, W)
        Integer labels.
    batch_size : int
    shuffle : bool
        Shuffle the whole set with ``seed``, differently every epoch (reproducibly).
    augment : PairedAugment, optional
        Paired augmentation, applied after the cache.
    cache : bool
        Cache the converted tensors in memory.
    repeat : bool
        Repeat forever (use ``steps_per_epoch`` in ``fit``).
    class_weights : sequence of float, optional
        Adds a third element, per-pixel weights ``class_weights[mask]`` (0 for ``ignore_class``).
    """
    tf = _tf()
    images, masks = np.asarray(images), np.asarray(masks)
    _check_pairs(images, masks)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive int, got {batch_size!r}")
    scale = 1.0 / 255.0 if images.dtype == np.uint8 else 1.0
    ds = tf.data.Dataset.from_tensor_slices((images, masks.astype(np.int32)))
    if scale != 1.0:
        ds = ds.map(lambda x, y: (tf.cast(x, tf.float32) * scale, y))
    if cache:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    if augment is not None:
        ds = augment_dataset(ds, augment, seed=seed)
    return finalize(ds, batch_size, drop_remainder=drop_remainder, class_weights=class_weights,
                    ignore_class=ignore_class, prefetch=prefetch)


def synthetic_dataset(family: str, n: int, size: int = 64, seed: int = 0, batch_size: int = 32, **kwargs):
    """``from_arrays`` on ``synthetic.make(family, n, size, seed)``; returns ``(dataset, (images, masks))``."""
    images, masks = synthetic.make(family, n, size, seed)
    return from_arrays(images, masks, batch_size, seed=seed, **kwargs), (images, masks)


def stream(family: str, size: int = 64, seed: int = 0, batch_size: int = 32, *,
           chunk: int | None = None, parallel: int = 2, augment: PairedAugment | None = None):
    """An endless pipeline of fresh synthetic batches, generated on the fly (no memory, no repeats).

    Chunk ``i`` is ``synthetic._generate(family, chunk, size, seed, start=i * chunk)``: the stream
    is the same as one huge ``make`` call, reproducible, and generated by ``parallel`` workers
    (numpy releases the GIL in its array loops).
    """
    tf = _tf()
    fam = synthetic._check_family(family)
    chunk = chunk or max(batch_size, synthetic._chunk_size(size))

    def gen(i):
        x, y, _ = synthetic._generate(family, chunk, size, seed, start=int(i) * chunk)
        return x, y

    def load(i):
        x, y = tf.numpy_function(gen, [i], (tf.float32, tf.int32), stateful=False)
        x.set_shape((chunk, size, size, fam.channels))
        y.set_shape((chunk, size, size))
        return tf.data.Dataset.from_tensor_slices((x, y))

    ds = tf.data.Dataset.range(2**62).interleave(load, cycle_length=parallel, block_length=chunk,
                                                  num_parallel_calls=parallel, deterministic=True)
    if augment is not None:
        ds = augment_dataset(ds, augment, seed=seed)
    return finalize(ds, batch_size)


@dataclass(frozen=True)
class Throughput:
    """Result of :func:`throughput`."""

    batches: int
    images: int
    seconds: float

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        return f"{self.images_per_second:,.0f} images/s ({self.images} images in {self.seconds:.2f} s)"


def throughput(ds: Any, batches: int = 50, warmup: int = 2) -> Throughput:
    """Iterate ``batches`` batches of ``ds`` (after ``warmup``) and time it: the input pipeline alone.

    Examples
    --------
    >>> throughput(ds, batches=20)  # doctest: +SKIP
    Throughput(batches=20, images=640, seconds=0.05)
    """
    it = iter(ds)
    for _ in range(warmup):
        next(it, None)
    images = 0
    done = 0
    start = time.perf_counter()
    for batch in it:
        images += int(batch[0].shape[0])
        done += 1
        if done >= batches:
            break
    return Throughput(done, images, time.perf_counter() - start)
