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
from tools import notebook_sync

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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_stored_outputs_are_a_clean_run_in_order(path):
    code_cells = [cell for cell in load(path).cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code_cells]
    assert counts == list(range(1, len(code_cells) + 1)), "outputs must come from one top-to-bottom run"
    for cell in code_cells:
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"error output in cell:\n{cell.source[:200]}"
        # A stored warning is a learner's first "is something broken?": fix its cause instead of storing it.
        warnings = [output for output in cell.outputs if output.get("name") == "stderr" and "Warning" in output.text]
        assert not warnings, f"warning stored in cell:\n{cell.source[:200]}\n{warnings[0].text[:300]}"


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
