"""Test-only helpers for the slide tests: rendering a page with Chromium's command line, and small notebooks.

The exporter itself only prints PDFs (``tools.slides.chromium``) and measures decks (``tools.slides.layout``); the
DOM dump and the screenshot here exist for the tests.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.slides.chromium import VIRTUAL_TIME_BUDGET_MS, run_chromium


def render_dom(chromium: str, page: Path, window_size: str = "1280,720") -> str:
    """The page's DOM after its scripts have run (reveal.js initialised, MathJax typeset), as HTML."""
    return run_chromium(
        chromium,
        [
            f"--window-size={window_size}",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
    )


def screenshot(chromium: str, page: Path, png: Path, window_size: str = "1280,720") -> Path:
    """A PNG screenshot of the page (for a deck: its first slide) once its scripts have run."""
    png.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(
        chromium,
        [
            f"--window-size={window_size}",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            f"--screenshot={png.resolve()}",
            page.resolve().as_uri(),
        ],
    )
    if not png.is_file():
        raise RuntimeError(f"Chromium wrote no screenshot of {page} to {png}")
    return png


def markdown(source: str, slide_type: str = "-") -> nbformat.NotebookNode:
    """A markdown cell with the given slide type."""
    return new_markdown_cell(source, metadata={"slideshow": {"slide_type": slide_type}})


def code(source: str, output: str, slide_type: str = "-", tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """A code cell that has been run: its source, and ``output`` as what it printed."""
    metadata: dict = {"slideshow": {"slide_type": slide_type}}
    if tags:
        metadata["tags"] = list(tags)
    cell = new_code_cell(source, metadata=metadata, execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text=output)]
    return cell


def write_notebook(path: Path, cells: list[nbformat.NotebookNode]) -> Path:
    """Write a notebook of ``cells`` to ``path`` (named like the course's, ``NN_topic.ipynb``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=cells, metadata={"language_info": {"name": "python"}}), path)
    return path
