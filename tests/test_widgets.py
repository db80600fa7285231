"""Every explorer: the static twin holds its grid of distinct frames, and the live widget re-renders."""

from __future__ import annotations

import importlib
import pkgutil

import ipywidgets as w
import matplotlib
import pytest

import segcourse.widgets
from segcourse.widgets import Explorer

matplotlib.use("Agg")

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(segcourse.widgets.__path__, "segcourse.widgets.")
    if m.name != "segcourse.widgets.explorer"
)


def _toy_explorer(**kwargs) -> Explorer:
    import matplotlib.pyplot as plt

    def render(k=1, colour="C0"):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot(range(k + 1), color=colour)
        return fig

    return Explorer(render, {"k": [1, 2, 3], "colour": ["C0", "C1"]}, **kwargs)


def _frames(widget) -> list[bytes]:
    """All Image values inside nested Stack/Box widgets."""
    if isinstance(widget, w.Image):
        return [bytes(widget.value)]
    frames = []
    for child in getattr(widget, "children", ()):
        frames.extend(_frames(child))
    return frames


def _links(widget) -> int:
    return sum(isinstance(obj, w.Link) for obj in w.Widget.widgets.values())


def test_static_twin_has_one_distinct_frame_per_setting():
    explorer = _toy_explorer()
    frames = _frames(explorer.static_widget())
    assert len(frames) == explorer.n_frames == 6
    assert len(set(frames)) == 6


def test_static_grid_subset_and_legal_options():
    explorer = _toy_explorer(static={"k": [1, 3]}, legal=lambda p: not (p["k"] == 3 and p["colour"] == "C1"))
    assert explorer.n_frames == 2  # colour fixed at its first value in the static twin
    live = explorer.live_widget()
    k_slider, colour = live.children[0], live.children[1]
    k_slider.value = 3
    assert list(colour.options) == ["C0"], "an illegal combination stayed reachable"


def test_live_widget_re_renders_on_change():
    live = _toy_explorer().live_widget()
    image = next(c for c in live.children if isinstance(c, w.Image))
    before = bytes(image.value)
    live.children[0].value = 3
    assert bytes(image.value) != before


def test_show_picks_static_during_the_book_build(monkeypatch):
    explorer = _toy_explorer()
    monkeypatch.setenv("SEGCOURSE_STATIC", "1")
    static = explorer.show()
    assert "pre-rendered" in static.children[-1].value
    monkeypatch.setenv("SEGCOURSE_STATIC", "0")
    assert "updated in" in explorer.show().children[-1].value


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"controls": {}}, "controls"),
    ({"controls": {"k": []}}, "controls"),
    ({"controls": {"k": [1]}, "static": {"j": [1]}}, "static"),
    ({"controls": {"k": [1]}, "play": "j"}, "play"),
])
def test_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Explorer(lambda **p: None, **kwargs)


@pytest.mark.parametrize("module_name", MODULES or ["(none yet)"])
def test_course_explorers(module_name):
    if module_name == "(none yet)":
        pytest.skip("no explorer modules yet")
    module = importlib.import_module(module_name)
    if not hasattr(module, "make_explorer"):
        pytest.skip(f"{module_name} has no make_explorer()")
    explorer = module.make_explorer()
    assert isinstance(explorer, Explorer)
    assert 1 < explorer.n_frames <= 60, f"static grid of {explorer.n_frames} frames"
    frames = _frames(explorer.static_widget())
    assert len(frames) == explorer.n_frames
    assert len(set(frames)) > 1, "every static frame is identical: the sliders would change nothing"


def test_initial_setting_live_and_static():
    explorer = _toy_explorer(initial={"k": 3, "colour": "C1"})
    assert explorer.initial() == {"k": 3, "colour": "C1"}
    live = explorer.live_widget()
    assert (live.children[0].value, live.children[1].value) == (3, "C1")
    static = explorer.static_widget()
    assert static.children[0].index == 2 and static.children[1].index == 1
    with pytest.raises(ValueError, match="initial"):
        _toy_explorer(initial={"k": 7})
