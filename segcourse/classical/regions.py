"""Regions grown from a seed: flood fill, seeded region growing, filling a drawn outline.

Connectivity follows scikit-image: ``connectivity=1`` means the 4 edge-neighbours,
``connectivity=2`` the 8 neighbours including diagonals (scikit-image's ``flood`` defaults
to the full 8-connectivity in 2-D; here the default is 4 and always explicit). Seeds are
``(row, col)``.
"""

from __future__ import annotations

import bisect
from collections import deque
from typing import Any

import numpy as np
from scipy import ndimage as ndi

from segcourse.classical import _validate as v

__all__ = [
    "neighbour_offsets",
    "tolerance_mask",
    "flood_fill",
    "flood_fill_bfs",
    "flood_fill_order",
    "region_grow",
    "fill_outline",
]

_OFFSETS = {
    1: ((-1, 0), (0, -1), (0, 1), (1, 0)),
    2: ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)),
}


def neighbour_offsets(connectivity: int = 1) -> tuple[tuple[int, int], ...]:
    """``(drow, dcol)`` offsets of the neighbours: 4 for ``connectivity=1``, 8 for 2.

    Examples
    --------
    >>> len(neighbour_offsets(1)), len(neighbour_offsets(2))
    (4, 8)
    """
    return _OFFSETS[v.connectivity(connectivity)]


def _structure(connectivity: int) -> np.ndarray:
    return ndi.generate_binary_structure(2, connectivity)


def tolerance_mask(image: Any, seed: Any, tolerance: float = 0) -> np.ndarray:
    """Pixels whose value is within ``tolerance`` of the *seed's* value (connected or not).

    ``|image - image[seed]| <= tolerance``, evaluated as ``low <= image <= high`` with
    ``low = seed_value - tolerance`` and ``high = seed_value + tolerance`` in float64, as
    ``skimage.segmentation.flood`` does. (For integer images scikit-image truncates a
    fractional ``low`` towards zero; use integer tolerances with integer images to avoid
    the difference.)

    Examples
    --------
    >>> tolerance_mask(np.array([[10, 12, 30]]), (0, 0), 2).tolist()
    [[True, True, False]]
    """
    img = v.grey_image(image)
    r, c = v.seed_point(seed, img.shape)
    tol = v.non_negative_float(tolerance, "tolerance")
    s = img[r, c].item()
    low, high = s - tol, s + tol
    if img.dtype.kind == "f":
        return (img >= low) & (img <= high)
    # integer images: compare exactly, without overflow at the dtype's ends
    wide = img.astype(np.int64) if img.dtype != np.uint64 else img.astype(np.float64)
    return (wide >= low) & (wide <= high)


def flood_fill(image: Any, seed: Any, tolerance: float = 0, connectivity: int = 1) -> np.ndarray:
    """The connected region around ``seed`` whose values stay within ``tolerance`` of the seed.

    The fast way: mark every pixel that passes the tolerance test
    (:func:`tolerance_mask`), label the connected components of that mask
    (``scipy.ndimage.label``), and keep the seed's component. :func:`flood_fill_bfs` is the
    same result grown pixel by pixel, the way the algorithm is usually explained.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image.
    seed : (int, int)
        ``(row, col)`` inside the image; anything else raises ``ValueError``.
    tolerance : float
        Largest allowed ``|value - seed value|``; 0 fills exactly the seed's value.
    connectivity : {1, 2}
        1: 4-neighbours, 2: 8-neighbours (diagonal steps allowed).

    Returns
    -------
    (H, W) bool ndarray
        Equal to ``skimage.segmentation.flood(image, seed, tolerance=tolerance,
        connectivity=connectivity)``.

    Examples
    --------
    >>> img = np.array([[1, 1, 9],
    ...                 [9, 1, 9],
    ...                 [1, 9, 1]])
    >>> flood_fill(img, (0, 0)).astype(int)
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 0, 0]])
    >>> flood_fill(img, (0, 0), connectivity=2).astype(int)
    array([[1, 1, 0],
           [0, 1, 0],
           [1, 0, 1]])
    """
    img = v.grey_image(image)
    conn = v.connectivity(connectivity)
    r, c = v.seed_point(seed, img.shape)
    ok = tolerance_mask(img, (r, c), tolerance)
    labels, _ = ndi.label(ok, structure=_structure(conn))
    return labels == labels[r, c]


