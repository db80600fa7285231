"""One call at the top of every chapter: quiet, seeded, deterministic, fast.

``setup()`` must run before TensorFlow is imported anywhere in the process, because
TensorFlow reads its logging variables once, at import.

* **Quiet.** ``TF_CPP_MIN_LOG_LEVEL=3`` hides TensorFlow's C++ INFO/WARNING/ERROR lines.
  The one line it does not hide (oneDNN's "custom operations are on" banner, printed during
  ``import tensorflow``) is swallowed by pointing file descriptor 2 at ``/dev/null`` for the
  duration of the import. oneDNN itself stays **on**: it is the fast CPU path (turning it off
  cost 1.5-1.8x on this kind of machine).
* **Seeded and deterministic.** Python, NumPy and Keras are seeded and TensorFlow's op
  determinism is enabled, so two runs print the same numbers.
* **Fast.** The precision policy is ``mixed_bfloat16`` where the CPU computes bfloat16 natively
  (AVX512-BF16 or AMX), otherwise ``float32``. Override with ``precision=`` or the
  ``SEGCOURSE_PRECISION`` environment variable.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PRECISIONS = ("auto", "float32", "mixed_bfloat16")
_BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


@dataclass(frozen=True)
class EnvReport:
    """What :func:`setup` chose; ``str()`` gives the one-line report."""

    seed: int
    tensorflow: str | None
    precision: str
    reason: str

    def __str__(self) -> str:
        if self.tensorflow is None:
            return f"segcourse.env: seed {self.seed}, numpy only (TensorFlow not imported)"
        return (
            f"segcourse.env: seed {self.seed}, TensorFlow {self.tensorflow} (oneDNN on, op determinism on), "
            f"precision {self.precision} ({self.reason})"
        )


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> set[str]:
    """Feature flags of the first CPU listed in ``cpuinfo`` (empty where there is no such file).

    Examples
    --------
    >>> isinstance(cpu_flags(), set)
    True
    """
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def choose_precision(precision: str = "auto", flags: set[str] | None = None) -> tuple[str, str]:
    """Resolve a precision request to a Keras dtype-policy name and the reason for it.

    Examples
    --------
    >>> choose_precision("auto", flags={"avx512_bf16"})
    ('mixed_bfloat16', 'CPU has native bfloat16: avx512_bf16')
    >>> choose_precision("auto", flags=set())
    ('float32', 'CPU has no native bfloat16')
    >>> choose_precision("float32")
    ('float32', 'requested')
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision: expected one of {PRECISIONS}, got {precision!r}")
    if precision != "auto":
        return precision, "requested"
    native = sorted(set(_BF16_CPU_FLAGS) & (cpu_flags() if flags is None else flags))
    if native:
        return "mixed_bfloat16", "CPU has native bfloat16: " + ", ".join(native)
    return "float32", "CPU has no native bfloat16"


@contextlib.contextmanager
def _stderr_fd_silenced():
    """Point file descriptor 2 at /dev/null (C++ logs bypass ``sys.stderr``)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly():
    """Import TensorFlow with its import-time log lines swallowed; returns the module."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _stderr_fd_silenced():
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
    return tf


def setup(seed: int = 0, precision: str | None = None, tensorflow: bool = True, verbose: bool = True) -> EnvReport:
    """Make the process quiet, seeded, deterministic and fast; print a one-line report.

    Parameters
    ----------
    seed : int
        Seed for Python's ``random``, NumPy's global generator and Keras.
    precision : {"auto", "float32", "mixed_bfloat16"}, optional
        Keras dtype policy. Default: ``$SEGCOURSE_PRECISION`` or ``"auto"``.
    tensorflow : bool
        ``False`` for numpy-only chapters: TensorFlow is not imported at all.
    verbose : bool
        Print the report line.

    Examples
    --------
    >>> report = setup(seed=1, tensorflow=False, verbose=False)
    >>> str(report)
    'segcourse.env: seed 1, numpy only (TensorFlow not imported)'
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    if not tensorflow:
        report = EnvReport(seed, None, "float32", "numpy only")
    else:
        tf = import_tensorflow_quietly()
        import keras

        keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()
        policy, reason = choose_precision(precision or os.environ.get("SEGCOURSE_PRECISION", "auto"))
        keras.mixed_precision.set_dtype_policy(policy)
        report = EnvReport(seed, tf.__version__, policy, reason)
    if verbose:
        print(report)
    return report
