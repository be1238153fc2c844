"""Conventions every notebook follows (the notebooks' outputs themselves are checked by nbval)."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.course import NOTEBOOKS_DIR, REPO_ROOT, in_notebooks, notebooks
from tools import instructor_notes, notebook_sync

NOTEBOOKS = notebooks()
MAX_BYTES = 2 * 1024 * 1024


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_notebooks_are_numbered_in_order_from_00():
    main = [path for path in NOTEBOOKS if path.parent == NOTEBOOKS_DIR]
    numbers = [int(path.name[:2]) for path in main]
    assert numbers == list(range(len(numbers))), [path.name for path in main]
    found = [path for path in NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts]
    stray = [path.name for path in found if path not in NOTEBOOKS]
    assert not stray, f"notebooks must be named NN_topic.ipynb (appendices: appendix/NNa_topic.ipynb): {stray}"
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name) for path in main)
    for appendix in (path for path in NOTEBOOKS if path.parent != NOTEBOOKS_DIR):
        assert re.fullmatch(r"\d\d[a-z]_[a-z0-9_]+\.ipynb", appendix.name), appendix.name
        assert any(path.name.startswith(appendix.name[:2]) for path in main), f"{appendix.name} extends no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_badge_colab_cell_and_metadata_are_in_sync(path):
    original = load(path)
    assert notebook_sync.synced(original, in_notebooks(path)) == original, "run: python -m tools.notebook_sync"
    assert original.cells[0].source.startswith(notebook_sync.badge(in_notebooks(path)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_title_setup_cell_and_exercises(path):
    cells = load(path).cells
    title = cells[0].source.splitlines()
    number = path.name.split("_")[0]
    assert title[2].startswith(f"# {number} · "), "cell 0: badge, blank line, '# NN · Title'"
    assert title[-1] == notebook_sync.GLOSSARY_LINE, "cell 0 ends with the glossary link"
    setup = cells[2]
    assert setup.cell_type == "code" and "helpers.setup(" in setup.source, "cell 2 must be the helpers.setup cell"
    assert "nbval-ignore-output" in setup.metadata.get("tags", [])
    assert any(cell.cell_type == "markdown" and cell.source.startswith("## Exercises") for cell in cells)


CHECK_CALL = re.compile(r"helpers\.check\(\s*\"(\d\d\.\d+)\"")


def is_lesson(path: Path) -> bool:
    """Lesson notebooks (01 onward, not appendices) have checked exercises, a quiz and solutions."""
    return path.parent == NOTEBOOKS_DIR and path.name[:2] != "00"


@pytest.mark.parametrize("path", [path for path in NOTEBOOKS if is_lesson(path)], ids=lambda path: path.stem)
def test_lesson_has_checked_exercises_a_quiz_and_solutions_the_test_run_checks(path):
    from helpers import exercises

    cells = load(path).cells
    number = path.name[:2]
    solutions = [cell for cell in cells if "solutions" in cell.metadata.get("tags", [])]
    learner = {
        match
        for cell in cells
        if cell.cell_type == "code" and cell not in solutions
        for match in CHECK_CALL.findall(cell.source)
    }
    assert len(learner) >= 4, f"at least four exercises the learner checks with helpers.check, found {sorted(learner)}"
    assert all(exercise_id.startswith(f"{number}.") for exercise_id in learner)
    for exercise_id in learner:
        exercises.expected(exercise_id)  # raises when tools/answers/NN.toml lacks it
    assert len(solutions) == 1 and solutions[0].cell_type == "code", "one code cell tagged 'solutions'"
    assert solutions[0].metadata.get("jupyter", {}).get("source_hidden") is True, "solutions are folded away"
    solved = set(re.findall(r"assert helpers\.check\(\s*\"(\d\d\.\d+)\"", solutions[0].source))
    assert solved == learner, f"the solutions cell must assert every exercise: missing {sorted(learner - solved)}"
    quiz_cells = [index for index, cell in enumerate(cells) if f'helpers.quiz("{number}")' in cell.source]
    assert len(quiz_cells) == 1, f'one cell calls helpers.quiz("{number}")'
    after = cells[quiz_cells[0] + 1]
    assert "quiz-static" in after.metadata.get("tags", []), "the quiz is followed by its static version"
    assert 5 <= len(exercises.quiz_questions(number)) <= 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_notebook_has_persian_goals_and_summary(path):
    persian = [
        cell for cell in load(path).cells if cell.cell_type == "markdown" and '<div dir="rtl" lang="fa">' in cell.source
    ]
    assert len(persian) >= 2, "a Persian (right-to-left) version of the learning goals and of the summary"


def is_solutions(cell: nbformat.NotebookNode) -> bool:
    return notebook_sync.SOLUTIONS_TAG in cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_stored_outputs_are_a_clean_run_in_order(path):
    code_cells = [cell for cell in load(path).cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code_cells]
    in_order = [None if is_solutions(cell) else number for number, cell in enumerate(code_cells, start=1)]
    assert counts == in_order, "outputs must come from one top-to-bottom run (the solutions cell stored unrun)"
    for cell in code_cells:
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"error output in cell:\n{cell.source[:200]}"
        # A stored warning is a learner's first "is something broken?": fix its cause instead of storing it.
        warnings = [output for output in cell.outputs if output.get("name") == "stderr" and "Warning" in output.text]
        assert not warnings, f"warning stored in cell:\n{cell.source[:200]}\n{warnings[0].text[:300]}"


def leaked_solutions(cells: list[nbformat.NotebookNode]) -> list[int]:
    """The solutions cells stored with outputs: they would print the answers right under the exercises."""
    return [
        index
        for index, cell in enumerate(cells)
        if is_solutions(cell) and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_the_solutions_cell_is_stored_without_outputs(path):
    assert not leaked_solutions(load(path).cells), "run: python -m tools.notebook_sync"


def test_a_solutions_cell_with_outputs_is_caught_and_the_sync_strips_them():
    cell = nbformat.v4.new_code_cell(
        'assert helpers.check("98.1", 2 + 2)', execution_count=7, metadata={"tags": ["solutions"]}
    )
    cell.outputs = [nbformat.v4.new_output("stream", text="Exercise 98.1: correct.\n")]
    demo = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 98 · Demo"), cell])
    assert leaked_solutions(demo.cells) == [1]
    synced = notebook_sync.synced(demo, "98_demo.ipynb")
    assert leaked_solutions(synced.cells) == [] and notebook_sync.solutions_output(demo) == "Exercise 98.1: correct."


@pytest.mark.parametrize(("check", "passes"), [("assert 6 * 7 == 42", True), ("assert 6 * 7 == 41", False)])
def test_the_test_run_still_runs_a_synced_solutions_cell_and_fails_on_its_assert(tmp_path, check, passes):
    """nbval compares no outputs for a cell stored unrun, but it runs it, and a failed assert fails the test."""
    solutions = nbformat.v4.new_code_cell(
        f"{check}\nprint('correct')", execution_count=1, metadata={"tags": ["solutions"]}
    )
    solutions.outputs = [nbformat.v4.new_output("stream", text="correct\n")]
    path = tmp_path / "98_demo.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 98 · Demo"), solutions])
    notebook_sync.write(notebook_sync.synced(notebook, path.name), path)
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "--nbval", "-q", str(path)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert (result.returncode == 0) == passes, result.stdout[-2000:]


# Directions to a teacher; in a lesson's text (not a ``notes`` cell) a self-learner would read them as theirs.
TEACHER_DIRECTIONS = re.compile(r"Ask the room|Ask the audience|Pre-run|\b(?i:the audience)\b|\bAsk:")


def unmarked_notes_and_directions(cells: list[nbformat.NotebookNode]) -> list[str]:
    """Notes cells without the instructor's mark, other cells with it, and lesson text that directs a teacher."""
    problems = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        notes, has_mark = instructor_notes.is_notes(cell), cell.source.startswith(instructor_notes.MARK_START)
        if notes and not cell.source.startswith(instructor_notes.MARK + "\n\n"):
            problems.append(f"cell {index} ({cell.get('id')}): a note without the mark (python -m tools.notebook_sync)")
        if has_mark and not notes:
            problems.append(f"cell {index} ({cell.get('id')}): the instructor's mark on a cell that is not a note")
        direction = None if notes else TEACHER_DIRECTIONS.search(cell.source)
        if direction:
            problems.append(f"cell {index} ({cell.get('id')}): {direction.group(0)!r} in the lesson's text")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_instructor_notes_carry_the_mark_and_the_lesson_text_directs_no_teacher(path):
    problems = unmarked_notes_and_directions(load(path).cells)
    assert not problems, "a teacher's directions go in a notes cell:\n  " + "\n  ".join(problems)


