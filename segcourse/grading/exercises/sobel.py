"""Checks for ``exercises/sobel.ipynb``: 3x3 correlation with mirror borders and the Sobel magnitude."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from segcourse.grading.checker import Checker

SOBEL_Y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float)


def _images() -> dict[str, np.ndarray]:
    from skimage import data

    rng = np.random.default_rng(4)
    return {
        "vertical step": np.repeat([[0.0] * 4 + [1.0] * 4], 6, axis=0),
        "horizontal step": np.repeat([[0.0]] * 3 + [[1.0]] * 3, 5, axis=1),
        "random 7x9 image": rng.normal(size=(7, 9)),
        "uint8 crop of the camera man (convert to float first!)": data.camera()[180:220, 220:270],
    }


def check_correlate3x3(correlate3x3) -> None:
    """``correlate3x3(image, kernel)`` equals ``scipy.ndimage.correlate(..., mode="mirror")``."""
    c = Checker("correlate3x3")
    rng = np.random.default_rng(1)
    kernels = {"Sobel y": SOBEL_Y, "Sobel x": SOBEL_Y.T, "random kernel": rng.normal(size=(3, 3))}
    for case, image in _images().items():
        for kname, kernel in kernels.items():
            expected = ndi.correlate(image.astype(float), kernel, mode="mirror")
            c.expect_array(f"{case}, {kname}", lambda: correlate3x3(image.copy(), kernel.copy()), expected,
                           atol=1e-9,
                           hint="np.pad(image, 1, mode='reflect') is scipy's 'mirror'; then add "
                                "kernel[i, j] * padded[i:i+H, j:j+W] over the 9 taps (no flip)")
    c.done()


def check_sobel_magnitude(sobel_magnitude) -> None:
    """``sobel_magnitude(image)`` equals ``hypot(ndi.sobel(axis=0), ndi.sobel(axis=1))`` (mirror borders)."""
    c = Checker("sobel_magnitude")
    for case, image in _images().items():
        f = image.astype(float)
        expected = np.hypot(ndi.sobel(f, axis=0, mode="mirror"), ndi.sobel(f, axis=1, mode="mirror"))
        c.expect_array(case, lambda: sobel_magnitude(image.copy()), expected, atol=1e-9,
                       hint="gy with the Sobel y kernel, gx with its transpose, then sqrt(gy**2 + gx**2)")
    c.done()
