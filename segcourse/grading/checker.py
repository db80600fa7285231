"""Checks for exercise notebooks: specific feedback, then one deterministic summary line.

A check cell builds a :class:`Checker`, runs cases against the learner's function and calls
:meth:`Checker.done`. Every case is isolated: an exception, a NaN, a wrong shape or an endless
loop in learner code becomes a failed case with a message, never a crash of the checker.

On success the cell prints one line per case and ``<exercise>: N/N checks passed``; that text is
stored in the student notebook as the expected output, so ``pytest --nbval`` compares it. On
failure the cell prints the same lines with the failures explained and raises
:class:`CheckFailed` (nbgrader and ``segcourse grade`` count a graded cell as failed when it raises).

Examples
--------
>>> c = Checker("double", time_limit=None)
>>> c.expect_equal("two", lambda: 2 * 2, 4)
>>> c.done()
✓ two
double: 1/1 checks passed
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

NOT_YET = "not yet: the function still raises NotImplementedError; replace the stub with your code"


class CheckFailed(AssertionError):
    """Raised by :meth:`Checker.done` when a case failed; shows one short line, not a traceback."""

    def _render_traceback_(self):  # IPython calls this instead of printing a traceback
        return [f"CheckFailed: {self}"]


class CaseTimeout(Exception):
    """Learner code ran past the case's time limit."""


