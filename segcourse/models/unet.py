"""U-Net (Ronneberger, Fischer & Brox, 2015), paper-faithful or size-preserving.

``padding="valid"`` is the paper's network: every 3x3 convolution is unpadded (each one trims
a pixel from every side), each skip connection centre-crops the encoder map to the size of
the upsampled decoder map before concatenating (:class:`segcourse.layers.CropAndConcatenate`),
and the output is smaller than the input: 572 -> 388 for four poolings. Only some input sizes
work, because every 2x2 max-pool must see an even size: with ``depth=4`` they are
``16 m + 124`` (188, 204, ..., 572, ...). :func:`valid_input_sizes` lists them and
:func:`output_size` gives the output size; any other size raises a ``ValueError`` that names
the nearest valid ones.

``padding="same"`` keeps the input size (it must be divisible by ``2**depth``): the variant
most code uses today, including this course's training runs.

With ``base_filters=64``, ``depth=4``, one input channel, two classes and no batch norm this
is the paper's network: 31,030,658 parameters.

Examples
--------
>>> output_size(572)
388
>>> valid_input_sizes(180, 240)
[188, 204, 220, 236]
>>> crop_per_side(572)
[4, 16, 40, 88]
"""

from __future__ import annotations

from typing import Any

from segcourse.models import register

__all__ = ["build_unet", "output_size", "valid_input_sizes", "nearest_valid_sizes", "crop_per_side",
           "level_sizes", "tile_padding", "overlap_tile_predict"]

_CONVS = 2  # 3x3 convolutions per level
_TRIM = 2  # pixels one valid 3x3 convolution removes from a size (one per side)


