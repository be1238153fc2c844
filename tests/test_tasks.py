"""tasks.py, the one entry point: help, unknown commands and unsupported Pythons get clear answers."""

from __future__ import annotations

import subprocess
import sys

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
