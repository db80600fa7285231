"""Run a book chapter (a MyST Markdown notebook) top to bottom, as a learner's kernel would.

``segcourse chapter book/01-classical/otsu.md -o otsu.ipynb`` executes the chapter in a fresh
kernel (in the chapter's folder), reports the time, and writes the executed notebook.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def execute_chapter(path: str | Path, static: bool = False, timeout: int = 300):
    """Execute a chapter; returns ``(notebook, seconds)``. Raises on the first failing cell.

    ``static=True`` renders explorers as their static twins, as the web book does.
    """
    import jupytext
    from nbclient import NotebookClient

    path = Path(path)
    if path.suffix != ".md" or not path.exists():
        raise ValueError(f"path: expected an existing book chapter (.md), got {str(path)!r}")
    nb = jupytext.read(path)
    env = dict(os.environ, SEGCOURSE_STATIC="1" if static else "0")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.perf_counter()
    client.execute(env=env, stderr=subprocess.DEVNULL)
    return nb, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``segcourse chapter``."""
    import argparse

    import nbformat

    parser = argparse.ArgumentParser(prog="segcourse chapter", description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+", type=Path, help="book/**/*.md files")
    parser.add_argument("-o", "--output", type=Path, help="write the executed notebook here (one chapter)")
    parser.add_argument("--static", action="store_true", help="static explorers, as in the web book")
    args = parser.parse_args(argv)
    status = 0
    for chapter in args.chapters:
        try:
            nb, seconds = execute_chapter(chapter, static=args.static)
        except Exception as exc:  # noqa: BLE001 - report and go on to the next chapter
            print(f"FAILED {chapter}: {type(exc).__name__}: {str(exc)[-2000:]}")
            status = 1
            continue
        print(f"ok {chapter}: {seconds:.1f} s")
        if args.output and len(args.chapters) == 1:
            nbformat.write(nb, args.output)
    return status