def level_sizes(n: int, depth: int = 4) -> dict[str, list[int]] | None:
    """Sizes through a valid-padding U-Net for input size ``n``, or ``None`` if ``n`` does not work.

    Returns ``{"encoder": [...], "bottom": [b], "upsampled": [...], "decoder": [...]}``:
    ``encoder[i]`` is level ``i``'s size after its two convolutions (the skip), ``upsampled[i]``
    the decoder map that meets it, ``decoder[i]`` the size after the decoder's convolutions
    (decoder lists run from the deepest level up).

    Examples
    --------
    >>> level_sizes(572)["encoder"]
    [568, 280, 136, 64]
    >>> level_sizes(570) is None  # 570 - 4 = 566, /2 = 283, 283 - 4 = 279 is odd: no clean pool
    True
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n: expected a positive int, got {n!r}")
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 1:
        raise ValueError(f"depth: expected a positive int, got {depth!r}")
    enc = []
    size = n
    for _ in range(depth):
        size -= _CONVS * _TRIM
        if size < 2 or size % 2:
            return None
        enc.append(size)
        size //= 2
    bottom = size - _CONVS * _TRIM
    if bottom < 1:
        return None
    ups, dec = [], []
    size = bottom
    for skip in reversed(enc):
        size *= 2
        ups.append(size)
        if size > skip:
            return None
        size -= _CONVS * _TRIM
        if size < 1:
            return None
        dec.append(size)
    return {"encoder": enc, "bottom": [bottom], "upsampled": ups, "decoder": dec}


def output_size(n: int, depth: int = 4) -> int:
    """Output height/width of the valid-padding U-Net for input size ``n``.

    Examples
    --------
    >>> output_size(572), output_size(188)
    (388, 4)
    """
    sizes = level_sizes(n, depth)
    if sizes is None:
        raise ValueError(_size_message(n, depth))
    return sizes["decoder"][-1]


def crop_per_side(n: int, depth: int = 4) -> list[int]:
    """Pixels cropped from each side of each skip, from the deepest skip outward.

    For ``depth=4`` they are 4, 16, 40, 88 whatever the (valid) input size.

    Examples
    --------
    >>> crop_per_side(188) == crop_per_side(572)
    True
    """
    sizes = level_sizes(n, depth)
    if sizes is None:
        raise ValueError(_size_message(n, depth))
    return [(s - u) // 2 for s, u in zip(reversed(sizes["encoder"]), sizes["upsampled"])]


def valid_input_sizes(lo: int = 1, hi: int = 1024, depth: int = 4) -> list[int]:
    """All input sizes in ``[lo, hi]`` that the valid-padding U-Net accepts.

    Examples
    --------
    >>> sizes = valid_input_sizes(1, 700)
    >>> sizes[0], sizes[-1], all((s - 124) % 16 == 0 for s in sizes)
    (188, 700, True)
    """
    return [n for n in range(max(1, lo), hi + 1) if level_sizes(n, depth) is not None]


def nearest_valid_sizes(n: int, depth: int = 4, padding: str = "valid") -> tuple[int | None, int | None]:
    """The closest accepted sizes below-or-equal and above-or-equal ``n`` (``None`` if none below).

    Examples
    --------
    >>> nearest_valid_sizes(570)
    (556, 572)
    >>> nearest_valid_sizes(100, padding="same")
    (96, 112)
    """
    if padding == "same":
        step = 2**depth
        below = (n // step) * step
        return (below if below > 0 else None), -(-n // step) * step
    below = next((m for m in range(n, 0, -1) if level_sizes(m, depth)), None)
    above = next(m for m in range(max(n, 1), n + 16 * 2**depth + 1000) if level_sizes(m, depth))
    return below, above


def _size_message(n: int, depth: int, padding: str = "valid") -> str:
    below, above = nearest_valid_sizes(n, depth, padding)
    near = " or ".join(str(s) for s in (below, above) if s is not None)
    if padding == "same":
        return (f"input_shape: a same-padding U-Net of depth {depth} needs height and width divisible by "
                f"{2**depth}, got {n}; the nearest valid sizes are {near}")
    rule = " (16 m + 124)" if depth == 4 else ""
    return (f"input_shape: a valid-padding U-Net of depth {depth} cannot take size {n}{rule}: every 2x2 "
            f"pooling must see an even size; the nearest valid sizes are {near}")


@register("unet")
def build_unet(input_shape: tuple, num_classes: int, *, padding: str = "same", depth: int = 4,
               base_filters: int = 64, batch_norm: bool = False, bn_momentum: float = 0.9,
               dropout: float = 0.0, name: str = "unet") -> Any:
    """Build a U-Net returning per-pixel logits.

    Parameters
    ----------
    input_shape : (H, W, C)
        ``H`` and ``W`` may be ``None`` (any size at call time; not checked).
    num_classes : int
        Output channels (logits; no softmax).
    padding : {"same", "valid"}
        ``"valid"``: the paper's network, output smaller than the input (see module docstring).
    depth : int
        Number of 2x2 poolings (the paper: 4).
    base_filters : int
        Filters of the first level, doubled at every level down (the paper: 64).
    batch_norm : bool
        Batch normalisation after every convolution (not in the paper; helps short CPU runs).
    bn_momentum : float
        Momentum of the moving statistics. Keras' default 0.99 leaves the statistics near their
        initial values after a few hundred steps, so short runs evaluate badly; 0.9 does not.
    dropout : float
        Dropout rate at the end of the contracting path (the paper uses dropout there).
    """
    import keras

    from segcourse.layers import CropAndConcatenate

    if padding not in ("same", "valid"):
        raise ValueError(f"padding: expected 'same' or 'valid', got {padding!r}")
    for arg, v, lo in (("depth", depth, 1), ("base_filters", base_filters, 1)):
        if not isinstance(v, int) or isinstance(v, bool) or v < lo:
            raise ValueError(f"{arg}: expected an int >= {lo}, got {v!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout: expected a rate in [0, 1), got {dropout!r}")
    for n in input_shape[:2]:
        if n is None:
            continue
        if padding == "valid" and level_sizes(n, depth) is None:
            raise ValueError(_size_message(n, depth, "valid"))
        if padding == "same" and n % 2**depth:
            raise ValueError(_size_message(n, depth, "same"))

    def conv_block(x, filters, prefix):
        for j in range(1, _CONVS + 1):
            x = keras.layers.Conv2D(filters, 3, padding=padding, use_bias=not batch_norm,
                                    kernel_initializer="he_normal", name=f"{prefix}_conv{j}")(x)
            if batch_norm:
                x = keras.layers.BatchNormalization(momentum=bn_momentum, name=f"{prefix}_bn{j}")(x)
            x = keras.layers.ReLU(name=f"{prefix}_relu{j}")(x)
        return x

    inputs = keras.Input(input_shape, name="image")
    x = inputs
    skips = []
    for i in range(depth):
        x = conv_block(x, base_filters * 2**i, f"enc{i + 1}")
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{i + 1}")(x)
    x = conv_block(x, base_filters * 2**depth, "bottom")
    if dropout:
        x = keras.layers.Dropout(dropout, name="bottom_dropout")(x)
    for i in reversed(range(depth)):
        filters = base_filters * 2**i
        # "up-convolution": 2x2 transposed conv, stride 2, halving the channels
        x = keras.layers.Conv2DTranspose(filters, 2, strides=2, kernel_initializer="he_normal",
                                         name=f"dec{i + 1}_up")(x)
        x = CropAndConcatenate(name=f"dec{i + 1}_concat")([x, skips[i]])
        x = conv_block(x, filters, f"dec{i + 1}")
    # float32 logits even under a mixed-precision policy: the loss wants full precision
    logits = keras.layers.Conv2D(num_classes, 1, name="logits", dtype="float32")(x)
    return keras.Model(inputs, logits, name=name)


def tile_padding(height: int, width: int, tile_in: int, tile_out: int) -> tuple[tuple[int, int], tuple[int, int], int, int]:
    """Mirror padding and tile counts for overlap-tile prediction of an ``height x width`` image.

    Returns ``((top, bottom), (left, right), tiles_down, tiles_across)``: the image is padded
    by the context margin ``(tile_in - tile_out) // 2`` on every side, plus enough at the
    bottom/right for a whole number of output tiles.

    Examples
    --------
    >>> tile_padding(500, 300, 572, 388)
    ((92, 368), (92, 180), 2, 1)
    """
    margin = (tile_in - tile_out) // 2
    ty, tx = -(-height // tile_out), -(-width // tile_out)
    return (margin, margin + ty * tile_out - height), (margin, margin + tx * tile_out - width), ty, tx


def overlap_tile_predict(model: Any, image: Any, batch_size: int = 4) -> Any:
    """Logits for an image of any size from a fixed-input valid-padding U-Net (the paper's Fig. 2).

    The image is mirror-padded (:func:`tile_padding`), cut into overlapping input tiles whose
    *output* tiles abut exactly, and the output tiles are stitched: every output pixel sees its
    full context, borders included, and no seams appear. ``image``: (H, W, C) array; returns
    float32 logits (H, W, num_classes).
    """
    import numpy as np

    image = np.asarray(image, np.float32)
    if image.ndim != 3:
        raise ValueError(f"image: expected a 3-D (H, W, C) array, got shape {image.shape}")
    tile_in, tile_out = model.input_shape[1], model.output_shape[1]
    if tile_in is None or tile_out is None:
        raise ValueError("model: overlap-tile prediction needs a model built for a fixed input size")
    (t, b), (left, r), ty, tx = tile_padding(image.shape[0], image.shape[1], tile_in, tile_out)
    padded = np.pad(image, ((t, b), (left, r), (0, 0)), mode="reflect")
    corners = [(i * tile_out, j * tile_out) for i in range(ty) for j in range(tx)]
    out = np.zeros((ty * tile_out, tx * tile_out, model.output_shape[-1]), np.float32)
    for k in range(0, len(corners), batch_size):
        batch = corners[k:k + batch_size]
        tiles = np.stack([padded[y:y + tile_in, x:x + tile_in] for y, x in batch])
        logits = np.asarray(model(tiles, training=False), np.float32)
        for (y, x), tile in zip(batch, logits):
            out[y:y + tile_out, x:x + tile_out] = tile
    return out[: image.shape[0], : image.shape[1]]
