"""Edge explorer: operator and scale.

Left: the filter response (signed responses in red/blue around 0). Right: the edges it gives —
the strongest 10 % of the gradient magnitude for Sobel, the zero crossings for the
second-derivative operators (Laplacian, LoG, DoG) — drawn over the image. Small ``sigma``
finds texture and noise; large ``sigma`` finds the outlines of big structures, displaced and
rounded. Neither gives closed, labelled regions by itself.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from segcourse.classical import dog, gaussian, gradient_magnitude, laplacian, log, zero_crossings
from segcourse.viz import overlay
from segcourse.widgets._figures import new_figure, show
from segcourse.widgets.explorer import Explorer

OPERATORS = ["Sobel |∇I|", "Laplacian", "LoG", "DoG"]
SIGMAS = [1.0, 1.5, 2.0, 3.0, 4.0]


def default_image() -> np.ndarray:
    """``skimage.data.coins()`` at half resolution (152 x 192), grey values in [0, 1]."""
    from skimage import data

    return data.coins()[::2, ::2] / 255.0


def response(image: np.ndarray, operator: str, sigma: float) -> np.ndarray:
    """The filter response of ``operator`` at scale ``sigma`` (Sobel and Laplacian after a blur)."""
    if operator == "Sobel |∇I|":
        return gradient_magnitude(gaussian(image, sigma))
    if operator == "Laplacian":
        return laplacian(gaussian(image, sigma))
    if operator == "LoG":
        return log(image, sigma)
    if operator == "DoG":
        return dog(image, sigma)
    raise ValueError(f"operator: expected one of {OPERATORS}, got {operator!r}")


def edges(resp: np.ndarray, operator: str) -> np.ndarray:
    """Edge pixels: strongest 10 % of the magnitude (Sobel) or zero crossings (the others)."""
    if operator == "Sobel |∇I|":
        return resp > np.quantile(resp, 0.9)
    # ignore the faint crossings of flat, noisy background: a jump of 5 % of the range
    return zero_crossings(resp, threshold=0.05 * float(np.abs(resp).max()))


def render(*, image: np.ndarray, operator: str, sigma: float, resp: np.ndarray | None = None):
    """Response and edges of one operator at one scale."""
    r = response(image, operator, sigma) if resp is None else resp
    e = edges(r, operator)
    fig, axes = new_figure(2, width=7.2, height=3.0)
    if operator == "Sobel |∇I|":
        show(axes[0], r, f"{operator}, σ = {sigma:g}", cmap="magma")
    else:
        lim = float(np.abs(r).max()) or 1.0
        show(axes[0], r, f"{operator}, σ = {sigma:g} (red < 0 < blue)", cmap="RdBu", vmin=-lim, vmax=lim)
    show(axes[1], overlay(image, e.astype(int), alpha=1.0, ignore=0), f"edges: {e.mean():.1%} of the pixels")
    return fig


def make_explorer(image: np.ndarray | None = None) -> Explorer:
    """The edge explorer on a grey image in [0, 1] (default: coins at half resolution)."""
    img = default_image() if image is None else np.asarray(image, dtype=np.float64)

    @lru_cache(maxsize=64)
    def cached(operator: str, sigma: float) -> np.ndarray:
        return response(img, operator, sigma)

    def _render(operator: str, sigma: float):
        return render(image=img, operator=operator, sigma=sigma, resp=cached(operator, sigma))

    return Explorer(
        _render,
        controls={"operator": OPERATORS, "sigma": SIGMAS},
        static={"operator": OPERATORS, "sigma": [1.0, 2.0, 4.0]},
        labels={"sigma": "scale σ"},
    )
