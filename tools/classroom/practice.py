"""Practice copies of the notebooks: no stored outputs, exercises reset, solutions taken out.

    python -m tools.classroom.practice [DIR]        # (python3 tasks.py practice), DIR defaults to build/practice

The course's notebooks are stored with the outputs of a full run, so a learner sees every result before running
anything. A practice copy is for a class that wants learners to produce their own outputs: every output and
execution count is removed, every exercise cell holds the ``...`` placeholder again (its ``helpers.check`` line stays,
so learners still check their answers), and the worked solutions (the folded ``## Solutions`` text and the cell that
asserts them) are emptied. The copies keep the repository's layout (``DIR/notebooks/06_lenet_mnist.ipynb``), so they
can be committed over ``notebooks/`` on a branch of their own and pulled by link like the full notebooks.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from helpers.course import REPO_ROOT, in_notebooks, notebooks
from tools.notebook_sync import write

DEFAULT_FOLDER = REPO_ROOT / "build" / "practice"
SOLUTIONS_TAG = "solutions"
SOLUTIONS_HEADING = "## Solutions"
SOLUTIONS_REMOVED = (
    f"{SOLUTIONS_HEADING}\n\nThis is a practice copy: the worked solutions are not in it. Check each answer with its "
    "exercise cell above; your instructor shares the solutions."
)
# An exercise cell: ``answer_3 = <anything>  # your answer: ...`` then ``helpers.check("06.3", answer_3)``.
ANSWER_LINE = re.compile(r"^(?P<name>answer_\w+) = .*?(?P<comment>  # your answer:.*)?$", re.MULTILINE)


def is_exercise(cell: nbformat.NotebookNode) -> bool:
    return (
        cell.cell_type == "code"
        and "helpers.check(" in cell.source
        and SOLUTIONS_TAG not in cell.metadata.get("tags", [])
    )


def reset_exercise(source: str) -> str:
    """The exercise cell with every answer back to the ``...`` placeholder, its comment and check kept."""
    return ANSWER_LINE.sub(lambda match: f"{match['name']} = ...{match['comment'] or ''}", source)


def practice_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without outputs, with exercises reset and solutions emptied."""
    copy = nbformat.from_dict(notebook)
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if SOLUTIONS_TAG in cell.metadata.get("tags", []):
                cell.source = ""
            elif is_exercise(cell):
                cell.source = reset_exercise(cell.source)
        elif cell.source.startswith(SOLUTIONS_HEADING):
            cell.source = SOLUTIONS_REMOVED
    return copy


def write_copies(folder: Path) -> list[Path]:
    """Write a practice copy of every notebook under ``folder/notebooks/``; return their paths."""
    written = []
    for path in notebooks():
        target = folder / "notebooks" / in_notebooks(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        write(practice_copy(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER, help=f"default: {DEFAULT_FOLDER}")
    folder = parser.parse_args(argv).folder.resolve()
    written = write_copies(folder)
    print(f"{len(written)} practice notebooks in {folder / 'notebooks'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
