"""Checks for ``exercises/otsu.ipynb``: Otsu's threshold from the between-class variance."""

from __future__ import annotations

import numpy as np

from segcourse.classical import class_statistics
from segcourse.grading.checker import Checker


def _images() -> dict[str, np.ndarray]:
    from skimage import data

    rng = np.random.default_rng(3)
    bimodal = np.concatenate([rng.normal(70, 12, 1200), rng.normal(170, 20, 2400)])
    return {
        "camera crop (64x64)": data.camera()[200:264, 200:264],
        "coins crop (64x64)": data.coins()[100:164, 150:214],
        "two Gaussian populations": np.clip(bimodal, 0, 255).astype(np.uint8).reshape(60, 60),
        "two grey levels {10, 200}": np.array([[10, 200] * 8] * 4, dtype=np.uint8),
        "image without black or white pixels": np.clip(rng.normal(128, 15, (40, 40)), 100, 160).astype(np.uint8),
    }


def _expected_curve(image: np.ndarray) -> np.ndarray:
    # Reference: split the *pixels* at every t and measure w0 w1 (mu0 - mu1)^2 directly.
    return np.array([class_statistics(image, t).between for t in range(256)])


def check_between_class_variance(between_class_variance) -> None:
    """``between_class_variance(counts)``: sigma_B^2 for every t in 0..255 from a 256-bin histogram."""
    c = Checker("between_class_variance")
    for case, image in _images().items():
        counts = np.bincount(image.ravel(), minlength=256)
        c.expect_array(case, lambda: between_class_variance(counts.copy()), _expected_curve(image),
                       rtol=1e-6, atol=1e-6,
                       hint="with p = counts / counts.sum(): w0 = cumsum(p), mu0 = cumsum(g p) / w0, "
                            "mu1 from the rest; an empty class contributes 0, not NaN")
    c.done()


def check_otsu_from_histogram(otsu_from_histogram) -> None:
    """``otsu_from_histogram(counts)`` equals ``skimage.filters.threshold_otsu`` on the same image."""
    from skimage.filters import threshold_otsu

    c = Checker("otsu_from_histogram")
    for case, image in _images().items():
        counts = np.bincount(image.ravel(), minlength=256)
        c.expect_equal(case, lambda: int(otsu_from_histogram(counts.copy())), int(threshold_otsu(image)),
                       hint="the threshold is the grey level t where sigma_B^2(t) is largest (np.argmax "
                            "keeps the first of equal maxima, as scikit-image does)")
    c.done()
