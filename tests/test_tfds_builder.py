"""The segcourse_synthetic tfds builder: tfds.load works offline and returns exactly make()'s data."""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from segcourse.data import synthetic
from segcourse.data import tfds_builder as B


@pytest.fixture(autouse=True)
def _quiet():
    tfds.disable_progress_bar()


def as_arrays(ds):
    ex = list(tfds.as_numpy(ds))
    return ex


def test_registered_on_import():
    assert tfds.builder_cls(B.NAME) is B.SegcourseSynthetic
    assert [c.name for c in B.SegcourseSynthetic.BUILDER_CONFIGS] == list(synthetic.FAMILIES)


def test_small_config_matches_make(tmp_path):
    cfg = B.config("shapes", size=32, n_train=40, n_test=9, seed=3)
    builder = tfds.builder(B.NAME, config=cfg, data_dir=str(tmp_path))
    builder.download_and_prepare()
    assert builder.info.splits["train"].num_examples == 40 and builder.info.splits["test"].num_examples == 9
    assert builder.info.metadata["class_names"] == list(synthetic.class_names("shapes"))
    for split, seed, n in (("train", 3, 40), ("test", 3 + 10**6, 9)):
        examples = as_arrays(builder.as_dataset(split=split))
        x, y = synthetic.make("shapes", n, 32, seed)
        expected = {(np.round(xi * 255).astype(np.uint8).tobytes(), yi.astype(np.uint8).tobytes())
                    for xi, yi in zip(x, y)}
        got = {(e["image"].tobytes(), e["segmentation_mask"][..., 0].tobytes()) for e in examples}
        assert got == expected  # tfds shuffles on write; the set of pairs must be make()'s


def test_tfds_load_by_name_and_supervised(tmp_path):
    ds = tfds.load("segcourse_synthetic/vessels", split="test[:5]", data_dir=str(tmp_path), as_supervised=True)
    pairs = as_arrays(ds)
    assert len(pairs) == 5
    image, mask = pairs[0]
    assert image.shape == (64, 64, 1) and image.dtype == np.uint8 and mask.shape == (64, 64, 1)
    assert set(np.unique(np.concatenate([m for _, m in pairs]))) <= {0, 1, 2}


def test_cells_have_instances(tmp_path):
    cfg = B.config("cells", size=32, n_train=6, n_test=2)
    builder = tfds.builder(B.NAME, config=cfg, data_dir=str(tmp_path))
    builder.download_and_prepare()
    examples = as_arrays(builder.as_dataset(split="train"))
    _, masks, inst = synthetic.make_cells_instances(6, 32, 0)
    expected = {(m.astype(np.uint8).tobytes(), i.astype(np.uint16).tobytes()) for m, i in zip(masks, inst)}
    got = {(e["segmentation_mask"][..., 0].tobytes(), e["instances"][..., 0].tobytes()) for e in examples}
    assert got == expected


def test_bad_family():
    with pytest.raises(ValueError, match="family"):
        B.config("dogs")
