"""``segcourse grade`` survives whatever learner code does, and reports it clearly."""

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from segcourse.grading.grade import grade

ROOT = Path(__file__).resolve().parents[1]
STUB = ROOT / "exercises" / "start-labels.ipynb"


def with_answers(tmp_path: Path, one_hot: str, frequencies: str) -> Path:
    nb = nbformat.read(STUB, as_version=4)
    answers = {"one-hot-answer": one_hot, "frequencies-answer": frequencies}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    path = tmp_path / "submission.ipynb"
    nbformat.write(nb, path)
    return path


GOOD_ONE_HOT = "def one_hot(labels, num_classes):\n    return np.eye(num_classes, dtype=np.float32)[labels]"
GOOD_FREQ = ("def class_frequencies(labels, num_classes):\n"
             "    return np.bincount(labels.ravel(), minlength=num_classes) / labels.size")


def test_endless_loop_is_a_timeout_and_other_cells_still_graded(tmp_path):
    path = with_answers(tmp_path, GOOD_ONE_HOT, "while True:\n    pass")
    start = time.perf_counter()
    report = grade(path, timeout=5)
    assert time.perf_counter() - start < 60
    status = {c.grade_id: c.status for c in report.cells}
    assert status["one-hot-check"] == "passed"
    assert status["frequencies-check"] in {"error", "failed"}  # its function was never defined
    assert any("longer than 5 s" in note for note in report.notes)
    assert report.earned == 2 and not report.passed


def test_endless_loop_inside_the_checked_function_is_reported_per_case(tmp_path):
    path = with_answers(tmp_path, GOOD_ONE_HOT, "def class_frequencies(labels, num_classes):\n    while True: pass")
    report = grade(path, timeout=30)
    cell = {c.grade_id: c for c in report.cells}["frequencies-check"]
    assert cell.status == "failed"
    assert "took longer than" in cell.detail and "an endless loop" in cell.detail


def test_megabytes_of_output_nan_and_wrong_shapes(tmp_path):
    path = with_answers(
        tmp_path,
        "def one_hot(labels, num_classes):\n    print('x' * 3_000_000)\n"
        "    return np.full(labels.shape + (num_classes,), np.nan, dtype=np.float32)",
        "def class_frequencies(labels, num_classes):\n    return np.zeros(num_classes + 1)",
    )
    report = grade(path, timeout=60)
    cells = {c.grade_id: c for c in report.cells}
    assert "got NaN" in cells["one-hot-check"].detail
    assert "other characters, not shown" in cells["one-hot-check"].detail
    assert len(report.table()) < 20_000
    assert "expected shape (2,), got shape (3,)" in cells["frequencies-check"].detail


def test_dead_kernel_is_reported_and_grading_continues(tmp_path):
    path = with_answers(tmp_path, "import os\nos._exit(1)", GOOD_FREQ)
    report = grade(path, timeout=30)
    assert any("kernel died" in note for note in report.notes)
    cells = {c.grade_id: c for c in report.cells}
    assert cells["one-hot-check"].status != "passed"
    # The fresh kernel ran the later cells, but `import numpy as np` had run in the dead one.
    assert cells["frequencies-check"].status == "failed"
    assert "NameError" in cells["frequencies-check"].detail


def test_cli_exit_codes_json_and_untouched_file(tmp_path):
    solved = with_answers(tmp_path, GOOD_ONE_HOT, GOOD_FREQ)
    before = hashlib.sha256(solved.read_bytes()).hexdigest()
    report_path = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "segcourse.cli", "grade", str(solved), "--json", str(report_path)]
    ok = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "total" in ok.stdout and "4/4" in ok.stdout and "PASSED" in ok.stdout
    data = json.loads(report_path.read_text())
    assert data["passed"] is True and data["earned"] == 4
    assert [c["grade_id"] for c in data["cells"]] == ["one-hot-check", "frequencies-check"]
    assert hashlib.sha256(solved.read_bytes()).hexdigest() == before

    stub = subprocess.run([sys.executable, "-m", "segcourse.cli", "grade", str(STUB)],
                          capture_output=True, text=True, timeout=300)
    assert stub.returncode == 1
    assert "NOT YET" in stub.stdout and "not yet" in stub.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["missing.ipynb"], "no notebook"),
    (["README.md"], "expected an .ipynb"),
])
def test_cli_bad_paths(args, message):
    out = subprocess.run([sys.executable, "-m", "segcourse.cli", "grade", *args], capture_output=True,
                         text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2 and message in out.stdout