def test_an_unmarked_note_and_a_teacher_direction_in_the_lesson_are_caught():
    def note(source: str) -> nbformat.NotebookNode:
        return nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": "notes"}})

    lesson = nbformat.v4.new_markdown_cell("Ask the room what a stride of 2 does.")
    marked = note(instructor_notes.marked("Ask the room what a stride of 2 does."))
    assert unmarked_notes_and_directions([marked]) == []
    assert len(unmarked_notes_and_directions([note("Pre-run the cell."), lesson])) == 2
    demo = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 98 · Demo"), marked])
    twice = notebook_sync.synced(notebook_sync.synced(demo, "98_demo.ipynb"), "98_demo.ipynb")
    marks = "".join(cell.source for cell in twice.cells).count(instructor_notes.MARK_START)
    assert marks == 1, "the sync marks a note once, however often it runs"


# A lecture named by its file number, which a learner cannot decode: name the lecture (CONTRIBUTING.md).
DECK_NUMBER = re.compile(r"\bdeck\s+00[0-4]\b", re.IGNORECASE)
SKIPPED_FOLDERS = {".venv", "build", "node_modules"}


def prose_documents() -> list[Path]:
    """The course's markdown documents (README, docs, dataset cards...), not installed packages' or build outputs'."""
    found = REPO_ROOT.rglob("*.md")
    return sorted(path for path in found if not SKIPPED_FOLDERS & set(path.relative_to(REPO_ROOT).parts[:-1]))


