"""Watershed: flooding a grey-level landscape from markers.

Read the image as a relief (bright = high). Water rises from each *marker*; where the
waters of two markers would meet, they stay apart, so every pixel ends up in the basin of
exactly one marker. Without markers every local minimum floods its own basin and noise
gives hundreds of tiny regions (over-segmentation); good markers — one per object — are
the whole trick.

For touching round objects the classic recipe is: threshold to a binary mask, take the
Euclidean distance to the background (largest at object centres), put one marker on each
peak of the distance, and flood ``-distance`` inside the mask.

Current scikit-image API, for readers of older tutorials: ``watershed`` lives in
``skimage.segmentation`` (``skimage.morphology.watershed`` was removed), and
``skimage.feature.peak_local_max`` returns coordinates only (``indices=False`` was
removed) — build the marker image from the coordinates, as :func:`distance_markers` does.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np
from scipy import ndimage as ndi

from segcourse.classical import _validate as v

__all__ = [
    "distance_markers",
    "minima_markers",
    "watershed",
    "watershed_flooding",
]


def distance_markers(
    mask: Any, min_distance: int = 5, exclude_border: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Markers at the peaks of the distance transform of a binary mask.

    Parameters
    ----------
    mask : (H, W) bool array_like
        Foreground (the objects); must not be empty.
    min_distance : int
        Peaks closer than this (in pixels, Chebyshev distance) are suppressed except the
        highest: roughly the smallest object radius you expect. Too small gives several
        markers per object (over-segmentation); too large merges touching objects.
    exclude_border : bool
        Drop peaks within ``min_distance`` of the image edge (``peak_local_max``'s default
        is True; here False, so objects cut by the border keep their marker).

    Returns
    -------
    markers : (H, W) int32 ndarray
        0 = no marker; 1..n = one label per marker. Adjacent peak pixels (a plateau of the
        distance map) are merged into one marker with 8-connectivity.
    distance : (H, W) float64 ndarray
        ``scipy.ndimage.distance_transform_edt(mask)``; flood ``-distance``.

    Examples
    --------
    Two overlapping discs give two markers:

    >>> yy, xx = np.mgrid[:40, :60]
    >>> discs = ((yy - 20) ** 2 + (xx - 20) ** 2 < 150) | ((yy - 20) ** 2 + (xx - 38) ** 2 < 150)
    >>> markers, distance = distance_markers(discs, min_distance=5)
    >>> int(markers.max())
    2
    """
    m = v.binary_mask(mask, "mask")
    md = v.positive_int(min_distance, "min_distance")
    from skimage.feature import peak_local_max

    distance = ndi.distance_transform_edt(m)
    coords = peak_local_max(
        distance,
        min_distance=md,
        labels=m.astype(np.int32),
        exclude_border=md if exclude_border else False,
    )
    peaks = np.zeros(m.shape, dtype=bool)
    peaks[tuple(coords.T)] = True
    markers, _ = ndi.label(peaks, structure=np.ones((3, 3), dtype=bool))
    return markers.astype(np.int32), distance


def minima_markers(image: Any, connectivity: int = 1) -> np.ndarray:
    """One marker per regional minimum of ``image`` (the marker-free watershed).

    Every plateau lower than all its neighbours becomes a marker. On a noisy image this is
    a great many markers: the over-segmentation that good markers avoid.

    Examples
    --------
    >>> int(minima_markers(np.array([[0, 5, 1, 5, 0]])).max())
    3
    """
    img = v.grey_image(image)
    conn = v.connectivity(connectivity)
    from skimage.morphology import local_minima

    minima = local_minima(img, connectivity=conn, allow_borders=True)
    markers, _ = ndi.label(minima, structure=ndi.generate_binary_structure(2, conn))
    return markers.astype(np.int32)


def _prepare(image: Any, markers: Any, mask: Any, connectivity: int):
    img = v.grey_image(image).astype(np.float64)
    mk = np.asarray(markers)
    if mk.shape != img.shape:
        raise ValueError(f"markers: expected shape {img.shape} (the image's), got {mk.shape}")
    if mk.dtype.kind not in "iu":
        raise TypeError(f"markers: expected an integer label image, got dtype {mk.dtype}")
    if (mk < 0).any():
        raise ValueError("markers: expected labels >= 0 (0 = no marker), got negative values")
    if mask is None:
        msk = np.ones(img.shape, dtype=bool)
    else:
        msk = v.binary_mask(mask, "mask")
        if msk.shape != img.shape:
            raise ValueError(f"mask: expected shape {img.shape} (the image's), got {msk.shape}")
    conn = v.connectivity(connectivity)
    if not (mk * msk).any():
        raise ValueError("markers: expected at least one marker inside the mask, got none")
    h, w = img.shape
    w2 = w + 2
    # Pad by one pixel of "not in mask" so neighbour look-ups never leave the array.
    labels = np.zeros((h + 2, w2), dtype=np.int64)
    labels[1:-1, 1:-1] = np.where(msk, mk, 0)
    inside = np.zeros((h + 2, w2), dtype=bool)
    inside[1:-1, 1:-1] = msk
    values = np.zeros((h + 2, w2))
    values[1:-1, 1:-1] = img
    if conn == 1:
        offsets = (-w2, -1, 1, w2)
    else:
        offsets = (-w2 - 1, -w2, -w2 + 1, -1, 1, w2 - 1, w2, w2 + 1)
    return labels.ravel(), inside.ravel(), values.ravel(), offsets, (h, w)


