"""The ``segcourse`` command: grade exercises, manage exercise notebooks, benchmark, train.

Each subcommand's work lives in its own module; this file only dispatches, and imports that
module when the subcommand runs (so ``segcourse --help`` never waits for TensorFlow).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

# name -> (module with a main(argv) -> int, one-line help)
SUBCOMMANDS = {
    "grade": ("segcourse.grading.grade", "grade an exercise notebook (runs a copy; never edits your file)"),
    "exercises": ("segcourse.cli", "regenerate or check student notebooks; write instructor notebooks"),
    "chapter": ("segcourse.chapters", "run book chapters top to bottom as notebooks and time them"),
    "bench": ("segcourse.bench.__main__", "print the performance figures of this machine"),
    "train": ("segcourse.train", "train a model on a dataset with a time budget"),
}


def exercises_main(argv: list[str] | None = None) -> int:
    """``segcourse exercises {build,check,instructor}``."""
    from segcourse.grading import notebooks

    parser = argparse.ArgumentParser(prog="segcourse exercises")
    parser.add_argument("action", choices=["build", "check", "instructor"],
                        help="build: regenerate exercises/<name>.ipynb from exercises/source/<name>.md; "
                             "check: fail if a committed student notebook is out of date; "
                             "instructor: write nbgrader source notebooks (answers + hidden tests) to --out")
    parser.add_argument("names", nargs="*", help="exercise names (default: all)")
    parser.add_argument("--dir", type=Path, default=Path("exercises"), help="exercises folder (default ./exercises)")
    parser.add_argument("--out", type=Path, default=Path("instructor"), help="output folder for 'instructor'")
    args = parser.parse_args(argv)
    names = args.names or notebooks.exercise_names(args.dir)
    if not names:
        print(f"segcourse exercises: no sources in {args.dir / notebooks.SOURCE_DIR}")
        return 2
    stale = []
    for name in names:
        source = notebooks.read_source(args.dir / notebooks.SOURCE_DIR / f"{name}.md")
        if args.action == "instructor":
            import nbformat

            args.out.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebooks.instructor_notebook(source), args.out / f"{name}.ipynb")
            print(f"wrote {args.out / (name + '.ipynb')}")
            continue
        fresh = notebooks.student_notebook(source, args.dir)
        target = args.dir / f"{name}.ipynb"
        if args.action == "build":
            import nbformat

            nbformat.write(fresh, target)
            print(f"wrote {target}")
        elif not target.exists() or notebooks.normalise(fresh) != notebooks.normalise(
                __import__("nbformat").read(target, as_version=4)):
            stale.append(str(target))
    if stale:
        print("out of date (run `segcourse exercises build`):\n  " + "\n  ".join(stale))
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="segcourse",
        description="Tools of the segcourse course book on image semantic segmentation.",
        epilog="Run `segcourse <command> --help` for a command's options.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="command")
    for name, (_, help_text) in SUBCOMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] in {"-h", "--help"}:
        parser.print_help()
        return 0
    if argv[0] == "--version":
        from segcourse import __version__

        print(__version__)
        return 0
    command, rest = argv[0], argv[1:]
    if command not in SUBCOMMANDS:
        parser.print_usage()
        print(f"segcourse: unknown command {command!r}; expected one of {', '.join(SUBCOMMANDS)}")
        return 2
    if command == "exercises":
        return exercises_main(rest)
    module = importlib.import_module(SUBCOMMANDS[command][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
