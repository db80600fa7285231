"""segcourse.data.synthetic: formats, determinism, label structure, and that the data is not trivial."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu

from segcourse.data import synthetic as S

FAMILIES = list(S.FAMILIES)
CROSS = ndi.generate_binary_structure(2, 1)


@pytest.fixture(scope="module")
def sets():
    return {f: S.make(f, 64, 64, seed=11) for f in FAMILIES}


@pytest.mark.parametrize("family", FAMILIES)
def test_formats(family, sets):
    x, y = sets[family]
    assert x.shape == (64, 64, 64, S.channels(family)) and x.dtype == np.float32
    assert y.shape == (64, 64, 64) and y.dtype == np.int32
    assert np.isfinite(x).all() and x.min() >= 0.0 and x.max() <= 1.0
    # every class occurs somewhere in 64 images, and nothing else does
    assert set(np.unique(y).tolist()) == set(range(S.num_classes(family)))


@pytest.mark.parametrize("family", FAMILIES)
def test_deterministic_and_prefix_stable(family):
    a = S.make(family, 40, 48, seed=3)
    b = S.make(family, 40, 48, seed=3)
    c = S.make(family, 7, 48, seed=3)
    d = S.make(family, 40, 48, seed=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert np.array_equal(a[0][:7], c[0]) and np.array_equal(a[1][:7], c[1])
    assert not np.array_equal(a[0][:7], d[0][:7])


@settings(max_examples=25)
@given(st.sampled_from(FAMILIES), st.integers(0, 70), st.integers(1, 40))
def test_any_slice_of_the_stream_is_the_same_images(family, start, n):
    whole = S._generate(family, start + n, 32, 5)
    part = S._generate(family, n, 32, 5, start=start)
    for a, b in zip(whole, part):
        if a is not None:
            assert np.array_equal(a[start:], b)


@pytest.mark.parametrize("family", FAMILIES)
def test_images_are_textured_not_flat(family, sets):
    x, y = sets[family]
    grey = x.mean(axis=-1)
    background = y == (1 if family == "pets" else 0)
    # local variation (neighbour differences) inside the background: texture, speckle, noise
    dx = np.abs(np.diff(grey, axis=2))
    inside = background[:, :, 1:] & background[:, :, :-1]
    assert dx[inside].mean() > 0.01
    # and images differ from one another in their overall look
    assert grey.mean(axis=(1, 2)).std() > 0.02


def test_pets_grey_level_does_not_separate_the_pet(sets):
    x, y = sets["pets"]
    grey = x @ np.array([0.299, 0.587, 0.114], np.float32)
    pet, bg = y == 0, y == 1
    brighter = np.array([grey[i][pet[i]].mean() > grey[i][bg[i]].mean() for i in range(len(x))])
    assert 0.25 < brighter.mean() < 0.75  # the pet is the brighter region in some images only
    inter = union = 0
    for g, p in zip(grey, pet):
        fg = g > threshold_otsu(g)
        best = max(((fg & p).sum(), (fg | p).sum()), ((~fg & p).sum(), (~fg | p).sum()), key=lambda t: t[0] / t[1])
        inter, union = inter + best[0], union + best[1]
    assert inter / union < 0.5  # Otsu, even with the better polarity per image, fails


def test_pets_trimap_border_separates_pet_from_background(sets):
    _, y = sets["pets"]
    for a, b in ((y[:, 1:], y[:, :-1]), (y[:, :, 1:], y[:, :, :-1])):
        assert not np.any((a == 0) & (b == 1)) and not np.any((a == 1) & (b == 0))
    # the border wraps the pet: the pet's 1-px outer ring is border
    ring = ndi.binary_dilation(y == 0, structure=CROSS[None]) & (y != 0)
    assert (y[ring] == 2).all()


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_band_is_dilation_minus_erosion(seed, radius):
    rng = np.random.default_rng(seed)
    mask = ndi.binary_opening(rng.random((2, 24, 24)) < 0.5, structure=np.ones((1, 2, 2), bool))
    square = np.ones((1, 2 * radius + 1, 2 * radius + 1), bool)
    expected = ndi.binary_dilation(mask, square) & ~ndi.binary_erosion(mask, square, border_value=1)
    assert np.array_equal(S._band(mask, radius), expected)


def test_vessels_wall_encloses_lumen_and_echoes_match_labels(sets):
    x, y = sets["vessels"]
    for a, b in ((y[:, 1:], y[:, :-1]), (y[:, :, 1:], y[:, :, :-1])):
        assert not np.any((a == 0) & (b == 2)) and not np.any((a == 2) & (b == 0))
    grey = x[..., 0]
    lumen, wall, tissue = grey[y == 2].mean(), grey[y == 1].mean(), grey[y == 0].mean()
    assert lumen < tissue < wall  # anechoic lumen, echogenic wall


def test_cars_are_single_binary_silhouettes(sets):
    _, y = sets["cars"]
    assert set(np.unique(y).tolist()) == {0, 1}
    counts = [ndi.label(m, structure=CROSS)[1] for m in y]
    assert all(c == 1 for c in counts)


def _touching_reference(instances):
    """Pixels of an object 4-adjacent to a *different* object, via scipy rank filters."""
    big = np.where(instances > 0, instances, np.iinfo(np.int32).max)
    fp = CROSS[None] & np.array([[[0, 0, 0], [0, 1, 0], [0, 0, 0]]], bool) | CROSS[None]
    mx = ndi.maximum_filter(instances, footprint=fp, mode="nearest")
    mn = ndi.minimum_filter(big, footprint=fp, mode="nearest")
    return (instances > 0) & ((mx != instances) & (mx > 0) | (mn != instances))


def test_cells_instances_and_gaps():
    x, y, inst = S.make_cells_instances(48, 64, seed=2)
    x2, y2 = S.make("cells", 48, 64, seed=2)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    # semantic mask = instances minus the pixels where two different cells touch
    assert np.array_equal(y == 1, (inst > 0) & ~_touching_reference(inst))
    # touching cells really occur, and ids are 1..k per image
    assert _touching_reference(inst).any(axis=(1, 2)).mean() > 0.5
    for ids in inst:
        present = np.unique(ids[ids > 0])
        assert np.array_equal(present, np.arange(1, len(present) + 1))
    # cells are brighter than the background
    assert x[..., 0][y == 1].mean() > 3 * x[..., 0][y == 0].mean()


def test_shapes_are_imbalanced_and_vary_in_scale(sets):
    _, y = sets["shapes"]
    pixels = np.bincount(y.ravel(), minlength=5)
    assert pixels[0] > pixels[1] > pixels[2] > pixels[4]  # background dominates, rare classes are rare
    images_with = [(y == c).any(axis=(1, 2)).sum() for c in range(1, 5)]
    assert images_with[0] > images_with[3]
    areas = [r.sum() for m in y for lab in range(1, 5) for r in [ndi.label(m == lab)[0] > 0] if r.any()]
    assert max(areas) > 10 * min(areas)


def test_channels_option():
    v1, _ = S.make("vessels", 3, 32, seed=0)
    v3, _ = S.make("vessels", 3, 32, seed=0, channels=3)
    assert np.array_equal(v3, np.repeat(v1, 3, axis=-1))
    p3, _ = S.make("pets", 3, 32, seed=0)
    p1, _ = S.make("pets", 3, 32, seed=0, channels=1)
    assert np.allclose(p1[..., 0], p3 @ np.array([0.299, 0.587, 0.114], np.float32), atol=1e-6)


def test_train_test_share_no_image():
    (xa, _), (xb, _) = S.train_test("shapes", 50, 50, 32)
    train = {a.tobytes() for a in xa}
    assert not any(b.tobytes() in train for b in xb)


def test_large_sizes_use_small_chunks_and_stay_stable():
    assert S._chunk_size(64) == 32 and S._chunk_size(512) == 1
    a = S.make("cars", 3, 256, seed=1)
    b = S._generate("cars", 2, 256, 1, start=1)
    assert np.array_equal(a[0][1:], b[0])


def test_metadata():
    assert S.class_names("pets") == ("pet", "background", "border")  # Oxford trimap 1, 2, 3 minus one
    assert S.class_names("vessels") == ("tissue", "wall", "lumen")
    assert S.num_classes("cells") == 2 and S.channels("cells") == 1


@pytest.mark.parametrize("kwargs, error, words", [
    ({"family": "dogs", "n": 2}, ValueError, "family"),
    ({"family": "pets", "n": -1}, ValueError, "n: expected"),
    ({"family": "pets", "n": 2.0}, TypeError, "n: expected an int"),
    ({"family": "pets", "n": 2, "size": 8}, ValueError, "size"),
    ({"family": "pets", "n": 2, "seed": -3}, ValueError, "seed"),
    ({"family": "pets", "n": 2, "channels": 2}, ValueError, "channels"),
])
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        S.make(**kwargs)


def test_zero_images():
    x, y = S.make("cells", 0, 32)
    assert x.shape == (0, 32, 32, 1) and y.shape == (0, 32, 32)
