"""tasks.py, the one entry point: help, unknown commands and unsupported Pythons get clear answers; the test
command leaves a learner's work alone and says before it starts which tests a missing Chromium leaves out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import tasks
from helpers.course import REPO_ROOT


def run_tasks(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "tasks.py"), *arguments], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("flag", ["--help", "-h", "help"])
def test_help_exits_zero_and_lists_the_commands(flag):
    result = run_tasks(flag)
    assert result.returncode == 0 and "python tasks.py test" in result.stdout


def test_an_unknown_command_prints_an_error_and_the_usage():
    result = run_tasks("frobnicate")
    assert result.returncode == 2
    first, *rest = result.stdout.splitlines()
    assert first.startswith("error: unknown command 'frobnicate'") and any("tasks.py lab" in line for line in rest)


@pytest.mark.parametrize(
    ("version", "expected"),
    [((3, 10), "needs Python 3.11 or newer"), ((3, 11), None), ((3, 13), None), ((3, 14), "newer than the course")],
)
def test_python_versions_are_checked_before_installing(version, expected):
    problem = tasks.python_version_problem(version)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem and "python3.12 tasks.py lab" in problem


def test_a_small_install_takes_torch_from_the_cpu_index_and_leaves_tensorflow_out():
    torch_lines, other_lines = tasks.split_requirements((REPO_ROOT / "requirements.txt").read_text())
    assert [line.split(">")[0].split("<")[0].split("=")[0] for line in torch_lines] == ["torch", "torchvision"]
    assert not any(line.startswith("tensorflow") for line in other_lines)
    assert "keras>=3.5,<4" in other_lines and all("#" not in line for line in torch_lines + other_lines)


def test_the_install_setting_is_checked(monkeypatch):
    monkeypatch.setenv(tasks.INSTALL_ENV, "tiny")
    with pytest.raises(SystemExit, match="small"):
        tasks.small_install()
    monkeypatch.setenv(tasks.INSTALL_ENV, " Small ")
    assert tasks.small_install()


def test_jupyterlab_checkpoint_copies_are_never_tested(tmp_path, monkeypatch):
    """After a lab session, .ipynb_checkpoints holds a learner's edited copies: 17 paths instead of 14 once."""
    setup = {"cells": [{"source": []}, {"source": []}, {"source": ["helpers.setup(keras=True)"]}]}
    for folder in ("notebooks", "notebooks/.ipynb_checkpoints", "notebooks/appendix/.ipynb_checkpoints"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        name = "06_lenet-checkpoint.ipynb" if "checkpoints" in folder else "06_lenet.ipynb"
        (tmp_path / folder / name).write_text(json.dumps(setup))
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    assert tasks.keras_notebooks() == ["notebooks/06_lenet.ipynb"]


def test_the_real_keras_notebooks_are_found():
    found = tasks.keras_notebooks()
    assert found and all(".ipynb_checkpoints" not in path for path in found)
    assert "notebooks/06_lenet_mnist.ipynb" in found


@pytest.fixture
def test_command_runs(monkeypatch):
    """tasks.py test with the environment taken as installed and each pytest run recorded instead of run."""
    runs = []
    monkeypatch.setattr(tasks, "ensure_environment", lambda: None)
    monkeypatch.setattr(tasks, "run_in_venv", lambda arguments, env=None: runs.append(arguments) or 0)
    return runs


def test_without_chromium_the_browser_tests_are_left_out_and_said_so_first(test_command_runs, monkeypatch, capsys):
    monkeypatch.setenv("CHROMIUM", "/nowhere/chromium")
    assert tasks.main(["test"]) == 0
    first_run = test_command_runs[0]
    assert first_run[-2:] == ["-m", f"not {tasks.BROWSER_MARK}"]
    said = capsys.readouterr().out
    assert "Chromium was not found" in said and tasks.BROWSER_MARK in said and "apt-get install chromium" in said
    assert len(test_command_runs) == 2, "the Keras-on-PyTorch pass still runs"


def test_with_chromium_every_test_runs(test_command_runs, monkeypatch, tmp_path, capsys):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(fake))
    assert tasks.main(["test"]) == 0
    assert test_command_runs[0] == tasks.TEST_COMMAND and "Chromium" not in capsys.readouterr().out


def test_one_notebook_is_tested_alone(test_command_runs):
    assert tasks.main(["test", "notebooks/06_lenet_mnist.ipynb"]) == 0
    assert test_command_runs == [[*tasks.TEST_COMMAND, "notebooks/06_lenet_mnist.ipynb"]]


def test_the_marked_tests_are_the_ones_that_drive_chromium():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "--collect-only", "-q", "-m", tasks.BROWSER_MARK]
        + [f"tests/test_slides{suffix}.py" for suffix in ("", "_layout", "_cells")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    marked = {line.split("::")[1].split("[")[0] for line in collected.splitlines() if "::" in line}
    assert {
        "test_deck_renders_in_chromium_with_every_slide",
        "test_layout_report_lists_each_deck_at_both_window_sizes",
        "test_every_slide_of_every_deck_can_be_reached",
        "test_a_long_formula_stays_on_one_line",
    } <= marked
    assert not marked & {
        "test_every_notebook_cell_has_an_allowed_slide_type",
        "test_font_files_with_unknown_weights_are_refused",
    }


@pytest.mark.parametrize("notebook", ["06_lenet_mnist.ipynb", "08_data_augmentation.ipynb"])
def test_quick_mode_saves_its_models_under_build_not_over_a_learners(notebook, monkeypatch):
    """The test run once replaced a learner's full-mode models in notebooks/models/ with quick-mode ones."""
    cells = json.loads((REPO_ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    [definition] = [
        line for cell in cells if cell["cell_type"] == "code" for line in cell["source"] if line.startswith("MODELS =")
    ]
    import helpers
    from helpers.course import REPO_ROOT as repo_root

    for quick, inside in (("1", REPO_ROOT / "build"), ("0", None)):
        monkeypatch.setenv("COURSE_QUICK", quick)
        namespace = {"helpers": helpers, "Path": Path, "REPO_ROOT": repo_root}
        exec(definition, namespace)
        folder = Path(namespace["MODELS"])
        if inside:
            assert folder.resolve().is_relative_to(inside), folder
        else:
            assert folder == Path("models"), "full mode keeps the models where the notebook's text says"
