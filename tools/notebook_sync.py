"""Keep every notebook's badge, Colab install cell and metadata in the course's one form.

    python -m tools.notebook_sync           # rewrite notebooks in place
    python -m tools.notebook_sync --check   # exit 1 and list what differs (the tests use this)

What it enforces, for each ``notebooks/NN_topic.ipynb``:
- cell 0 (markdown) starts with the Colab badge derived from ``helpers.course.REPOSITORY``;
- cell 0 ends with the link to the English-Persian glossary;
- cell 1 is the Colab-only install cell, rendered from the same address;
- cells keep only ``slideshow``, ``tags`` and ``jupyter`` metadata (no timings, no editor noise), and a stable id;
- the solutions cell (tag ``solutions``) is stored unrun, with no outputs: they would print the answers right under
  the exercises. nbval still runs it and fails on a wrong answer's assert (it compares no outputs for an unrun cell).
  What it printed goes to the notebook's results record first, where the prose-number check finds it;
- each instructor's note (a ``notes`` cell) opens with the mark that says so (:mod:`tools.instructor_notes`), and
  no other cell carries it;
- stored ipywidgets views are replaced by one line saying a kernel is needed (a view cannot show without one,
  and its raw repr would), and each quiz's static version (a ``quiz-static`` cell) is rewritten from its answers;
- the notebook keeps one kernelspec, the ``language_info`` Jupyter writes (so that opening a notebook in
  JupyterLab does not change it) and no saved widget state.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import nbformat

from helpers import exercises, results
from helpers.course import BRANCH, NOTEBOOKS_DIR, REPOSITORY, colab_url, in_notebooks, notebooks
from tools import instructor_notes
from tools.prose_numbers import output_text

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CELL_METADATA_KEYS = ("jupyter", "slideshow", "tags")
SOLUTIONS_TAG = "solutions"
# What ipykernel reports about the language; JupyterLab writes it into every notebook it opens.
LANGUAGE_INFO_KEYS = {
    "codemirror_mode",
    "file_extension",
    "mimetype",
    "name",
    "nbconvert_exporter",
    "pygments_lexer",
    "version",
}
GLOSSARY_LINE = (
    f"**Glossary:** [English–Persian terms, واژه‌نامهٔ انگلیسی–فارسی]({REPOSITORY}/blob/{BRANCH}/docs/glossary.md)"
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "(an interactive widget: it appears when the notebook runs in Jupyter)"
REPO_NAME = REPOSITORY.rstrip("/").rsplit("/", 1)[-1]

INSTALL_CELL = f'''# On Colab only: fetch the course and the extras Colab lacks (locally, `python tasks.py lab` did it).
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    course_dir = "/content/{REPO_NAME}"
    if not os.path.isdir(course_dir):
        repository = "{REPOSITORY}"
        subprocess.run(["git", "clone", "--depth", "1", repository, course_dir], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{{course_dir}}[colab]"], check=True)
    sys.path.insert(0, course_dir)
    os.chdir(f"{{course_dir}}/notebooks")'''


def badge(notebook_name: str) -> str:
    """The markdown line of the 'Open in Colab' badge for one notebook."""
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook_name)})"


def synced(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` in the course's form (see the module docstring)."""
    notebook = nbformat.from_dict(notebook)
    cells = notebook.cells
    if not cells or cells[0].cell_type != "markdown":
        raise ValueError(f"{name}: cell 0 must be the markdown title cell")
    title_lines = [line for line in cells[0].source.splitlines() if not line.startswith("**Glossary:**")]
    if title_lines and title_lines[0].startswith("[![Open In Colab]"):
        title_lines = title_lines[1:]
    while title_lines and not title_lines[0].strip():
        title_lines = title_lines[1:]
    while title_lines and not title_lines[-1].strip():
        title_lines = title_lines[:-1]
    cells[0].source = "\n".join([badge(name), "", *title_lines, "", GLOSSARY_LINE])
    if len(cells) < 2 or cells[1].cell_type != "code" or "google.colab" not in cells[1].source:
        cells.insert(1, nbformat.v4.new_code_cell(INSTALL_CELL))
    cells[1].source = INSTALL_CELL
    cells[1].metadata.setdefault("slideshow", {"slide_type": "skip"})
    used_ids: set[str] = set()
    for index, cell in enumerate(cells):
        cell.metadata = {key: cell.metadata[key] for key in CELL_METADATA_KEYS if key in cell.metadata}
        cell.id = stable_id(cell, name, index, used_ids)
        if "quiz-static" in cell.metadata.get("tags", []):
            cell.source = exercises.static_quiz_markdown(Path(name).name)
            cell.metadata["slideshow"] = {"slide_type": "subslide"}  # the quiz gets a slide of its own
        if cell.cell_type == "markdown":
            notes = instructor_notes.is_notes(cell)
            cell.source = (instructor_notes.marked if notes else instructor_notes.unmarked)(cell.source)
        if cell.cell_type == "code" and SOLUTIONS_TAG in cell.metadata.get("tags", []):
            cell.outputs, cell.execution_count = [], None
        if cell.cell_type == "code":
            for output in cell.outputs:
                output.get("metadata", {}).pop("execution", None)
                if WIDGET_VIEW in output.get("data", {}):
                    output.data = {"text/plain": WIDGET_NOTE}
                    output.metadata = {}
    language_info = notebook.metadata.get("language_info", {})
    if language_info.get("name") != "python" or not set(language_info) <= LANGUAGE_INFO_KEYS:
        language_info = {"name": "python"}
    notebook.metadata = {"kernelspec": KERNELSPEC, "language_info": language_info}
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    return notebook


def stable_id(cell: nbformat.NotebookNode, name: str, index: int, used: set[str]) -> str:
    """The cell's id if it has a valid, unused one; else one derived from its place and content (so it is stable)."""
    current = cell.get("id", "")
    if not current or current in used or not all(char.isalnum() or char in "-_" for char in current):
        seed = f"{name}:{index}:{cell.source}"
        current = hashlib.sha1(seed.encode()).hexdigest()[:8]
        while current in used:
            current = hashlib.sha1(current.encode()).hexdigest()[:8]
    used.add(current)
    return current


def solutions_output(notebook: nbformat.NotebookNode) -> str:
    """What the notebook's solutions cell printed in its run ('' once it is stored unrun)."""
    cells = [cell for cell in notebook.cells if SOLUTIONS_TAG in cell.metadata.get("tags", [])]
    return "\n".join(output_text(cell) for cell in cells if cell.cell_type == "code").strip()


def store(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Write ``notebook`` in the course's form, after recording what its solutions cell printed (the form drops it)."""
    printed = solutions_output(notebook)
    if printed:
        results.record_solutions(path.stem, printed)
    write(synced(notebook, notebook_name(path)), path)


def notebook_name(path: Path) -> str:
    """The name the sync gives a notebook: its path under ``notebooks/`` (its file name elsewhere)."""
    return in_notebooks(path) if path.resolve().is_relative_to(NOTEBOOKS_DIR) else path.name


def write(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Write with a trailing newline and one-space indent, as Jupyter does."""
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ")
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: all)")
    args = parser.parse_args(argv)
    differing = []
    for path in args.paths or notebooks():
        original = path.read_text(encoding="utf-8")
        notebook = nbformat.reads(original, as_version=4)
        if nbformat.writes(synced(notebook, notebook_name(path))) + "\n" != original:
            differing.append(path)
            if not args.check:
                store(notebook, path)
    for path in differing:
        print(f"{'differs' if args.check else 'synced'}: {path}")
    return 1 if args.check and differing else 0


if __name__ == "__main__":
    sys.exit(main())
