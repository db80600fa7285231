"""Performance figures for Part I (``segcourse.classical``).

* Otsu on a 512x512 uint8 image, as a ratio to ``skimage.filters.threshold_otsu`` (< 2x);
* flood fill on a 512x512 image, absolute milliseconds (< 50 ms);
* k-means with k=5 on the 512x512 colour ``astronaut``, absolute seconds (< 1 s).

Extra rows (no target in the design, reported for the chapters' budgets): the teaching
BFS flood fill and the pure-Python watershed, against their scikit-image counterparts.
"""

from __future__ import annotations

import numpy as np

from segcourse.bench._core import Result, best_time


def run(quick: bool = False) -> list[Result]:
    """Measure the classical figures; ``quick`` uses fewer repeats (same sizes)."""
    from scipy import ndimage as ndi
    from skimage import data, filters, segmentation

    from segcourse import classical as C

    repeat = 3 if quick else 7
    results: list[Result] = []

    cam = data.camera()  # 512x512 uint8
    ours = best_time(lambda: C.otsu_threshold(cam), repeat=repeat, number=20)
    ref = best_time(lambda: filters.threshold_otsu(cam), repeat=repeat, number=20)
    ratio = ours / ref
    results.append(Result("otsu 512x512 uint8 / skimage", ratio, "x", "< 2", ratio < 2))

    seed, tol = (100, 100), 20
    ms = 1000 * best_time(lambda: C.flood_fill(cam, seed, tol, 1), repeat=repeat, number=5)
    results.append(Result("flood_fill 512x512 (tol 20, 4-conn)", ms, "ms", "< 50", ms < 50))
    if not quick:
        ref_ms = 1000 * best_time(
            lambda: segmentation.flood(cam, seed, tolerance=tol, connectivity=1), repeat=3, number=5
        )
        results.append(Result("  skimage.segmentation.flood (same)", ref_ms, "ms", "-", True))
        bfs_ms = 1000 * best_time(lambda: C.flood_fill_bfs(cam, seed, tol, 1), repeat=1)
        results.append(Result("  flood_fill_bfs (teaching, pure Python)", bfs_ms, "ms", "-", True))

    X = C.color_features(data.astronaut())  # 262,144 x 3
    s = best_time(lambda: C.kmeans(X, 5, seed=0), repeat=1 if quick else 3)
    results.append(Result("kmeans k=5 512x512 colour", s, "s", "< 1", s < 1))

    if not quick:
        coins = data.coins()
        mask = ndi.binary_fill_holes(coins > C.otsu_threshold(coins))
        markers, distance = C.distance_markers(mask, 10)
        ws = best_time(lambda: C.watershed(-distance, markers, mask=mask), repeat=3)
        ws_ref = best_time(
            lambda: segmentation.watershed(-distance, markers, mask=mask), repeat=3, number=5
        )
        results.append(Result("watershed coins (teaching) / skimage", ws / ws_ref, "x", "-", True))
    return results


if __name__ == "__main__":  # pragma: no cover
    for r in run():
        print(r.line())
    del np
