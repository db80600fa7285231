"""An explorer is one render function shown two ways.

* **Live** (JupyterLab, a kernel): ipywidgets controls; each change calls ``render(**params)``
  and shows the new figure.
* **Static twin** (the web book, no kernel): every setting of a small grid is rendered ahead
  of time into a ``Stack`` of images, and the sliders drive the stack through ``jslink``, which
  runs in the browser. Nothing on the page depends on a Python callback, so nothing on the page
  silently does nothing.

The book build sets ``SEGCOURSE_STATIC=1``; a learner's notebook gets the live explorer.

Examples
--------
>>> import matplotlib.pyplot as plt
>>> def render(k=1, colour="red"):
...     fig, ax = plt.subplots(figsize=(2, 2))
...     ax.plot(range(k), color=colour)
...     return fig
>>> ex = Explorer(render, {"k": [1, 2, 3], "colour": ["red", "blue"]})
>>> ex.n_frames
6
"""

from __future__ import annotations

import itertools
import os
import time
from typing import Any, Callable, Mapping, Sequence

from segcourse.viz import figure_to_png

Render = Callable[..., Any]  # returns a matplotlib Figure


def is_static() -> bool:
    """True while the web book is being built (``SEGCOURSE_STATIC=1``)."""
    return os.environ.get("SEGCOURSE_STATIC", "") == "1"


