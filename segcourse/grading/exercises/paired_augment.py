"""Checks for ``exercises/paired-augment.ipynb``: augment image and mask together, keep labels intact."""

from __future__ import annotations

import numpy as np

from segcourse.data.augment import apply_numpy
from segcourse.grading.checker import Checker


def coordinate_pair(h: int = 12, w: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """An image whose channels hold each pixel's row and column, and a mask labelling it row*w+col."""
    rows, cols = np.mgrid[:h, :w]
    image = np.stack([rows, cols, np.zeros_like(rows)], -1).astype(np.float32)
    return image, (rows * w + cols).astype(np.int32)


def check_crop_offsets(crop_offsets) -> None:
    """``crop_offsets(height, width, crop, rng)`` -> (top, left), uniformly over every legal position."""
    c = Checker("crop_offsets")

    def draws(h, w, crop, n=400, seed=0):
        rng = np.random.default_rng(seed)
        return [tuple(int(v) for v in crop_offsets(h, w, crop, rng)) for _ in range(n)]

    c.expect_true("crop as large as the image (16x16 from 16x16)", lambda: draws(16, 16, 16, 20),
                  lambda got: None if set(got) == {(0, 0)} else f"expected only (0, 0), got {sorted(set(got))[:5]}",
                  hint="there is exactly one position: an upper bound of h - crop is 0 and must be allowed")
    c.expect_true("offsets keep the crop inside a 20x30 image (crop 12)", lambda: draws(20, 30, 12),
                  lambda got: None if all(0 <= t <= 8 and 0 <= left <= 18 for t, left in got) else
                  f"found {next((t, left) for t, left in got if not (0 <= t <= 8 and 0 <= left <= 18))}, "
                  "expected 0 <= top <= 8 and 0 <= left <= 18",
                  hint="top can go from 0 to height - crop, left from 0 to width - crop")
    c.expect_true("every position occurs, the last one included", lambda: draws(20, 30, 12, n=2000),
                  lambda got: None if ({t for t, _ in got}, {left for _, left in got}) ==
                  (set(range(9)), set(range(19))) else
                  f"tops seen {sorted({t for t, _ in got})}, lefts seen {sorted({x for _, x in got})}",
                  hint="rng.integers(low, high) excludes high: the classic off-by-one; use high = h - crop + 1")
    c.done()


_PARAMS = {
    "no change": {"flip_lr": False, "flip_ud": False, "k": 0},
    "left-right flip": {"flip_lr": True, "flip_ud": False, "k": 0},
    "up-down flip and a quarter turn": {"flip_lr": False, "flip_ud": True, "k": 1},
    "both flips, three quarter turns": {"flip_lr": True, "flip_ud": True, "k": 3},
    "half turn, then an 8x8 crop at (3, 1)": {"flip_lr": False, "flip_ud": False, "k": 2, "top": 3, "left": 1,
                                              "crop": 8},
    "flip, turn and a crop at the far corner": {"flip_lr": True, "flip_ud": False, "k": 1, "top": 4, "left": 4,
                                                "crop": 8},
}


def check_augment_pair(augment_pair) -> None:
    """``augment_pair(image, mask, params)`` applies flips, quarter turns and a crop to both alike."""
    c = Checker("augment_pair")
    image, mask = coordinate_pair()
    for case, p in _PARAMS.items():
        want_image, want_mask = apply_numpy(image, mask, p, crop=p.get("crop"))
        c.expect_array(f"{case}: image", lambda p=p: augment_pair(image.copy(), mask.copy(), dict(p))[0], want_image,
                       hint="order: flip left-right, flip up-down, np.rot90(a, k, axes=(0, 1)), then crop "
                            "a[top:top + crop, left:left + crop]")
        c.expect_array(f"{case}: mask", lambda p=p: augment_pair(image.copy(), mask.copy(), dict(p))[1], want_mask,
                       hint="the mask must go through exactly the same steps as the image")

    def aligned(result):
        x, y = (np.asarray(a) for a in result)
        decoded = np.round(x[..., 0]).astype(int) * 12 + np.round(x[..., 1]).astype(int)
        return None if np.array_equal(decoded, y) else "the image's coordinates no longer match the mask's labels"

    for case, p in list(_PARAMS.items())[2:4]:
        c.expect_true(f"{case}: pair still aligned", lambda p=p: augment_pair(image.copy(), mask.copy(), dict(p)),
                      aligned, hint="apply each step to image and mask together")
    c.done()


def _tf_nearest(mask: np.ndarray, height: int, width: int) -> np.ndarray:
    from segcourse.env import import_tensorflow_quietly

    tf = import_tensorflow_quietly()
    return tf.image.resize(mask[..., None], (height, width), method="nearest").numpy()[..., 0].astype(mask.dtype)


def check_resize_mask(resize_mask) -> None:
    """``resize_mask(mask, height, width)``: nearest neighbour with half-pixel centres, like TensorFlow."""
    rng = np.random.default_rng(3)
    cases = {
        "3x4 up to 7x9": (rng.integers(0, 3, (3, 4)), 7, 9),
        "64x64 down to 20x20": (rng.integers(0, 5, (64, 64)), 20, 20),
        "same size": (rng.integers(0, 2, (6, 5)), 6, 5),
        "32x48 to 48x32 (both ways at once)": (rng.integers(0, 4, (32, 48)), 48, 32),
    }
    c = Checker("resize_mask")
    for case, (m, h, w) in cases.items():
        m = m.astype(np.int32)
        c.expect_array(case, lambda m=m, h=h, w=w: resize_mask(m.copy(), h, w), _tf_nearest(m, h, w),
                       hint="output pixel i comes from source pixel floor((i + 0.5) * in_size / out_size); "
                            "index rows and columns with integer arrays, no interpolation")
    trimap = np.repeat(np.repeat(np.array([[0, 2], [2, 1]], np.int32), 3, 0), 3, 1)
    c.expect_true("no invented labels (a 6x6 trimap to 10x10)", lambda: resize_mask(trimap.copy(), 10, 10),
                  lambda got: None if set(np.unique(np.asarray(got)).tolist()) <= {0, 1, 2}
                  and np.asarray(got).dtype.kind in "iu" else
                  f"got values {np.unique(np.asarray(got))[:6]} of dtype {np.asarray(got).dtype}",
                  hint="a mask holds class indices: copy them, never average them, and keep an integer dtype")
    c.done()
