"""The synthetic families as a tensorflow-datasets builder: ``tfds.load`` without a network.

Importing this module registers the builder ``segcourse_synthetic`` with one config per family,
so the usual tfds calls work offline, generating the data into a local ``data_dir`` the first
time (about a second for the default sizes):

>>> import segcourse.data.tfds_builder                                # doctest: +SKIP
>>> ds = tfds.load("segcourse_synthetic/pets", split="train",
...                data_dir="~/segcourse_data")                      # doctest: +SKIP

Each example has the keys of the real Oxford-IIIT Pet builder that matter here:
``image`` (uint8, H x W x C), ``segmentation_mask`` (uint8, H x W x 1) and, for ``cells``,
``instances`` (uint16, H x W x 1). ``as_supervised=True`` gives ``(image, segmentation_mask)``.
Unlike the real Oxford data, the stored masks are already 0-based (``pets``: 0 pet,
1 background, 2 border), exactly as :func:`segcourse.data.synthetic.make` returns them.

The ``train`` split is ``make(family, n_train, size, seed)``; the ``test`` split uses the seed
offset by 10**6, as :func:`segcourse.data.synthetic.train_test` does. Other sizes: pass a
config, e.g. ``tfds.builder("segcourse_synthetic", config=config("pets", size=128))``.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from etils import epath  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402

from segcourse.data import synthetic  # noqa: E402

__all__ = ["SegcourseSynthetic", "SegcourseSyntheticConfig", "config", "NAME"]

NAME = "segcourse_synthetic"


class _FirstBuildNotice(logging.Filter):
    """Drop tfds' warning that a not-yet-generated variant has no dataset_info.json.

    It is logged (to stderr) every time one of these data sets is generated for the first time,
    which is expected here and would otherwise fail the book's stderr-free build.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (NAME in message and "has no dataset_info.json" in message)


logging.getLogger("absl").addFilter(_FirstBuildNotice())
_TEST_SEED_OFFSET = 10**6
_CHUNK = 256  # images generated per call while writing


class SegcourseSyntheticConfig(tfds.core.BuilderConfig):
    """One family at one size with fixed split sizes and seed."""

    def __init__(self, *, family: str, size: int = 64, n_train: int = 1000, n_test: int = 200,
                 seed: int = 0, **kwargs):
        synthetic._check_family(family)
        kwargs.setdefault("name", family)
        kwargs.setdefault("description", synthetic.FAMILIES[family].description
                          + f"; {size}x{size}, {n_train} train / {n_test} test images, seed {seed}")
        super().__init__(**kwargs)
        self.family = family
        self.size = int(size)
        self.n_train = int(n_train)
        self.n_test = int(n_test)
        self.seed = int(seed)


def config(family: str, size: int = 64, n_train: int = 1000, n_test: int = 200,
           seed: int = 0) -> SegcourseSyntheticConfig:
    """A config for a non-default size, split size or seed, named e.g. ``pets_128_1000_200_s0``.

    Examples
    --------
    >>> config("cars", size=32, n_train=10, n_test=5).name
    'cars_32_10_5_s0'
    """
    return SegcourseSyntheticConfig(family=family, size=size, n_train=n_train, n_test=n_test, seed=seed,
                                    name=f"{family}_{size}_{n_train}_{n_test}_s{seed}")


class SegcourseSynthetic(tfds.core.GeneratorBasedBuilder):
    """segcourse's procedurally generated segmentation data sets (no download)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Five families: pets, vessels, cars, cells, shapes."}
    BUILDER_CONFIGS = [SegcourseSyntheticConfig(family=f) for f in synthetic.FAMILIES]

    # tfds derives this from the package's resources through `importlib_resources`, which is not
    # installed here; the module file is what it needs (it looks for checksums.tsv beside it).
    @tfds.core.utils.classproperty
    @classmethod
    def code_path(cls):
        return epath.Path(__file__)

    def _info(self) -> tfds.core.DatasetInfo:
        cfg = self.builder_config
        fam = synthetic.FAMILIES[cfg.family]
        s = cfg.size
        features = {
            "image": tfds.features.Image(shape=(s, s, fam.channels), dtype=np.uint8),
            "segmentation_mask": tfds.features.Image(shape=(s, s, 1), dtype=np.uint8),
        }
        if cfg.family == "cells":
            features["instances"] = tfds.features.Image(shape=(s, s, 1), dtype=np.uint16)
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(features),
            supervised_keys=("image", "segmentation_mask"),
            homepage="https://github.com/segcourse/segcourse",
            metadata=tfds.core.MetadataDict(class_names=list(fam.classes)),
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # nothing to download
        cfg = self.builder_config
        return {
            "train": self._generate_examples(cfg.n_train, cfg.seed),
            "test": self._generate_examples(cfg.n_test, cfg.seed + _TEST_SEED_OFFSET),
        }

    def _generate_examples(self, n: int, seed: int):
        cfg = self.builder_config
        # slices of the same stream: example i is always make(family, n, size, seed)[i]
        for start in range(0, n, _CHUNK):
            count = min(_CHUNK, n - start)
            images, masks, inst = synthetic._generate(cfg.family, count, cfg.size, seed, start=start)
            pixels = np.round(images * 255.0).astype(np.uint8)
            for i in range(count):
                example = {"image": pixels[i], "segmentation_mask": masks[i, :, :, None].astype(np.uint8)}
                if inst is not None:
                    example["instances"] = inst[i, :, :, None].astype(np.uint16)
                yield start + i, example
