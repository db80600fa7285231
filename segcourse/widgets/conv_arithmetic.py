"""Convolution arithmetic explorer: input, kernel footprint and output, with the size formula.

Two modes share the controls ``i`` (input size), ``k``, ``s``, ``d`` and the TF/Keras
``padding``:

* ``conv``: the padded input (padding grey, split as TF does), the first kernel window with its
  dilated taps, and the output grid; the read-out substitutes the numbers into
  ``o = floor((i + P - k_eff) / s) + 1`` (or ``ceil(i / s)`` for ``"same"``).
* ``transposed``: the "stretch, pad and convolve" picture of Keras ``Conv2DTranspose``: inputs
  (blue) spread ``s`` apart with inserted zeros and padding (grey), the window, and the output;
  the read-out gives Keras' size rule and the range of sizes ``tf.nn.conv2d_transpose`` accepts.

Sliders can only reach legal settings (no stride together with dilation, as in Keras; no input
smaller than the kernel for ``"valid"``; only legal ``output_padding`` values).
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from segcourse.ops import (
    check_output_padding,
    conv_output_size,
    conv_transpose_as_conv,
    conv_transpose_output_size,
    effective_kernel_size,
    same_padding,
    tf_transpose_output_range,
)
from segcourse.viz import draw_grid
from segcourse.widgets._figures import new_figure
from segcourse.widgets.explorer import Explorer

DEFAULT = "default"
# padding / inserted zero, input pixel, kernel tap on padding, kernel tap on an input pixel
_CMAP = ListedColormap(["#e6e6e6", "#cfe3f3", "#f6c28b", "#e07b00"])


def legal(params: dict) -> bool:
    """True when Keras/TF accept the setting (used to restrict the sliders)."""
    mode, i, k, s, d = params["mode"], params["i"], params["k"], params["s"], params["d"]
    padding, a = params["padding"], params["output_padding"]
    if s > 1 and d > 1:
        return False
    if mode == "conv":
        return a == DEFAULT and (padding == "same" or i >= effective_kernel_size(k, d))
    if a == DEFAULT:
        return True
    try:
        check_output_padding(k, s, padding, a, d)
    except ValueError:
        return False
    return True


def describe(*, mode: str, i: int, k: int, s: int, padding: str, d: int = 1,
             output_padding=DEFAULT) -> str:
    """The size formula with the numbers substituted (the explorer's read-out).

    Examples
    --------
    >>> describe(mode="conv", i=6, k=3, s=2, padding="valid")
    'o = ⌊(i − k_eff)/s⌋ + 1 = ⌊(6 − 3)/2⌋ + 1 = 2   (1 row/column at the end never visited)'
    """
    k_eff = effective_kernel_size(k, d)
    if mode == "conv":
        o = conv_output_size(i, k, s, padding, d)
        if padding == "same":
            pb, pa = same_padding(i, k, s, d)
            return (f"o = ⌈i/s⌉ = ⌈{i}/{s}⌉ = {o};   P = max((o−1)s + k_eff − i, 0) = "
                    f"max({o - 1}·{s} + {k_eff} − {i}, 0) = {pb + pa} → {pb} before, {pa} after")
        left = (i - k_eff) % s
        note = f"   ({left} row/column at the end never visited)" if left else ""
        return f"o = ⌊(i − k_eff)/s⌋ + 1 = ⌊({i} − {k_eff})/{s}⌋ + 1 = {o}{note}"
    a = None if output_padding == DEFAULT else output_padding
    o = conv_transpose_output_size(i, k, s, padding, a, d)
    lo, hi = tf_transpose_output_range(i, k, s, padding, d)
    if padding == "same" and a is None:
        rule = f"o = i·s = {i}·{s} = {o}"
    elif padding == "same":
        rule = f"o = (i−1)s + k_eff mod 2 + a = {i - 1}·{s} + {k_eff % 2} + {a} = {o}"
    elif a is None:
        rule = f"o = (i−1)s + max(k_eff, s) = {i - 1}·{s} + {max(k_eff, s)} = {o}"
    else:
        rule = f"o = (i−1)s + k_eff + a = {i - 1}·{s} + {k_eff} + {a} = {o}"
    amb = f"tf.nn.conv2d_transpose accepts o ∈ [{lo}, {hi}]" if hi > lo else f"only o = {lo} is legal"
    return f"Keras: {rule};   {amb} (every size whose forward conv gives {i})"


def render(*, mode: str = "conv", i: int = 5, k: int = 3, s: int = 2, padding: str = "valid",
           d: int = 1, output_padding=DEFAULT):
    """Input (padded / stretched), first window, output, and the formula read-out."""
    k_eff = effective_kernel_size(k, d)
    taps = [(a * d, b * d) for a in range(k) for b in range(k)]
    if mode == "conv":
        pb, pa = same_padding(i, k, s, d) if padding == "same" else (0, 0)
        n = i + pb + pa
        masked = np.ones((n, n), bool)
        masked[pb:pb + i, pb:pb + i] = False
        o = conv_output_size(i, k, s, padding, d)
        left_title = f"input {i}×{i}" + (f" + padding ({pb}, {pa})" if pb + pa else "")
    else:
        a = None if output_padding == DEFAULT else output_padding
        o = conv_transpose_output_size(i, k, s, padding, a, d)
        z, _ = conv_transpose_as_conv(np.ones((i, i)), np.ones((k, k)), (o, o), s, padding.upper(), d)
        n = z.shape[0]
        masked = z == 0
        left_title = f"input {i}×{i}, stretched by s={s} and padded"
    grid = np.where(masked, 0.0, 1.0)  # 0 padding / inserted zero, 1 input pixel
    for r, c in taps:
        if r < n and c < n:
            grid[r, c] += 2.0  # 2 tap on padding, 3 tap on an input pixel
    out = np.ones((o, o))
    out[0, 0] = 3.0
    fig, axes = new_figure(2, width=7.6, height=3.8, ratios=[max(n, 1), max(o, 1)])
    fig.subplots_adjust(bottom=0.2, top=0.84)
    draw_grid(axes[0], grid, left_title, cmap=_CMAP, vmin=-0.5, vmax=3.5, show_values=False,
              boxes=[(0, 0, k_eff, k_eff, "C3")])
    draw_grid(axes[1], out, f"output {o}×{o}", cmap=_CMAP, vmin=-0.5, vmax=3.5, show_values=False,
              boxes=[(0, 0, 1, 1, "C3")])
    kind = "conv" if mode == "conv" else "Conv2DTranspose"
    extra = "" if mode == "conv" or output_padding == DEFAULT else f", output_padding={output_padding}"
    fig.suptitle(f"{kind}: i={i}, k={k}, s={s}, d={d}, padding='{padding}'{extra}   (k_eff = {k_eff})",
                 fontsize=9)
    text = describe(mode=mode, i=i, k=k, s=s, padding=padding, d=d, output_padding=output_padding)
    fig.text(0.5, 0.03, text.replace(";   ", "\n"), ha="center", fontsize=8)
    return fig


def make_explorer() -> Explorer:
    """The convolution / transposed-convolution arithmetic explorer."""
    return Explorer(
        lambda **p: render(**p),
        controls={"mode": ["conv", "transposed"], "i": list(range(3, 11)), "k": [1, 2, 3, 4, 5],
                  "s": [1, 2, 3], "padding": ["valid", "same"], "d": [1, 2, 3],
                  "output_padding": [DEFAULT, 0, 1, 2]},
        static={"mode": ["conv", "transposed"], "i": [5], "k": [2, 3], "s": [1, 2],
                "padding": ["valid", "same"], "d": [1], "output_padding": [DEFAULT]},
        legal=legal,
        labels={"i": "input size i", "k": "kernel k", "s": "stride s", "d": "dilation d"},
    )