def flood_fill_bfs(
    image: Any, seed: Any, tolerance: float = 0, connectivity: int = 1
) -> np.ndarray:
    """Flood fill as breadth-first search: the teaching version of :func:`flood_fill`.

    Start with the seed in a queue. Repeatedly take the oldest pixel from the queue and
    look at its neighbours: a neighbour that is inside the image, not yet in the region and
    within ``tolerance`` of the *seed value* joins the region and the queue. Every pixel
    enters the queue at most once, so the loop runs at most H*W times.

    Same arguments and result as :func:`flood_fill` (the tests check they are equal);
    pure Python, so keep images small (about 0.5 s for 256x256).

    Examples
    --------
    >>> flood_fill_bfs(np.array([[10, 12, 30]]), (0, 0), tolerance=2).astype(int)
    array([[1, 1, 0]])
    """
    img = v.grey_image(image)
    offsets = neighbour_offsets(connectivity)
    r0, c0 = v.seed_point(seed, img.shape)
    ok = tolerance_mask(img, (r0, c0), tolerance)
    h, w = img.shape
    region = np.zeros((h, w), dtype=bool)
    region[r0, c0] = True
    queue = deque([(r0, c0)])
    while queue:
        r, c = queue.popleft()
        for dr, dc in offsets:
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and not region[rr, cc] and ok[rr, cc]:
                region[rr, cc] = True
                queue.append((rr, cc))
    return region


def flood_fill_order(
    image: Any, seed: Any, tolerance: float = 0, connectivity: int = 1
) -> np.ndarray:
    """The BFS *visit order* of each filled pixel (-1 outside the region).

    Same traversal as :func:`flood_fill_bfs`; ``order <= n`` is the region after ``n + 1``
    pixels, which is how the BFS animation is drawn. Visit order grows with the BFS depth:
    the fill spreads as a diamond (4-neighbours) or a square (8-neighbours).

    Examples
    --------
    >>> flood_fill_order(np.zeros((1, 4)), (0, 1)).tolist()
    [[1, 0, 2, 3]]
    """
    img = v.grey_image(image)
    offsets = neighbour_offsets(connectivity)
    r0, c0 = v.seed_point(seed, img.shape)
    ok = tolerance_mask(img, (r0, c0), tolerance)
    h, w = img.shape
    order = np.full((h, w), -1, dtype=np.int64)
    order[r0, c0] = 0
    n = 1
    queue = deque([(r0, c0)])
    while queue:
        r, c = queue.popleft()
        for dr, dc in offsets:
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and order[rr, cc] < 0 and ok[rr, cc]:
                order[rr, cc] = n
                n += 1
                queue.append((rr, cc))
    return order