def _flood(image, markers, mask, connectivity, compactness, record_level):
    labels, inside, values, offsets, (h, w) = _prepare(image, markers, mask, connectivity)
    w2 = w + 2
    level = np.full(labels.shape, np.inf) if record_level else None
    water = -np.inf
    heap: list[tuple[float, int, int, int]] = []
    # Every marker pixel starts in the queue at its own height; "age" breaks ties first-in,
    # first-out, as in scikit-image.
    for p in np.flatnonzero(labels):
        heap.append((values[p], 0, int(p), int(p)))
    heapq.heapify(heap)
    age = 0
    compact = compactness > 0
    while heap:
        value, _, p, src = heapq.heappop(heap)
        if compact:
            # a pixel can be queued by several basins; the first to pop it wins
            if labels[p] and p != src:
                continue
            labels[p] = labels[src]
        if record_level:
            water = max(water, value)
            level[p] = water
        lab = labels[p]
        for off in offsets:
            q = p + off
            if inside[q] and not labels[q]:
                age += 1
                priority = values[q]
                if compact:
                    dr, dc = q // w2 - src // w2, q % w2 - src % w2
                    priority += compactness * math.hypot(dr, dc)
                else:
                    labels[q] = lab  # claimed now, so no other basin can queue it
                # water cannot reach q below the level it has at p
                heapq.heappush(heap, (max(priority, value), age, q, src))
    out = labels.reshape(h + 2, w2)[1:-1, 1:-1].astype(np.int32)
    if record_level:
        return out, level.reshape(h + 2, w2)[1:-1, 1:-1]
    return out


def watershed(
    image: Any,
    markers: Any,
    mask: Any = None,
    connectivity: int = 1,
    compactness: float = 0.0,
) -> np.ndarray:
    """Marker-controlled watershed by priority flood (Meyer's algorithm).

    Put every marker pixel in a priority queue keyed by its grey value. Repeatedly take the
    lowest entry; each unlabelled neighbour inside the mask gets the same label and joins
    the queue keyed by its grey value — or by the current water level if that is higher
    (water that has climbed over a ridge does not drop back to the valley floor's priority).
    Low pixels are therefore claimed before high ones, and a basin only spills over a ridge
    after everything lower has been flooded: the labels meet on the ridges. Equal keys
    leave the queue first-in, first-out.

    This is the teaching version, one pixel at a time in pure Python (roughly 0.5 s per
    100k pixels); ``skimage.segmentation.watershed`` is the same algorithm in Cython.

    Parameters
    ----------
    image : (H, W) array_like
        The relief to flood (e.g. ``-distance`` or a gradient magnitude).
    markers : (H, W) int array_like
        0 = unlabelled, k > 0 = seed of basin k.
    mask : (H, W) bool array_like, optional
        Only pixels in the mask are flooded; the rest stay 0. Without a mask the background
        is flooded too and given to some basin.
    connectivity : {1, 2}
        Neighbourhood of the flooding (scikit-image's default is 1).
    compactness : float
        If > 0, a pixel's priority is its value plus ``compactness`` times its Euclidean
        distance to the marker it would join: basins become more regular (compact
        watershed, Neubert & Protzel 2014).

    Returns
    -------
    (H, W) int32 ndarray
        The label of the basin of each pixel (0 outside the mask and where no marker can
        reach). Identical to ``skimage.segmentation.watershed`` (same arguments) whenever no
        two markers start at the same grey value; when they do, the two heaps may release
        the tied markers in a different order and a few pixels on a tie can change sides
        (the tests measure this).

    Examples
    --------
    A valley between two ridges is split where the ridges are highest:

    >>> relief = np.array([[0, 1, 3, 1, 0]])
    >>> watershed(relief, np.array([[1, 0, 0, 0, 2]])).tolist()
    [[1, 1, 1, 2, 2]]
    """
    c = v.non_negative_float(compactness, "compactness")
    return _flood(image, markers, mask, connectivity, c, record_level=False)


def watershed_flooding(
    image: Any, markers: Any, mask: Any = None, connectivity: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Watershed labels plus the water level at which each pixel was flooded.

    ``level[p]`` is the water level when ``p`` left the queue: the highest key popped so
    far (keys never decrease while flooding without compactness). ``np.where(level <= L, labels, 0)`` is the
    landscape flooded up to level ``L`` — the frames of the flooding animation. Pixels
    never reached have level ``inf``.

    Examples
    --------
    >>> labels, level = watershed_flooding(np.array([[0, 1, 3, 1, 0]]), np.array([[1, 0, 0, 0, 2]]))
    >>> level.tolist()
    [[0.0, 1.0, 3.0, 1.0, 0.0]]
    """
    return _flood(image, markers, mask, connectivity, 0.0, record_level=True)
