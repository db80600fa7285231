"""Paired augmentation: the image and the mask must stay aligned, and masks must keep their labels.

The alignment test encodes each pixel's (row, column) into the image channels and into the
mask's label (row * W + column); after any transform, decoding the image must give the mask.
"""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings, strategies as st

from segcourse.data.augment import PairedAugment, apply_numpy, augment_dataset

H = 24


def coordinate_pair(h=H, w=H):
    rows, cols = np.mgrid[:h, :w]
    image = np.stack([rows / (h - 1), cols / (w - 1), np.full((h, w), 0.5)], -1).astype(np.float32)
    mask = (rows * w + cols).astype(np.int32)
    return image, mask


def decode(image, h=H, w=H):
    return np.round(image[..., 0] * (h - 1)).astype(int) * w + np.round(image[..., 1] * (w - 1)).astype(int)


GEOMETRIC = PairedAugment(flip_lr=True, flip_ud=True, rot90=True, crop=17)


@settings(max_examples=30)
@given(st.integers(0, 2**31 - 2), st.integers(0, 2**31 - 2))
def test_flips_rotations_crops_keep_the_pair_aligned(a, b):
    image, mask = coordinate_pair()
    x, y = GEOMETRIC(image, mask, seed=tf.constant([a, b]))
    assert x.shape == (17, 17, 3) and y.shape == (17, 17)
    assert np.array_equal(decode(x.numpy()), y.numpy())


@settings(max_examples=25)
@given(st.integers(0, 2**31 - 2))
def test_tf_equals_the_numpy_reference(a):
    image, mask = coordinate_pair()
    seed = tf.constant([a, 5])
    x, y = GEOMETRIC(image, mask, seed=seed)
    p = {k: v.numpy() for k, v in GEOMETRIC.sample(seed, H, H).items()}
    rx, ry = apply_numpy(image, mask, p, crop=17)
    assert np.array_equal(x.numpy(), rx) and np.array_equal(y.numpy(), ry)


def test_every_geometric_outcome_occurs():
    image, mask = coordinate_pair()
    seen = set()
    for s in range(60):
        p = GEOMETRIC.sample(tf.constant([s, 1]), H, H)
        seen.add((bool(p["flip_lr"]), bool(p["flip_ud"]), int(p["k"])))
    assert len(seen) >= 14  # of 16 combinations
    tops = {int(GEOMETRIC.sample(tf.constant([s, 2]), H, H)["top"]) for s in range(200)}
    assert tops == set(range(0, H - 17 + 1))  # both ends reachable: no off-by-one


def test_full_size_crop_is_legal():
    image, mask = coordinate_pair()
    x, y = PairedAugment(crop=H)(image, mask, seed=tf.constant([3, 4]))
    assert np.array_equal(y.numpy(), mask) and np.array_equal(x.numpy(), image)


@settings(max_examples=25)
@given(st.integers(0, 2**31 - 2))
def test_scale_keeps_alignment_within_half_a_pixel_and_never_invents_labels(a):
    image, mask = coordinate_pair()
    aug = PairedAugment(scale=(0.6, 1.7), flip_lr=True)
    x, y = aug(image, mask, seed=tf.constant([a, 9]))
    x, y = x.numpy(), y.numpy()
    assert x.shape == image.shape and y.shape == mask.shape
    rows, cols = x[..., 0] * (H - 1), x[..., 1] * (H - 1)
    # bilinear image coordinates and nearest mask coordinates agree to half a source pixel
    assert np.abs(rows - y // H).max() <= 0.5 + 1e-4 and np.abs(cols - y % H).max() <= 0.5 + 1e-4
    labels = (np.arange(H * H).reshape(H, H) % 3).astype(np.int32)
    _, z = aug(image, labels, seed=tf.constant([a, 9]))
    assert set(np.unique(z.numpy())) <= {0, 1, 2}


def test_photometric_changes_touch_the_image_only():
    image, mask = coordinate_pair()
    geometry = PairedAugment(flip_lr=True, rot90=True)
    colour = PairedAugment(flip_lr=True, rot90=True, brightness=0.2, contrast=0.3, saturation=0.3, gamma=0.3,
                           noise=0.05)
    for s in range(5):
        seed = tf.constant([s, 0])
        x0, y0 = geometry(image, mask, seed)
        x1, y1 = colour(image, mask, seed)
        assert np.array_equal(y0.numpy(), y1.numpy())
        assert not np.allclose(x0.numpy(), x1.numpy())
        assert x1.numpy().min() >= 0 and x1.numpy().max() <= 1


def test_mask_with_channel_axis_and_determinism():
    image, mask = coordinate_pair()
    x1, y1 = GEOMETRIC(image, mask[..., None], seed=tf.constant([1, 2]))
    x2, y2 = GEOMETRIC(image, mask[..., None], seed=tf.constant([1, 2]))
    assert y1.shape == (17, 17, 1)
    assert np.array_equal(x1.numpy(), x2.numpy()) and np.array_equal(y1.numpy(), y2.numpy())


def test_dataset_augmentation_is_aligned_reproducible_and_new_each_epoch():
    image, mask = coordinate_pair()
    ds = tf.data.Dataset.from_tensors((image, mask)).repeat(8)
    aug_ds = augment_dataset(ds, GEOMETRIC, seed=7)
    epoch1 = [(x.numpy(), y.numpy()) for x, y in aug_ds]
    epoch2 = [(x.numpy(), y.numpy()) for x, y in aug_ds]
    again = [(x.numpy(), y.numpy()) for x, y in augment_dataset(ds, GEOMETRIC, seed=7)]
    assert all(np.array_equal(decode(x), y) for x, y in epoch1 + epoch2)
    assert len({y.tobytes() for _, y in epoch1}) > 1  # different transforms within an epoch
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(epoch1, epoch2))  # and across epochs
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(epoch1, again))  # reproducible run to run


@pytest.mark.parametrize("kwargs, image_shape, mask_shape, words", [
    ({"rot90": True}, (20, 24, 3), (20, 24), "square"),
    ({"crop": 30}, (24, 24, 3), (24, 24), "crop"),
    ({}, (24, 24, 3), (24, 20), "mask"),
    ({}, (24, 24), (24, 24), "image"),
])
def test_bad_inputs(kwargs, image_shape, mask_shape, words):
    with pytest.raises(ValueError, match=words):
        PairedAugment(**kwargs)(np.zeros(image_shape, np.float32), np.zeros(mask_shape, np.int32), tf.constant([0, 0]))


def test_bad_policy():
    with pytest.raises(ValueError, match="scale"):
        PairedAugment(scale=(1.5, 1.0))
    with pytest.raises(ValueError, match="contrast"):
        PairedAugment(contrast=1.5)
