"""Student/instructor notebook generation from an nbgrader-format source."""

import textwrap

import pytest

from segcourse.grading import notebooks as nbs


def test_strip_solutions_keeps_indentation_and_hint():
    src = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION: add one\n    return x + y\n    ### END SOLUTION\n"
    assert nbs.strip_solutions(src) == (
        "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError('add one')")


def test_strip_solutions_default_hint_and_several_regions():
    src = "### BEGIN SOLUTION\na = 1\n### END SOLUTION\nb = 2\n### BEGIN SOLUTION\nc = 3\n### END SOLUTION"
    out = nbs.strip_solutions(src)
    assert out.count("raise NotImplementedError") == 2 and "b = 2" in out and "a = 1" not in out


@pytest.mark.parametrize("bad", [
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
    "### BEGIN SOLUTION\nx = 1",
    "x = 1\n### END SOLUTION",
])
def test_malformed_regions_raise(bad):
    with pytest.raises(nbs.ExerciseFormatError):
        nbs.strip_solutions(bad)


def test_hidden_tests_removed_and_answers_kept():
    assert nbs.strip_hidden_tests("a\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\nb") == "a\nb"
    assert nbs.keep_answers("### BEGIN SOLUTION\nx = 1\n### END SOLUTION") == "x = 1"


def write_source(tmp_path, cells: str):
    header = textwrap.dedent("""\
        ---
        jupytext:
          text_representation:
            extension: .md
            format_name: myst
        kernelspec:
          display_name: Python 3
          language: python
          name: python3
        ---
        """)
    path = tmp_path / "ex.md"
    path.write_text(header + textwrap.dedent(cells))
    return path


def test_read_source_completes_nbgrader_metadata(tmp_path):
    path = write_source(tmp_path, """
        ```{code-cell} ipython3
        ---
        nbgrader: {grade_id: ans, solution: true}
        ---
        ### BEGIN SOLUTION
        x = 1
        ### END SOLUTION
        ```

        ```{code-cell} ipython3
        ---
        nbgrader: {grade_id: chk, grade: true, points: 3}
        ---
        assert x == 1
        ```
        """)
    nb = nbs.read_source(path)
    meta = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    assert meta[0] == {"schema_version": 3, "grade": False, "solution": True, "locked": False,
                       "task": False, "grade_id": "ans"}
    assert meta[1]["points"] == 3 and meta[1]["locked"] is True and meta[1]["grade"] is True
    assert "jupytext" not in nb.metadata


@pytest.mark.parametrize(("cells", "message"), [
    ("```{code-cell} ipython3\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n```\n", "need nbgrader metadata"),
    ("```{code-cell} ipython3\n---\nnbgrader: {solution: true}\n---\nx = 1\n```\n", "grade_id"),
    ("```{code-cell} ipython3\n---\nnbgrader: {grade_id: a, grade: true}\n---\n### BEGIN SOLUTION\n"
     "x = 1\n### END SOLUTION\n```\n", "solution: true"),
])
def test_format_errors_name_the_cell(tmp_path, cells, message):
    with pytest.raises(nbs.ExerciseFormatError, match=message):
        nbs.read_source(write_source(tmp_path, cells))