def region_grow(
    image: Any, seed: Any, tolerance: float, connectivity: int = 1
) -> np.ndarray:
    """Seeded region growing: compare candidates with the *running mean* of the region.

    Flood fill compares every pixel with the seed's value. Region growing (Adams &
    Bischof, 1994) compares with the mean of the region grown so far, so it can follow a
    slow gradient that a flood fill cuts off — and it can also leak along one.

    The order is fixed, so the result does not depend on queue accidents: at every step the
    boundary pixel whose value is *closest to the current mean* joins (ties: smaller value,
    then the earlier-discovered pixel), and the mean is updated. Growing stops when even the
    closest boundary pixel differs from the mean by more than ``tolerance``.

    Parameters
    ----------
    image : (H, W) array_like
    seed : (int, int)
    tolerance : float
        Largest allowed ``|value - region mean|`` for a pixel to join.
    connectivity : {1, 2}

    Returns
    -------
    (H, W) bool ndarray

    Examples
    --------
    On a ramp the region's mean moves along with the growing region, so region growing
    follows a gradient about twice as far as a flood fill with the same tolerance:

    >>> ramp = np.arange(8.0)[None, :]
    >>> flood_fill(ramp, (0, 0), tolerance=1.5).astype(int)
    array([[1, 1, 0, 0, 0, 0, 0, 0]])
    >>> region_grow(ramp, (0, 0), tolerance=1.5).astype(int)
    array([[1, 1, 1, 0, 0, 0, 0, 0]])
    """
    img = v.grey_image(image).astype(np.float64)
    offsets = neighbour_offsets(connectivity)
    r0, c0 = v.seed_point(seed, img.shape)
    tol = v.non_negative_float(tolerance, "tolerance")
    h, w = img.shape
    region = np.zeros((h, w), dtype=bool)
    seen = np.zeros((h, w), dtype=bool)  # in the region or on the boundary list
    region[r0, c0] = seen[r0, c0] = True
    total, count = float(img[r0, c0]), 1
    boundary: list[tuple[float, int, int, int]] = []  # sorted by (value, discovery number)
    discovered = 0

    def push_neighbours(r: int, c: int) -> None:
        nonlocal discovered
        for dr, dc in offsets:
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and not seen[rr, cc]:
                seen[rr, cc] = True
                bisect.insort(boundary, (float(img[rr, cc]), discovered, rr, cc))
                discovered += 1

    push_neighbours(r0, c0)
    while boundary:
        mean = total / count
        i = bisect.bisect_left(boundary, (mean, -1, -1, -1))
        # the closest value to the mean is just below or just above it in sorted order
        values = [boundary[j][0] for j in (i - 1, i) if 0 <= j < len(boundary)]
        value = min(values, key=lambda x: (abs(x - mean), x))
        if abs(value - mean) > tol:
            break
        j = bisect.bisect_left(boundary, (value, -1, -1, -1))  # earliest-discovered of equals
        _, _, r, c = boundary[j]
        del boundary[j]
        region[r, c] = True
        total += value
        count += 1
        push_neighbours(r, c)
    return region


def fill_outline(
    outline: Any, include_outline: bool = True, connectivity: int = 1
) -> np.ndarray:
    """Turn a drawn closed outline into a filled mask (the annotation workflow).

    A pixel is *inside* when it cannot reach the image border without crossing the outline.
    So: take the non-outline pixels, label their connected components, and call every
    component that touches the border "outside"; everything else is inside. This is a flood
    fill of the background started from the whole border at once, so it does not depend on
    a corner pixel being background, and it fills several separate outlines in one go.

    Parameters
    ----------
    outline : (H, W) bool array_like
        The drawn curve(s); must contain at least one True pixel.
    include_outline : bool
        Whether the outline pixels belong to the mask (an annotator's line sits on the
        object boundary, so usually yes).
    connectivity : {1, 2}
        How the *background* may move. With 1 (default) a curve drawn with diagonal steps
        (8-connected) is watertight; with 2 the background leaks through diagonal gaps.

    Returns
    -------
    (H, W) bool ndarray
        With the defaults, equal to ``scipy.ndimage.binary_fill_holes(outline)``. An
        outline that is not closed encloses nothing: the result is then the outline itself
        (check ``filled.sum() > outline.sum()``).

    Examples
    --------
    >>> ring = np.zeros((5, 5), dtype=bool)
    >>> ring[1, 1:4] = ring[3, 1:4] = ring[1:4, 1] = ring[1:4, 3] = True
    >>> fill_outline(ring).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    >>> fill_outline(ring, include_outline=False).astype(int)[2]
    array([0, 0, 1, 0, 0])
    """
    line = v.binary_mask(outline, "outline")
    conn = v.connectivity(connectivity)
    labels, _ = ndi.label(~line, structure=_structure(conn))
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    outside = np.isin(labels, np.unique(border[border > 0]))
    filled = ~outside
    if not include_outline:
        filled &= ~line
    return filled
