"""Practice copies (``tasks.py practice``): no outputs, exercises at their placeholder, no solutions, and they run."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import env
from helpers.course import in_notebooks, notebooks
from tools.classroom import practice

# The practice copy that is executed: a short lesson with five checked exercises.
EXECUTED = "01_edge_detection.ipynb"


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[str, tuple[nbformat.NotebookNode, nbformat.NotebookNode]]:
    """{notebook path in notebooks/: (the course's notebook, its practice copy)}, written by the command."""
    folder = tmp_path_factory.mktemp("practice")
    assert practice.main([str(folder)]) == 0
    return {
        in_notebooks(path): (
            nbformat.read(path, as_version=4),
            nbformat.read(folder / "notebooks" / in_notebooks(path), as_version=4),
        )
        for path in notebooks()
    }


def test_every_notebook_has_a_practice_copy_without_outputs(copies):
    assert set(copies) == {in_notebooks(path) for path in notebooks()}
    for name, (_, copy) in copies.items():
        code = [cell for cell in copy.cells if cell.cell_type == "code"]
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code), name


def test_solutions_are_emptied_and_exercises_keep_their_checks(copies):
    for name, (original, copy) in copies.items():
        assert len(copy.cells) == len(original.cells), name
        for before, after in zip(original.cells, copy.cells, strict=True):
            if "solutions" in before.metadata.get("tags", []):
                assert before.source and after.source == "", name
            elif before.source.startswith("## Solutions"):
                assert after.source == practice.SOLUTIONS_REMOVED, name
            elif practice.is_exercise(before):
                assert after.source.count("helpers.check(") == before.source.count("helpers.check(")
                assert all(
                    line.split(" = ", 1)[1].startswith("...")
                    for line in after.source.splitlines()
                    if line.startswith("answer_")
                ), after.source
            else:
                assert after.source == before.source, name


def test_an_answered_exercise_goes_back_to_its_placeholder():
    answered = 'answer_2 = 14  # your answer: the side, in input pixels\nhelpers.check("06.2", answer_2)'
    assert practice.reset_exercise(answered) == (
        'answer_2 = ...  # your answer: the side, in input pixels\nhelpers.check("06.2", answer_2)'
    )
    assert practice.reset_exercise('answer_1 = "b"\nhelpers.check("04.1", answer_1)').startswith("answer_1 = ...\n")


def test_a_practice_copy_runs_top_to_bottom_and_its_checks_answer(copies, tmp_path, monkeypatch):
    copy = copies[EXECUTED][1]
    path = tmp_path / EXECUTED
    nbformat.write(copy, path)
    for name, value in {env.QUICK_ENV: "1", env.THREADS_ENV: "1", env.SESSION_ENV: str(path)}.items():
        monkeypatch.setenv(name, value)
    NotebookClient(copy, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    exercises = [cell for cell in copy.cells if practice.is_exercise(cell)]
    printed = ["".join(output.get("text", "") for output in cell.outputs) for cell in exercises]
    assert len(exercises) >= 4 and all("not answered yet" in text for text in printed), printed