def deck_numbers(texts: dict[str, str]) -> list[str]:
    return [f"{where}: {match.group(0)!r}" for where, text in texts.items() for match in DECK_NUMBER.finditer(text)]


def test_no_notebook_or_document_names_a_lecture_by_its_deck_number():
    texts = {path.relative_to(REPO_ROOT).as_posix(): path.read_text(encoding="utf-8") for path in prose_documents()}
    for path in NOTEBOOKS:
        for index, cell in enumerate(load(path).cells):
            if cell.cell_type == "markdown":
                texts[f"{path.name} cell {index} ({cell.get('id')})"] = cell.source
    assert "README.md" in texts and "docs/instructors.md" in texts
    found = deck_numbers(texts)
    assert not found, "name the lecture, not its deck number:\n  " + "\n  ".join(found)


def test_a_deck_number_is_caught():
    assert len(deck_numbers({"a": "as the lecture shows (deck 003)", "b": "Deck 000 says", "c": "deck 0034"})) == 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_size_and_sizing_through_pick(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"
    if path.name.startswith("00_"):
        return  # the start page explains the switch itself
    for cell in load(path).cells:
        if cell.cell_type == "code":
            assert "quick_mode(" not in cell.source and "COURSE_QUICK" not in cell.source, (
                "choose sizes with helpers.pick(quick=..., full=...)"
            )


@pytest.mark.parametrize("command", ["check", "format --check"])
def test_ruff_is_clean_on_helpers_tests_tools_and_notebooks(command):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            *command.split(),
            "helpers",
            "tests",
            "tools",
            "benchmarks",
            "notebooks",
            "tasks.py",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]


MAX_CELL_LINES = 40
# The everyday calls notebooks make through ``helpers.``; everything else is imported by name.
EVERYDAY = {
    "setup",
    "pick",
    "per_device",
    "fetch",
    "extract",
    "check",
    "quiz",
    "record_result",
    "show_images",
    "show_source",
    "quick_mode",
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_code_cells_are_short_and_use_helpers_one_way(path):
    problems = []
    for index, cell in enumerate(load(path).cells):
        if cell.cell_type != "code" or index == 1:  # cell 1 is the generated Colab cell
            continue
        lines = cell.source.splitlines()
        if len(lines) > MAX_CELL_LINES and not (lines[0].startswith("#") and "lesson" in lines[0]):
            problems.append(
                f"cell {index} has {len(lines)} lines (over {MAX_CELL_LINES}, and its first comment does "
                "not say the lines are the lesson)"
            )
        for line in lines:
            if re.match(r"\s*(import|from) ", line):
                continue
            for name in re.findall(r"(?<![\w.])helpers\.(\w+)", line.split("#", 1)[0]):
                if name not in EVERYDAY:
                    problems.append(f"cell {index} uses helpers.{name}...: import it by name (from helpers.x import y)")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(sorted(set(problems)))


@pytest.fixture(scope="module")
def kernel_language_info() -> dict:
    """What a real ipykernel reports about its language, as JupyterLab writes it into a notebook it opens."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply = client.kernel_info(reply=True, timeout=60)
        return reply["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def opened_in_jupyterlab(notebook: nbformat.NotebookNode, language_info: dict) -> nbformat.NotebookNode:
    """The notebook as JupyterLab saves it after opening it with a kernel: the kernel's language_info written in."""
    opened = nbformat.from_dict(copy.deepcopy(notebook))
    opened.metadata["language_info"] = language_info
    opened.metadata["kernelspec"] = notebook_sync.KERNELSPEC
    return opened


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_opening_in_jupyterlab_changes_nothing(path, kernel_language_info):
    original = load(path)
    opened = opened_in_jupyterlab(original, kernel_language_info)
    assert notebook_sync.synced(opened, in_notebooks(path)) == opened, "what Jupyter writes must pass the sync check"
    assert nbformat.writes(opened) + "\n" == path.read_text(encoding="utf-8"), (
        "opening the notebook would change it (autosave, git pull conflicts): re-run it with "
        "python -m tools.run_notebooks, which stores the kernel's language_info"
    )


def test_a_notebook_run_and_saved_in_a_kernel_stays_in_sync(tmp_path, kernel_language_info):
    """Open, run, save: the result is still in the course's form (the sync check and the tests accept it)."""
    from nbclient import NotebookClient

    demo = nbformat.v4.new_notebook()
    demo.cells = [nbformat.v4.new_markdown_cell("# 99 · Demo"), nbformat.v4.new_code_cell("print(6 * 7)")]
    notebook = notebook_sync.synced(demo, "99_demo.ipynb")
    NotebookClient(notebook, kernel_name="python3", timeout=120, record_timing=False).execute()
    saved = opened_in_jupyterlab(notebook, kernel_language_info)
    path = tmp_path / "99_demo.ipynb"
    path.write_text(nbformat.writes(saved) + "\n", encoding="utf-8")
    assert notebook_sync.main(["--check", str(path)]) == 0
    assert saved.metadata["language_info"]["name"] == "python" and saved.cells[-1].outputs[0]["text"] == "42\n"
