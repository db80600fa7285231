"""One visual grammar for the whole book: label colours, overlays, image rows, source listings.

Everything here draws; nothing here computes what the library computes.
"""

from __future__ import annotations

import inspect
import io
from typing import Sequence

import numpy as np

# Colour-blind-safe label colours (Okabe-Ito), class 0 first. Same class, same colour, every chapter.
LABEL_COLORS = np.array(
    [
        [0.0, 0.447, 0.698],  # blue
        [0.902, 0.624, 0.0],  # orange
        [0.0, 0.62, 0.451],  # bluish green
        [0.8, 0.475, 0.655],  # reddish purple
        [0.941, 0.894, 0.259],  # yellow
        [0.337, 0.706, 0.914],  # sky blue
        [0.835, 0.369, 0.0],  # vermillion
        [0.0, 0.0, 0.0],  # black
    ]
)


def label_to_rgb(labels: np.ndarray, colors: np.ndarray = LABEL_COLORS) -> np.ndarray:
    """Colour an integer label image: class ``c`` gets ``colors[c % len(colors)]``.

    Examples
    --------
    >>> label_to_rgb(np.array([[0, 1]])).shape
    (1, 2, 3)
    """
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer) and labels.dtype != bool:
        raise TypeError(f"labels: expected an integer or boolean array, got dtype {labels.dtype}")
    return colors[labels.astype(np.int64) % len(colors)]


def overlay(image: np.ndarray, labels: np.ndarray, alpha: float = 0.45, ignore: int | None = None) -> np.ndarray:
    """Blend label colours over an image (grey or RGB, values in [0, 1]).

    ``ignore`` names a class (e.g. background) left uncoloured.

    Examples
    --------
    >>> overlay(np.zeros((2, 2)), np.ones((2, 2), int)).shape
    (2, 2, 3)
    """
    image = np.asarray(image, dtype=float)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    if image.shape[:2] != np.shape(labels):
        raise ValueError(f"labels: expected shape {image.shape[:2]} to match the image, got {np.shape(labels)}")
    colours = label_to_rgb(labels)
    weight = np.full(np.shape(labels), alpha)
    if ignore is not None:
        weight[np.asarray(labels) == ignore] = 0.0
    return (1 - weight[..., None]) * image[..., :3] + weight[..., None] * colours


def show_images(images: Sequence[np.ndarray], titles: Sequence[str] | None = None, size: float = 2.6, cmap: str = "gray"):
    """Draw images side by side without axes; returns the matplotlib Figure.

    Integer arrays are treated as label images and coloured with :data:`LABEL_COLORS`.
    """
    import matplotlib.pyplot as plt

    n = len(images)
    fig, axes = plt.subplots(1, n, figsize=(size * n, size), squeeze=False)
    for i, (ax, img) in enumerate(zip(axes[0], images)):
        img = np.asarray(img)
        if np.issubdtype(img.dtype, np.integer) and img.ndim == 2:
            ax.imshow(label_to_rgb(img), interpolation="nearest")
        else:
            ax.imshow(img, cmap=cmap, interpolation="nearest")
        ax.set_axis_off()
        if titles is not None:
            ax.set_title(titles[i], fontsize=10)
    fig.tight_layout()
    return fig


def figure_to_png(fig, dpi: int = 72) -> bytes:
    """Render a matplotlib Figure to PNG bytes and close it (no pyplot state leaks)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def show_source(*objects, title: str | None = None):
    """Display the source code of functions or classes, exactly as tested in the package.

    Chapters call this instead of copying code, so the listing a reader sees is the code the
    tests check. Renders as a highlighted Markdown code block in JupyterLab and in the book.
    """
    from IPython.display import Markdown

    parts = [f"**{title}**\n"] if title else []
    for obj in objects:
        module = inspect.getmodule(obj)
        where = f"{module.__name__}.{obj.__qualname__}" if module else obj.__qualname__
        parts.append(f"`{where}`\n\n```python\n{inspect.getsource(obj).rstrip()}\n```\n")
    return Markdown("\n".join(parts))
