"""segcourse.data.pets: preprocessing on tfds mock data, and failing fast (with instructions) offline."""

import threading
import time

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from segcourse.data import pets


def trimap(h, w):
    """A pet (1) inside an unclassified band (3) on background (2), as in the real trimaps."""
    rows, cols = np.mgrid[:h, :w]
    r = np.hypot((rows - h / 2) / h, (cols - w / 2) / w)
    return np.where(r < 0.25, 1, np.where(r < 0.3, 3, 2)).astype(np.uint8)


def nearest_reference(a, out_h, out_w):
    """Half-pixel-centre nearest neighbour, written out in numpy."""
    h, w = a.shape[:2]
    rows = np.minimum(np.floor((np.arange(out_h) + 0.5) * h / out_h).astype(int), h - 1)
    cols = np.minimum(np.floor((np.arange(out_w) + 0.5) * w / out_w).astype(int), w - 1)
    return a[rows][:, cols]


def test_preprocess_shifts_labels_and_resizes_masks_with_nearest():
    mask = trimap(50, 70)
    example = {"image": tf.constant(np.random.default_rng(0).integers(0, 256, (50, 70, 3), dtype=np.uint8)),
               "segmentation_mask": tf.constant(mask[..., None])}
    image, out = pets.preprocess(example, size=32)
    assert image.shape == (32, 32, 3) and image.dtype == tf.float32
    assert out.shape == (32, 32) and out.dtype == tf.int32
    assert np.array_equal(out.numpy(), nearest_reference(mask, 32, 32).astype(np.int32) - 1)
    assert set(np.unique(out.numpy())) == {0, 1, 2}  # 0 pet, 1 background, 2 border: no invented values
    assert 0.0 <= float(tf.reduce_min(image)) and float(tf.reduce_max(image)) <= 1.0


def fake_pets(self, split, **kwargs):
    """A mock `as_dataset` yielding real-looking examples of varied sizes."""
    def gen():
        for i, (h, w) in enumerate([(40, 60), (64, 48), (33, 33)]):
            yield {"image": np.full((h, w, 3), 10 * i, np.uint8), "segmentation_mask": trimap(h, w)[..., None],
                   "label": i, "species": i % 2, "file_name": f"x{i}.jpg", "head_bbox": np.zeros(4, np.float32)}
    return tf.data.Dataset.from_generator(gen, output_signature={
        "image": tf.TensorSpec((None, None, 3), tf.uint8),
        "segmentation_mask": tf.TensorSpec((None, None, 1), tf.uint8),
        "label": tf.TensorSpec((), tf.int64), "species": tf.TensorSpec((), tf.int64),
        "file_name": tf.TensorSpec((), tf.string), "head_bbox": tf.TensorSpec((4,), tf.float32)})


def test_load_on_tfds_mock_data(tmp_path):
    with tfds.testing.mock_data(num_examples=3, as_dataset_fn=fake_pets):
        ds = pets.load("train", size=24, data_dir=tmp_path, download=False)
        pairs = [(x.numpy(), y.numpy()) for x, y in ds]
    assert len(pairs) == 3
    for i, (x, y) in enumerate(pairs):
        assert x.shape == (24, 24, 3) and y.shape == (24, 24)
        assert np.allclose(x, 10 * i / 255, atol=1e-6)
        assert set(np.unique(y)) == {0, 1, 2}


def test_load_on_default_mock_data(tmp_path):
    with tfds.testing.mock_data(num_examples=2):
        ds = pets.load("test", size=16, data_dir=tmp_path, download=False)
        shapes = [(x.shape, y.shape, y.dtype) for x, y in ds]
    assert shapes == [((16, 16, 3), (16, 16), tf.int32)] * 2


def test_offline_failure_is_immediate_and_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(pets, "_reachable", lambda host, port=443, timeout=3.0: False)
    monkeypatch.setattr(tfds, "load", lambda *a, **k: pytest.fail("tfds.load must not be reached"))
    with pytest.raises(pets.DataUnavailableError) as info:
        pets.load("train", data_dir=tmp_path)
    message = str(info.value)
    assert str(tmp_path / "downloads" / "manual") in message
    assert all(url in message for url in pets.URLS.values())


def test_prepared_or_manual_data_skips_the_network(tmp_path, monkeypatch):
    monkeypatch.setattr(pets, "_reachable", lambda *a, **k: pytest.fail("no network check needed"))
    manual = pets.manual_dir(tmp_path)
    manual.mkdir(parents=True)
    for name in pets.URLS:
        (manual / name).write_bytes(b"")
    assert pets.check_available(tmp_path) == "manual"
    version = tmp_path / "oxford_iiit_pet" / "4.0.0"
    version.mkdir(parents=True)
    (version / "dataset_info.json").write_text("{}")
    assert pets.check_available(tmp_path) == "prepared"


def test_reachability_probe_gives_up_on_time():
    # 192.0.2.1 is TEST-NET-1 (never routed): the probe must stop waiting after its timeout,
    # even if name resolution or connect would block far longer
    result = {}

    def probe():
        start = time.perf_counter()
        result["ok"] = pets._reachable("192.0.2.1", timeout=0.5)
        result["seconds"] = time.perf_counter() - start

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive() and result["ok"] is False


def test_without_a_network_load_fails_fast(tmp_path):
    """The documented contract: no data and no network -> an error within seconds, not minutes."""
    if pets._reachable(pets.HOST, timeout=2.0):
        pytest.skip("the data host is reachable from here")
    start = time.perf_counter()
    with pytest.raises(pets.DataUnavailableError, match="cannot be reached"):
        pets.load("train", data_dir=tmp_path, timeout=2.0)
    assert time.perf_counter() - start < 10.0
