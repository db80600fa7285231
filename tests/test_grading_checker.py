"""The Checker: specific feedback, isolation of learner failures, one summary line."""

import numpy as np
import pytest

from segcourse.grading import Checker, CheckFailed, compare_arrays
from segcourse.grading.checker import NOT_YET


def run(checker: Checker, capsys) -> tuple[str, bool]:
    try:
        checker.done()
        passed = True
    except CheckFailed:
        passed = False
    return capsys.readouterr().out, passed


def test_all_pass_prints_cases_and_summary(capsys):
    c = Checker("square", time_limit=None)
    c.expect_equal("two", lambda: 2 * 2, 4)
    c.expect_array("vector", lambda: np.arange(3) ** 2, np.array([0, 1, 4]))
    out, passed = run(c, capsys)
    assert passed
    assert out.splitlines() == ["✓ two", "✓ vector", "square: 2/2 checks passed"]


def test_failures_name_the_case_expected_got_and_hint(capsys):
    c = Checker("square", time_limit=None)
    c.expect_equal("three", lambda: 3 + 3, 9, hint="multiply, do not add")
    c.expect_array("vector", lambda: np.array([0, 1, 5]), np.array([0, 1, 4]))
    out, passed = run(c, capsys)
    assert not passed
    assert "✗ three: expected 9, got 6" in out and "hint: multiply, do not add" in out
    assert "✗ vector: expected array [0, 1, 4]" in out
    assert out.splitlines()[-1] == "square: 0/2 checks passed"


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (None, "got None"),
        (np.ones(4), "expected shape (3,), got shape (4,)"),
        (np.array([1.0, np.nan, 1.0]), "got NaN at 1 position(s)"),
        ("abc", "expected a numeric array"),
        ([object(), 1, 2], "expected a numeric array"),
    ],
)
def test_wrong_results_are_explained(result, message, capsys):
    c = Checker("x", time_limit=None)
    c.expect_array("case", lambda: result, np.ones(3))
    out, passed = run(c, capsys)
    assert not passed and message in out


def test_learner_exceptions_and_stubs_are_isolated(capsys):
    def stub():
        raise NotImplementedError("hint")

    c = Checker("x", time_limit=None)
    c.expect_equal("raises", lambda: 1 / 0, 1)
    c.expect_equal("fine", lambda: 1, 1)
    c.expect_equal("stub", stub, 1)
    out, passed = run(c, capsys)
    assert not passed
    assert "✗ raises: raised ZeroDivisionError: division by zero" in out
    assert "✓ fine" in out and NOT_YET in out
    assert out.splitlines()[-1] == "x: 1/3 checks passed"


def test_all_stubs_collapse_into_one_not_yet_line(capsys):
    def stub():
        raise NotImplementedError

    c = Checker("x", time_limit=None)
    for i in range(4):
        c.expect_equal(f"case {i}", stub, 1)
    out, passed = run(c, capsys)
    assert not passed
    assert out.splitlines() == [f"✗ {NOT_YET} (4 checks waiting)", "x: 0/4 checks passed"]


def test_endless_loop_is_stopped_and_later_cases_skipped(capsys):
    def endless():
        while True:
            pass

    c = Checker("loop", time_limit=0.3)
    c.expect_equal("first", endless, 1)
    c.expect_equal("second", endless, 1)
    out, passed = run(c, capsys)
    assert not passed
    assert "✗ first: took longer than 0.3 s" in out
    assert "✗ second: not run: an earlier case ran past the time limit" in out


def test_predicate_that_breaks_on_a_malformed_result_is_a_failure(capsys):
    c = Checker("x", time_limit=None)
    c.expect_true("shape", lambda: 5, lambda got: None if got.shape == (2,) else "wrong")
    out, passed = run(c, capsys)
    assert not passed and "could not be checked (AttributeError" in out


def test_no_cases_is_not_a_pass(capsys):
    with pytest.raises(CheckFailed):
        Checker("empty").done()


def test_check_failed_renders_without_traceback():
    assert CheckFailed("x: 0/1 checks passed")._render_traceback_() == ["CheckFailed: x: 0/1 checks passed"]


def test_compare_arrays_tolerances():
    assert compare_arrays(np.array([1.0, 2.0 + 1e-9]), np.array([1.0, 2.0]), atol=1e-8) is None
    assert "2 of 10 values differ; first at index (3,)" in compare_arrays(
        np.r_[np.zeros(3), 1, 0, 0, 0, 0, 0, 1], np.zeros(10))
