"""segcourse.classical.threshold against scikit-image and exhaustive searches."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage import color, data, exposure, filters

from segcourse.classical import (
    apply_thresholds,
    class_statistics,
    histogram,
    local_threshold,
    midpoint_threshold,
    multi_otsu,
    multi_otsu_objective,
    otsu_threshold,
    otsu_variance,
    two_peaks,
    valley_threshold,
)

GREY_SAMPLES = [
    "brick", "camera", "cell", "checkerboard", "clock", "coins", "grass", "gravel",
    "microaneurysms", "moon", "page", "text",
]  # fmt: skip
COLOUR_SAMPLES = ["astronaut", "immunohistochemistry", "coffee", "chelsea", "retina"]


def _sample(name: str) -> np.ndarray:
    if name in COLOUR_SAMPLES:
        img = getattr(data, name)()
        if name == "retina":
            img = img[::4, ::4]  # 1411x1411 is needlessly large for a histogram test
        return color.rgb2gray(img)
    if name == "phantom":
        return data.shepp_logan_phantom()
    return getattr(data, name)()


ALL_SAMPLES = GREY_SAMPLES + COLOUR_SAMPLES + ["phantom"]


@st.composite
def bimodal_images(draw, dtype=np.uint8):
    """Two Gaussian populations of random size, mean and spread, clipped to uint8 (or /255)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    m1 = draw(st.floats(20, 110))
    m2 = draw(st.floats(130, 235))
    s1, s2 = draw(st.floats(3, 25)), draw(st.floats(3, 25))
    frac = draw(st.floats(0.1, 0.9))
    n = 48 * 48
    n1 = int(frac * n)
    vals = np.concatenate([rng.normal(m1, s1, n1), rng.normal(m2, s2, n - n1)])
    img = np.clip(np.round(vals), 0, 255).astype(np.uint8).reshape(48, 48)
    return img if dtype == np.uint8 else img / 255.0


# ---------------------------------------------------------------- histogram


@pytest.mark.parametrize(
    "img",
    [
        data.camera(),
        np.array([[-5, 3, 3], [7, -5, 0]], dtype=np.int16),
        np.array([[1000, 60000]], dtype=np.uint16),
        data.camera() / 255.0,
        np.array([[0.25, 0.5, 1.75]], dtype=np.float32),
    ],
)
def test_histogram_equals_skimage(img):
    counts, centers = histogram(img)
    ref_counts, ref_centers = exposure.histogram(img, nbins=256)
    np.testing.assert_array_equal(counts, ref_counts)
    np.testing.assert_allclose(centers, ref_centers)
    assert counts.sum() == img.size


# ---------------------------------------------------------------- Otsu


def test_otsu_known_values():
    assert otsu_threshold(data.camera()) == 102
    assert otsu_threshold(data.camera() / 255.0) == pytest.approx(0.40039, abs=1e-5)
    # ties go to the lowest threshold: a two-valued image {10, 200} gets t = 10
    two = np.array([[10, 200], [200, 10]], dtype=np.uint8)
    assert otsu_threshold(two) == 10
    assert (two > otsu_threshold(two)).sum() == 2


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_otsu_same_foreground_as_skimage_on_samples(name):
    img = _sample(name)
    t = otsu_threshold(img)
    ref = filters.threshold_otsu(img)
    np.testing.assert_array_equal(img > t, img > ref)


@settings(max_examples=60, deadline=None)
@given(bimodal_images(), st.booleans())
def test_otsu_same_foreground_as_skimage_on_bimodal(img, as_float):
    if as_float:
        img = img / 255.0
    np.testing.assert_array_equal(img > otsu_threshold(img), img > filters.threshold_otsu(img))


