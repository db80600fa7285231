"""``segcourse grade``: run a copy of an exercise notebook in a fresh kernel and score it.

The learner's file is read, never written. Each cell runs with a time limit; a cell that
runs past it is interrupted (an endless loop is reported as such) and grading goes on. A kernel
that dies is restarted for the cells after it. Output is truncated in the report, so a cell that
prints megabytes cannot flood it.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

SUMMARY = re.compile(r"^(?P<name>[\w .\-]+): (?P<passed>\d+)/(?P<total>\d+) checks passed$", re.M)
MAX_REPORT_CHARS = 2000


@dataclass
class GradedCell:
    """The verdict on one graded cell."""

    grade_id: str
    points: float
    earned: float
    status: str  # "passed", "failed", "error", "timeout", "not run"
    checks: str = ""  # e.g. "3/5" from the summary line
    detail: str = ""


@dataclass
class Report:
    path: str
    cells: list[GradedCell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def points(self) -> float:
        return sum(c.points for c in self.cells)

    @property
    def earned(self) -> float:
        return sum(c.earned for c in self.cells)

    @property
    def passed(self) -> bool:
        return bool(self.cells) and all(c.status == "passed" for c in self.cells)

    def table(self) -> str:
        """The per-exercise table printed by ``segcourse grade``."""
        rows = [("graded cell", "checks", "points", "status")]
        for c in self.cells:
            rows.append((c.grade_id, c.checks or "-", f"{c.earned:g}/{c.points:g}", c.status))
        rows.append(("total", "", f"{self.earned:g}/{self.points:g}", "PASSED" if self.passed else "NOT YET"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [f"segcourse grade: {self.path} (graded a copy in {self.seconds:.1f} s; your file was not changed)"]
        for i, row in enumerate(rows):
            if i == len(rows) - 1:
                lines.append("  ".join("-" * w for w in widths))
            lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
        for c in self.cells:
            if c.detail and c.status != "passed":
                lines.append(f"\n[{c.grade_id}] {c.status}:\n" + _indent(c.detail))
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_json(self) -> str:
        data = asdict(self)
        data.update(points=self.points, earned=self.earned, passed=self.passed)
        return json.dumps(data, indent=2)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _truncate(text: str, limit: int = MAX_REPORT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[: limit // 2] + f"\n... [{len(text) - limit:,} characters cut] ...\n" + text[-limit // 2:]


def _text(outputs) -> str:
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error" and out.get("ename") != "CheckFailed":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
    return "".join(parts)


def _feedback(text: str) -> str:
    """The checker's own lines (cases, hints, summary), without whatever else the cell printed."""
    lines = text.splitlines()
    keep = [ln for ln in lines if ln.startswith(("✓ ", "✗ ", "    hint: ")) or SUMMARY.match(ln)]
    other = len(text) - sum(len(ln) + 1 for ln in keep)
    if other > 0:
        keep.append(f"(the cell also printed {other:,} other characters, not shown)")
    return _truncate("\n".join(keep))


def _error(outputs):
    return next((o for o in outputs if o.get("output_type") == "error"), None)


def grade(path: str | Path, timeout: float = 60.0, startup_timeout: float = 60.0) -> Report:
    """Execute a copy of the notebook at ``path`` and score its graded cells.

    Parameters
    ----------
    path : str or Path
        An exercise notebook (``.ipynb``) with nbgrader metadata.
    timeout : float
        Seconds each cell may run before it is interrupted.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = Path(path)
    if path.suffix != ".ipynb":
        raise ValueError(f"path: expected an .ipynb notebook, got {path.name!r}")
    if not path.exists():
        raise FileNotFoundError(f"path: no notebook at {path}")
    if timeout <= 0:
        raise ValueError(f"timeout: expected a positive number of seconds, got {timeout}")
    nb = copy.deepcopy(nbformat.read(path, as_version=4))
    report = Report(str(path))
    graded = {i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")}
    if not graded:
        report.notes.append("this notebook has no graded cells (nbgrader metadata 'grade: true')")
        return report

    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
        startup_timeout=startup_timeout, store_widget_state=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    start = time.perf_counter()
    timed_out: set[int] = set()
    dead: set[int] = set()
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    position = 0
    while position < len(code_cells):  # one pass per kernel: a dead kernel is replaced by a fresh one
        # A fresh manager each pass: reusing the dead kernel's manager races with its shutdown
        # ("Kernel died before replying to kernel_info").
        client.km, client.kc = None, None
        with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's own log, not learner output
            while position < len(code_cells):
                index = code_cells[position]
                position += 1
                cell = nb.cells[index]
                cell.outputs = []
                cell_start = time.perf_counter()
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    timed_out.add(index)
                except DeadKernelError:
                    dead.add(index)
                    report.notes.append(f"the kernel died in cell {index}; a fresh one ran the cells after it")
                    break
                err = _error(cell.outputs)
                if err is not None and err.get("ename") == "KeyboardInterrupt" and \
                        time.perf_counter() - cell_start >= timeout * 0.9:
                    timed_out.add(index)
                if index in graded:
                    continue
                if index in timed_out:
                    report.notes.append(f"cell {index} ran longer than {timeout:g} s and was interrupted")
                elif err is not None:
                    report.notes.append(f"cell {index} raised {err.get('ename')}: "
                                        f"{_truncate(err.get('evalue', ''), 200)}")
    report.seconds = time.perf_counter() - start

    for index in sorted(graded):
        cell = nb.cells[index]
        meta = cell.metadata["nbgrader"]
        points = float(meta.get("points", 1))
        text = _text(cell.outputs)
        match = None
        for match in SUMMARY.finditer(text):
            pass  # keep the last summary line
        checks = f"{match['passed']}/{match['total']}" if match else ""
        err = _error(cell.outputs)
        if index in dead:
            status, detail = "error", "the kernel died while running this cell"
        elif index in timed_out:
            status, detail = "timeout", f"ran longer than {timeout:g} s and was interrupted (an endless loop?)"
        elif err is None:
            status, detail = "passed", ""
        elif err.get("ename") == "CheckFailed":
            status, detail = "failed", _feedback(text)
        else:
            status, detail = "error", _truncate(text)
        earned = points if status == "passed" else 0.0
        report.cells.append(GradedCell(meta["grade_id"], points, earned, status, checks, detail))
    return report


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``segcourse grade``."""
    import argparse

    parser = argparse.ArgumentParser(prog="segcourse grade", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="exercise notebook(s) to grade")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    parser.add_argument("--json", type=Path, help="also write the report(s) as JSON to this file")
    args = parser.parse_args(argv)
    reports, ok = [], True
    for path in args.notebooks:
        try:
            report = grade(path, timeout=args.timeout)
        except (ValueError, FileNotFoundError) as exc:
            print(f"segcourse grade: {exc}")
            return 2
        print(report.table())
        print()
        reports.append(json.loads(report.to_json()))
        ok = ok and report.passed
    if args.json:
        args.json.write_text(json.dumps(reports if len(reports) > 1 else reports[0], indent=2))
    return 0 if ok else 1
