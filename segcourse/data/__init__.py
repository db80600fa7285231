"""Data without a network: synthetic families, real-data loaders, paired augmentation, tf.data.

Submodules (imported on first use, so ``import segcourse.data`` stays light and the numpy-only
``synthetic`` never pulls in TensorFlow):

* :mod:`~segcourse.data.synthetic` — ``make(family, n, size, seed)``: pets, vessels, cars, cells, shapes
* :mod:`~segcourse.data.tfds_builder` — the same as a tensorflow-datasets builder (``segcourse_synthetic``)
* :mod:`~segcourse.data.pets` — Oxford-IIIT Pet through tfds, failing fast and helpfully offline
* :mod:`~segcourse.data.folder` — your own ``images/`` + ``masks/`` folder, validated
* :mod:`~segcourse.data.augment` — paired augmentation (image and mask stay aligned)
* :mod:`~segcourse.data.pipeline` — tf.data pipelines with cache and prefetch, throughput
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["synthetic", "tfds_builder", "pets", "folder", "augment", "pipeline", "make"]

_SUBMODULES = {"synthetic", "tfds_builder", "pets", "folder", "augment", "pipeline"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"segcourse.data.{name}")
    if name == "make":
        return importlib.import_module("segcourse.data.synthetic").make
    raise AttributeError(f"module 'segcourse.data' has no attribute {name!r}")
