"""segcourse.data.pipeline: every image once per epoch, reproducible shuffles, weights, the stream."""

import numpy as np
import pytest

from segcourse.data import pipeline, synthetic
from segcourse.data.augment import PairedAugment


def ids_dataset(n=37, size=8):
    """Images whose pixels all equal their index, so batches can be traced back."""
    x = np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None, None] / 100, (n, size, size, 1)).copy()
    y = np.broadcast_to(np.arange(n, dtype=np.int32)[:, None, None] % 3, (n, size, size)).copy()
    return x, y


def epoch_ids(ds):
    return [int(round(v * 100)) for b in ds for v in b[0].numpy()[:, 0, 0, 0]]


def test_each_epoch_sees_every_image_once_in_a_new_reproducible_order():
    x, y = ids_dataset()
    ds = pipeline.from_arrays(x, y, batch_size=8, seed=3)
    e1, e2 = epoch_ids(ds), epoch_ids(ds)
    assert sorted(e1) == list(range(37)) and sorted(e2) == list(range(37))
    assert e1 != e2
    again = pipeline.from_arrays(x, y, batch_size=8, seed=3)
    assert epoch_ids(again) == e1
    assert [b[0].shape[0] for b in ds] == [8, 8, 8, 8, 5]


def test_pairs_stay_together_and_types():
    x, y = ids_dataset()
    for xb, yb in pipeline.from_arrays(x, y, batch_size=5, seed=1):
        assert xb.dtype == "float32" and yb.dtype == "int32"
        idx = np.round(xb.numpy()[:, 0, 0, 0] * 100).astype(int)
        assert np.array_equal(yb.numpy()[:, 0, 0], idx % 3)


def test_uint8_images_are_scaled():
    x = np.full((4, 6, 6, 3), 255, np.uint8)
    xb, _ = next(iter(pipeline.from_arrays(x, np.zeros((4, 6, 6), np.int32), 4, shuffle=False)))
    assert np.allclose(xb.numpy(), 1.0)


def test_class_weights_become_per_pixel_sample_weights():
    x, y = ids_dataset()
    w = [0.5, 2.0, 4.0]
    for xb, yb, wb in pipeline.from_arrays(x, y, batch_size=6, class_weights=w):
        assert np.allclose(wb.numpy(), np.take(w, yb.numpy()))


def test_augmentation_in_the_pipeline_keeps_pairs():
    x, y = synthetic.make("shapes", 16, 32, seed=0)
    ds = pipeline.from_arrays(x, y, 4, augment=PairedAugment(flip_lr=True, rot90=True), seed=0)
    originals = {(np.rot90(np.flip(m, 1) if f else m, k)).tobytes() for m in y for f in (0, 1) for k in range(4)}
    for xb, yb in ds:
        assert all(m.tobytes() in originals for m in yb.numpy())


def test_stream_is_the_same_images_as_make():
    ds = pipeline.stream("cars", 32, seed=4, batch_size=16, chunk=8)
    it = iter(ds)
    got = np.concatenate([next(it)[0].numpy() for _ in range(3)])
    expected, _ = synthetic.make("cars", 48, 32, seed=4)
    assert np.array_equal(got, expected)


def test_throughput_counts_what_it_iterates():
    x, y = ids_dataset(40)
    t = pipeline.throughput(pipeline.from_arrays(x, y, 4, repeat=True), batches=6, warmup=1)
    assert (t.batches, t.images) == (6, 24) and t.images_per_second > 0


@pytest.mark.parametrize("images, masks, error, words", [
    (np.zeros((3, 8, 8)), np.zeros((3, 8, 8), int), ValueError, "images"),
    (np.zeros((3, 8, 8, 1)), np.zeros((3, 8, 9), int), ValueError, "masks"),
    (np.zeros((3, 8, 8, 1)), np.zeros((2, 8, 8), int), ValueError, "masks"),
    (np.zeros((3, 8, 8, 1)), np.zeros((3, 8, 8)), TypeError, "integer"),
    (np.full((3, 8, 8, 1), np.nan), np.zeros((3, 8, 8), int), ValueError, "NaN"),
])
def test_bad_arrays(images, masks, error, words):
    with pytest.raises(error, match=words):
        pipeline.from_arrays(images, masks)
