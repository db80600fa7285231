"""The bilinear upsampling kernel FCN uses to initialise its transposed convolutions."""

from __future__ import annotations

import numpy as np

__all__ = ["bilinear_kernel_1d", "bilinear_kernel", "bilinear_weights"]


def bilinear_kernel_1d(k: int) -> np.ndarray:
    """1-D tent profile of length ``k``: ``1 - |i - centre| / factor``.

    ``factor = (k + 1) // 2``; ``centre = factor - 1`` for odd ``k``, ``factor - 0.5``
    for even ``k`` (the FCN / Caffe ``upsample_filt`` recipe).

    Examples
    --------
    >>> bilinear_kernel_1d(4)
    array([0.25, 0.75, 0.75, 0.25])
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k: expected a positive int kernel size, got {k!r}")
    factor = (k + 1) // 2
    centre = factor - 1 if k % 2 == 1 else factor - 0.5
    return 1.0 - np.abs(np.arange(k) - centre) / factor


def bilinear_kernel(k: int) -> np.ndarray:
    """2-D bilinear kernel ``(k, k)``: the outer product of two 1-D tents.

    With ``k = 2s`` and a transposed convolution of stride ``s`` and TF ``"same"``
    padding it interpolates bilinearly (exactly, away from the border).

    Examples
    --------
    >>> bilinear_kernel(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    t = bilinear_kernel_1d(k)
    return np.outer(t, t)


def bilinear_weights(k: int, channels: int, out_channels: int | None = None) -> np.ndarray:
    """Transposed-conv kernel in Keras/TF layout ``(k, k, out, in)`` that upsamples each
    channel separately: ``W[:, :, c, c] = bilinear_kernel(k)``, zero off the diagonal.

    Examples
    --------
    >>> w = bilinear_weights(4, 3); w.shape, float(w[1, 1, 0, 0]), float(w[1, 1, 0, 1])
    ((4, 4, 3, 3), 0.5625, 0.0)
    """
    out_channels = channels if out_channels is None else out_channels
    for name, v in (("channels", channels), ("out_channels", out_channels)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}: expected a positive int, got {v!r}")
    w = np.zeros((k, k, out_channels, channels))
    n = min(channels, out_channels)
    w[:, :, np.arange(n), np.arange(n)] = bilinear_kernel(k)[..., None]
    return w
