"""segcourse.classical.edges against scipy.ndimage, scipy.signal, scikit-image and TF."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import ndimage as ndi
from scipy import signal
from skimage import data, filters

from segcourse.classical import (
    convolve2d,
    correlate1d,
    correlate2d,
    dog,
    gaussian,
    gradient_direction,
    gradient_magnitude,
    laplacian,
    log,
    sobel,
    zero_crossings,
)
from segcourse.classical.edges import LAPLACE_8

MODES = ["mirror", "reflect", "nearest", "wrap", "constant"]

small_images = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 9), st.integers(1, 9)),
    elements=st.floats(-100, 100, allow_nan=False, width=32),
)


@st.composite
def odd_kernels(draw):
    kh = draw(st.sampled_from([1, 3, 5, 7]))
    kw = draw(st.sampled_from([1, 3, 5]))
    return draw(
        hnp.arrays(np.float64, (kh, kw), elements=st.floats(-3, 3, allow_nan=False, width=32))
    )


CAMERA = data.camera()[::4, ::4].astype(np.float64)  # 128x128: quick, real structure


# ---------------------------------------------------------------- correlation / convolution


@settings(max_examples=60, deadline=None)
@given(small_images, odd_kernels(), st.sampled_from(MODES), st.floats(-5, 5))
def test_correlate2d_equals_scipy_all_modes(img, kernel, mode, cval):
    # small images with larger kernels exercise the repeated reflection at the borders
    ours = correlate2d(img, kernel, mode=mode, cval=cval)
    ref = ndi.correlate(img, kernel, mode=mode, cval=cval)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(small_images, odd_kernels(), st.sampled_from(MODES))
def test_convolve2d_equals_scipy(img, kernel, mode):
    np.testing.assert_allclose(
        convolve2d(img, kernel, mode=mode), ndi.convolve(img, kernel, mode=mode), rtol=1e-10, atol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(4, 9), st.integers(4, 9)), elements=st.floats(-9, 9, width=32)),
    hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=st.floats(-3, 3, width=32)),
)
def test_valid_mode_equals_scipy_signal_any_kernel_size(img, kernel):
    np.testing.assert_allclose(
        correlate2d(img, kernel, mode="valid"), signal.correlate2d(img, kernel, mode="valid"), atol=1e-9
    )
    np.testing.assert_allclose(
        convolve2d(img, kernel, mode="valid"), signal.convolve2d(img, kernel, mode="valid"), atol=1e-9
    )


def test_vertical_edge_example_from_the_slides():
    img = np.array([[10, 10, 10, 0, 0, 0]] * 6)
    out = correlate2d(img, [[1, 0, -1]] * 3, mode="valid")
    np.testing.assert_array_equal(out, [[0, 30, 30, 0]] * 4)
    # flipping the kernel (true convolution) flips the sign of this antisymmetric kernel
    np.testing.assert_array_equal(convolve2d(img, [[1, 0, -1]] * 3, mode="valid"), -out)


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("mode", MODES)
def test_correlate1d_equals_scipy(axis, mode):
    w = np.array([0.5, -1.0, 2.0, 0.25, 1.0])
    np.testing.assert_allclose(
        correlate1d(CAMERA, w, axis=axis, mode=mode), ndi.correlate1d(CAMERA, w, axis=axis, mode=mode), rtol=1e-12
    )


# ---------------------------------------------------------------- Sobel


@pytest.mark.parametrize("mode", MODES)
def test_sobel_equals_scipy_including_borders(mode):
    gy, gx = sobel(CAMERA, mode=mode)
    np.testing.assert_array_equal(gy, ndi.sobel(CAMERA, axis=0, mode=mode))
    np.testing.assert_array_equal(gx, ndi.sobel(CAMERA, axis=1, mode=mode))


def test_sobel_default_mode_is_mirror_and_integer_input_is_not_wrapped():
    cam = data.camera()
    gy, gx = sobel(cam)
    ref = ndi.sobel(cam.astype(np.float64), axis=1, mode="mirror")
    np.testing.assert_array_equal(gx, ref)
    assert gx.min() < 0  # uint8 arithmetic would have wrapped negative values around


def test_sobel_relation_to_skimage_magnitude():
    gy, gx = sobel(CAMERA, mode="reflect")
    np.testing.assert_allclose(np.sqrt((gy**2 + gx**2) / 2) / 4, filters.sobel(CAMERA), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gradient_magnitude(CAMERA, mode="reflect"), np.hypot(gy, gx))


def test_sobel_equals_tensorflow_sobel_edges():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = pytest.importorskip("tensorflow")
    img = CAMERA.astype(np.float32)
    edges = tf.image.sobel_edges(tf.constant(img[None, :, :, None])).numpy()[0, :, :, 0]  # (H, W, 2): dy, dx
    gy, gx = sobel(img)
    np.testing.assert_allclose(edges[..., 0], gy, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(edges[..., 1], gx, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("angle", [0.0, 0.5, 1.2, 2.0, -2.5, np.pi / 2])
def test_gradient_direction_of_a_ramp(angle):
    rows, cols = np.mgrid[0:21, 0:21].astype(np.float64)
    ramp = np.cos(angle) * cols + np.sin(angle) * rows  # increases along (cos a, sin a)
    direction = gradient_direction(ramp)[5:-5, 5:-5]
    np.testing.assert_allclose(np.angle(np.exp(1j * (direction - angle))), 0.0, atol=1e-9)
    np.testing.assert_allclose(gradient_magnitude(ramp)[5:-5, 5:-5], 8.0, rtol=1e-12)


# ---------------------------------------------------------------- Laplacian, Gaussian, LoG, DoG


@pytest.mark.parametrize("mode", MODES)
def test_laplacian_equals_scipy(mode):
    np.testing.assert_array_equal(laplacian(CAMERA, mode=mode), ndi.laplace(CAMERA, mode=mode))
    np.testing.assert_array_equal(
        laplacian(CAMERA, diagonals=True, mode=mode), ndi.correlate(CAMERA, LAPLACE_8, mode=mode)
    )


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.5, 6.0])
@pytest.mark.parametrize("mode", ["mirror", "reflect", "nearest", "constant"])
def test_gaussian_and_log_equal_scipy(sigma, mode):
    np.testing.assert_allclose(gaussian(CAMERA, sigma, mode=mode), ndi.gaussian_filter(CAMERA, sigma, mode=mode), rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(log(CAMERA, sigma, mode=mode), ndi.gaussian_laplace(CAMERA, sigma, mode=mode), rtol=1e-9, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(small_images, st.floats(0.3, 4.0), st.sampled_from(MODES))
def test_log_equals_scipy_on_tiny_images(img, sigma, mode):
    # kernels much wider than the image: borders everywhere
    np.testing.assert_allclose(log(img, sigma, mode=mode), ndi.gaussian_laplace(img, sigma, mode=mode), rtol=1e-9, atol=1e-8)


@pytest.mark.parametrize("low, high", [(1.0, None), (1.0, 3.0), (2.0, 2.0)])
@pytest.mark.parametrize("mode", ["reflect", "nearest"])
def test_dog_equals_skimage(low, high, mode):
    img = CAMERA / 255.0
    ref = filters.difference_of_gaussians(img, low, high, mode=mode)
    np.testing.assert_allclose(dog(img, low, high, mode=mode), ref, rtol=1e-9, atol=1e-12)


def test_dog_approximates_scaled_negative_log():
    img = ndi.gaussian_filter(np.random.default_rng(0).random((64, 64)), 2.0)
    sigma, k = 2.0, 1.1
    approx = -(k - 1) * sigma**2 * log(img, sigma)
    d = dog(img, sigma, k * sigma)
    corr = np.corrcoef(approx.ravel(), d.ravel())[0, 1]
    assert corr > 0.99


# ---------------------------------------------------------------- zero crossings


def _zero_crossings_loop(r: np.ndarray, t: float) -> np.ndarray:
    out = np.zeros(r.shape, dtype=bool)
    h, w = r.shape
    for i in range(h):
        for j in range(w):
            if r[i, j] < 0:
                continue
            for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                a, b = i + di, j + dj
                if 0 <= a < h and 0 <= b < w and r[a, b] < 0 and r[i, j] - r[a, b] > t:
                    out[i, j] = True
    return out


@settings(max_examples=60, deadline=None)
@given(small_images, st.floats(0, 50))
def test_zero_crossings_equal_loop_definition(r, t):
    np.testing.assert_array_equal(zero_crossings(r, t), _zero_crossings_loop(r, t))


def test_log_zero_crossings_trace_a_disc_boundary():
    rows, cols = np.mgrid[0:64, 0:64]
    radius = np.hypot(rows - 32, cols - 32)
    disc = (radius < 15).astype(np.float64)
    zc = zero_crossings(log(disc, 2.0), threshold=1e-3)
    assert zc.sum() > 60  # a closed curve around the disc
    assert np.all(np.abs(radius[zc] - 15) <= 1.5)


# ---------------------------------------------------------------- bad input


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match=r"kernel: expected odd height and width"):
        correlate2d(CAMERA, np.ones((2, 2)))
    with pytest.raises(ValueError, match="mode: expected one of"):
        sobel(CAMERA, mode="same")
    with pytest.raises(ValueError, match=r"image: expected a 2-D grey image, got shape \(4, 4, 3\)"):
        sobel(np.zeros((4, 4, 3)))
    bad = CAMERA.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="image: expected finite values"):
        log(bad, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        log(CAMERA, 0.0)
    with pytest.raises(ValueError, match="high_sigma"):
        dog(CAMERA, 2.0, 1.0)
    with pytest.raises(ValueError, match="kernel: mode='valid' needs a kernel no larger"):
        correlate2d(np.ones((2, 2)), np.ones((3, 3)), mode="valid")
    with pytest.raises(TypeError, match="image"):
        laplacian(np.zeros((4, 4), dtype=bool))
