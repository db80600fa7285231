"""A tiny generated street-like scene for Part 0: the four recognition tasks on one image.

Examples
--------
>>> scene = toy_scene(seed=0)
>>> scene.image.shape, scene.semantic.shape
((96, 128, 3), (96, 128))
>>> scene.class_names[:2]
('background', 'disc')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASS_NAMES = ("background", "disc", "square")
CLASS_COLOURS = {1: (0.85, 0.35, 0.25), 2: (0.25, 0.45, 0.85)}


@dataclass(frozen=True)
class Scene:
    """An image with every level of annotation.

    ``semantic`` holds a class per pixel; ``instances`` an object id per pixel (0 = none), so two
    touching discs are one region in ``semantic`` and two in ``instances``.
    """

    image: np.ndarray  # float32 (H, W, 3) in [0, 1]
    semantic: np.ndarray  # int (H, W), index into class_names
    instances: np.ndarray  # int (H, W), 0 = background, 1..n objects
    instance_classes: tuple[int, ...]  # class of instance i+1
    class_names: tuple[str, ...] = CLASS_NAMES


def toy_scene(seed: int = 0, height: int = 96, width: int = 128) -> Scene:
    """Two touching discs and a square on a textured background (later objects occlude earlier ones)."""
    if height < 48 or width < 64:
        raise ValueError(f"height, width: expected at least 48 x 64, got {height} x {width}")
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    # Background: a smooth illumination gradient plus fine noise texture.
    base = 0.55 + 0.25 * (xx / width) - 0.1 * (yy / height)
    image = np.repeat(base[..., None], 3, axis=-1) * np.array([0.9, 0.95, 0.8])
    image += rng.normal(0, 0.04, size=image.shape)
    semantic = np.zeros((height, width), dtype=np.int64)
    instances = np.zeros((height, width), dtype=np.int64)
    r = 0.16 * height
    cy, cx = 0.5 * height, 0.3 * width
    objects = [
        ("disc", (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2),
        ("disc", (yy - cy - 0.4 * r) ** 2 + (xx - cx - 1.7 * r) ** 2 <= r**2),  # touches the first
        ("square", (np.abs(yy - 0.45 * height) <= r) & (np.abs(xx - 0.75 * width) <= r)),
    ]
    classes = []
    for i, (name, region) in enumerate(objects, start=1):
        cls = CLASS_NAMES.index(name)
        shade = 0.85 + 0.3 * rng.random()
        image[region] = np.clip(np.array(CLASS_COLOURS[cls]) * shade, 0, 1) + rng.normal(0, 0.03, (region.sum(), 3))
        semantic[region] = cls
        instances[region] = i
        classes.append(cls)
    return Scene(np.clip(image, 0, 1).astype(np.float32), semantic, instances, tuple(classes))


def bounding_boxes(instances: np.ndarray) -> dict[int, tuple[int, int, int, int]]:
    """``{instance id: (row0, col0, row1, col1)}`` with exclusive ends, for every id > 0.

    Examples
    --------
    >>> bounding_boxes(np.array([[0, 1, 1], [0, 0, 1]]))
    {1: (0, 1, 2, 3)}
    """
    boxes = {}
    for i in np.unique(instances):
        if i == 0:
            continue
        rows, cols = np.nonzero(instances == i)
        boxes[int(i)] = (int(rows.min()), int(cols.min()), int(rows.max()) + 1, int(cols.max()) + 1)
    return boxes