@pytest.mark.parametrize("value", [np.uint8(7), 7.5, -3.0])
def test_otsu_constant_image_returns_its_value(value):
    img = np.full((5, 6), value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = otsu_threshold(img)
    assert t == value and not np.isnan(t)
    assert not (img > t).any()  # documented: a constant image has an empty foreground
    assert t == filters.threshold_otsu(img)


def test_otsu_variance_curve_argmax_and_direct_values():
    img = data.coins()
    centers, s = otsu_variance(img)
    assert centers[np.argmax(s)] == otsu_threshold(img)
    assert s[-1] == 0.0 and (s >= 0).all()
    # every value of the vectorised curve equals the between-class variance of the split
    for i in [0, 10, 57, 100, len(centers) - 2]:
        direct = class_statistics(img, centers[i]).between
        assert s[i] == pytest.approx(direct, rel=1e-9)


@pytest.mark.parametrize("name", ["camera", "coins", "moon", "astronaut"])
def test_total_variance_decomposition(name):
    img = _sample(name)
    for t in np.quantile(img, [0.1, 0.5, 0.9]):
        s = class_statistics(img, t)
        assert s.within + s.between == pytest.approx(s.total, rel=1e-9)
        assert s.total == pytest.approx(float(np.var(img.astype(np.float64))), rel=1e-12)
        assert s.w0 + s.w1 == pytest.approx(1.0)


def test_camera_decomposition_figures():
    s = class_statistics(data.camera(), 102)
    assert (round(s.between, 1), round(s.within, 1), round(s.total, 1)) == (4649.0, 774.6, 5423.6)


# ---------------------------------------------------------------- multi-Otsu


def _brute_force_multi_otsu(img: np.ndarray, classes: int) -> tuple[np.ndarray, float]:
    """Exhaustive search over all ordered thresholds (lexicographic first on ties)."""
    counts, centers = histogram(img)
    p = counts / counts.sum()
    mu_t = float((p * centers).sum())
    best, best_ts = -1.0, None
    for ts in itertools.combinations(range(len(counts) - 1), classes - 1):
        bounds = [0, *[t + 1 for t in ts], len(counts)]
        score = 0.0
        for a, b in itertools.pairwise(bounds):
            w = p[a:b].sum()
            if w > 0:
                score += w * ((p[a:b] * centers[a:b]).sum() / w - mu_t) ** 2
        if score > best * (1 + 1e-12):
            best, best_ts = score, ts
    return centers[list(best_ts)], best


def test_multi_otsu_known_values():
    cam = data.camera()
    assert multi_otsu(cam, 3).tolist() == [87, 176]
    assert multi_otsu(cam, 4).tolist() == [69, 134, 180]
    assert multi_otsu(cam, 2).tolist() == [otsu_threshold(cam)]


@pytest.mark.parametrize("name", ALL_SAMPLES)
@pytest.mark.parametrize("classes", [2, 3, 4])
def test_multi_otsu_same_classes_as_skimage_on_samples(name, classes):
    img = _sample(name)
    ours = multi_otsu(img, classes)
    ref = filters.threshold_multiotsu(img, classes)
    assert ours.shape == (classes - 1,) and np.all(np.diff(ours) > 0)
    if name == "checkerboard" and classes == 3:
        # a symmetric histogram: [0, 80] and [80, 211] tie exactly; we take the first
        assert multi_otsu_objective(img, ours) == multi_otsu_objective(img, ref)
        assert ours.tolist() == [0, 80] and ref.tolist() == [80, 211]
        return
    np.testing.assert_array_equal(apply_thresholds(img, ours), apply_thresholds(img, ref))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 4))
def test_multi_otsu_equals_brute_force(seed, classes):
    rng = np.random.default_rng(seed)
    n_levels = 24 if classes == 4 else 48
    # a lumpy histogram over few levels keeps the exhaustive search cheap
    weights = rng.random(n_levels) ** 3
    img = rng.choice(n_levels, size=(30, 30), p=weights / weights.sum()).astype(np.uint8)
    if np.count_nonzero(np.bincount(img.ravel())) < classes:
        return
    ref, ref_score = _brute_force_multi_otsu(img, classes)
    ours = multi_otsu(img, classes)
    assert multi_otsu_objective(img, ours) == pytest.approx(ref_score, rel=1e-9)
    np.testing.assert_array_equal(ours, ref)


def test_multi_otsu_where_skimage_is_wrong_with_mass_in_bin_zero():
    """scikit-image 0.26's LUT sets first_moment[0] = prob[0] (open PR #8252).

    On an image with much of its mass in the lowest bin it returns a sub-optimal lowest
    threshold; ours matches the exhaustive search.
    """
    rng = np.random.default_rng(0)
    vals = np.concatenate([np.zeros(4402), rng.integers(1, 40, 3000), rng.integers(30, 60, 1000)])
    img = vals.astype(np.uint8).reshape(1, -1)
    ref, ref_score = _brute_force_multi_otsu(img, 3)
    ours = multi_otsu(img, 3)
    np.testing.assert_array_equal(ours, ref)
    sk = filters.threshold_multiotsu(img, 3)
    assert not np.array_equal(sk, ref)  # the known scikit-image discrepancy
    assert multi_otsu_objective(img, sk) < ref_score


def test_multi_otsu_too_few_levels():
    img = np.array([[0, 0, 255, 255]], dtype=np.uint8)
    with pytest.raises(ValueError, match="classes"):
        multi_otsu(img, 3)
    # exactly as many levels as classes: thresholds at the populated levels
    three = np.array([[0, 9, 200, 9]], dtype=np.uint8)
    assert multi_otsu(three, 3).tolist() == filters.threshold_multiotsu(three, 3).tolist() == [0, 9]


def test_multi_otsu_five_classes_matches_skimage():
    cam = data.camera()
    np.testing.assert_array_equal(multi_otsu(cam, 5), filters.threshold_multiotsu(cam, 5))


# ---------------------------------------------------------------- valley / midpoint


@pytest.mark.parametrize("name", ["camera", "coins", "moon", "page"])
def test_valley_equals_threshold_minimum(name):
    img = _sample(name)
    assert valley_threshold(img) == filters.threshold_minimum(img)


