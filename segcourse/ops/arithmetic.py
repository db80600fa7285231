"""Size arithmetic of convolution, pooling and transposed convolution, and receptive fields.

Everything is per spatial axis (apply it to height and width separately) and follows
TensorFlow/Keras conventions:

* ``"valid"``: no padding, ``o = floor((i - k_eff) / s) + 1`` with ``k_eff = d (k - 1) + 1``.
* ``"same"``: ``o = ceil(i / s)``; the total padding ``P = max((o - 1) s + k_eff - i, 0)``
  is split ``floor(P / 2)`` before and the rest after (the extra pixel goes bottom/right).
* an int ``p``: explicit symmetric padding (PyTorch / paper style),
  ``o = floor((i + 2p - k_eff) / s) + 1``.

Transposed convolution maps ``i`` back up. Because ``s`` different input sizes give the
same forward output size, the transposed size is ambiguous: ``tf.nn.conv2d_transpose``
asks for it (``output_shape``) and Keras ``Conv2DTranspose`` picks one unless you pass
``output_padding``. :func:`tf_transpose_output_range`, :func:`conv_transpose_output_size`
and :func:`check_output_padding` spell the rules out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

__all__ = [
    "effective_kernel_size",
    "conv_output_size",
    "same_padding",
    "conv_transpose_output_size",
    "tf_transpose_output_range",
    "check_output_padding",
    "output_padding_for",
    "RFRow",
    "receptive_field",
    "receptive_field_table",
    "receptive_field_footprint",
]


def _pos_int(name: str, v: object, minimum: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) and not (
        hasattr(v, "__index__") and not isinstance(v, float)
    ):
        raise TypeError(f"{name}: expected an int, got {v!r}")
    v = int(v)  # type: ignore[arg-type]
    if v < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {v}")
    return v


def _padding(padding: object) -> str | int:
    if isinstance(padding, str):
        p = padding.lower()
        if p not in ("valid", "same"):
            raise ValueError(f"padding: expected 'valid', 'same' or an int >= 0, got {padding!r}")
        return p
    return _pos_int("padding", padding, 0)


def effective_kernel_size(k: int, d: int = 1) -> int:
    """Span of a dilated kernel: ``k_eff = d (k - 1) + 1``.

    Examples
    --------
    >>> effective_kernel_size(3, 2), effective_kernel_size(3, 1)
    (5, 3)
    """
    return _pos_int("d", d) * (_pos_int("k", k) - 1) + 1


def conv_output_size(i: int, k: int, s: int = 1, padding: str | int = "valid", d: int = 1) -> int:
    """Output length of a convolution or pooling along one axis (TF/Keras rules).

    Parameters
    ----------
    i : int
        Input length.
    k : int
        Kernel (or pool) size.
    s : int
        Stride.
    padding : {"valid", "same"} or int
        TF/Keras padding mode, or explicit symmetric padding per side.
    d : int
        Dilation rate.

    Raises
    ------
    ValueError
        If the (padded) input is shorter than the effective kernel.

    Examples
    --------
    >>> conv_output_size(7, 3, 2), conv_output_size(7, 3, 2, "same"), conv_output_size(6, 3, 2, 1)
    (3, 4, 3)
    >>> conv_output_size(7, 3, 1, "valid", d=2)
    3
    """
    i = _pos_int("i", i)
    s = _pos_int("s", s)
    k_eff = effective_kernel_size(k, d)
    pad = _padding(padding)
    if pad == "same":
        return -(-i // s)
    total = i if pad == "valid" else i + 2 * int(pad)
    if total < k_eff:
        raise ValueError(
            f"i: the {'padded ' if pad != 'valid' else ''}input length {total} is shorter than "
            f"the effective kernel size {k_eff} (k={k}, d={d})"
        )
    return (total - k_eff) // s + 1


def same_padding(i: int, k: int, s: int = 1, d: int = 1) -> tuple[int, int]:
    """(before, after) padding TF ``"same"`` adds: ``P = max((ceil(i/s) - 1) s + k_eff - i, 0)``.

    The smaller half goes before (top/left).

    Examples
    --------
    >>> same_padding(6, 3, 2), same_padding(5, 3, 2), same_padding(7, 4, 1)
    ((0, 1), (1, 1), (1, 2))
    """
    i = _pos_int("i", i)
    s = _pos_int("s", s)
    k_eff = effective_kernel_size(k, d)
    o = -(-i // s)
    total = max((o - 1) * s + k_eff - i, 0)
    return total // 2, total - total // 2


def tf_transpose_output_range(i: int, k: int, s: int = 1, padding: str = "valid",
                              d: int = 1) -> tuple[int, int]:
    """Inclusive range of output lengths ``tf.nn.conv2d_transpose`` accepts for input ``i``.

    They are exactly the lengths ``O`` whose forward convolution gives back ``i``:
    ``"valid"``: ``[(i-1)s + k_eff, (i-1)s + k_eff + s - 1]``; ``"same"``: ``[(i-1)s + 1, i s]``.

    Examples
    --------
    >>> tf_transpose_output_range(5, 3, 2, "valid"), tf_transpose_output_range(5, 3, 2, "same")
    ((11, 12), (9, 10))
    """
    i = _pos_int("i", i)
    s = _pos_int("s", s)
    k_eff = effective_kernel_size(k, d)
    pad = _padding(padding)
    if pad == "same":
        return (i - 1) * s + 1, i * s
    if pad == "valid":
        lo = (i - 1) * s + k_eff
        return lo, lo + s - 1
    raise ValueError(f"padding: expected 'valid' or 'same' for tf.nn.conv2d_transpose, got {padding!r}")


def check_output_padding(k: int, s: int = 1, padding: str = "valid",
                         output_padding: int | None = None, d: int = 1) -> None:
    """Raise a clear ``ValueError`` if Keras ``Conv2DTranspose`` would reject ``output_padding``.

    Legal values: ``"valid"``: ``0 <= a <= s - 1``; ``"same"``: ``1 - k_eff % 2 <= a <= s - 1``
    (the lower bound makes ``ceil(o / s) = i`` hold, the upper one is Keras' rule
    ``output_padding < strides``). For ``"same"`` with an even kernel and stride 1 no value
    is legal: leave ``output_padding=None``. TensorFlow's own error for ``a = 0`` with an
    even kernel is opaque (with oneDNN: "could not create a primitive descriptor"), so
    check first.

    Examples
    --------
    >>> check_output_padding(3, 2, "same", 1)      # fine: returns None
    >>> check_output_padding(4, 2, "same", 0)
    Traceback (most recent call last):
    ...
    ValueError: output_padding: expected an int in [1, 1] for kernel 4, stride 2, padding 'same', got 0 (the output length (i-1)*s + k%2 + a must satisfy ceil(o/s) = i, and Keras requires output_padding < strides)
    """
    if output_padding is None:
        return
    k_eff = effective_kernel_size(k, d)
    s = _pos_int("s", s)
    pad = _padding(padding)
    a = output_padding
    if isinstance(a, bool) or not isinstance(a, int):
        raise TypeError(f"output_padding: expected an int or None, got {a!r}")
    if pad == "same":
        lo, hi = 1 - k_eff % 2, s - 1
        why = ("the output length (i-1)*s + k%2 + a must satisfy ceil(o/s) = i, and Keras "
               "requires output_padding < strides")
    elif pad == "valid":
        lo, hi = 0, s - 1
        why = "Keras requires output_padding < strides"
    else:
        lo, hi = 0, max(s, d) - 1
        why = "output_padding must be smaller than max(stride, dilation)"
    if not lo <= a <= hi:
        raise ValueError(
            f"output_padding: expected an int in [{lo}, {hi}] for kernel {k}, stride {s}, "
            f"padding {padding!r}, got {a} ({why})"
        )


def conv_transpose_output_size(i: int, k: int, s: int = 1, padding: str | int = "valid",
                               output_padding: int | None = None, d: int = 1) -> int:
    """Output length of Keras ``Conv2DTranspose`` (or of the paper formula for an int padding).

    ============  ==========================  ==================================
    padding       ``output_padding=None``     ``output_padding=a``
    ============  ==========================  ==================================
    ``"valid"``   ``(i-1)s + max(k_eff, s)``  ``(i-1)s + k_eff + a``
    ``"same"``    ``i s``                     ``(i-1)s + k_eff % 2 + a``
    int ``p``     ``(i-1)s + k_eff - 2p``     ``(i-1)s + k_eff - 2p + a``
    ============  ==========================  ==================================

    Raises a clear ``ValueError`` for an illegal ``output_padding``
    (see :func:`check_output_padding`).

    Examples
    --------
    >>> [conv_transpose_output_size(5, k, 2, "valid") for k in (1, 2, 3)]
    [10, 10, 11]
    >>> conv_transpose_output_size(5, 3, 2, "same"), conv_transpose_output_size(5, 3, 2, "same", 0)
    (10, 9)
    """
    i = _pos_int("i", i)
    s = _pos_int("s", s)
    k_eff = effective_kernel_size(k, d)
    pad = _padding(padding)
    check_output_padding(k, s, padding, output_padding, d)
    if pad == "valid":
        if output_padding is None:
            return (i - 1) * s + max(k_eff, s)
        return (i - 1) * s + k_eff + output_padding
    if pad == "same":
        if output_padding is None:
            return i * s
        return (i - 1) * s + k_eff % 2 + output_padding
    o = (i - 1) * s + k_eff - 2 * int(pad) + (output_padding or 0)
    if o < 1:
        raise ValueError(f"padding: {pad} per side leaves no output for i={i}, k={k}, s={s}")
    return o


def output_padding_for(target: int, i: int, k: int, s: int = 1, padding: str = "valid",
                       d: int = 1) -> int | None:
    """The ``output_padding`` that makes ``Conv2DTranspose`` map ``i`` to ``target``.

    Use it in a decoder to undo a strided convolution exactly, e.g. to get back an odd
    size: a stride-2 "same" convolution maps both 9 and 10 to 5; ``output_padding``
    says which one to return to. Returns None when only the default
    (``output_padding=None``) reaches ``target`` (a "same" layer with an even kernel).

    Examples
    --------
    >>> output_padding_for(9, 5, 3, 2, "same"), output_padding_for(10, 5, 3, 2, "same")
    (0, 1)
    """
    target = _pos_int("target", target)
    lo, hi = tf_transpose_output_range(i, k, s, padding, d)
    if not lo <= target <= hi:
        raise ValueError(
            f"target: a transposed convolution with k={k}, s={s}, padding={padding!r} maps "
            f"length {i} only to lengths in [{lo}, {hi}], got {target}"
        )
    k_eff = effective_kernel_size(k, d)
    base = (i - 1) * s + (k_eff if _padding(padding) == "valid" else k_eff % 2)
    a = target - base
    try:
        check_output_padding(k, s, padding, a, d)
    except ValueError:
        # e.g. "same", even kernel, target = i*s: only output_padding=None gives it
        if conv_transpose_output_size(i, k, s, padding, None, d) == target:
            return None
        raise
    return a


# --------------------------------------------------------------------------- receptive field


@dataclass(frozen=True)
class RFRow:
    """One row of the receptive-field table, *after* a layer.

    ``size`` is the output length (None when no input size was given), ``jump`` the
    distance in input pixels between neighbouring outputs, ``rf`` the receptive field,
    ``start`` the input coordinate of the centre of output 0 (pixel centres at 0, 1, ...),
    ``pad_before`` the padding applied before this layer.
    """

    name: str
    kernel: int
    stride: int
    dilation: int
    size: int | None
    jump: int
    rf: int
    start: float
    pad_before: int


def _parse_layer(layer: Sequence | dict, idx: int) -> tuple[int, int, int, str | int]:
    if isinstance(layer, dict):
        k, s = layer.get("kernel", layer.get("k")), layer.get("stride", layer.get("s", 1))
        d, p = layer.get("dilation", layer.get("d", 1)), layer.get("padding", "valid")
    else:
        if not 1 <= len(layer) <= 4:
            raise ValueError(
                f"layers[{idx}]: expected (kernel, stride, dilation[, padding]), got {layer!r}"
            )
        k, s, d, p = (tuple(layer) + (1, 1, "valid")[len(layer) - 1:])[:4]
    try:
        return _pos_int("kernel", k), _pos_int("stride", s), _pos_int("dilation", d), _padding(p)
    except (TypeError, ValueError) as e:
        raise type(e)(f"layers[{idx}]: {e}") from None


def receptive_field(layers: Iterable[Sequence[int]]) -> int:
    """Receptive field (in input pixels) of one output of a stack of layers.

    Each layer is ``(kernel, stride, dilation)`` (dilation optional). Recurrence:
    ``r <- r + (k_eff - 1) j`` then ``j <- j s``, from ``r = j = 1``. Padding does not
    change the size, only the position. Pooling is a layer with ``k = s = pool``.

    Examples
    --------
    >>> vgg = ([(3, 1)] * 2 + [(2, 2)]) * 2 + ([(3, 1)] * 3 + [(2, 2)]) * 3
    >>> receptive_field(vgg)                       # VGG16 pool5
    212
    >>> receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)])  # 2**(L+1) - 1 for L = 3
    15
    """
    r, j = 1, 1
    for idx, layer in enumerate(layers):
        k, s, d, _ = _parse_layer(layer, idx)
        r += (effective_kernel_size(k, d) - 1) * j
        j *= s
    return r


def receptive_field_table(layers: Iterable[Sequence], input_size: int | None = None,
                          names: Sequence[str] | None = None) -> list[RFRow]:
    """Layer-by-layer receptive field, jump, output size and centre of the first output.

    Layers are ``(kernel, stride, dilation, padding)`` with padding ``"valid"`` (default),
    ``"same"`` or an int per side. Recurrence (Dang Ha The Hien; Araujo et al., Distill 2019):

    * ``n_out = conv_output_size(n_in, k, s, padding, d)``
    * ``j_out = j_in s``
    * ``r_out = r_in + (k_eff - 1) j_in``
    * ``start_out = start_in + ((k_eff - 1) / 2 - p_before) j_in``

    For ``"same"`` padding ``p_before`` depends on the input length, so ``input_size`` is
    required when a layer uses it. Without ``input_size`` the ``size`` column is None.

    Examples
    --------
    >>> rows = receptive_field_table([(3, 1, 1, "same"), (2, 2, 1, "valid")], input_size=8)
    >>> [(r.size, r.jump, r.rf, r.start) for r in rows]
    [(8, 1, 3, 0.0), (4, 2, 4, 0.5)]
    """
    rows: list[RFRow] = []
    n, j, r, start = input_size, 1, 1, 0.0
    if n is not None:
        n = _pos_int("input_size", n)
    layers = list(layers)
    if names is not None and len(names) != len(layers):
        raise ValueError(f"names: expected {len(layers)} names, got {len(names)}")
    for idx, layer in enumerate(layers):
        k, s, d, p = _parse_layer(layer, idx)
        k_eff = effective_kernel_size(k, d)
        if p == "same":
            if n is None:
                raise ValueError(
                    f"input_size: required to place 'same'-padded layer {idx} (its padding "
                    "depends on the input length)"
                )
            p_before = same_padding(n, k, s, d)[0]
        elif p == "valid":
            p_before = 0
        else:
            p_before = int(p)
        n_out = None if n is None else conv_output_size(n, k, s, p, d)
        start = start + ((k_eff - 1) / 2 - p_before) * j
        r = r + (k_eff - 1) * j
        j = j * s
        name = names[idx] if names is not None else f"layer{idx + 1}"
        rows.append(RFRow(name, k, s, d, n_out, j, r, start, p_before))
        n = n_out
    return rows


def receptive_field_footprint(layers: Iterable[Sequence]) -> "np.ndarray":
    """How many paths connect each input pixel of the receptive field to one output (1-D).

    Walks the stack backwards, spreading the counts through each layer's (dilated,
    strided) kernel of ones. The result has length :func:`receptive_field`; a zero is a
    *hole*: a pixel inside the receptive field that cannot influence the output
    (gridding, e.g. dilations 2, 2, 2). It equals the gradient of the output with
    respect to the input for a linear network whose kernels are all ones. In 2-D the
    footprint is the outer product of the per-axis footprints.

    Examples
    --------
    >>> receptive_field_footprint([(3, 1, 2), (3, 1, 2)]).tolist()
    [1, 0, 2, 0, 3, 0, 2, 0, 1]
    >>> int((receptive_field_footprint([(3, 1, 1), (3, 1, 2), (3, 1, 5)]) == 0).sum())
    0
    """
    import numpy as np

    counts = np.ones(1, dtype=np.int64)
    parsed = [_parse_layer(layer, idx) for idx, layer in enumerate(layers)]
    for k, s, d, _ in reversed(parsed):
        n = len(counts)
        new = np.zeros((n - 1) * s + effective_kernel_size(k, d), dtype=np.int64)
        for t in range(k):
            new[t * d: t * d + (n - 1) * s + 1: s] += counts
        counts = new
    return counts
