"""Input checks shared by the classical modules.

Every public function of :mod:`segcourse.classical` calls one of these first, so a bad
argument fails at the boundary with a message that names the argument, what was
expected and what was received, instead of an ``IndexError`` deep inside a loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _as_array(value: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy rarely refuses
        raise TypeError(f"{name}: expected an array, got {type(value).__name__}") from exc
    if arr.dtype == object:
        raise TypeError(f"{name}: expected a numeric array, got an object array")
    return arr


def check_numeric_dtype(arr: np.ndarray, name: str, allow_bool: bool = False) -> None:
    """Raise ``TypeError`` unless ``arr`` holds real numbers (integers or floats)."""
    kind = arr.dtype.kind
    if kind == "b" and not allow_bool:
        raise TypeError(
            f"{name}: expected an integer or float dtype, got bool "
            f"(convert with .astype(float) if you mean 0/1 intensities)"
        )
    if kind not in "biuf":
        raise TypeError(f"{name}: expected an integer or float dtype, got {arr.dtype}")
    if arr.dtype == np.float16:
        # float16 has 11 bits of mantissa: histogram and filter results would be misleading
        raise TypeError(f"{name}: float16 is not supported, convert with .astype(np.float32)")


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if a float array holds NaN or infinity."""
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise ValueError(
            f"{name}: expected finite values, got {n_nan} NaN and {n_inf} infinite pixels"
        )


def grey_image(image: Any, name: str = "image") -> np.ndarray:
    """Return ``image`` as a non-empty, finite, real 2-D array (dtype unchanged)."""
    arr = _as_array(image, name)
    if arr.ndim != 2:
        hint = " (convert colour with skimage.color.rgb2gray)" if arr.ndim == 3 else ""
        raise ValueError(f"{name}: expected a 2-D grey image, got shape {arr.shape}{hint}")
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty image, got shape {arr.shape}")
    check_numeric_dtype(arr, name)
    check_finite(arr, name)
    return arr


def colour_image(image: Any, name: str = "image") -> np.ndarray:
    """Return ``image`` as a non-empty, finite (H, W, C) array, C >= 1."""
    arr = _as_array(image, name)
    if arr.ndim != 3:
        raise ValueError(f"{name}: expected an (H, W, C) colour image, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty image, got shape {arr.shape}")
    check_numeric_dtype(arr, name)
    check_finite(arr, name)
    return arr


def binary_mask(mask: Any, name: str = "mask", allow_empty: bool = False) -> np.ndarray:
    """Return ``mask`` as a 2-D bool array; reject non-binary values and (optionally) all-False."""
    arr = _as_array(mask, name)
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D binary mask, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty mask, got shape {arr.shape}")
    if arr.dtype != bool:
        check_numeric_dtype(arr, name)
        check_finite(arr, name)
        values = np.unique(arr)
        if not np.isin(values, (0, 1)).all():
            raise ValueError(
                f"{name}: expected a binary mask (bool or 0/1), got values {values[:5].tolist()}"
                + ("..." if values.size > 5 else "")
            )
        arr = arr.astype(bool)
    if not allow_empty and not arr.any():
        raise ValueError(f"{name}: expected at least one True pixel, got an empty mask")
    return arr


def seed_point(seed: Any, shape: tuple[int, ...], name: str = "seed") -> tuple[int, int]:
    """Return ``seed`` as an in-bounds ``(row, col)`` tuple of Python ints."""
    try:
        row, col = seed
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a (row, col) pair, got {seed!r}") from None
    for v in (row, col):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name}: expected integer (row, col), got {seed!r}")
    row, col = int(row), int(col)
    if not (0 <= row < shape[0] and 0 <= col < shape[1]):
        raise ValueError(
            f"{name}: expected a (row, col) inside the image of shape {tuple(shape)}, "
            f"got ({row}, {col})"
        )
    return row, col


def connectivity(value: Any, name: str = "connectivity") -> int:
    """Return 1 (4-neighbours) or 2 (8-neighbours)."""
    if isinstance(value, (bool, np.bool_)) or value not in (1, 2):
        raise ValueError(
            f"{name}: expected 1 (4-neighbours) or 2 (8-neighbours), got {value!r}"
        )
    return int(value)


def positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value}")
    return int(value)


def non_negative_float(value: Any, name: str) -> float:
    """Return ``value`` as a finite float >= 0."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a number >= 0, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number >= 0, got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return v


def positive_float(value: Any, name: str) -> float:
    """Return ``value`` as a finite float > 0."""
    v = non_negative_float(value, name)
    if v == 0:
        raise ValueError(f"{name}: expected a number > 0, got {value!r}")
    return v
