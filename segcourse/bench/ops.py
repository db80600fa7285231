"""Performance figures for Parts II–III (``segcourse.ops``).

* ``conv2d_transpose`` on a 1x64x64x16 input with a 3x3x16x16 kernel, stride 2, "SAME",
  as a ratio to ``tf.nn.conv2d_transpose`` measured in the same process (< 5x);
* extra rows (no target): ``conv2d`` against ``tf.nn.conv2d`` on the same sizes,
  ``max_pool_with_argmax`` against ``tf.nn.max_pool_with_argmax``, and the chapter
  *From sliding windows to FCNs*: a batched sliding-window patch classifier against the same
  network run fully convolutionally on a 64x64 image (speed-up of the FCN).
"""

from __future__ import annotations

import os
import time

import numpy as np

from segcourse.bench._core import Result, best_time


def run(quick: bool = False) -> list[Result]:
    """Measure the ops figures; ``quick`` uses fewer repeats (same sizes)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    from segcourse import ops

    repeat = 3 if quick else 7
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 64, 64, 16)).astype(np.float32)
    w = rng.normal(size=(3, 3, 16, 16)).astype(np.float32)
    out_shape = (1, 128, 128, 16)
    xt, wt = tf.constant(x), tf.constant(w)
    results: list[Result] = []

    ours, ref = _interleaved(lambda: ops.conv2d_transpose(x, w, out_shape, 2, "SAME"),
                             lambda: tf.nn.conv2d_transpose(xt, wt, out_shape, 2, "SAME").numpy(),
                             repeat=2 * repeat, number=10)
    ratio = ours / ref
    results.append(Result("conv2d_transpose 64x64x16 s2 / tf.nn", ratio, "x", "< 5", ratio < 5))
    if not quick:
        results.append(Result("  ours (ms)", 1000 * ours, "ms", "-", True))
        c_ours = best_time(lambda: ops.conv2d(x, w, 1, "SAME"), repeat, number=10)
        c_ref = best_time(lambda: tf.nn.conv2d(xt, wt, 1, "SAME").numpy(), repeat, number=10)
        results.append(Result("conv2d 64x64x16 3x3 / tf.nn", c_ours / c_ref, "x", "-", True))
        big = rng.normal(size=(4, 128, 128, 16)).astype(np.float32)
        bt = tf.constant(big)
        p_ours = best_time(lambda: ops.max_pool_with_argmax(big, 2), repeat, number=5)
        p_ref = best_time(lambda: [t.numpy() for t in tf.nn.max_pool_with_argmax(bt, 2, 2, "VALID")],
                          repeat, number=5)
        results.append(Result("max_pool_with_argmax 4x128x128x16 / tf.nn", p_ours / p_ref, "x", "-", True))
        sw, fcn = _sliding_window_vs_fcn(repeat)
        results.append(Result("sliding window / FCN, 64x64 (speed-up)", sw / fcn, "x", "-", True))
    return results


def _interleaved(fn_a, fn_b, repeat: int, number: int) -> tuple[float, float]:
    """Best seconds per call of two functions, timed in alternation.

    On a shared machine the load changes from one second to the next; alternating the two
    measurements exposes both to the same conditions, so their ratio is stable.
    """
    fn_a(), fn_b()
    best_a = best_b = float("inf")
    for _ in range(repeat):
        for fn, which in ((fn_a, 0), (fn_b, 1)):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            elapsed = (time.perf_counter() - start) / number
            if which == 0:
                best_a = min(best_a, elapsed)
            else:
                best_b = min(best_b, elapsed)
    return best_a, best_b


def _sliding_window_vs_fcn(repeat: int) -> tuple[float, float]:
    """Seconds for the chapter's 17x17 patch classifier: batched sliding window, one FCN pass."""
    import keras

    rng = np.random.default_rng(0)
    size, radius = 64, 8
    patch = 2 * radius + 1
    convs = [keras.layers.Conv2D(16, 5, activation="relu"), keras.layers.Conv2D(32, 5, activation="relu"),
             keras.layers.Conv2D(32, 5, activation="relu"), keras.layers.Conv2D(64, 5, activation="relu"),
             keras.layers.Conv2D(2, 1)]
    inputs = keras.Input((None, None, 3))
    h = inputs
    for layer in convs:
        h = layer(h)
    net = keras.Model(inputs, h)  # same weights serve both: patches give 1x1 outputs
    image = rng.random((size + 2 * radius, size + 2 * radius, 3)).astype(np.float32)

    def sliding():
        win = np.lib.stride_tricks.sliding_window_view(image, (patch, patch), axis=(0, 1))
        return np.asarray(net(win.reshape(-1, 3, patch, patch).transpose(0, 2, 3, 1)))

    def fcn():
        return np.asarray(net(image[None]))

    return best_time(sliding, repeat), best_time(fcn, repeat)


if __name__ == "__main__":  # pragma: no cover
    for r in run():
        print(r.line())
