"""The instructor's notes: markdown cells of slide type ``notes``, and the one mark that tells a reader they are.

In the deck a notes cell is a speaker note, out of the audience's sight; in JupyterLab, Colab and on the site it sits
among the lesson's text. :mod:`tools.notebook_sync` opens each one with :data:`MARK` (plain bold markdown, so it
reads the same everywhere), the deck's speaker view gets the note without it (:func:`unmarked`), and the site shows
it as a block of its own.
"""

from __future__ import annotations

import nbformat

TITLE = "For the instructor"
MARK = f"**{TITLE}** (speaker notes for teaching this notebook to a class; a self-learner may skip them)"
# The mark's first words: a mark edited by hand, or left on a cell that is no longer a note, is still found.
MARK_START = f"**{TITLE}**"


def is_notes(cell: nbformat.NotebookNode) -> bool:
    """Whether the cell is a speaker note (a markdown cell of slide type ``notes``)."""
    return cell.cell_type == "markdown" and cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes"


def unmarked(source: str) -> str:
    """The note's own text: ``source`` without a leading mark paragraph."""
    first, _, rest = source.partition("\n")
    return rest.lstrip("\n") if first.startswith(MARK_START) else source


def marked(source: str) -> str:
    """``source`` opened with the mark, as its own paragraph (once, however often it is applied)."""
    return f"{MARK}\n\n{unmarked(source)}".rstrip("\n")
