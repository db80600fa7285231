"""Your own data: a folder of images and a folder of masks, checked before anything trains.

Layouts understood (``root`` is the folder you pass):

* ``root/images/<stem>.<ext>`` with ``root/masks/<stem>.<ext>`` — same stems;
* ``root/images/<stem>.jpg`` with ``root/masks/<stem>_mask.gif`` — Carvana (``train/`` and
  ``train_masks/`` work too: pass ``images="train", masks="train_masks"``);
* ``root/<stem>.tif`` with ``root/<stem>_mask.tif`` in the **same** folder — the Kaggle
  ultrasound nerve segmentation layout (pass ``masks=None`` or leave out the masks folder).

Checks, each failing with a message that names the offending file: every image has exactly
one mask and every mask an image; image and mask have the same height and width; masks are
single-channel label images whose values are valid class indices. Binary masks stored as
0/255 (the Kaggle nerve ``.tif`` files and most exported masks) are mapped to 0/1.

Resizing (``size=``) is bilinear for images and **nearest neighbour** for masks.

Examples
--------
>>> pairs = find_pairs("data/carvana", images="train", masks="train_masks")  # doctest: +SKIP
>>> x, y = load_folder("data/carvana", size=128, images="train",
...                    masks="train_masks", num_classes=2)                 # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["find_pairs", "read_image", "read_mask", "load_folder", "folder_dataset", "IMAGE_EXTENSIONS",
           "MASK_SUFFIXES"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp")
MASK_SUFFIXES = ("_mask", "_masks", "_label", "_labels", "_gt", "")


class FolderError(ValueError):
    """A problem with the files in a data folder (the message names the file)."""


def _list_images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
                  and not p.name.startswith("."))


def _split_suffix(stem: str, suffixes: Sequence[str]) -> tuple[str, str] | None:
    for suffix in suffixes:
        if suffix and stem.endswith(suffix):
            return stem[: -len(suffix)], suffix
    return None


def find_pairs(root: str | os.PathLike, images: str = "images", masks: str | None = "masks",
               mask_suffixes: Sequence[str] = MASK_SUFFIXES) -> list[tuple[Path, Path]]:
    """Pair every image with its mask; raise :class:`FolderError` naming any unpaired file.

    ``masks=None`` (or a missing masks folder when ``images`` is missing too) means images and
    masks share one folder and masks carry a suffix such as ``_mask``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ["1_1.tif", "1_1_mask.tif"]: (d / name).touch()
    >>> [(a.name, b.name) for a, b in find_pairs(d)]
    [('1_1.tif', '1_1_mask.tif')]
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FolderError(f"root: expected a folder, got {str(root)!r} (it does not exist or is not a folder)")
    image_dir = root / images if (root / images).is_dir() else None
    mask_dir = root / masks if masks is not None and (root / masks).is_dir() else None
    if image_dir is None and mask_dir is None:
        # one folder holds both (Kaggle ultrasound nerve): masks are the files with a suffix
        files = _list_images(root)
        named = [s for s in mask_suffixes if s]
        mask_files = [p for p in files if _split_suffix(p.stem, named)]
        image_files = [p for p in files if not _split_suffix(p.stem, named)]
        if not mask_files:
            raise FolderError(
                f"root: no '{images}/' and '{masks}/' folders in {root}, and no files ending in "
                f"{' or '.join(named)} next to the images; expected one of the layouts in segcourse.data.folder")
        suffixes = named
    elif image_dir is None or mask_dir is None:
        missing = images if image_dir is None else masks
        raise FolderError(f"root: found no '{missing}/' folder in {root}")
    else:
        image_files, mask_files, suffixes = _list_images(image_dir), _list_images(mask_dir), list(mask_suffixes)
    if not image_files:
        raise FolderError(f"images: no image files ({', '.join(IMAGE_EXTENSIONS)}) in {image_dir or root}")

    by_stem: dict[str, list[Path]] = {}
    for p in mask_files:
        split = _split_suffix(p.stem, [s for s in suffixes if s])
        keys = {p.stem} | ({split[0]} if split else set())
        for key in keys:
            by_stem.setdefault(key, []).append(p)
    pairs, used = [], set()
    for img in image_files:
        candidates = by_stem.get(img.stem, [])
        if not candidates:
            raise FolderError(f"{img}: no mask found (looked for {img.stem}{{{','.join(suffixes)}}}.* "
                              f"in {mask_dir or root})")
        if len(candidates) > 1:
            names = ", ".join(c.name for c in candidates)
            raise FolderError(f"{img}: more than one mask matches: {names}")
        pairs.append((img, candidates[0]))
        used.add(candidates[0])
    orphans = [p for p in mask_files if p not in used]
    if orphans:
        raise FolderError(f"{orphans[0]}: mask without an image ({len(orphans)} such mask(s) in "
                          f"{mask_dir or root})")
    return pairs


