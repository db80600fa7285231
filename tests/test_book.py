"""The book's structure: table of contents, chapter conventions, exercise links, strict build config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from segcourse.chapters import execute_chapter

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


CHAPTERS = [p for p in sorted(BOOK.rglob("*.md")) if "```{code-cell}" in p.read_text()]


def test_toc_and_book_folder_agree():
    listed = toc_files()
    assert len(listed) == len(set(listed)), "a page is listed twice"
    missing = [f for f in listed if not (ROOT / f"{f}.md").exists()]
    assert missing == []
    orphans = [str(p.relative_to(ROOT).with_suffix("")) for p in BOOK.rglob("*.md")
               if str(p.relative_to(ROOT).with_suffix("")) not in listed]
    assert orphans == [], "pages not in _toc.yml"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: str(p.relative_to(BOOK)))
def test_chapter_conventions(chapter):
    text = chapter.read_text()
    assert text.startswith("---\njupytext:"), "missing the jupytext/kernelspec header"
    first_cell = text.split("```{code-cell} ipython3", 1)[1].split("```", 1)[0]
    assert "env.setup(" in first_cell, "the first code cell must call segcourse.env.setup()"
    assert "Learning goals" in text
    if chapter.parent.name != "00-start" or chapter.stem == "what-is-segmentation":
        assert "## Check yourself" in text
    assert "verbose=1" not in text, "progress bars would put timings in the output"


def test_exercise_links_resolve_and_every_exercise_is_linked():
    linked = set()
    for chapter in BOOK.rglob("*.md"):
        for target in re.findall(r"\{download\}`[^`<]*<([^>]+\.ipynb)>`", chapter.read_text()):
            path = (chapter.parent / target).resolve()
            assert path.exists(), f"{chapter.name} links a missing exercise {target}"
            linked.add(path.stem)
    exercises = {p.stem for p in (ROOT / "exercises").glob("*.ipynb")}
    assert exercises - linked == set(), "exercises no chapter links to"


def test_build_is_strict_and_offline():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    execute = config["execute"]
    assert execute["raise_on_error"] is True and execute["allow_errors"] is False
    assert execute["stderr_output"] == "warn"
    sphinx = config["sphinx"]["config"]
    assert "sphinx_thebe" not in sphinx["extensions"]
    assert not sphinx["mathjax_path"].startswith("http")
    assert all(not url.startswith("http") for url in sphinx["nb_ipywidgets_js"])
    makefile = (ROOT / "Makefile").read_text()
    assert "jupyter-book build $(JB_FLAGS) ." in makefile and "JB_FLAGS     := --all -W -n --keep-going" in makefile


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = re.search(r"^\s*(make test)\s*$", readme, re.M)
    assert command, "README must give the test command on a line of its own"
    assert re.search(r"^make test$", ci, re.M)


@pytest.mark.slow
@pytest.mark.parametrize("chapter", [BOOK / "00-start" / "what-is-segmentation.md", BOOK / "00-start" / "how-to-use.md"],
                         ids=lambda p: p.name)
def test_chapter_runs_top_to_bottom_as_a_live_notebook(chapter):
    nb, seconds = execute_chapter(chapter, static=False)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    widget_views = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                    if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if "Explorer(" in chapter.read_text():
        assert widget_views, "the live explorer produced no widget"
