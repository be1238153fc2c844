"""What an exported deck or handout looks like: the nbconvert templates, and the notebook as the exports show it.

The templates, their CSS and their JavaScript are files in ``tools/slides/assets/``, loaded as package resources:

- ``offline.html.j2``: nbconvert's own page (``reveal`` for the slides, ``lab`` for the handout) with every block
  that would load something from a CDN emptied, MathJax (``mathjax_config.js``) from ``vendor/``, ``shared.css`` (no
  ``In [n]:`` prompts) and ``persian.css`` from :mod:`tools.lab` (Persian cells right to left in every block, as in
  the course's JupyterLab);
- ``course_slides.html.j2``: the deck, with ``slides.css`` and ``slides.js`` (keys that scroll a tall slide before
  they advance, slides kept clear of the navigation arrows, formulas typeset when shown);
- ``course_handout.html.j2``: the A4 handout, with ``handout.css`` and ``handout.js``;
- ``fit.js``, for both: a code block, output or table wider than its box gets a smaller font until it fits.

Cells tagged ``hide-input`` show only their output; ``notes`` cells become reveal.js speaker notes (without the mark
that tells a self-learner they are for the instructor) and are left out of the handout, as are ``skip`` cells. A
quiz shows its questions in place of the widget, and its answers after them.
"""

from __future__ import annotations

import copy
import re

import nbformat
from jinja2 import ChoiceLoader, PackageLoader
from traitlets.config import Config

from tools import instructor_notes

# The slide area that reveal.js scales to fit the window. 16:9 like the projectors and screens the course is shown
# on (1280x720, 1920x1080), so the same slide fills either window, with the same line breaks, at a different scale.
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
REVEAL_SETTINGS = {"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT, "margin": 0.04, "minScale": 0.2, "maxScale": 2.0}
SLIDES_TEMPLATE, HANDOUT_TEMPLATE = "course_slides.html.j2", "course_handout.html.j2"

HIDE_INPUT_TAG = "hide-input"
QUIZ_STATIC_TAG = "quiz-static"
# The code cell that shows a quiz's widget: in an export it would show only a line saying a kernel is needed.
QUIZ_CALL = re.compile(r"^\s*helpers\.quiz\(")
# The static quiz as helpers.exercises.static_quiz_markdown writes it: a first line naming it, the questions, then
# the answer key folded in a <details> block.
QUIZ_ANSWERS = re.compile(r"<details>\s*<summary>\s*Answers\s*</summary>(?P<key>.*?)</details>", re.DOTALL)

# The Colab badge line that opens every notebook: an image from the internet, which neither offline slides nor a
# printed handout can show.
COLAB_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\((?P<url>[^)]*)\)")
# A right-to-left or Persian block in a markdown cell, as the course writes them: <div dir="rtl" lang="fa">.
PERSIAN_BLOCK = re.compile(r"""\b(?:dir\s*=\s*["']?rtl|lang\s*=\s*["']?fa)\b""", re.IGNORECASE)


def template_loader() -> ChoiceLoader:
    """A Jinja loader for the templates, stylesheets and scripts in ``tools/slides/assets/``, and the Persian
    stylesheet that the course's JupyterLab uses too (see :mod:`tools.lab`)."""
    course_lab = PackageLoader("tools.lab", "labextensions/convnets-course-lab/static")
    return ChoiceLoader([PackageLoader("tools.slides", "assets"), course_lab])


def exporter_config() -> Config:
    """nbconvert settings shared by both exports: no prompts, no heading anchors, ``hide-input`` cells' code removed."""
    config = Config()
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.HTMLExporter.exclude_anchor_links = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {HIDE_INPUT_TAG}
    return config


def for_export(notebook: nbformat.NotebookNode, *, handout: bool) -> nbformat.NotebookNode:
    """A copy of the notebook as the exports show it: no Colab badge image, quizzes laid out for a room, and for a
    handout no skipped cells.

    The slides keep every cell, because nbconvert's reveal template drops ``skip`` cells itself and turns
    ``notes`` cells into speaker notes. The handout is for the audience, so it leaves out the same ``skip`` cells
    (Colab install, setup) and the speaker notes.
    """
    exported = copy.deepcopy(notebook)
    if handout:
        exported.cells = [cell for cell in exported.cells if slide_type(cell) not in {"skip", "notes"}]
    for cell in exported.cells:
        if cell.cell_type == "markdown":
            # In the handout, keep the address as a plain link; a slide has no use for it.
            replacement = r"[Open in Colab](\g<url>)" if handout else ""
            cell.source = COLAB_BADGE.sub(replacement, cell.source).lstrip("\n")
        if instructor_notes.is_notes(cell):
            cell.source = instructor_notes.unmarked(cell.source)  # the speaker knows whom the note is for
    exported.cells = quizzes_for_export(exported.cells)
    return exported


def quizzes_for_export(cells: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """The cells with each quiz as a room sees it: its questions where the widget was, its answers on the next slide.

    A widget needs a running kernel, so an export would show the ``helpers.quiz(...)`` cell as one line saying so,
    alone under the quiz's heading. That cell goes; the static quiz (tagged ``quiz-static``) joins the heading's slide
    with its questions, and its answer key, unfolded (a printed ``<details>`` stays shut), becomes a sub-slide.
    """
    shown: list[nbformat.NotebookNode] = []
    for cell in cells:
        if cell.cell_type == "code" and QUIZ_CALL.match(cell.source):
            continue
        answers = QUIZ_ANSWERS.search(cell.source) if QUIZ_STATIC_TAG in cell.metadata.get("tags", []) else None
        if answers is None:
            shown.append(cell)
            continue
        questions = cell.source[: answers.start()].strip().split("\n")
        # The first line says the questions repeat the interactive quiz, which an export does not show.
        if questions[0].startswith("**Quiz**"):
            questions = questions[1:]
        after_heading = shown and shown[-1].cell_type == "markdown" and shown[-1].source.lstrip().startswith("#")
        shown.append(_markdown("\n".join(questions).strip(), "-" if after_heading else slide_type(cell)))
        shown.append(_markdown("**Answers**\n\n" + answers.group("key").strip(), "subslide"))
    return shown


def _markdown(source: str, kind: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": kind}})


def slide_type(cell: nbformat.NotebookNode) -> str:
    """The cell's ``slideshow.slide_type`` (``-`` when it has none)."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def has_persian_cells(notebook: nbformat.NotebookNode) -> bool:
    """Whether a markdown cell holds a right-to-left or Persian block, which needs the Persian font.

    >>> has_persian_cells(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('<div dir="rtl">...</div>')]))
    True
    """
    return any(cell.cell_type == "markdown" and PERSIAN_BLOCK.search(cell.source) for cell in notebook.cells)
