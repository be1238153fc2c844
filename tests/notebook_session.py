"""A pytest plugin (loaded from pyproject's addopts): tell each notebook's kernel which notebook it runs.

Jupyter passes the notebook's path to every kernel it starts (``JPY_SESSION_NAME``), and the course reads
it to file results under the right notebook. nbval starts a kernel per notebook without it; this sets it
just before the kernel of a notebook's first cell starts (``tryfirst``: before nbval's own setup).
"""

from __future__ import annotations

import os

import pytest

from helpers.env import SESSION_ENV


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    path = getattr(item, "path", None)
    if path is not None and path.suffix == ".ipynb":
        os.environ[SESSION_ENV] = str(path)
