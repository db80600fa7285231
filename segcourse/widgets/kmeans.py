"""k-means explorer: k, the features, the initialisation, and an iteration stepper.

Each frame shows iteration ``i`` of Lloyd's algorithm (:func:`segcourse.classical.kmeans_history`):
the image painted with the mean colour of each pixel's cluster, the pixels in the
(red, green) plane with the current centres, and the objective J falling step by step.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from segcourse.classical import color_features, color_position_features, kmeans_history
from segcourse.widgets._figures import new_figure, show
from segcourse.widgets.explorer import Explorer

KS = [2, 3, 4, 5, 6, 8]
FEATURES = ["colour", "colour+position"]
INITS = ["k-means++", "random"]
ITERATIONS = list(range(13))


def default_image() -> np.ndarray:
    """``skimage.data.coffee()`` at a quarter of its size: 100 x 150 x 3, floats in [0, 1]."""
    from skimage import data

    return data.coffee()[::4, ::4] / 255.0


def features(image: np.ndarray, kind: str) -> np.ndarray:
    """Pixel features: colour, or colour plus position (weight 1)."""
    if kind == "colour":
        return color_features(image)
    if kind == "colour+position":
        return color_position_features(image, weight=1.0)
    raise ValueError(f"kind: expected one of {FEATURES}, got {kind!r}")


def render(*, image: np.ndarray, history, iteration: int, sample: np.ndarray | None = None):
    """Quantised image, (R, G) scatter with centres, and the objective curve at ``iteration``."""
    h, w = image.shape[:2]
    step = min(iteration, len(history) - 1)
    state = history[step]
    colours = np.clip(state.centers[:, :3], 0, 1)
    flat = image.reshape(-1, image.shape[2])
    fig, axes = new_figure(3, ratios=[1.3, 1, 1])
    done = "converged" if iteration >= len(history) - 1 else f"iteration {step}"
    show(axes[0], colours[state.labels].reshape(h, w, 3), f"{len(colours)} colours · {done}")
    ax = axes[1]
    idx = sample if sample is not None else np.arange(0, flat.shape[0], max(1, flat.shape[0] // 1500))
    ax.scatter(flat[idx, 0], flat[idx, 1], c=colours[state.labels[idx]], s=4, linewidths=0)
    ax.scatter(colours[:, 0], colours[:, 1], c=colours, s=90, marker="X", edgecolors="k", linewidths=1.2)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([0, 0.5, 1])  # few tick labels: text layout dominates the drawing time
    ax.set_yticks([0, 0.5, 1])
    ax.set_xlabel("red", fontsize=8, labelpad=1)
    ax.set_ylabel("green", fontsize=8, labelpad=1)
    ax.tick_params(labelsize=7)
    ax.set_title("pixels and centres", fontsize=9)
    ax = axes[2]
    js = [s.inertia for s in history]
    ax.plot(range(len(js)), js, "o-", color="0.5", ms=3)
    ax.plot([step], [js[step]], "o", color="C3", ms=7)
    ax.set_xlabel("iteration", fontsize=8, labelpad=1)
    ax.locator_params(nbins=3)
    ax.tick_params(labelsize=7)
    ax.set_title(f"objective J = {js[step]:.1f}", fontsize=9)
    fig.subplots_adjust(left=0.01, right=0.98, wspace=0.3)
    return fig


def make_explorer(image: np.ndarray | None = None) -> Explorer:
    """The k-means explorer on an RGB image in [0, 1] (default: the coffee cup at 100 x 150)."""
    img = default_image() if image is None else np.asarray(image, dtype=np.float64)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"image: expected an (H, W, 3) RGB image, got shape {img.shape}")
    sample = np.random.default_rng(0).choice(img.shape[0] * img.shape[1], 1500, replace=False)

    @lru_cache(maxsize=64)
    def history(k: int, kind: str, init: str):
        return kmeans_history(features(img, kind), k, seed=0, init=init, tol=0, max_iter=60)

    def _render(k: int, features: str, init: str, iteration: int):
        return render(image=img, history=history(k, features, init), iteration=iteration, sample=sample)

    return Explorer(
        _render,
        controls={"k": KS, "features": FEATURES, "init": INITS, "iteration": ITERATIONS},
        static={"k": [3, 5], "features": FEATURES, "iteration": [0, 1, 2, 3, 5, 8, 12]},
        play="iteration",
        labels={"k": "k clusters", "iteration": "iteration"},
    )
