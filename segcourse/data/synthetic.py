"""Procedurally generated segmentation datasets that need no network.

Five families, each in the label format of the real data set it stands in for:

========== ======== ============================================ ===========================
family     channels classes (index: name)                        stands in for
========== ======== ============================================ ===========================
pets       3        0 pet, 1 background, 2 border                Oxford-IIIT Pet trimaps
vessels    1        0 tissue, 1 wall, 2 lumen                    ultrasound vessel walls
cars       3        0 background, 1 car                          Carvana masks
cells      1        0 background, 1 cell                         touching nuclei (+ instances)
shapes     3        0 background, 1 disc, 2 square,             a multi-class scene with
                    3 triangle, 4 cross                          scale, occlusion, imbalance
========== ======== ============================================ ===========================

The ``pets`` labels follow the real Oxford-IIIT Pet trimaps (1 foreground, 2 background,
3 not classified) shifted down by one, so a model trained here reads real data the same way.

Everything is vectorised over a chunk of images (numpy, scipy.ndimage); the only Python loops
run over a handful of object slots. Generation is deterministic: image ``i`` of
``make(family, n, size, seed)`` depends on ``(family, size, seed, i)`` only, so the first ten
images of a 1000-image set equal ``make(family, 10, size, seed)``.

Examples
--------
>>> images, masks = make("pets", 4, 64, seed=0)
>>> images.shape, images.dtype, masks.shape, masks.dtype
((4, 64, 64, 3), dtype('float32'), (4, 64, 64), dtype('int32'))
>>> sorted(set(masks.ravel().tolist()))
[0, 1, 2]
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import ndimage as ndi

__all__ = [
    "FAMILIES",
    "Family",
    "make",
    "make_cells_instances",
    "class_names",
    "num_classes",
    "channels",
    "train_test",
]


@dataclass(frozen=True)
class Family:
    """Static description of one synthetic family."""

    name: str
    channels: int
    classes: tuple[str, ...]
    description: str
    ignore_free: bool = True  # no label means "ignore" (Oxford's border is a real class here)

    @property
    def num_classes(self) -> int:
        return len(self.classes)


FAMILIES: dict[str, Family] = {
    "pets": Family("pets", 3, ("pet", "background", "border"),
                   "a furry animal with parts on a cluttered room; Oxford-IIIT Pet trimap labels"),
    "vessels": Family("vessels", 1, ("tissue", "wall", "lumen"),
                      "B-mode ultrasound speckle of a vessel cross-section"),
    "cars": Family("cars", 3, ("background", "car"),
                   "a side view of a car in a photo studio; Carvana-style binary masks"),
    "cells": Family("cells", 1, ("background", "cell"),
                    "touching fluorescent nuclei; 1-px background gaps between touching cells"),
    "shapes": Family("shapes", 3, ("background", "disc", "square", "triangle", "cross"),
                     "overlapping shapes of five classes with scale, occlusion and imbalance"),
}
_FAMILY_ID = {name: i for i, name in enumerate(FAMILIES)}
_MAX_SIZE = 1024


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------
def _check_family(family: str) -> Family:
    if not isinstance(family, str) or family not in FAMILIES:
        raise ValueError(f"family: expected one of {tuple(FAMILIES)}, got {family!r}")
    return FAMILIES[family]


def _check_int(name: str, value, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        bound = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name}: expected an int {bound}, got {value}")
    return value


def class_names(family: str) -> tuple[str, ...]:
    """Names of the classes of ``family``, index = label value.

    Examples
    --------
    >>> class_names("pets")
    ('pet', 'background', 'border')
    """
    return _check_family(family).classes


def num_classes(family: str) -> int:
    """Number of classes of ``family``.

    Examples
    --------
    >>> num_classes("shapes")
    5
    """
    return _check_family(family).num_classes


def channels(family: str) -> int:
    """Number of image channels ``make`` returns for ``family`` by default.

    Examples
    --------
    >>> channels("vessels")
    1
    """
    return _check_family(family).channels


# --------------------------------------------------------------------------------------
# building blocks (all vectorised over the batch axis)
# --------------------------------------------------------------------------------------
def _chunk_size(size: int) -> int:
    """Images rendered together: 32 images of 64x64 worth of pixels (fits the L2 cache), a power of two."""
    return max(1, min(32, 2 ** int(math.floor(math.log2(262144 / (size * size))))))


@functools.lru_cache(maxsize=64)
def _spline_matrix(size: int, cells: int) -> np.ndarray:
    """(size, cells + 3) cubic B-spline weights: upsample ``cells`` control cells to ``size`` pixels.

    Rows are divided by their root-sum-of-squares so unit-variance control points give
    unit-variance pixels.
    """
    t = (np.arange(size) + 0.5) / size * cells + 1.0
    x = np.abs(t[:, None] - np.arange(cells + 3)[None, :])
    w = np.where(x < 1, 2 / 3 - x**2 + x**3 / 2, np.where(x < 2, (2 - x) ** 3 / 6, 0.0))
    w /= np.sqrt((w**2).sum(axis=1, keepdims=True))
    return w.astype(np.float32)


def _noise(rng: np.random.Generator, n: int, size: int, cells: int | tuple[int, int], m: int) -> np.ndarray:
    """Smooth random field of shape (m, size, size), about unit variance, ``cells`` features across.

    Control points are drawn for the whole chunk of ``n`` images (prefix stability) and only the
    first ``m`` are rendered.
    """
    ch, cw = (cells, cells) if isinstance(cells, int) else cells
    ch, cw = max(1, min(ch, size // 2)), max(1, min(cw, size // 2))
    ctrl = rng.standard_normal((n, ch + 3, cw + 3), dtype=np.float32)[:m]
    return _spline_matrix(size, ch) @ ctrl @ _spline_matrix(size, cw).T


def _fbm(rng, n, size, cells, m, octaves=3, gain=0.5) -> np.ndarray:
    """Fractal sum of ``octaves`` noise fields, each twice as fine and ``gain`` as strong."""
    out = _noise(rng, n, size, cells, m)
    amp, total = 1.0, 1.0
    for o in range(1, octaves):
        amp *= gain
        total += amp * amp
        out += amp * _noise(rng, n, size, cells * 2**o, m)
    out *= 1.0 / math.sqrt(total)
    return out


def _hsv_to_rgb(h, s, v) -> np.ndarray:
    """Vectorised HSV -> RGB for per-image colours; inputs (n,), output (n, 3) float32."""
    h = np.mod(h, 1.0) * 6.0
    k = np.stack([(5 + h) % 6, (3 + h) % 6, (1 + h) % 6], axis=-1)
    rgb = v[:, None] - (v * s)[:, None] * np.clip(np.minimum(k, 4 - k), 0, 1)
    return rgb.astype(np.float32)


def _col(a) -> np.ndarray:
    """Per-image scalars (n,) -> (n, 1, 1) for broadcasting over (n, H, W); booleans stay boolean."""
    a = np.asarray(a)
    return (a if a.dtype == bool else a.astype(np.float32))[:, None, None]


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in image units: yy (1, H, 1), xx (1, 1, W)."""
    c = (np.arange(size, dtype=np.float32) + 0.5) / size
    return c[None, :, None], c[None, None, :]