@settings(max_examples=40, deadline=None)
@given(bimodal_images(), st.booleans())
def test_valley_equals_threshold_minimum_on_bimodal(img, as_float):
    if as_float:
        img = img / 255.0
    try:
        ref = filters.threshold_minimum(img)
    except RuntimeError:
        with pytest.raises(ValueError):
            valley_threshold(img)
        return
    assert valley_threshold(img) == pytest.approx(ref)


def test_midpoint_between_peaks():
    rng = np.random.default_rng(1)
    img = np.concatenate([rng.normal(60, 8, 4000), rng.normal(180, 8, 4000)])
    img = np.clip(img, 0, 255).astype(np.uint8).reshape(80, 100)
    smoothed, centers, (a, b) = two_peaks(img)
    assert abs(centers[a] - 60) <= 3 and abs(centers[b] - 180) <= 3
    assert midpoint_threshold(img) == (centers[a] + centers[b]) / 2
    assert centers[a] < valley_threshold(img) < centers[b]
    assert smoothed.sum() == pytest.approx(img.size, rel=0.01)


def test_valley_needs_two_peaks():
    counts = np.concatenate([np.arange(1, 12), np.arange(10, 0, -1)])  # a triangle
    unimodal = np.repeat(np.arange(counts.size), counts).astype(np.uint8)[None, :]
    with pytest.raises(ValueError, match="one peak"):
        valley_threshold(unimodal)
    with pytest.raises(RuntimeError):
        filters.threshold_minimum(unimodal)


# ---------------------------------------------------------------- local threshold


@pytest.mark.parametrize("method", ["gaussian", "mean"])
@pytest.mark.parametrize("block_size", [3, 15, 35])
@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "constant"])
def test_local_threshold_equals_skimage(method, block_size, mode):
    img = data.page()
    ours = local_threshold(img, block_size, offset=4.0, method=method, mode=mode)
    ref = filters.threshold_local(img, block_size, method=method, offset=4.0, mode=mode)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-9)


def test_local_threshold_fixes_uneven_illumination():
    """Dark text on a ramp of light: global Otsu loses part of the page, local does not."""
    page = data.page().astype(np.float64)
    truth = page < filters.threshold_local(page, 35, offset=10)
    ramp = np.linspace(-60, 60, page.shape[1])[None, :]
    lit = page + ramp
    global_fg = lit < otsu_threshold(lit)
    local_fg = lit < local_threshold(lit, 35, offset=10)

    def iou(a, b):
        return (a & b).sum() / (a | b).sum()

    assert iou(local_fg, truth) > 0.95
    assert iou(global_fg, truth) < 0.6


# ---------------------------------------------------------------- apply_thresholds


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 255), min_size=1, max_size=60),
    st.lists(st.integers(0, 255), min_size=1, max_size=4, unique=True),
)
def test_apply_thresholds_convention(values, thresholds):
    img = np.array(values, dtype=np.uint8)[None, :]
    labels = apply_thresholds(img, thresholds)
    ts = np.sort(thresholds)
    # class k holds t_{k-1} < x <= t_k: the number of thresholds strictly below x
    expected = (img[..., None] > ts).sum(-1)
    np.testing.assert_array_equal(labels, expected)
    np.testing.assert_array_equal(labels, np.digitize(img, ts, right=True))
    if len(ts) == 1:
        np.testing.assert_array_equal(labels.astype(bool), img > ts[0])


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "fn", [otsu_threshold, multi_otsu, valley_threshold, histogram, local_threshold, otsu_variance]
)
def test_rgb_rejected_naming_the_argument(fn):
    with pytest.raises(ValueError, match=r"image: expected a 2-D grey image, got shape \(8, 8, 3\)"):
        fn(np.zeros((8, 8, 3)))


@pytest.mark.parametrize("fn", [otsu_threshold, multi_otsu, histogram, local_threshold])
def test_nan_rejected(fn):
    img = np.ones((6, 6))
    img[2, 3] = np.nan
    with pytest.raises(ValueError, match="image: expected finite values, got 1 NaN"):
        fn(img)


@pytest.mark.parametrize(
    "img, err",
    [
        (np.zeros((4, 4), dtype=bool), TypeError),
        (np.zeros((4, 4), dtype=complex), TypeError),
        (np.array([["a", "b"]]), TypeError),
        (np.zeros((0, 4)), ValueError),
        (np.zeros(5), ValueError),
    ],
)
def test_bad_dtype_or_shape(img, err):
    with pytest.raises(err, match="image"):
        otsu_threshold(img)


def test_bad_parameters():
    cam = data.camera()
    with pytest.raises(ValueError, match="nbins"):
        otsu_threshold(cam / 255.0, nbins=1)
    with pytest.raises(ValueError, match="classes"):
        multi_otsu(cam, classes=1)
    with pytest.raises(ValueError, match="block_size: expected an odd"):
        local_threshold(cam, 4)
    with pytest.raises(ValueError, match="method"):
        local_threshold(cam, 5, method="median")
    with pytest.raises(ValueError, match="thresholds"):
        apply_thresholds(cam, [])