@dataclass
class CaseResult:
    case: str
    passed: bool
    message: str = ""
    hint: str = ""


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Interrupt the block with :class:`CaseTimeout` after ``seconds`` (main thread, Unix only)."""
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _raise(signum, frame):
        raise CaseTimeout(f"took longer than {seconds:g} s (an endless loop?)")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def describe(value: Any, limit: int = 120) -> str:
    """A short, readable description of a value for feedback messages.

    Examples
    --------
    >>> describe(np.zeros((3, 4)))
    'array of shape (3, 4), dtype float64'
    >>> describe(3.14159)
    '3.14159'
    """
    if isinstance(value, np.ndarray):
        if value.size <= 6 and value.ndim <= 1:
            return f"array {np.array2string(value, precision=4, separator=', ')} (dtype {value.dtype})"
        return f"array of shape {value.shape}, dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compare_arrays(got: Any, expected: np.ndarray, atol: float = 0.0, rtol: float = 0.0) -> str | None:
    """Why ``got`` does not match ``expected`` (``None`` when it does).

    Checks, in order: array-like, shape, NaN/inf, then values (reporting the first mismatch).

    Examples
    --------
    >>> compare_arrays(np.ones(3), np.ones(3)) is None
    True
    >>> compare_arrays(np.ones(2), np.ones(3))
    'expected shape (3,), got shape (2,)'
    >>> compare_arrays(np.array([1.0, np.nan]), np.ones(2))
    'got NaN at 1 position(s), first at index (1,)'
    """
    expected = np.asarray(expected)
    if got is None:
        return "got None: did you forget to return the result?"
    try:
        got_arr = np.asarray(got)
    except Exception:  # noqa: BLE001 - anything unconvertible is the learner's to fix
        return f"expected an array, got {type(got).__name__}"
    if got_arr.dtype.kind not in "biufc":
        return f"expected a numeric array, got {describe(got)}"
    if got_arr.shape != expected.shape:
        return f"expected shape {expected.shape}, got shape {got_arr.shape}"
    if got_arr.dtype.kind in "fc":
        nan = np.isnan(got_arr) & ~np.isnan(expected) if expected.dtype.kind in "fc" else np.isnan(got_arr)
        if nan.any():
            first = tuple(int(i) for i in np.argwhere(nan)[0])
            return f"got NaN at {int(nan.sum())} position(s), first at index {first}"
    close = np.isclose(got_arr, expected, atol=atol, rtol=rtol, equal_nan=True)
    if close.all():
        return None
    if expected.size <= 6:
        return f"expected {describe(expected)}, got {describe(got_arr)}"
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    return (
        f"{len(wrong)} of {expected.size} values differ; first at index {first}: "
        f"expected {expected[first]!r}, got {got_arr[first]!r}"
    )


class Checker:
    """Collects the cases of one exercise and prints the verdict.

    Parameters
    ----------
    exercise : str
        Name printed in the summary line, e.g. ``"otsu"``.
    time_limit : float or None
        Seconds each case may run before it counts as an endless loop.
    """

    def __init__(self, exercise: str, time_limit: float | None = 10.0):
        self.exercise = exercise
        self.time_limit = time_limit
        self.results: list[CaseResult] = []
        self._timed_out = False

    def _run(self, call: Callable[[], Any]) -> tuple[bool, Any]:
        """Run learner code; returns (ok, value) or (False, message)."""
        if self._timed_out:  # one endless loop is enough: do not wait for it once per case
            return False, "not run: an earlier case ran past the time limit"
        try:
            with _time_limit(self.time_limit):
                return True, call()
        except NotImplementedError:
            return False, NOT_YET
        except CaseTimeout as exc:
            self._timed_out = True
            return False, str(exc)
        except Exception as exc:  # noqa: BLE001 - learner code may raise anything
            return False, f"raised {type(exc).__name__}: {exc}"

    def record(self, case: str, failure: str | None, hint: str = "") -> None:
        """Record a case: ``failure`` is ``None`` for a pass, else the reason."""
        self.results.append(CaseResult(case, failure is None, failure or "", hint))

    def expect_array(self, case: str, call: Callable[[], Any], expected, *, atol: float = 1e-8,
                     rtol: float = 1e-6, hint: str = "") -> None:
        """The result of ``call()`` must be an array equal to ``expected`` within tolerance."""
        ok, got = self._run(call)
        self.record(case, compare_arrays(got, expected, atol, rtol) if ok else got, hint)

    def expect_equal(self, case: str, call: Callable[[], Any], expected, *, hint: str = "") -> None:
        """The result of ``call()`` must equal ``expected`` (numbers compared with a tiny tolerance)."""
        ok, got = self._run(call)
        if not ok:
            self.record(case, got, hint)
            return
        if isinstance(expected, (int, float, np.number)) and not isinstance(expected, bool):
            try:
                good = math.isclose(float(got), float(expected), rel_tol=1e-9, abs_tol=1e-9)
            except (TypeError, ValueError):
                good = False
        else:
            try:
                good = bool(np.all(got == expected)) and np.shape(got) == np.shape(expected)
            except Exception:  # noqa: BLE001
                good = False
        self.record(case, None if good else f"expected {describe(expected)}, got {describe(got)}", hint)

    def expect_true(self, case: str, call: Callable[[], Any], predicate: Callable[[Any], str | None],
                    *, hint: str = "") -> None:
        """``predicate(result)`` returns ``None`` when the result is right, else the reason."""
        ok, got = self._run(call)
        if not ok:
            self.record(case, got, hint)
            return
        try:
            failure = predicate(got)
        except Exception as exc:  # noqa: BLE001 - a malformed result can break the predicate
            failure = f"the result could not be checked ({type(exc).__name__}: {exc}); got {describe(got)}"
        self.record(case, failure, hint)

    @property
    def summary(self) -> str:
        passed = sum(r.passed for r in self.results)
        return f"{self.exercise}: {passed}/{len(self.results)} checks passed"

    def done(self) -> None:
        """Print one line per case and the summary; raise :class:`CheckFailed` if any case failed."""
        lines = []
        if self.results and all(r.message == NOT_YET for r in self.results):
            lines.append(f"✗ {NOT_YET} ({len(self.results)} checks waiting)")
        for r in self.results if not lines else []:
            if r.passed:
                lines.append(f"✓ {r.case}")
            else:
                lines.append(f"✗ {r.case}: {r.message}")
                if r.hint and r.message != NOT_YET and not r.message.startswith("not run"):
                    lines.append(f"    hint: {r.hint}")
        lines.append(self.summary)
        print("\n".join(lines))
        if not self.results or not all(r.passed for r in self.results):
            raise CheckFailed(self.summary)
