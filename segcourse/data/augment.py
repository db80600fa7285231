"""Paired augmentation: one geometric transform for image *and* mask, colour changes for the image.

The classic bug is to draw the random transform twice — once for the image, once for the
mask — so the pair silently falls out of alignment (or to resize the mask bilinearly, which
invents labels). Here every random decision is drawn **once** into a small parameter
dictionary (:meth:`PairedAugment.sample`), and the same parameters are applied to both
(:meth:`PairedAugment.apply`):

* geometric, on both: horizontal/vertical flips, 90-degree rotations, random scale (zoom in
  or out), random crop. Masks are always resampled with nearest neighbour.
* photometric, on the image only: brightness, contrast, saturation, gamma, Gaussian noise.

Everything is TensorFlow, so it runs inside ``tf.data`` (``ds.map``); randomness is stateless
(``tf.random.stateless_*`` with an explicit seed pair), so a pipeline is reproducible.
:func:`apply_numpy` is an independent numpy implementation of the geometric part, used by the
tests as the reference.

Examples
--------
>>> import numpy as np, tensorflow as tf                              # doctest: +SKIP
>>> aug = PairedAugment(flip_lr=True, rot90=True, crop=48)            # doctest: +SKIP
>>> x, y = aug(np.zeros((64, 64, 3), np.float32), np.zeros((64, 64), np.int32),
...            seed=tf.constant([0, 1]))                              # doctest: +SKIP
>>> x.shape, y.shape                                                  # doctest: +SKIP
(TensorShape([48, 48, 3]), TensorShape([48, 48]))
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__all__ = ["PairedAugment", "apply_numpy", "augment_dataset"]


def _tf():
    import tensorflow as tf

    return tf


@dataclass(frozen=True)
class PairedAugment:
    """A paired augmentation policy (all switches off by default).

    Parameters
    ----------
    flip_lr, flip_ud : bool
        Random horizontal / vertical flips (probability 1/2 each).
    rot90 : bool
        Random rotation by 0, 90, 180 or 270 degrees (square inputs only).
    scale : (float, float), optional
        Zoom factor range, e.g. ``(0.8, 1.25)``: the pair is resized by the factor (image
        bilinear, mask nearest), then centre-cropped or mirror-padded back to its size.
    crop : int, optional
        Output side of a random square crop (applied last; at most the input size).
    brightness : float
        Maximum absolute brightness shift (image only).
    contrast : float
        Maximum relative contrast change, e.g. 0.2 for factors in [0.8, 1.2] (image only).
    saturation : float
        Maximum relative saturation change (RGB images only).
    gamma : float
        Maximum relative gamma change, e.g. 0.2 for exponents in [0.8, 1.2] (image only).
    noise : float
        Maximum standard deviation of additive Gaussian noise (image only).
    """

    flip_lr: bool = False
    flip_ud: bool = False
    rot90: bool = False
    scale: tuple[float, float] | None = None
    crop: int | None = None
    brightness: float = 0.0
    contrast: float = 0.0
    saturation: float = 0.0
    gamma: float = 0.0
    noise: float = 0.0

    def __post_init__(self) -> None:
        if self.scale is not None:
            lo, hi = self.scale
            if not (0 < lo <= hi):
                raise ValueError(f"scale: expected (low, high) with 0 < low <= high, got {self.scale!r}")
        if self.crop is not None and (not isinstance(self.crop, (int, np.integer)) or self.crop < 1):
            raise ValueError(f"crop: expected a positive int or None, got {self.crop!r}")
        for name in ("brightness", "contrast", "saturation", "gamma", "noise"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or v < 0 or (name in ("contrast", "saturation", "gamma") and v >= 1):
                raise ValueError(f"{name}: expected a float in [0, 1), got {v!r}")

    def get_config(self) -> dict:
        return asdict(self)

    # ------------------------------------------------------------------ random decisions
    def sample(self, seed: Any, height: Any, width: Any) -> dict:
        """Draw every random decision once from ``seed`` (a pair of ints or an int32 tensor [2]).

        Returns a dict of scalar tensors: ``flip_lr``, ``flip_ud`` (bool), ``k`` (quarter turns),
        ``zoom`` (float), ``top``, ``left`` (crop offsets, inclusive range ``0..H-crop``), and the
        photometric draws.
        """
        tf = _tf()
        seed = tf.cast(tf.convert_to_tensor(seed), tf.int32)
        seeds = tf.random.experimental.stateless_split(seed, num=10)
        u = lambda i, lo=0.0, hi=1.0: tf.random.stateless_uniform([], seeds[i], lo, hi)  # noqa: E731
        p = {
            "flip_lr": tf.logical_and(tf.constant(self.flip_lr), u(0) < 0.5),
            "flip_ud": tf.logical_and(tf.constant(self.flip_ud), u(1) < 0.5),
            "k": tf.random.stateless_uniform([], seeds[2], 0, 4 if self.rot90 else 1, dtype=tf.int32),
            "zoom": (tf.exp(u(3, float(np.log(self.scale[0])), float(np.log(self.scale[1]))))
                     if self.scale is not None and self.scale[0] < self.scale[1]
                     else tf.constant(float(self.scale[0]) if self.scale else 1.0)),
        }
        if self.crop is not None:
            c = tf.constant(int(self.crop))
            # maxval is exclusive: +1 makes a crop of the full size legal (offset 0)
            p["top"] = tf.random.stateless_uniform([], seeds[4], 0, tf.cast(height, tf.int32) - c + 1, dtype=tf.int32)
            p["left"] = tf.random.stateless_uniform([], seeds[5], 0, tf.cast(width, tf.int32) - c + 1, dtype=tf.int32)
        p["brightness"] = u(6, -self.brightness, self.brightness) if self.brightness else tf.constant(0.0)
        p["contrast"] = u(7, 1 - self.contrast, 1 + self.contrast) if self.contrast else tf.constant(1.0)
        p["saturation"] = u(8, 1 - self.saturation, 1 + self.saturation) if self.saturation else tf.constant(1.0)
        gs = tf.random.experimental.stateless_split(seeds[9], num=2)
        p["gamma"] = (tf.random.stateless_uniform([], gs[0], 1 - self.gamma, 1 + self.gamma)
                      if self.gamma else tf.constant(1.0))
        p["noise_seed"] = gs[1]
        return p

    # ------------------------------------------------------------------ transforms
    def apply_geometry(self, image: Any, mask: Any, p: dict):
        """Apply the geometric draws ``p`` to ``image`` (H, W, C) and ``mask`` (H, W) alike."""
        tf = _tf()
        image = tf.where(p["flip_lr"], tf.reverse(image, [1]), image)
        mask = tf.where(p["flip_lr"], tf.reverse(mask, [1]), mask)
        image = tf.where(p["flip_ud"], tf.reverse(image, [0]), image)
        mask = tf.where(p["flip_ud"], tf.reverse(mask, [0]), mask)
        if self.rot90:
            image = tf.image.rot90(image, p["k"])
            mask = tf.image.rot90(mask[..., None], p["k"])[..., 0]
        if self.scale is not None:
            image, mask = _zoom(image, mask, p["zoom"])
        if self.crop is not None:
            c = int(self.crop)
            image = image[p["top"]:p["top"] + c, p["left"]:p["left"] + c]
            mask = mask[p["top"]:p["top"] + c, p["left"]:p["left"] + c]
        return image, mask

    def apply_photometric(self, image: Any, p: dict):
        """Apply the colour draws ``p`` to the image only; the result stays in [0, 1]."""
        tf = _tf()
        if self.brightness:
            image = image + p["brightness"]
        if self.contrast:
            mean = tf.reduce_mean(image, axis=[0, 1], keepdims=True)
            image = (image - mean) * p["contrast"] + mean
        if self.saturation and image.shape[-1] == 3:
            grey = tf.reduce_mean(image, axis=-1, keepdims=True)
            image = (image - grey) * p["saturation"] + grey
        if self.gamma:
            image = tf.pow(tf.clip_by_value(image, 0.0, 1.0), p["gamma"])
        if self.noise:
            sigma = tf.random.stateless_uniform([], p["noise_seed"], 0.0, self.noise)
            image = image + sigma * tf.random.stateless_normal(tf.shape(image), p["noise_seed"][::-1])
        return tf.clip_by_value(image, 0.0, 1.0)

    def __call__(self, image: Any, mask: Any, seed: Any):
        """Augment one pair: ``image`` (H, W, C) float in [0, 1], ``mask`` (H, W) or (H, W, 1) int."""
        tf = _tf()
        image = tf.convert_to_tensor(image)
        mask = tf.convert_to_tensor(mask)
        if image.shape.rank != 3:
            raise ValueError(f"image: expected a 3-D (H, W, C) tensor, got shape {tuple(image.shape)}")
        squeeze = mask.shape.rank == 3
        if squeeze:
            mask = mask[..., 0]
        if mask.shape.rank != 2:
            raise ValueError(f"mask: expected a (H, W) or (H, W, 1) tensor, got shape {tuple(mask.shape)}")
        h, w = image.shape[0], image.shape[1]
        if h is not None and mask.shape[0] is not None and (h, w) != tuple(mask.shape):
            raise ValueError(f"mask: expected shape {(h, w)} to match the image, got {tuple(mask.shape)}")
        if self.rot90 and h is not None and w is not None and h != w:
            raise ValueError(f"image: rot90 needs a square image, got {h}x{w}")
        if self.crop is not None and h is not None and w is not None and self.crop > min(h, w):
            raise ValueError(f"crop: expected at most the image size {min(h, w)}, got {self.crop}")
        p = self.sample(seed, tf.shape(image)[0], tf.shape(image)[1])
        image, mask = self.apply_geometry(image, mask, p)
        image = self.apply_photometric(tf.cast(image, tf.float32), p)
        if squeeze:
            mask = mask[..., None]
        return image, mask


def _zoom(image, mask, zoom):
    """Resize by ``zoom`` (image bilinear, mask nearest), then centre crop or mirror pad back."""
    tf = _tf()
    h, w = tf.shape(image)[0], tf.shape(image)[1]
    nh = tf.maximum(1, tf.cast(tf.round(tf.cast(h, tf.float32) * zoom), tf.int32))
    nw = tf.maximum(1, tf.cast(tf.round(tf.cast(w, tf.float32) * zoom), tf.int32))
    big = tf.image.resize(image, tf.stack([nh, nw]), method="bilinear")
    bigm = tf.image.resize(mask[..., None], tf.stack([nh, nw]), method="nearest")[..., 0]
    # crop the middle when larger ...
    top, left = tf.maximum(0, (nh - h) // 2), tf.maximum(0, (nw - w) // 2)
    big = big[top:top + h, left:left + w]
    bigm = bigm[top:top + h, left:left + w]
    # ... mirror-pad when smaller (same padding for both, so the pair stays aligned)
    ph, pw = h - tf.shape(big)[0], w - tf.shape(big)[1]
    pads = [[ph // 2, ph - ph // 2], [pw // 2, pw - pw // 2]]
    big = _mirror_pad(big, pads + [[0, 0]])
    bigm = _mirror_pad(bigm, pads)
    return tf.cast(big, image.dtype), tf.cast(bigm, mask.dtype)


def _mirror_pad(x, pads):
    """Symmetric padding that also works when the pad exceeds the size (by repeating it)."""
    tf = _tf()
    for _ in range(3):  # at most a 1/8 zoom-out needs three rounds
        size = tf.shape(x)
        step = [[tf.minimum(a, size[i]), tf.minimum(b, size[i])] for i, (a, b) in enumerate(pads[:2])]
        x = tf.pad(x, step + pads[2:], mode="SYMMETRIC")
        pads = [[a - s[0], b - s[1]] for (a, b), s in zip(pads[:2], step)] + pads[2:]
    return x


def apply_numpy(image: np.ndarray, mask: np.ndarray, p: dict, crop: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Numpy reference for flips, quarter turns and crop with explicit draws ``p``.

    ``p`` holds ``flip_lr``, ``flip_ud``, ``k`` and, with ``crop``, ``top`` and ``left`` — the
    keys :meth:`PairedAugment.sample` returns (converted to Python values).

    Examples
    --------
    >>> img = np.arange(16.0).reshape(4, 4, 1); msk = np.arange(16).reshape(4, 4)
    >>> a, b = apply_numpy(img, msk, {"flip_lr": True, "flip_ud": False, "k": 1})
    >>> bool((a[..., 0] == b).all())
    True
    """
    image, mask = np.asarray(image), np.asarray(mask)
    if p.get("flip_lr"):
        image, mask = image[:, ::-1], mask[:, ::-1]
    if p.get("flip_ud"):
        image, mask = image[::-1], mask[::-1]
    k = int(p.get("k", 0)) % 4
    image, mask = np.rot90(image, k, axes=(0, 1)), np.rot90(mask, k, axes=(0, 1))  # counter-clockwise, like TF
    if crop is not None:
        t, left = int(p["top"]), int(p["left"])
        image, mask = image[t:t + crop, left:left + crop], mask[t:t + crop, left:left + crop]
    return np.ascontiguousarray(image), np.ascontiguousarray(mask)


def augment_dataset(ds, augment: PairedAugment, seed: int = 0, num_parallel_calls: int | None = None):
    """``ds.map`` the augmentation over (image, mask) pairs with a fresh stateless seed per element.

    Seeds come from ``tf.data.Dataset.random(seed, rerandomize_each_iteration=True)``, so every
    epoch draws new transforms while the whole run stays reproducible.
    """
    tf = _tf()
    if not isinstance(augment, PairedAugment):
        raise TypeError(f"augment: expected a PairedAugment, got {type(augment).__name__}")
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
    paired = tf.data.Dataset.zip((ds, seeds))
    return paired.map(lambda pair, s: augment(pair[0], pair[1], tf.cast(s % (2**31 - 1), tf.int32)),
                      num_parallel_calls=num_parallel_calls or tf.data.AUTOTUNE, deterministic=True)
