"""Data benchmarks: synthetic generation rate per family and tf.data pipeline throughput.

Targets: every family generates at least 2,000 images of 64x64 per second (DESIGN.md), and
the input pipeline (cached, shuffled, augmented, batched, prefetched) delivers images far
faster than a CPU trains on them, so training never waits for data.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from segcourse.bench._core import Result  # noqa: E402
from segcourse.data import synthetic  # noqa: E402

GENERATION_TARGET = 2000.0  # images of 64x64 per second
PIPELINE_TARGET = 2000.0


def generation_rate(family: str, n: int = 512, size: int = 64, repeat: int = 3) -> float:
    """Best images/s of ``synthetic.make(family, n, size)`` over ``repeat`` runs (new seeds)."""
    synthetic.make(family, 32, size, seed=10**6)  # warm-up: caches, first-call costs
    best = float("inf")
    for r in range(repeat):
        start = time.perf_counter()
        synthetic.make(family, n, size, seed=r)
        best = min(best, time.perf_counter() - start)
    return n / best


def pipeline_rates(quick: bool = False) -> dict[str, float]:
    """Images/s delivered by three pipelines over 64x64 ``pets`` (batch 32)."""
    from segcourse.env import import_tensorflow_quietly

    import_tensorflow_quietly()
    from segcourse.data import pipeline
    from segcourse.data.augment import PairedAugment

    n = 512 if quick else 2048
    batches = 15 if quick else 60
    x, y = synthetic.make("pets", n, 64, seed=0)
    aug = PairedAugment(flip_lr=True, rot90=True, brightness=0.1, contrast=0.2)
    out = {}
    ds = pipeline.from_arrays(x, y, 32, repeat=True)
    out["cached"] = pipeline.throughput(ds, batches).images_per_second
    ds = pipeline.from_arrays(x, y, 32, repeat=True, augment=aug)
    out["cached + paired augmentation"] = pipeline.throughput(ds, batches).images_per_second
    ds = pipeline.stream("pets", 64, batch_size=32)
    out["generated on the fly (stream)"] = pipeline.throughput(ds, batches // 2).images_per_second
    return out


def run(quick: bool = False) -> list[Result]:
    """Generation rate of every family at 64x64 and the pipelines' throughput."""
    results = []
    for family in synthetic.FAMILIES:
        rate = generation_rate(family, n=256 if quick else 1024, repeat=2 if quick else 3)
        results.append(Result(f"synthetic {family} 64x64", rate, "img/s", f">= {GENERATION_TARGET:.0f}",
                              rate >= GENERATION_TARGET))
    for name, rate in pipeline_rates(quick).items():
        target = PIPELINE_TARGET if name != "generated on the fly (stream)" else GENERATION_TARGET / 2
        results.append(Result(f"tf.data {name}", rate, "img/s", f">= {target:.0f}", rate >= target))
    return results


if __name__ == "__main__":
    for r in run():
        print(r.line())
