"""Checks for ``exercises/flood-fill.ipynb``: flood fill as a breadth-first search."""

from __future__ import annotations

import numpy as np

from segcourse.grading.checker import Checker


def _cases() -> dict[str, tuple[np.ndarray, tuple[int, int], float, int]]:
    from skimage import data

    diagonal = np.eye(6, dtype=np.uint8) * 9
    ramp = np.tile(np.arange(0, 20, 2, dtype=np.uint8), (3, 1))
    rng = np.random.default_rng(2)
    blobs = rng.integers(0, 4, (12, 15)).astype(np.uint8)
    return {
        "4-connected region": (np.array([[1, 1, 5], [5, 1, 5], [1, 5, 1]], np.uint8), (0, 0), 0, 1),
        "diagonal line, 4-neighbours": (diagonal, (0, 0), 0, 1),
        "diagonal line, 8-neighbours": (diagonal, (0, 0), 0, 2),
        "tolerance is measured from the seed, not the neighbour (ramp)": (ramp, (1, 0), 4, 1),
        "seed on the bottom-right corner": (blobs, (11, 14), 1, 1),
        "seed on the top border, 8-neighbours": (blobs, (0, 7), 1, 2),
        "constant image: everything": (np.full((5, 7), 3, np.uint8), (2, 3), 0, 1),
        "coins crop, tolerance 25": (data.coins()[60:100, 60:110], (20, 25), 25, 1),
    }


def check_flood_fill(flood_fill_bfs) -> None:
    """``flood_fill_bfs(image, seed, tolerance, connectivity)`` equals ``skimage.segmentation.flood``."""
    from skimage.segmentation import flood

    c = Checker("flood_fill_bfs")
    for case, (image, seed, tol, conn) in _cases().items():
        expected = flood(image, seed, tolerance=tol, connectivity=conn)
        c.expect_array(case, lambda: np.asarray(flood_fill_bfs(image.copy(), seed, tol, conn), dtype=bool),
                       expected,
                       hint="a neighbour joins when it is inside the image, not yet in the region, and "
                            "|image[neighbour] - image[seed]| <= tolerance; connectivity 2 adds the diagonals")
    c.done()
