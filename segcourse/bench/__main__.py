"""``python -m segcourse.bench`` / ``segcourse bench``: print every performance figure.

Usage: ``segcourse bench [AREA ...] [--quick]`` with areas classical, ops, data, train, widgets.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

AREAS = ("classical", "ops", "data", "widgets", "train")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="segcourse bench", description="Print the course's performance figures.")
    parser.add_argument("areas", nargs="*", choices=[[], *AREAS], default=[], metavar="AREA",
                        help=f"any of {', '.join(AREAS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and smaller runs")
    args = parser.parse_args(argv)
    from segcourse.env import import_tensorflow_quietly

    if set(args.areas or AREAS) - {"classical"}:
        import_tensorflow_quietly()  # once, before any area imports it with its log noise
    print(f"segcourse bench on {os.cpu_count()} cores ({'quick' if args.quick else 'full'})")
    missed = 0
    for area in args.areas or AREAS:
        try:
            module = importlib.import_module(f"segcourse.bench.{area}")
        except ModuleNotFoundError as exc:
            if exc.name == f"segcourse.bench.{area}":
                print(f"\n[{area}] no benchmarks yet")
                continue
            raise
        start = time.perf_counter()
        print(f"\n[{area}]")
        for result in module.run(quick=args.quick):
            print(result.line(), flush=True)
            missed += not result.ok
        print(f"({time.perf_counter() - start:.0f} s)")
    print(f"\n{'all targets met' if not missed else f'{missed} target(s) missed'}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