# Rendering works in a channel-first layout (m, C, H, W): numpy is several times faster there
# than with a trailing axis of 3, and painting uses np.copyto(..., where=) rather than np.where.
def _paint(img: np.ndarray, mask: np.ndarray, rgb: np.ndarray) -> None:
    """In place: ``img`` (m, C, H, W) takes the per-image colour ``rgb`` (m, C) where ``mask``."""
    for c in range(img.shape[1]):
        np.copyto(img[:, c], rgb[:, c, None, None], where=mask)


def _paint_field(img: np.ndarray, mask: np.ndarray, field: np.ndarray) -> None:
    """In place: ``img`` (m, C, H, W) takes ``field`` (m, C or 1, H, W) where ``mask`` (m, H, W)."""
    for c in range(img.shape[1]):
        np.copyto(img[:, c], field[:, c if field.shape[1] > 1 else 0], where=mask)


def _frame(cy, cx, theta, scale=1.0, flip=1.0, scale_v=None):
    """A per-image affine frame: ``u`` along ``theta`` (mirrored by ``flip``), ``v`` pointing up.

    Returned as coefficients (Ux, Uy, Vx, Vy, cy, cx) with u = Ux*dx + Uy*dy, v = Vx*dx + Vy*dy,
    dx = x - cx, dy = y - cy; ``u`` is divided by ``scale`` and ``v`` by ``scale_v`` (default
    ``scale``).
    """
    c, s = np.cos(theta), np.sin(theta)
    ku = 1.0 / np.asarray(scale, np.float64)
    kv = ku if scale_v is None else 1.0 / np.asarray(scale_v, np.float64)
    return (flip * c * ku, flip * s * ku, s * kv, -c * kv, np.asarray(cy), np.asarray(cx))


def _uv(yy, xx, frame):
    """Full (m, H, W) coordinate fields of a frame (two full-size operations)."""
    ux, uy, vx, vy, cy, cx = frame
    dy, dx = yy - _col(cy), xx - _col(cx)
    return dx * _col(ux) + dy * _col(uy), dx * _col(vx) + dy * _col(vy)


def _part_q(yy, xx, frame, cu, cv, a, b, phi=0.0) -> np.ndarray:
    """Normalised ellipse field (< 1 inside) of a part placed in ``frame``.

    The part is centred at (cu, cv) of the frame, has semi-axes (a, b) and is turned by ``phi``.
    The two affine maps are composed per image first, so the whole ellipse costs five
    full-size array operations.
    """
    ux, uy, vx, vy, cy, cx = frame
    cp, sp = np.cos(phi), np.sin(phi)
    px, py, p0 = (ux * cp + vx * sp) / a, (uy * cp + vy * sp) / a, -(cu * cp + cv * sp) / a
    rx, ry, r0 = (vx * cp - ux * sp) / b, (vy * cp - uy * sp) / b, -(cv * cp - cu * sp) / b
    dy, dx = yy - _col(cy), xx - _col(cx)
    p = (dx * _col(px) + _col(p0)) + dy * _col(py)
    r = (dx * _col(rx) + _col(r0)) + dy * _col(ry)
    p *= p
    r *= r
    p += r
    return p


def _ellipse(yy, xx, cy, cx, a, b, theta=0.0) -> np.ndarray:
    """Normalised ellipse field in image coordinates: centre (cy, cx), semi-axes (a, b)."""
    zero = np.zeros(np.shape(cy))
    return _part_q(yy, xx, _frame(cy, cx, zero), zero, zero, a, b, theta)


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Binary dilation of (m, H, W) masks by a (2r+1)^2 square, by shifted ORs (separable)."""
    out = mask.copy()
    for axis in (1, 2):
        src = out.copy()
        for r in range(1, radius + 1):
            lo = [slice(None)] * 3
            hi = [slice(None)] * 3
            lo[axis], hi[axis] = slice(0, -r), slice(r, None)
            out[tuple(lo)] |= src[tuple(hi)]
            out[tuple(hi)] |= src[tuple(lo)]
    return out


def _band(mask: np.ndarray, radius: int) -> np.ndarray:
    """Pixels within ``radius`` (chessboard distance) of the mask's outline, on either side."""
    grown = _dilate(mask, radius)
    shrunk = ~_dilate(~mask, radius)
    return grown & ~shrunk