def read_image(path: str | os.PathLike, channels: int | None = None) -> np.ndarray:
    """Read an image as float32 (H, W, C) in [0, 1]; ``channels`` 1 or 3 converts (default: keep).

    8- and 16-bit files are scaled by their type's maximum; an alpha channel is dropped.
    """
    from PIL import Image

    path = Path(path)
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("P", "PA"):
                im = im.convert("RGBA" if "transparency" in im.info else "RGB")
            if channels == 3 and im.mode not in ("RGB",):
                im = im.convert("RGB")
            elif channels == 1 and im.mode not in ("L", "I;16", "I", "F"):
                im = im.convert("L")
            arr = np.asarray(im)
    except OSError as exc:
        raise FolderError(f"{path}: cannot be read as an image ({exc})") from None
    if arr.dtype == np.uint8:
        x = arr.astype(np.float32) / 255.0
    elif arr.dtype in (np.uint16, np.int32) and arr.max(initial=0) > 255:
        x = arr.astype(np.float32) / 65535.0
    elif np.issubdtype(arr.dtype, np.floating):
        x = arr.astype(np.float32)
    else:
        x = arr.astype(np.float32) / 255.0
    if x.ndim == 2:
        x = x[..., None]
    if x.shape[-1] == 4:
        x = x[..., :3]
    if x.shape[-1] == 2:  # grey + alpha
        x = x[..., :1]
    if not np.isfinite(x).all():
        raise FolderError(f"{path}: contains NaN or infinite values")
    return x


def read_mask(path: str | os.PathLike, num_classes: int | None = None) -> np.ndarray:
    """Read a label mask as int32 (H, W); 0/255 binary masks become 0/1.

    Palette images (GIF, indexed PNG) give their palette indices, which is how Carvana's
    ``_mask.gif`` files store 0/1. Colour (RGB) masks are rejected: map colours to classes first.
    """
    from PIL import Image

    path = Path(path)
    try:
        with Image.open(path) as im:
            im.load()
            mode = im.mode
            arr = np.asarray(im)
    except OSError as exc:
        raise FolderError(f"{path}: cannot be read as a mask ({exc})") from None
    if arr.ndim == 3:
        if arr.shape[-1] in (3, 4) and (np.ptp(arr[..., :3], axis=-1) == 0).all():
            arr = arr[..., 0]  # an RGB file holding a grey label image
        else:
            raise FolderError(f"{path}: expected a single-channel label mask, got a {mode} colour image with "
                              f"shape {arr.shape}; convert colours to class indices first")
    if arr.dtype == bool:
        arr = arr.astype(np.uint8)
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)) and np.isfinite(arr).all():
            arr = arr.astype(np.int64)
        else:
            raise FolderError(f"{path}: expected integer labels, got non-integer values of type {arr.dtype}")
    values = np.unique(arr)
    if set(values.tolist()) <= {0, 255} and 255 in values:
        arr = (arr == 255)
    elif values.min() < 0:
        raise FolderError(f"{path}: negative label {int(values.min())}")
    mask = arr.astype(np.int32)
    if num_classes is not None:
        bad = np.unique(mask[mask >= num_classes])
        if bad.size:
            shown = ", ".join(str(int(b)) for b in bad[:5])
            raise FolderError(f"{path}: label value(s) {shown} outside 0..{num_classes - 1} "
                              f"(num_classes={num_classes})")
    return mask


def _resize_pair(image: np.ndarray, mask: np.ndarray, size: int | tuple[int, int]):
    from PIL import Image

    h, w = (size, size) if isinstance(size, int) else size
    chans = [Image.fromarray(image[..., c]).resize((w, h), Image.BILINEAR) for c in range(image.shape[-1])]
    image = np.stack([np.asarray(c) for c in chans], axis=-1).astype(np.float32)
    mask = np.asarray(Image.fromarray(mask).resize((w, h), Image.NEAREST)).astype(np.int32)
    return np.clip(image, 0.0, 1.0), mask


def load_folder(root: str | os.PathLike, size: int | tuple[int, int] | None = None, *, images: str = "images",
                masks: str | None = "masks", num_classes: int | None = None, channels: int | None = None,
                mask_suffixes: Sequence[str] = MASK_SUFFIXES) -> tuple[np.ndarray, np.ndarray]:
    """Load and validate all pairs: ``(images float32 (N, H, W, C), masks int32 (N, H, W))``.

    Without ``size`` every image must already have the same size. Image/mask size mismatches
    are errors (never silently resized), naming both files.
    """
    if size is not None:
        ok = isinstance(size, int) and size > 0 or (
            isinstance(size, tuple) and len(size) == 2 and all(isinstance(s, int) and s > 0 for s in size))
        if not ok:
            raise ValueError(f"size: expected a positive int or (height, width), got {size!r}")
    pairs = find_pairs(root, images, masks, mask_suffixes)
    xs, ys = [], []
    for img_path, mask_path in pairs:
        x = read_image(img_path, channels)
        y = read_mask(mask_path, num_classes)
        if x.shape[:2] != y.shape:
            raise FolderError(f"{mask_path}: size {y.shape[1]}x{y.shape[0]} (WxH) does not match its image "
                              f"{img_path.name} of size {x.shape[1]}x{x.shape[0]}")
        if size is not None:
            x, y = _resize_pair(x, y, size)
        if xs and (x.shape != xs[0].shape):
            raise FolderError(f"{img_path}: shape {x.shape} differs from {pairs[0][0].name}'s {xs[0].shape}; "
                              "pass size= to resize everything, or channels= to unify channels")
        xs.append(x)
        ys.append(y)
    return np.stack(xs), np.stack(ys)


def folder_dataset(root: str | os.PathLike, size: int | tuple[int, int], batch_size: int = 16, *,
                   images: str = "images", masks: str | None = "masks", num_classes: int | None = None,
                   channels: int | None = None, **pipeline_kwargs):
    """A batched ``tf.data`` pipeline over a validated folder (see :func:`pipeline.from_arrays`)."""
    from segcourse.data.pipeline import from_arrays

    x, y = load_folder(root, size, images=images, masks=masks, num_classes=num_classes, channels=channels)
    return from_arrays(x, y, batch_size, **pipeline_kwargs)
