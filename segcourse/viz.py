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


# --------------------------------------------------------------------------- training figures
def plot_history(history: dict, metrics: Sequence[str] = ("loss", "mean_iou"), size: float = 3.2):
    """Training curves: one panel per metric, training and (when logged) validation.

    ``history`` maps metric names to per-epoch lists, as ``keras.callbacks.History.history`` or
    :class:`segcourse.train.History` ``.history`` do; ``val_<name>`` is drawn dashed.
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    metrics = [m for m in metrics if m in history]
    if not metrics:
        raise ValueError(f"metrics: none of the requested metrics are in the history (it has {sorted(history)})")
    fig, axes = plt.subplots(1, len(metrics), figsize=(size * len(metrics), size * 0.8), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        train = np.asarray(history[name], dtype=float)
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, color=LABEL_COLORS[0], marker="o", ms=3, label="train")
        if f"val_{name}" in history:
            ax.plot(epochs, np.asarray(history[f"val_{name}"], dtype=float), color=LABEL_COLORS[1],
                    ls="--", marker="o", ms=3, label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(name.replace("_", " "), fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def show_predictions(images: np.ndarray, truth: np.ndarray, pred: np.ndarray, n: int = 4,
                     class_names: Sequence[str] | None = None, size: float = 1.9):
    """A grid of (input, truth, prediction, errors) rows for ``n`` images; returns the Figure.

    Labels are coloured with :data:`LABEL_COLORS`; the error column shows wrong pixels in
    black over the truth. When the model's output is smaller than its input (a valid-padding
    U-Net), pass the centre-cropped truth and the input is drawn with the predicted area outlined.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    images, truth, pred = np.asarray(images), np.asarray(truth), np.asarray(pred)
    if truth.shape != pred.shape:
        raise ValueError(f"pred: expected the shape of truth {truth.shape}, got {pred.shape}")
    n = min(n, len(images))
    fig, axes = plt.subplots(n, 4, figsize=(size * 4, size * n), squeeze=False)
    for i in range(n):
        img = images[i]
        img = img[..., 0] if img.ndim == 3 and img.shape[-1] == 1 else img
        axes[i, 0].imshow(img, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        dh, dw = img.shape[0] - truth.shape[1], img.shape[1] - truth.shape[2]
        if dh > 0 or dw > 0:
            axes[i, 0].add_patch(Rectangle((dw / 2 - 0.5, dh / 2 - 0.5), truth.shape[2], truth.shape[1],
                                           fill=False, ec="white", lw=1))
        axes[i, 1].imshow(label_to_rgb(truth[i]), interpolation="nearest")
        axes[i, 2].imshow(label_to_rgb(pred[i]), interpolation="nearest")
        wrong = label_to_rgb(truth[i]) * 0.35 + 0.65
        wrong[truth[i] != pred[i]] = 0.0
        axes[i, 3].imshow(wrong, interpolation="nearest")
        if i == 0:
            for ax, title in zip(axes[0], ("input", "truth", "prediction", "errors (black)")):
                ax.set_title(title, fontsize=10)
    for ax in axes.ravel():
        ax.set_axis_off()
    if class_names is not None:
        handles = [Patch(color=LABEL_COLORS[c % len(LABEL_COLORS)], label=name) for c, name in enumerate(class_names)]
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    else:
        fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- small numeric grids
def draw_grid(ax, values, title: str = "", fmt: str = "{:g}", cmap: str = "Blues", vmin=None, vmax=None,
              boxes: Sequence[tuple] = (), masked=None, fontsize: float = 7, show_values: bool = True,
              hide_zeros: bool = False, label_mask=None):
    """Draw a small 2-D array as labelled cells (conv diagrams, pooling switches, stamps).

    ``boxes`` are ``(row, col, height, width, colour)`` rectangles outlined on top (e.g. a
    kernel window, an argmax cell); ``masked`` is a boolean array of cells drawn hatched grey
    (padding, inserted zeros). Values are printed in each cell when ``show_values`` and the
    grid is small (at most 16 x 16); ``hide_zeros`` leaves zero cells blank and ``label_mask``
    (boolean array) limits the numbers to some cells (text is the slow part of a live redraw).
    Draws only; returns ``ax``.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    v = np.asarray(values, dtype=float)
    if v.ndim != 2:
        raise ValueError(f"values: expected a 2-D array, got shape {v.shape}")
    ax.imshow(v, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    h, w = v.shape
    # cell borders as two line collections; no ticks (tick machinery is slow in live callbacks)
    ax.hlines(np.arange(-0.5, h, 1), -0.5, w - 0.5, color="0.6", lw=0.5)
    ax.vlines(np.arange(-0.5, w, 1), -0.5, h - 0.5, color="0.6", lw=0.5)
    ax.set_axis_off()
    if masked is not None:
        m = np.asarray(masked, bool)
        shade = np.zeros((h, w, 4))
        shade[m] = (0.85, 0.85, 0.85, 1.0)
        ax.imshow(shade, interpolation="nearest")
    if show_values and h <= 16 and w <= 16:
        hi = np.nanmax(np.abs(v)) if v.size else 0
        lo_v = vmin if vmin is not None else np.nanmin(v) if v.size else 0
        hi_v = vmax if vmax is not None else np.nanmax(v) if v.size else 1
        mid = (lo_v + hi_v) / 2
        for (r, c), val in np.ndenumerate(v):
            if (masked is not None and np.asarray(masked)[r, c]) or (hide_zeros and val == 0):
                continue
            if label_mask is not None and not np.asarray(label_mask)[r, c]:
                continue
            colour = "white" if val > mid and hi > 0 else "black"
            ax.text(c, r, fmt.format(val), ha="center", va="center", fontsize=fontsize, color=colour)
    if len(boxes):  # one collection, not one artist per box: cheaper in live redraws
        rects = [Rectangle((c - 0.5, r - 0.5), bw, bh) for r, c, bh, bw, _ in boxes]
        ax.add_collection(PatchCollection(rects, facecolor="none", edgecolor=[b[4] for b in boxes], lw=2))
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def draw_unet(sizes: dict, channels: Sequence[int], input_size: int, crops: Sequence[int] | None = None,
              size: float = 9.0):
    """The U of a U-Net: one bar per feature map, its height proportional to the map's side.

    ``sizes`` is :func:`segcourse.models.unet.level_sizes` output (or the same dict for a
    same-padding net), ``channels`` the filters per level (top to bottom, bottleneck last).
    Skip arrows are labelled with the crop per side when ``crops`` is given (deepest first).
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    enc, dec, bottom = sizes["encoder"], sizes["decoder"], sizes["bottom"][0]
    depth = len(enc)
    fig, ax = plt.subplots(figsize=(size, size * 0.45))
    scale = 1.0 / input_size

    def bar(x, level, side, text, colour):
        h = side * scale
        y = -level * 1.1
        ax.add_patch(plt.Rectangle((x, y - h / 2), 0.5, h, color=colour, alpha=0.85))
        ax.text(x + 0.25, y - h / 2 - 0.06, text, ha="center", va="top", fontsize=7)
        return y

    ax.text(0.25, 0.62, f"input {input_size}", ha="center", fontsize=8)
    for i, s in enumerate(enc):
        y = bar(i * 0.9, i, s, f"{s}²×{channels[i]}", LABEL_COLORS[0])
        j = depth - 1 - i  # decoder index (dec runs deepest first)
        xr = (2 * depth - i) * 0.9 + 0.6
        bar(xr, i, dec[j], f"{dec[j]}²×{channels[i]}", LABEL_COLORS[2])
        label = "copy" if crops is None else f"crop {crops[j]}/side"
        ax.annotate("", xy=(xr, y), xytext=(i * 0.9 + 0.5, y), arrowprops=dict(arrowstyle="->", color="0.4", lw=0.8))
        ax.text((i * 0.9 + 0.5 + xr) / 2, y + 0.04, label, ha="center", fontsize=7, color="0.3")
    bar(depth * 0.9 + 0.3, depth, bottom, f"{bottom}²×{channels[depth]}", LABEL_COLORS[1])
    ax.set_xlim(-0.3, (2 * depth + 1) * 0.9 + 0.6)
    ax.set_ylim(-depth * 1.1 - 0.8, 0.8)
    ax.set_axis_off()
    ax.set_title("contracting path (left) · bottleneck · expanding path (right); bar height ∝ map side",
                 fontsize=9)
    fig.tight_layout()
    return fig
