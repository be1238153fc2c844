"""How a stored notebook reads on the site: what JupyterLab folds stays folded, and the quiz shows its static form.

The notebooks mark all of this in their own metadata (CONTRIBUTING.md); this reader turns those marks into the tags
MyST-NB understands, on the copy it renders, never in the file:

- a cell folded in JupyterLab (``"jupyter": {"source_hidden": true}``, the solutions cell) or tagged ``hide-input``
  (plotting scaffolding) shows its outputs, with its code folded behind a toggle;
- the interactive quiz (the code cell just before the cell tagged ``quiz-static``) needs a running kernel, so the
  site leaves it out and shows the static quiz that follows it, whose answers are folded;
- an instructor's note (a ``notes`` cell, see :mod:`tools.instructor_notes`) is set apart from the lesson's text in a
  box titled "For the instructor" (an admonition of class ``instructor-notes``, styled in ``_static/site.css``).
"""

from __future__ import annotations

import nbformat

from tools import instructor_notes

QUIZ_STATIC_TAG = "quiz-static"
FOLDED_TAG = "hide-input"
LEFT_OUT_TAG = "remove-cell"
NOTES_CLASS = "instructor-notes"
# A fence longer than any a note could hold, so the note's own code blocks stay inside the box.
NOTES_BOX = "`````{{admonition}} {title}\n:class: {css_class}\n\n{text}\n`````"


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.setdefault("metadata", {}).setdefault("tags", [])


def add_tag(cell: nbformat.NotebookNode, tag: str) -> None:
    if tag not in tags(cell):
        tags(cell).append(tag)


def for_site(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The same notebook, tagged for the site (see the module's docstring); ``notebook`` itself is changed."""
    cells = notebook.cells
    for index, cell in enumerate(cells):
        if instructor_notes.is_notes(cell):
            text = instructor_notes.unmarked(cell.source)
            cell.source = NOTES_BOX.format(title=instructor_notes.TITLE, css_class=NOTES_CLASS, text=text)
        if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            add_tag(cell, FOLDED_TAG)
        following = cells[index + 1] if index + 1 < len(cells) else None
        if cell.cell_type == "code" and following is not None and QUIZ_STATIC_TAG in tags(following):
            add_tag(cell, LEFT_OUT_TAG)
    return notebook


def read_for_site(text: str) -> nbformat.NotebookNode:
    """MyST-NB's reader for ``.ipynb`` files (``nb_custom_formats`` in the site's conf.py)."""
    return for_site(nbformat.reads(text, as_version=4))
