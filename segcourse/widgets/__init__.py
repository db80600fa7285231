"""Explorers: one render function, a live widget in JupyterLab and a static twin in the web book.

Each module here builds one explorer with a ``make_explorer()`` function; the benchmarks and the
widget tests discover them automatically.
"""

from segcourse.widgets.explorer import Explorer, is_static

__all__ = ["Explorer", "is_static"]