def _finish(img: np.ndarray, rt: np.random.Generator, sigma: np.ndarray, out: np.ndarray,
            blur: bool = True) -> None:
    """Add sensor noise, blur, clip to [0, 1] and write channel-first ``img`` into NHWC ``out``.

    The noise (per-image std ``sigma`` after blurring, shared by the channels) is added before
    the blur, so it is spatially correlated as in a demosaiced camera image.
    """
    m = img.shape[0]
    noise = np.random.default_rng(rt.integers(2**63)).random((m, 1) + img.shape[2:], dtype=np.float32)
    noise -= 0.5
    # a [1, 2, 1]/4 blur in both directions leaves 0.375 of the noise's standard deviation
    noise *= (sigma * math.sqrt(12.0) / (0.375 if blur else 1.0)).astype(np.float32)[:, None, None, None]
    img += noise
    view = out.transpose(0, 3, 1, 2)  # channel-first view of the NHWC output
    if blur:
        k = np.array([0.25, 0.5, 0.25], np.float32)
        ndi.correlate1d(ndi.correlate1d(img, k, axis=-2, mode="nearest"), k, axis=-1, mode="nearest", output=view)
    else:
        view[...] = img
    np.clip(out, 0.0, 1.0, out=out)


# --------------------------------------------------------------------------------------
# families. Each renderer gets the chunk's generators (rp: parameters, rt: textures), the
# chunk size n, the image size and the number m <= n of images to render. Random draws
# always have the full chunk's shape, so image i does not depend on m.
# --------------------------------------------------------------------------------------
def _room(rp, rt, n, size, m, yy, xx, grain) -> np.ndarray:
    """Cluttered indoor background, (m, 3, H, W): wall and floor, textures, random objects."""
    sl = slice(0, m)
    hue = rp.random(n)
    wall = _hsv_to_rgb(hue, rp.uniform(0.0, 0.7, n), rp.uniform(0.15, 0.95, n))
    floor = _hsv_to_rgb(hue + rp.uniform(-0.3, 0.3, n), rp.uniform(0.0, 0.7, n), rp.uniform(0.1, 0.9, n))
    horizon = rp.uniform(0.3, 0.85, n)
    slope = rp.uniform(-0.25, 0.25, n)
    texture_amp = rp.uniform(0.05, 0.22, n)
    k = 4
    rect = rp.random((k, n)) < 0.5
    present = rp.random((k, n)) < rp.uniform(0.4, 1.0, n)[None]
    ccy, ccx = rp.uniform(-0.1, 1.1, (k, n)), rp.uniform(-0.1, 1.1, (k, n))
    ca, cb = rp.uniform(0.06, 0.4, (k, n)), rp.uniform(0.04, 0.28, (k, n))
    cth = rp.uniform(0, np.pi, (k, n))
    ccol = _hsv_to_rgb(rp.random(k * n), rp.uniform(0, 0.9, k * n), rp.uniform(0.05, 1.0, k * n)).reshape(k, n, 3)
    striped = rp.random((k, n)) < 0.3
    sfreq = rp.uniform(6, 20, (k, n))

    tex = _fbm(rt, n, size, 4, m, octaves=2)
    img = np.empty((m, 3, size, size), np.float32)
    img[:] = wall[sl, :, None, None]
    is_floor = (yy - _col(horizon[sl])) - _col(slope[sl]) * (xx - 0.5) > 0
    _paint(img, is_floor, floor[sl])
    shade = tex
    shade += 0.5 * grain
    shade *= _col(texture_amp[sl])
    shade += 1.0
    for j in range(k):
        u, v = _uv(yy, xx, _frame(ccy[j, sl], ccx[j, sl], cth[j, sl], ca[j, sl], scale_v=cb[j, sl]))
        u2, v2 = u * u, v * v
        q = u2 + v2
        np.copyto(q, np.maximum(u2, v2), where=_col(rect[j, sl]))
        inside = q < 1.0
        inside &= _col(present[j, sl])
        _paint(img, inside, ccol[j, sl])
        sel = np.flatnonzero(striped[j, sl])
        if sel.size:  # wallpaper-like stripes on some objects
            stripes = np.ones_like(q)
            stripes[sel] = 0.8 + 0.2 * np.sin(u[sel] * _col(ca[j, sel] * sfreq[j, sel] * 6.283))
            np.copyto(shade, shade * stripes, where=inside)
    img *= shade[:, None]
    return img


