"""The grading is real: for every exercise, answers pass every check and stubs fail every graded one.

Also: committed student notebooks are up to date with their sources, ``pytest --nbval`` fails on
the stubs and passes on solved notebooks, and ``segcourse grade`` never touches the learner's file.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from segcourse.grading import notebooks as nbs
from segcourse.grading.grade import grade

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
NAMES = nbs.exercise_names(EXERCISES)


def solved_copy(name: str, folder: Path) -> Path:
    """The committed student notebook with each stub replaced by the reference answer."""
    source = nbs.read_source(EXERCISES / nbs.SOURCE_DIR / f"{name}.md")
    solved = nbs.solved_visible_notebook(source)
    student = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    for cell, answer in zip(student.cells, solved.cells):
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answer.source
    out = folder / f"{name}.ipynb"
    nbformat.write(student, out)
    return out


def test_every_exercise_has_a_student_notebook_and_checks():
    assert NAMES, "no exercise sources found"
    for name in NAMES:
        assert (EXERCISES / f"{name}.ipynb").exists(), f"run `segcourse exercises build {name}`"
        graded = nbs.graded_cells(nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4))
        assert graded, f"{name}: no graded cells"


@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_is_up_to_date(name):
    fresh = nbs.student_notebook(nbs.read_source(EXERCISES / nbs.SOURCE_DIR / f"{name}.md"), EXERCISES)
    committed = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    assert nbs.normalise(fresh) == nbs.normalise(committed), f"run `segcourse exercises build {name}`"


@pytest.mark.parametrize("name", NAMES)
def test_stub_fails_every_graded_check_and_file_is_untouched(name):
    path = EXERCISES / f"{name}.ipynb"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    report = grade(path, timeout=60)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "grading modified the learner's file"
    assert report.cells, "no graded cells found"
    passing = [c.grade_id for c in report.cells if c.status == "passed"]
    assert passing == [], f"{name}: graded cells pass on the untouched stub: {passing}"
    assert report.earned == 0


@pytest.mark.parametrize("name", NAMES)
def test_reference_answers_pass_every_check(name, tmp_path):
    report = grade(solved_copy(name, tmp_path), timeout=60)
    failing = {c.grade_id: c.detail for c in report.cells if c.status != "passed"}
    assert failing == {}, f"{name}: reference answers fail: {failing}"
    assert report.earned == report.points > 0
    assert report.seconds < 30, f"{name}: grading took {report.seconds:.1f} s (budget 30 s)"


def _nbval(paths: list[Path], tmp_path: Path, tag: str) -> dict[str, int]:
    """Run ``pytest --nbval`` on notebooks; return failures per notebook."""
    junit = tmp_path / f"{tag}.xml"
    subprocess.run([sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", "-q",
                    f"--junitxml={junit}", "-o", "addopts=", *(p.name for p in paths)],
                   capture_output=True, text=True, cwd=paths[0].parent, timeout=900)
    failures = {p.stem: 0 for p in paths}
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    assert cases, "nbval collected nothing"
    for case in cases:  # nbval names each item "<notebook>.ipynb::Cell N"
        if case.find("failure") is not None or case.find("error") is not None:
            failures[Path(case.get("classname")).stem] += 1
    return failures


def test_nbval_fails_on_stubs_and_passes_on_solved_notebooks(tmp_path):
    stubs_dir, solved_dir = tmp_path / "stubs", tmp_path / "solved"
    stubs_dir.mkdir()
    solved_dir.mkdir()
    stubs = []
    for name in NAMES:
        target = stubs_dir / f"{name}.ipynb"
        target.write_bytes((EXERCISES / f"{name}.ipynb").read_bytes())
        stubs.append(target)
    solved = [solved_copy(name, solved_dir) for name in NAMES]
    stub_failures = _nbval(stubs, tmp_path, "stubs")
    solved_failures = _nbval(solved, tmp_path, "solved")
    assert all(stub_failures[n] > 0 for n in NAMES), f"nbval passed an untouched stub: {stub_failures}"
    assert all(solved_failures[n] == 0 for n in NAMES), f"nbval failed a solved notebook: {solved_failures}"