class Explorer:
    """A figure that depends on a few discrete parameters.

    Parameters
    ----------
    render : callable
        ``render(**params) -> matplotlib.figure.Figure``. The same function serves the live
        widget, the static twin and the benchmarks, so it must call the library rather than
        re-implement anything.
    controls : mapping of str to sequence
        Every value each parameter may take in the live widget, in slider order.
    static : mapping of str to sequence, optional
        A smaller grid for the static twin (default: ``controls``). Keep the product of the
        grid sizes under ~40 frames: each frame is a PNG embedded in the page.
    legal : callable, optional
        ``legal(params) -> bool``. Live sliders only offer values that keep the setting legal;
        the static twin renders whatever ``render`` draws for an illegal setting.
    play : str, optional
        Name of a parameter that gets a play button (an iteration or time stepper).
    labels : mapping of str to str, optional
        Human labels for the controls.
    initial : mapping of str to value, optional
        Where the sliders start (default: the first legal setting). The static twin starts there
        too when those values are in its grid.
    dpi : int
        Resolution of the rendered PNGs.
    """

    def __init__(
        self,
        render: Render,
        controls: Mapping[str, Sequence],
        static: Mapping[str, Sequence] | None = None,
        legal: Callable[[dict], bool] | None = None,
        play: str | None = None,
        labels: Mapping[str, str] | None = None,
        initial: Mapping[str, Any] | None = None,
        dpi: int = 72,
    ):
        if not controls:
            raise ValueError("controls: expected at least one parameter, got none")
        for name, values in controls.items():
            if len(values) == 0:
                raise ValueError(f"controls[{name!r}]: expected at least one value, got an empty sequence")
        static = dict(static or controls)
        unknown = set(static) - set(controls)
        if unknown:
            raise ValueError(f"static: expected parameters among {sorted(controls)}, got unknown {sorted(unknown)}")
        if play is not None and play not in controls:
            raise ValueError(f"play: expected one of {sorted(controls)}, got {play!r}")
        self.render = render
        self.controls = {k: list(v) for k, v in controls.items()}
        # Parameters left out of the static grid are fixed at their first live value.
        self.static = {k: list(static.get(k, [v[0]])) for k, v in self.controls.items()}
        self.legal = legal
        self.play = play
        self.labels = dict(labels or {})
        self.dpi = dpi
        for name, value in (initial or {}).items():
            if name not in self.controls or value not in self.controls[name]:
                raise ValueError(f"initial[{name!r}]: expected one of {self.controls.get(name)}, got {value!r}")
        self._initial = dict(initial or {})

    # -- shared -------------------------------------------------------------------------------
    @property
    def n_frames(self) -> int:
        """Number of pre-rendered frames in the static twin."""
        n = 1
        for values in self.static.values():
            n *= len(values)
        return n

    def initial(self) -> dict:
        """Where the live controls start: ``initial`` if given, else the first legal setting."""
        if self._initial:
            params = {name: self._initial.get(name, values[0]) for name, values in self.controls.items()}
            if self.legal is None or self.legal(params):
                return params
        for combo in itertools.product(*self.controls.values()):
            params = dict(zip(self.controls, combo))
            if self.legal is None or self.legal(params):
                return params
        raise ValueError("legal: no combination of the controls is legal")

    def png(self, **params) -> bytes:
        """Render one setting to PNG bytes (what the live callback does)."""
        return figure_to_png(self.render(**params), dpi=self.dpi)

    def callback_ms(self, settings: Sequence[dict] | None = None) -> list[float]:
        """Milliseconds per live update (render + PNG) for each setting (default: the static grid)."""
        if settings is None:
            settings = [dict(zip(self.static, c)) for c in itertools.product(*self.static.values())]
        times = []
        for params in settings:
            start = time.perf_counter()
            self.png(**params)
            times.append(1000 * (time.perf_counter() - start))
        return times

    def show(self):
        """The live widget in a kernel session, the static twin during the book build."""
        return self.static_widget() if is_static() else self.live_widget()

    def _label(self, name: str) -> str:
        return self.labels.get(name, name)

    # -- live ---------------------------------------------------------------------------------
    def _control(self, name: str, values: list, value):
        import ipywidgets as w

        style = {"description_width": "initial"}
        if all(isinstance(v, str) for v in values) and len(values) <= 5:
            return w.ToggleButtons(options=values, value=value, description=self._label(name), style=style)
        return w.SelectionSlider(
            options=values, value=value, description=self._label(name), continuous_update=False, style=style
        )

    def live_widget(self):
        """ipywidgets controls that re-render on every change (needs a running kernel)."""
        import ipywidgets as w

        params = self.initial()
        image = w.Image(value=self.png(**params), format="png")
        controls = {name: self._control(name, values, params[name]) for name, values in self.controls.items()}
        status = w.HTML()

        def legal_values(name: str, current: dict) -> list:
            if self.legal is None:
                return self.controls[name]
            return [v for v in self.controls[name] if self.legal({**current, name: v})]

        def update(change=None):
            current = {name: c.value for name, c in controls.items()}
            for name, control in controls.items():  # restrict options before re-rendering
                options = legal_values(name, current)
                if list(control.options) != options:
                    with control.hold_trait_notifications():
                        control.options = options
                        if current[name] not in options:
                            control.value = options[0]
                            current[name] = options[0]
            start = time.perf_counter()
            image.value = self.png(**current)
            status.value = f"<small>updated in {1000 * (time.perf_counter() - start):.0f} ms</small>"

        for control in controls.values():
            control.observe(update, names="value")
        update()
        rows = list(controls.values())
        if self.play is not None:
            player = w.Play(min=0, max=len(self.controls[self.play]) - 1, interval=700, description="play")
            w.jslink((player, "value"), (controls[self.play], "index"))
            rows.insert(0, player)
        return w.VBox([*rows, image, status])

    # -- static -------------------------------------------------------------------------------
    def static_widget(self):
        """Pre-rendered frames in nested ``Stack`` widgets, switched by sliders in the browser."""
        import ipywidgets as w

        names = list(self.static)
        sliders = [
            w.SelectionSlider(options=[str(v) for v in self.static[n]], description=self._label(n),
                              continuous_update=True, style={"description_width": "initial"})
            for n in names
        ]

        start = {n: self.static[n].index(self._initial[n]) if self._initial.get(n) in self.static[n] else 0
                 for n in names}
        for slider, name in zip(sliders, names):
            slider.index = start[name]

        def build(level: int, fixed: dict):
            name = names[level]
            children = []
            for value in self.static[name]:
                params = {**fixed, name: value}
                if level == len(names) - 1:
                    children.append(w.Image(value=self.png(**params), format="png"))
                else:
                    children.append(build(level + 1, params))
            stack = w.Stack(children=children, selected_index=start[name])
            w.jslink((sliders[level], "index"), (stack, "selected_index"))
            return stack

        stack = build(0, {})
        rows = list(sliders)
        if self.play is not None:
            i = names.index(self.play)
            player = w.Play(min=0, max=len(self.static[self.play]) - 1, interval=700, description="play")
            w.jslink((player, "value"), (sliders[i], "index"))
            rows.insert(0, player)
        note = w.HTML(
            f"<small>Static version: {self.n_frames} pre-rendered settings. "
            "Run this page as a notebook for the live explorer.</small>"
        )
        return w.VBox([*rows, stack, note])

    def small_multiples(self, settings: Sequence[dict]) -> list[bytes]:
        """PNG frames for a few chosen settings (for a printed figure or a test)."""
        return [self.png(**params) for params in settings]
