"""Student and instructor notebooks from one exercise source.

An exercise is written once, as a MyST markdown notebook ``exercises/source/<name>.md`` in
nbgrader's format:

* a cell the learner completes has ``nbgrader: {solution: true, grade_id: ...}`` metadata and
  its answer between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (text after
  ``BEGIN SOLUTION`` on that line is the hint shown in the stub);
* a graded check cell has ``nbgrader: {grade: true, grade_id: ..., points: N}`` and calls a
  check from :mod:`segcourse.grading.exercises`; ``### BEGIN HIDDEN TESTS`` ...
  ``### END HIDDEN TESTS`` regions are for instructors only.

From it, :func:`student_notebook` makes the committed ``exercises/<name>.ipynb``: answers
replaced by stubs that raise ``NotImplementedError`` with the hint, hidden tests removed, and
each graded cell holding the output a correct answer produces (its summary line), which is what
``pytest --nbval`` compares. :func:`instructor_notebook` keeps answers and hidden tests, with
complete nbgrader metadata, for ``nbgrader generate_assignment``.
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path

import nbformat

SOURCE_DIR = "source"
BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
STUB_LINE = "raise NotImplementedError({hint!r})"
DEFAULT_HINT = "replace this line with your code"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class ExerciseFormatError(ValueError):
    """The exercise source breaks the nbgrader format (names the cell and the problem)."""


def read_source(path: str | Path) -> nbformat.NotebookNode:
    """Read an exercise source (MyST markdown or .ipynb) as a notebook with full nbgrader metadata."""
    import jupytext

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"path: no exercise source at {path}")
    nb = jupytext.read(path)
    ids = set()
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        has_solution = _has_marker(cell.source, BEGIN_SOLUTION)
        if meta is None:
            if has_solution or _has_marker(cell.source, BEGIN_HIDDEN):
                raise ExerciseFormatError(f"{path.name}, cell {index}: marked regions need nbgrader metadata")
            continue
        full = {"schema_version": 3, "grade": False, "solution": False, "locked": False, "task": False}
        full.update(meta)
        if not full.get("grade_id"):
            raise ExerciseFormatError(f"{path.name}, cell {index}: nbgrader metadata needs a grade_id")
        if full["grade_id"] in ids:
            raise ExerciseFormatError(f"{path.name}, cell {index}: duplicate grade_id {full['grade_id']!r}")
        ids.add(full["grade_id"])
        if full["grade"]:
            full.setdefault("points", 1)
            full["locked"] = not full["solution"]
        if has_solution and not full["solution"]:
            raise ExerciseFormatError(f"{path.name}, cell {index}: a solution region needs 'solution: true'")
        cell.metadata["nbgrader"] = full
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb


def _has_marker(source: str, marker: str) -> bool:
    return any(marker in line for line in source.splitlines())


def _replace_regions(source: str, begin: str, end: str, replacement) -> str:
    """Replace each ``begin``..``end`` region (marker lines included) by ``replacement(indent, hint)``."""
    out, region = [], None
    for line in source.splitlines():
        if begin in line:
            if region is not None:
                raise ExerciseFormatError(f"nested {begin!r} region")
            indent = line[: len(line) - len(line.lstrip())]
            hint = line.split(begin, 1)[1].strip(" :-#") or None
            region = (indent, hint)
        elif end in line:
            if region is None:
                raise ExerciseFormatError(f"{end!r} without {begin!r}")
            out.extend(replacement(*region))
            region = None
        elif region is None:
            out.append(line)
    if region is not None:
        raise ExerciseFormatError(f"unterminated {begin!r} region")
    return "\n".join(out)


def strip_solutions(source: str) -> str:
    """Replace solution regions with a stub that raises ``NotImplementedError(hint)``.

    Examples
    --------
    >>> print(strip_solutions("def f(x):\\n    ### BEGIN SOLUTION square it\\n    return x * x\\n    ### END SOLUTION"))
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError('square it')
    """

    def stub(indent: str, hint: str | None):
        return [f"{indent}# YOUR CODE HERE", indent + STUB_LINE.format(hint=hint or DEFAULT_HINT)]

    return _replace_regions(source, BEGIN_SOLUTION, END_SOLUTION, stub)


def strip_hidden_tests(source: str) -> str:
    """Remove hidden-test regions.

    Examples
    --------
    >>> strip_hidden_tests("a\\n### BEGIN HIDDEN TESTS\\nb\\n### END HIDDEN TESTS\\nc")
    'a\\nc'
    """
    return _replace_regions(source, BEGIN_HIDDEN, END_HIDDEN, lambda indent, hint: [])


def keep_answers(source: str) -> str:
    """Drop the solution marker lines and keep the answer, as a learner who solved it would have it.

    Examples
    --------
    >>> keep_answers("x = 1\\n### BEGIN SOLUTION\\ny = 2\\n### END SOLUTION")
    'x = 1\\ny = 2'
    """
    lines = [ln for ln in source.splitlines() if BEGIN_SOLUTION not in ln and END_SOLUTION not in ln]
    return "\n".join(lines)


def graded_cells(nb) -> list[tuple[int, dict]]:
    """(index, nbgrader metadata) of every graded cell."""
    return [(i, c.metadata["nbgrader"]) for i, c in enumerate(nb.cells)
            if c.metadata.get("nbgrader", {}).get("grade")]


def clear_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)


def solved_visible_notebook(source_nb) -> nbformat.NotebookNode:
    """What a learner who solved everything would have: answers in, hidden tests out, no outputs."""
    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = keep_answers(strip_hidden_tests(cell.source))
    clear_outputs(nb)
    return nb


def execute(nb, cwd: str | Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel (raises on the first error)."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                   store_widget_state=False).execute(stderr=subprocess.DEVNULL)  # kernel's own log noise
    return nb


def student_notebook(source_nb, cwd: str | Path) -> nbformat.NotebookNode:
    """The release version: stubs, no hidden tests, expected outputs in graded cells only."""
    solved = execute(solved_visible_notebook(source_nb), cwd)
    student = copy.deepcopy(source_nb)
    count = 0
    for index, (cell, solved_cell) in enumerate(zip(student.cells, solved.cells)):
        cell.metadata.pop("execution", None)
        cell.id = f"cell-{index}"  # stable ids keep regenerated notebooks byte-identical
        if cell.cell_type != "code":
            continue
        count += 1
        meta = cell.metadata.get("nbgrader", {})
        cell.source = strip_solutions(strip_hidden_tests(cell.source))
        if meta.get("grade"):
            cell.outputs = [_clean_output(o) for o in solved_cell.outputs]
            cell.execution_count = count
        else:
            cell.outputs = []
            cell.execution_count = None
        if meta.get("locked"):
            cell.metadata["deletable"] = False
            cell.metadata["editable"] = False
    student.metadata.pop("widgets", None)
    return student


def _clean_output(output):
    output = copy.deepcopy(output)
    output.pop("metadata", None) if output.get("output_type") == "stream" else None
    if output.get("output_type") == "execute_result":
        output["execution_count"] = None
    return output


def instructor_notebook(source_nb) -> nbformat.NotebookNode:
    """Answers and hidden tests kept, full nbgrader metadata: a ``source/`` notebook for nbgrader."""
    nb = copy.deepcopy(source_nb)
    clear_outputs(nb)
    return nb


def exercise_names(exercises_dir: str | Path) -> list[str]:
    """Names of the exercises that have a source in ``exercises/source/``."""
    return sorted(p.stem for p in (Path(exercises_dir) / SOURCE_DIR).glob("*.md"))


def normalise(nb) -> str:
    """Canonical JSON for comparing a committed notebook with a regenerated one."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("language_info", None)
    return re.sub(r"\s+\n", "\n", nbformat.writes(nb))


def build_student(name: str, exercises_dir: str | Path) -> Path:
    """Regenerate ``exercises/<name>.ipynb`` from ``exercises/source/<name>.md``; returns its path."""
    exercises_dir = Path(exercises_dir)
    nb = student_notebook(read_source(exercises_dir / SOURCE_DIR / f"{name}.md"), exercises_dir)
    out = exercises_dir / f"{name}.ipynb"
    nbformat.write(nb, out)
    return out
