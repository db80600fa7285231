"""Segmentation architectures behind one call: ``build(name, input_shape, num_classes, **kw)``.

Every builder returns a Keras functional model whose output is **per-pixel logits**
``(batch, H', W', num_classes)`` — no softmax: pair it with a from-logits loss and take
``argmax`` for labels. Models use only Keras layers and the registered layers of
:mod:`segcourse.layers` (no ``Lambda``), so they round-trip through ``.keras`` files.

Adding an architecture is one decorator in its own module ``segcourse/models/<name>.py``::

    from segcourse.models import register

    @register("fcn8s")
    def build_fcn8s(input_shape, num_classes, **kw): ...

``build`` imports the package's modules on first use, so nothing else needs editing.

Examples
--------
>>> from segcourse import models                                     # doctest: +SKIP
>>> model = models.build("unet", (64, 64, 3), 3, base_filters=16)     # doctest: +SKIP
>>> model.output_shape                                               # doctest: +SKIP
(None, 64, 64, 3)
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any, Callable

__all__ = ["build", "register", "available"]

_REGISTRY: dict[str, Callable[..., Any]] = {}
_discovered = False


def register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: make ``fn(input_shape, num_classes, **kw)`` available as ``build(name, ...)``."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name: expected a non-empty string, got {name!r}")

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.__qualname__ != fn.__qualname__:
            raise ValueError(f"name: {name!r} is already registered by {existing.__module__}.{existing.__qualname__}")
        _REGISTRY[name] = fn
        return fn

    return decorate


def _discover() -> None:
    """Import every module of this package once, so their ``@register`` lines run."""
    global _discovered
    if _discovered:
        return
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("_"):
            importlib.import_module(f"segcourse.models.{info.name}")
    _discovered = True


def available() -> list[str]:
    """Names accepted by :func:`build`, sorted.

    Examples
    --------
    >>> "unet" in available()
    True
    """
    _discover()
    return sorted(_REGISTRY)


def _check_shape(input_shape: Any) -> tuple:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape: expected (height, width, channels), got {input_shape!r}")
    for v in input_shape[:2]:
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
            raise ValueError(f"input_shape: expected positive ints or None for height and width, got {input_shape!r}")
    c = input_shape[2]
    if not isinstance(c, int) or isinstance(c, bool) or c < 1:
        raise ValueError(f"input_shape: expected a positive int number of channels, got {input_shape!r}")
    return tuple(input_shape)


def build(name: str, input_shape: tuple, num_classes: int, **kwargs: Any):
    """Build the architecture ``name`` for ``input_shape`` (H, W, C) and ``num_classes`` classes.

    Keyword arguments go to the architecture's builder (see its module). Raises ``ValueError``
    for an unknown name, listing the known ones.
    """
    if name not in _REGISTRY:
        _discover()
    if name not in _REGISTRY:
        raise ValueError(f"name: expected one of {sorted(_REGISTRY)}, got {name!r}")
    input_shape = _check_shape(input_shape)
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"num_classes: expected a positive int, got {num_classes!r}")
    return _REGISTRY[name](input_shape, num_classes, **kwargs)