def _pets(rp, rt, n, size, m, out):
    yy, xx = _grid(size)
    sl = slice(0, m)
    cy, cx = rp.uniform(0.42, 0.6, n), rp.uniform(0.36, 0.64, n)
    scale = rp.uniform(0.75, 1.3, n)
    flip = np.where(rp.random(n) < 0.5, -1.0, 1.0)
    theta = rp.uniform(-0.35, 0.35, n)
    body_a, body_b = rp.uniform(0.2, 0.3, n), rp.uniform(0.11, 0.18, n)
    head_r = rp.uniform(0.1, 0.15, n)
    head_u, head_v = body_a * rp.uniform(0.85, 1.15, n), body_b * rp.uniform(0.7, 1.6, n)
    ear_up = rp.random(n) < 0.6  # pointy cat-like ears vs floppy dog-like ears
    ear_len = rp.uniform(0.05, 0.09, n)
    leg_len = rp.uniform(0.06, 0.12, n)
    leg_w = rp.uniform(0.025, 0.045, n)
    tail_th = rp.uniform(-0.3, 1.3, n)
    tail_len = rp.uniform(0.08, 0.18, n)
    fuzz = rp.uniform(0.05, 0.25, n)
    # fur colours span the whole brightness range, like the backgrounds
    fur1 = _hsv_to_rgb(rp.uniform(0.0, 0.14, n), rp.uniform(0.0, 0.75, n), rp.uniform(0.06, 0.97, n))
    fur2 = _hsv_to_rgb(rp.uniform(0.0, 0.14, n), rp.uniform(0.0, 0.75, n), rp.uniform(0.06, 0.97, n))
    striped = rp.random(n) < 0.35
    stripe_f = rp.uniform(12, 30, n)
    occluder = rp.random(n) < 0.25
    occ_h = rp.uniform(0.8, 0.95, n)
    occ_col = _hsv_to_rgb(rp.random(n), rp.uniform(0, 0.8, n), rp.uniform(0.1, 0.95, n))
    light = rp.uniform(-0.35, 0.35, (n, 2))
    contrast = rp.uniform(0.8, 1.15, n)
    sigma = rp.uniform(0.005, 0.03, n)

    grain = _noise(rt, n, size, max(4, size // 2), m)  # fine texture of fur and of the room alike
    img = _room(rp, rt, n, size, m, yy, xx, grain)
    pattern = _fbm(rt, n, size, 3, m, octaves=2)
    edge_noise = _noise(rt, n, size, 6, m)

    fr = _frame(cy[sl], cx[sl], theta[sl], scale[sl], flip[sl])
    ba, bb = body_a[sl], body_b[sl]
    hu, hv, hr = head_u[sl], head_v[sl], head_r[sl]
    zero = np.zeros(m)
    q = _part_q(yy, xx, fr, zero, zero, ba, bb)
    np.minimum(q, _part_q(yy, xx, fr, hu, hv, hr, hr * 0.9), out=q)
    # a neck joins the head to the shoulders
    nu, nv = 0.5 * (hu + 0.7 * ba), 0.5 * (hv + 0.3 * bb)
    neck_len = 0.5 * np.hypot(hu - 0.7 * ba, hv - 0.3 * bb) + 0.5 * hr
    np.minimum(q, _part_q(yy, xx, fr, nu, nv, neck_len, 0.75 * hr, np.arctan2(hv - 0.3 * bb, hu - 0.7 * ba)), out=q)
    tl, tth = tail_len[sl], tail_th[sl]
    np.minimum(q, _part_q(yy, xx, fr, -ba - tl * 0.6 * np.cos(tth), tl * 0.6 * np.sin(tth), tl, 0.035 + zero, -tth),
               out=q)
    u, v = _uv(yy, xx, fr)
    # ears and eyes are mirror pairs about a vertical line through the head: fold u there
    up = ear_up[sl]
    el = ear_len[sl]
    ue = np.abs(u - _col(hu))
    fold = _frame(zero, zero, zero)  # identity frame on (ue, v) with v already pointing up
    ear_u, ear_v = hr * np.where(up, 0.55, 0.8), hv + hr * np.where(up, 0.85, 0.1)
    ea, eb, eth = el * np.where(up, 0.45, 0.5), el * np.where(up, 1.0, 1.1), np.where(up, -0.35, 0.25)
    np.minimum(q, _part_q(-v, ue, fold, ear_u, ear_v, ea, eb, eth), out=q)
    # four legs: fold |u| about the middle of each pair
    w = np.abs(np.abs(u) - _col(0.6 * ba))
    np.minimum(q, _part_q(-v, w, fold, 0.15 * ba, -bb - leg_len[sl] * 0.55, leg_w[sl], leg_len[sl]), out=q)
    ue2 = np.abs(u - _col(hu + 0.25 * hr))
    eyes = _part_q(-v, ue2, fold, 0.2 * hr, hv + 0.2 * hr, 0.17 * hr, 0.22 * hr) < 1.0
    # a fur-ruffled outline: the level set moves with a smooth noise field
    edge_noise *= _col(fuzz[sl])
    edge_noise += 1.0
    mask = q < edge_noise

    t = np.clip(0.5 + 0.9 * pattern, 0.0, 1.0)
    sel = np.flatnonzero(striped[sl])
    if sel.size:
        t[sel] = 0.5 + 0.5 * np.sin(u[sel] * _col(stripe_f[sel] * 6.283) + 2.0 * pattern[sel])
    f1 = fur1[sl, :, None, None]
    fur = f1 + (fur2[sl, :, None, None] - f1) * t[:, None]
    shade = np.clip(q, 0.0, 1.2)
    shade *= shade
    shade *= -0.35
    shade += 1.0 + 0.12 * grain  # round body, fine fur grain
    fur *= shade[:, None]
    _paint_field(img, mask, fur)
    eyes &= mask
    _paint(img, eyes, np.full((m, 3), 0.04, np.float32))
    osel = occluder[sl]
    if osel.any():  # a cushion or blanket edge in front of some pets
        occ = (yy + 0.04 * pattern) > _col(np.where(osel, occ_h[sl], 9.0))
        _paint_field(img, occ, occ_col[sl, :, None, None] * (1.0 + 0.2 * pattern[:, None]))
        mask &= ~occ
    gain = (1.0 + _col(light[sl, 0]) * (xx - 0.5)) + _col(light[sl, 1]) * (yy - 0.5)
    gain *= _col(contrast[sl])
    img *= gain[:, None]
    img += (0.5 - 0.5 * contrast[sl, None, None, None]).astype(np.float32)
    _finish(img, rt, sigma[sl], out)
    # trimap: 0 pet, 1 background, 2 the unclassified band along the outline
    labels = mask.astype(np.int32)
    labels ^= 1
    labels[_band(mask, max(1, round(size / 64)))] = 2
    return labels, None


def _vessels(rp, rt, n, size, m, out):
    yy, xx = _grid(size)
    sl = slice(0, m)
    cy, cx = rp.uniform(0.35, 0.62, n), rp.uniform(0.3, 0.7, n)
    r_out = rp.uniform(0.15, 0.3, n)
    aspect = rp.uniform(0.72, 1.0, n)
    theta = rp.uniform(-0.4, 0.4, n)
    wall_frac = rp.uniform(0.14, 0.3, n)
    plaque = rp.uniform(0.0, 0.5, n)  # eccentric lumen: thicker wall on one side
    plaque_dir = rp.uniform(0, 2 * np.pi, n)
    tissue_level = rp.uniform(0.25, 0.5, n)
    layer_f = rp.uniform(4, 12, n)
    layer_amp = rp.uniform(0.1, 0.3, n)
    atten = rp.uniform(0.2, 1.0, n)
    enhance = rp.uniform(0.15, 0.5, n)
    gain = rp.uniform(8.0, 25.0, n)
    k = 2
    dark_on = rp.random((k, n)) < 0.5
    dcy, dcx = rp.uniform(0.05, 0.95, (k, n)), rp.uniform(0.05, 0.95, (k, n))
    da, db = rp.uniform(0.04, 0.14, (k, n)), rp.uniform(0.03, 0.08, (k, n))
    sigma = rp.uniform(0.005, 0.02, n)

    low = _fbm(rt, n, size, 3, m, octaves=2)
    rough = _noise(rt, n, size, 8, m)
    # speckle: a complex Gaussian field correlated over a few pixels, wider laterally than axially
    cells = (max(2, size // 2), max(2, size // 4))
    sre = _noise(rt, n, size, cells, m)
    sim = _noise(rt, n, size, cells, m)

    ro, asp = r_out[sl], aspect[sl]
    fr = _frame(cy[sl], cx[sl], theta[sl])
    zero = np.zeros(m)
    q_out = _part_q(yy, xx, fr, zero, zero, ro, ro * asp)
    ri = ro * (1 - wall_frac[sl])
    shift = ro * wall_frac[sl] * plaque[sl]
    q_in = _part_q(yy, xx, fr, shift * np.cos(plaque_dir[sl]), shift * np.sin(plaque_dir[sl]), ri, ri * asp)
    rough *= 0.08
    rough += 1.0
    outer = q_out < rough
    lumen = q_in < rough
    lumen &= ~_dilate(~outer, 1)  # at least one pixel of wall all round
    wall = outer & ~lumen

    depth = np.broadcast_to(yy, (m, size, 1))
    tissue = np.sin(depth * _col(layer_f[sl] * 6.283) + 1.5 * low)
    tissue *= _col(layer_amp[sl])
    tissue += 1.0 + 0.25 * low
    tissue *= _col(tissue_level[sl])
    np.maximum(tissue, 0.02, out=tissue)
    tissue[:, : max(1, round(0.05 * size))] = 1.2  # the bright skin line under the transducer
    for j in range(k):
        if dark_on[j, sl].any():  # hypoechoic structures that are not the vessel
            d = _ellipse(yy, xx, dcy[j, sl], dcx[j, sl], da[j, sl], db[j, sl])
            dark = (d < rough) & _col(dark_on[j, sl]) & ~outer
            np.copyto(tissue, tissue * 0.35, where=dark)
    # posterior acoustic enhancement behind the fluid-filled lumen
    below = np.clip(1.0 - np.abs(xx - _col(cx[sl])) / _col(ro), 0.0, 1.0) * (yy > _col(cy[sl]))
    tissue *= 1.0 + _col(enhance[sl]) * below
    # specular wall: brightest where the vertical beam meets it head-on
    vert = np.clip((yy - _col(cy[sl])) / _col(ro * asp), -1.0, 1.0)
    echo = tissue
    np.copyto(echo, 1.3 + 1.7 * vert * vert, where=wall)
    echo[lumen] = 0.03
    echo *= np.exp(-_col(atten[sl]) * depth)
    sre *= sre
    sim *= sim
    sre += sim
    sre *= echo
    amp = np.sqrt(sre * 0.5)
    g = _col(gain[sl])
    img = np.log1p(g * amp) / np.log1p(g * 2.5)
    _finish(img[:, None].astype(np.float32), rt, sigma[sl], out)
    labels = lumen.astype(np.int32)
    labels += lumen
    labels[wall] = 1
    return labels, None


def _cars(rp, rt, n, size, m, out):
    yy, xx = _grid(size)
    sl = slice(0, m)
    flip = np.where(rp.random(n) < 0.5, -1.0, 1.0)
    scale = rp.uniform(0.9, 1.15, n)
    cy, cx = rp.uniform(0.5, 0.6, n), rp.uniform(0.42, 0.58, n)
    theta = rp.uniform(-0.06, 0.06, n)
    length = rp.uniform(0.36, 0.44, n)
    body_h = rp.uniform(0.07, 0.11, n)
    cab_a = rp.uniform(0.18, 0.27, n)
    cab_b = rp.uniform(0.09, 0.14, n)
    cab_u = rp.uniform(-0.1, 0.06, n)
    wheel_r = rp.uniform(0.055, 0.075, n)
    wheel_pos = rp.uniform(0.62, 0.74, n)
    neutral = rp.random(n) < 0.6  # white, black and silver cars, like most of Carvana's
    paint = _hsv_to_rgb(rp.random(n), np.where(neutral, rp.uniform(0, 0.1, n), rp.uniform(0.5, 0.95, n)),
                        rp.uniform(0.08, 0.97, n))
    studio = _hsv_to_rgb(rp.random(n), rp.uniform(0.0, 0.12, n), rp.uniform(0.55, 0.95, n))
    floor_y = rp.uniform(0.58, 0.72, n)
    gloss = rp.uniform(0.1, 0.35, n)
    sigma = rp.uniform(0.004, 0.02, n)

    tex = _fbm(rt, n, size, 3, m, octaves=2)
    fr = _frame(cy[sl], cx[sl], theta[sl], scale[sl], flip[sl])
    u, v = _uv(yy, xx, fr)
    L, H = length[sl], body_h[sl]
    # body: a rounded box (a superellipse of power 4)
    bu = u * _col(1 / L)
    bv = v * _col(1 / H)
    bu *= bu
    bv *= bv
    bu *= bu
    bv *= bv
    bu += bv
    body = bu < 1.0
    # cabin: the upper half of an ellipse standing on the body; glass inside it, split by a pillar
    ca, cb = cab_a[sl], cab_b[sl] + H * 0.6
    cq = _part_q(yy, xx, fr, cab_u[sl], H * 0.6, ca, cb)
    up = v > 0
    cabin = (cq < 1.0) & up
    win = (cq < 0.72) & (v > _col(H * 0.75)) & (np.abs(u - _col(cab_u[sl] + 0.02)) > 0.012)
    wr = wheel_r[sl]
    wu = np.abs(u) - _col(L * wheel_pos[sl])
    wv = v + _col(H * 0.8)
    wq = (wu * wu + wv * wv) * _col(1 / (wr * wr))
    wheel = wq < 1.0
    car = body | cabin | wheel
    # studio: a backdrop and a lighter floor, a soft shadow under the car
    img = np.empty((m, 3, size, size), np.float32)
    img[:] = studio[sl, :, None, None]
    on_floor = yy > _col(floor_y[sl])
    light = np.where(on_floor, 1.0, 0.85 + 0.15 * yy / _col(floor_y[sl]))
    shadow_q = _part_q(yy, xx, fr, np.zeros(m), -H * 0.8 - wr, L * 1.05, wr * 0.6)
    light = light * (1.0 - 0.45 * np.exp(-shadow_q)) * (1.0 + 0.03 * tex)
    # paint with a horizontal gloss line, darker towards the sills
    dv = (v - _col(H * 0.3)) * _col(1 / (H * 0.25))
    body_light = 1.0 + _col(gloss[sl]) * np.exp(-dv * dv) - 0.25 * np.clip(-v * _col(1 / H), 0, 1) + 0.1 * tex
    np.copyto(light, body_light, where=car)
    _paint(img, car, paint[sl])
    # glass reflecting the studio; black tyres with grey rims
    glass = 0.12 + 0.25 * np.clip(u * _col(1 / ca) + 0.5 + 0.3 * tex, 0, 1)
    np.copyto(light, glass, where=win)
    _paint(img, win, np.tile(np.array([[0.8, 0.9, 1.0]], np.float32), (m, 1)))
    np.copyto(light, 1.0, where=wheel)
    _paint(img, wheel, np.full((m, 3), 0.06, np.float32))
    _paint(img, wq < 0.35, np.full((m, 3), 0.6, np.float32))
    img *= light[:, None]
    _finish(img, rt, sigma[sl], out)
    return car.astype(np.int32), None


def _cells(rp, rt, n, size, m, out):
    yy, xx = _grid(size)
    sl = slice(0, m)
    k = 12
    count = rp.integers(4, k + 1, n)
    r_mean = rp.uniform(0.07, 0.11, n)
    r = r_mean[None] * rp.uniform(0.7, 1.3, (k, n))
    aspect = rp.uniform(0.65, 1.0, (k, n))
    th = rp.uniform(0, np.pi, (k, n))
    bright = rp.uniform(0.45, 1.0, (k, n))
    parent_pick = rp.random((k, n))
    angle = rp.uniform(0, 2 * np.pi, (k, n))
    squeeze = rp.uniform(0.75, 1.0, (k, n))  # < 1: neighbours overlap a little, so they touch
    seed_y, seed_x = rp.uniform(0.15, 0.85, (k, n)), rp.uniform(0.15, 0.85, (k, n))
    new_cluster = rp.random((k, n)) < 0.3
    background = rp.uniform(0.02, 0.12, n)
    defocus = rp.uniform(0.0, 1.0, n)
    sigma = rp.uniform(0.01, 0.04, n)

    # place cells: each either starts a cluster or sits against an earlier cell
    idx = np.arange(n)
    py, px = np.empty((k, n)), np.empty((k, n))
    py[0], px[0] = seed_y[0], seed_x[0]
    for j in range(1, k):
        p = np.minimum((parent_pick[j] * j).astype(int), j - 1)
        d = (r[j] + r[p, idx]) * squeeze[j]
        py[j] = np.where(new_cluster[j], seed_y[j], py[p, idx] + d * np.sin(angle[j]))
        px[j] = np.where(new_cluster[j], seed_x[j], px[p, idx] + d * np.cos(angle[j]))
    active = np.arange(k)[:, None] < count[None]

    tex = _fbm(rt, n, size, 8, m, octaves=2)
    rough = _noise(rt, n, size, 10, m)
    best = np.full((m, size, size), np.inf, np.float32)
    ids = np.zeros((m, size, size), np.int32)
    for j in range(k):
        on = active[j, sl]
        if not on.any():
            continue
        q = _ellipse(yy, xx, py[j, sl], px[j, sl], r[j, sl] * aspect[j, sl], r[j, sl], th[j, sl])
        closer = q < best
        closer &= _col(on)
        np.copyto(best, q, where=closer)
        np.copyto(ids, j + 1, where=closer)
    rough *= 0.12
    rough += 1.0
    inside = best < rough
    instances = ids * inside
    # 1-px background gaps where two different cells touch (the U-Net paper's labelling)
    touching = np.zeros_like(inside)
    for a, b, ta, tb in ((instances[:, 1:], instances[:, :-1], touching[:, 1:], touching[:, :-1]),
                         (instances[:, :, 1:], instances[:, :, :-1], touching[:, :, 1:], touching[:, :, :-1])):
        edge = (a != b) & (a > 0) & (b > 0)
        ta |= edge
        tb |= edge
    semantic = (inside & ~touching).astype(np.int32)
    level = np.concatenate([np.zeros((1, n)), bright]).T[sl].astype(np.float32)  # (m, k + 1)
    level = np.take_along_axis(level, instances.reshape(m, -1), axis=1).reshape(m, size, size)
    falloff = np.clip(1.05 - best, 0.0, 1.0) ** 0.35
    tex *= 0.25
    tex += 1.0
    img = level * falloff * tex + _col(background[sl]) * (0.7 + 0.3 * tex)
    img = img[:, None].astype(np.float32)
    soft = ndi.gaussian_filter(img, sigma=(0, 0, 1.0, 1.0))
    img += defocus[sl, None, None, None].astype(np.float32) * (soft - img)
    _finish(img, rt, sigma[sl], out, blur=False)
    return semantic, _dense_ids(instances)


def _dense_ids(instances: np.ndarray) -> np.ndarray:
    """Renumber each image's instance ids to 1..k (0 stays background), vectorised."""
    m = instances.shape[0]
    if m == 0:
        return instances.astype(np.int32)
    kmax = int(instances.max()) + 1
    flat = instances.reshape(m, -1)
    present = np.zeros((m, kmax), bool)
    present[np.repeat(np.arange(m), flat.shape[1]), flat.reshape(-1)] = True
    present[:, 0] = False
    new = np.cumsum(present, axis=1) * present
    return np.take_along_axis(new, flat, axis=1).reshape(instances.shape).astype(np.int32)


_SQRT3 = math.sqrt(3.0)
# each class's implicit function of the object frame (u, v in radius units): < 1 inside
_SHAPE_FIELDS: dict[int, Callable] = {
    1: lambda u, v: u * u + v * v,
    2: lambda u, v: np.maximum(np.abs(u), np.abs(v)) ** 2 * 1.5625,
    3: lambda u, v: (2.0 * np.maximum(np.maximum(-v, 0.5 * (_SQRT3 * u + v)), 0.5 * (v - _SQRT3 * u))) ** 2,
    4: lambda u, v: np.minimum(np.maximum(np.abs(u), 3.0 * np.abs(v)), np.maximum(3.0 * np.abs(u), np.abs(v))) ** 2,
}


def _shapes(rp, rt, n, size, m, out):
    yy, xx = _grid(size)
    sl = slice(0, m)
    k = 6
    count = rp.integers(2, k + 1, n)
    probs = np.array([0.45, 0.3, 0.17, 0.08])  # disc, square, triangle, cross: imbalanced
    cls = 1 + np.minimum(np.searchsorted(np.cumsum(probs), rp.random((k, n)), side="right"), 3)
    radius = np.exp(rp.uniform(np.log(0.05), np.log(0.24), (k, n)))
    cy, cx = rp.uniform(0.05, 0.95, (k, n)), rp.uniform(0.05, 0.95, (k, n))
    th = rp.uniform(0, 2 * np.pi, (k, n))
    col = _hsv_to_rgb(rp.random(k * n), rp.uniform(0.2, 1.0, k * n), rp.uniform(0.15, 1.0, k * n)).reshape(k, n, 3)
    bg1 = _hsv_to_rgb(rp.random(n), rp.uniform(0, 0.6, n), rp.uniform(0.1, 0.9, n))
    bg2 = _hsv_to_rgb(rp.random(n), rp.uniform(0, 0.6, n), rp.uniform(0.1, 0.9, n))
    light = rp.uniform(-0.3, 0.3, (n, 2))
    sigma = rp.uniform(0.005, 0.03, n)
    active = np.arange(k)[:, None] < count[None]

    bgtex = _fbm(rt, n, size, 3, m, octaves=3)
    tex = _noise(rt, n, size, 10, m)
    t = np.clip(0.5 + 0.6 * bgtex, 0, 1)
    b1 = bg1[sl, :, None, None]
    img = b1 + (bg2[sl, :, None, None] - b1) * t[:, None]
    shade = np.ones((m, size, size), np.float32)
    labels = np.zeros((m, size, size), np.int32)
    for j in range(k):
        u, v = _uv(yy, xx, _frame(cy[j, sl], cx[j, sl], th[j, sl], radius[j, sl]))
        c = cls[j, sl]
        q = np.full((m, size, size), np.inf, np.float32)
        for label, fn in _SHAPE_FIELDS.items():
            sel = np.flatnonzero((c == label) & active[j, sl])
            if sel.size:
                q[sel] = fn(u[sel], v[sel])
        inside = q < 1.0
        _paint(img, inside, col[j, sl])
        np.copyto(shade, 0.88 + 0.1 * tex - 0.12 * np.minimum(q, 1.0), where=inside)
        np.copyto(labels, c[:, None, None].astype(np.int32), where=inside)
    shade *= 1.0 + _col(light[sl, 0]) * (xx - 0.5) + _col(light[sl, 1]) * (yy - 0.5)
    img *= shade[:, None]
    _finish(img, rt, sigma[sl], out)
    return labels, None


_RENDERERS = {"pets": _pets, "vessels": _vessels, "cars": _cars, "cells": _cells, "shapes": _shapes}


# --------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------
def _generate(family: str, n: int, size: int, seed: int, start: int = 0):
    """Images ``start .. start + n - 1`` of the family's stream for ``(size, seed)``."""
    fam = _check_family(family)
    n = _check_int("n", n, 0)
    size = _check_int("size", size, 16, _MAX_SIZE)
    seed = _check_int("seed", seed, 0)
    start = _check_int("start", start, 0)
    chunk = _chunk_size(size)
    images = np.empty((n, size, size, fam.channels), np.float32)
    masks = np.empty((n, size, size), np.int32)
    extras = np.zeros((n, size, size), np.int32) if family == "cells" else None
    stop = start + n

    def render(c: int) -> None:
        first = c * chunk
        m = min(chunk, stop - first)  # render images first .. first + m - 1 of this chunk
        skip = max(0, start - first)  # ... of which the first `skip` are not wanted
        key = [seed, _FAMILY_ID[family], size, c]
        rp = np.random.default_rng(key + [0])  # per-image parameters, drawn for the whole chunk
        rt = np.random.default_rng(key + [1])  # texture fields
        lo, hi = first + skip - start, first + m - start
        target = images[lo:hi] if skip == 0 else np.empty((m, size, size, fam.channels), np.float32)
        lab, extra = _RENDERERS[family](rp, rt, chunk, size, m, target)
        if skip:
            images[lo:hi] = target[skip:]
        masks[lo:hi] = lab[skip:]
        if extras is not None:
            extras[lo:hi] = extra[skip:]

    for c in range(start // chunk, -(-stop // chunk)):
        render(c)
    return images, masks, extras


def make(family: str, n: int, size: int = 64, seed: int = 0, *,
         channels: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` image/mask pairs of a synthetic family.

    Parameters
    ----------
    family : {"pets", "vessels", "cars", "cells", "shapes"}
        Which data set; see the module docstring for classes and channels.
    n : int
        Number of pairs (0 allowed).
    size : int
        Height and width in pixels, 16 to 1024.
    seed : int
        Non-negative seed. Image ``i`` depends only on ``(family, size, seed, i)``.
    channels : {1, 3}, optional
        Force the channel count: grey families are repeated to 3 channels, colour
        families are converted to luminance (ITU-R BT.601) for 1 channel.

    Returns
    -------
    images : ndarray, float32, shape (n, size, size, C), values in [0, 1]
    masks : ndarray, int32, shape (n, size, size), values in ``range(num_classes(family))``

    Examples
    --------
    >>> x, y = make("shapes", 2, 32, seed=3)
    >>> x.shape, y.shape, int(y.max()) < 5
    ((2, 32, 32, 3), (2, 32, 32), True)
    >>> bool(np.array_equal(make("shapes", 1, 32, seed=3)[0][0], x[0]))
    True
    """
    images, masks, _ = _generate(family, n, size, seed)
    return _set_channels(images, channels), masks


def make_cells_instances(n: int, size: int = 64, seed: int = 0, *,
                         channels: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``cells`` family with instance ids: ``(images, masks, instances)``.

    ``images`` and ``masks`` equal ``make("cells", n, size, seed)``. ``instances`` (int32,
    N x H x W) numbers the cells of each image 1..k (0 = background); touching cells are
    different instances, and ``masks`` has a 1-pixel background gap between them.

    Examples
    --------
    >>> x, y, ids = make_cells_instances(2, 64, seed=0)
    >>> bool(((ids > 0) >= (y > 0)).all())  # every labelled pixel belongs to a cell
    True
    """
    images, masks, instances = _generate("cells", n, size, seed)
    return _set_channels(images, channels), masks, instances


def _set_channels(images: np.ndarray, channels: int | None) -> np.ndarray:
    if channels is None or channels == images.shape[-1]:
        return images
    if channels not in (1, 3):
        raise ValueError(f"channels: expected None, 1 or 3, got {channels!r}")
    if channels == 3:
        return np.repeat(images, 3, axis=-1)
    weights = np.array([0.299, 0.587, 0.114], np.float32)
    return (images @ weights)[..., None].astype(np.float32)


def train_test(family: str, n_train: int, n_test: int, size: int = 64, seed: int = 0, *,
               channels: int | None = None):
    """Disjoint train and test sets: ``((x_train, y_train), (x_test, y_test))``.

    The test set uses a different seed stream (``seed`` offset by 10**6), so no image is shared.

    Examples
    --------
    >>> (xtr, ytr), (xte, yte) = train_test("cars", 3, 2, 32)
    >>> xtr.shape[0], xte.shape[0]
    (3, 2)
    """
    train = make(family, n_train, size, seed, channels=channels)
    test = make(family, n_test, size, _check_int("seed", seed, 0) + 10**6, channels=channels)
    return train, test
