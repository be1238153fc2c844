"""The classroom test: a real JupyterHub on 127.0.0.1, two learners, the course pulled by its nbgitpuller link.

Run by ``python3 tasks.py hub`` (CI runs it after the test suite), which first checks what a hub needs here (the
proxy from npm, JupyterHub and nbgitpuller, git, a data mirror) and says what is missing before anything starts.
One hub serves every test below: two learners log in, each follows notebook 06's link (the course is pulled from a
local clone into their home), then both run notebook 06 in quick mode through the kernel API at the same time.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from helpers import data
from tools.classroom import hub as classroom
from tools.classroom import kernel_client, links, snapshot

NOTEBOOK = "06_lenet_mnist.ipynb"
LEARNERS = ("ada", "bahram")
EDITED = "README.md"
UPSTREAM_FILE = "upstream-change.txt"


@dataclass
class ClassRun:
    learners: list[classroom.Learner]
    commit: str
    runs: list[kernel_client.NotebookRun]
    mirror_changes: list[str]
    edited_text: str
    homes_after_second_pull: dict[str, set[str]]
    hub: classroom.ClassroomHub


def git(*arguments: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def push_upstream_change(run_dir: Path, repository: str) -> None:
    """The instructor publishes a new commit (one new file) to the branch the learners pulled."""
    work = run_dir / "instructor"
    git("clone", "--quiet", "--branch", classroom.BRANCH, repository, str(work))
    (work / UPSTREAM_FILE).write_text("a correction published after the learners' first pull\n")
    git("add", UPSTREAM_FILE, cwd=work)
    git("-c", "user.name=Instructor", "-c", "user.email=instructor@example.edu", "commit", "-qm", "fix", cwd=work)
    git("push", "--quiet", "origin", classroom.BRANCH, cwd=work)


def edit_through_jupyter(hub: classroom.ClassroomHub, learner: classroom.Learner, text: str) -> None:
    """The learner saves their own version of a file of the course, as JupyterLab's editor does."""
    response = requests.put(
        f"{hub.server_url(learner)}/api/contents/{links.TARGET_FOLDER}/{EDITED}",
        headers={"Authorization": f"token {hub.token}"},
        json={"type": "file", "format": "text", "content": text},
        timeout=60,
    )
    response.raise_for_status()


@pytest.fixture(scope="module")
def class_run(tmp_path_factory) -> ClassRun:
    missing = classroom.missing_prerequisites()
    assert not missing, "missing: " + "; ".join(missing)  # tasks.py hub reports these before starting
    mirror = data.mirror_dir()
    before = snapshot.take(mirror)
    run_dir = tmp_path_factory.mktemp("hub")
    repository = classroom.local_clone(run_dir)
    with classroom.ClassroomHub(run_dir) as hub:
        learners = [hub.log_in_and_start(name) for name in LEARNERS]
        for learner in learners:
            hub.pull_by_link(learner, repository, NOTEBOOK)
        edited_text = "ada's own notes\n"
        edit_through_jupyter(hub, learners[0], edited_text)
        push_upstream_change(run_dir, repository)
        hub.pull_by_link(learners[0], repository, NOTEBOOK)
        homes = {
            learner.name: {path.name for path in (learner.home / links.TARGET_FOLDER).iterdir()} for learner in learners
        }
        runs = hub.run_notebooks(learners, NOTEBOOK)
    return ClassRun(
        learners=learners,
        commit=git("--git-dir", str(run_dir / "upstream.git"), "rev-parse", f"{classroom.BRANCH}~1"),
        runs=runs,
        mirror_changes=snapshot.changes(before, snapshot.take(mirror)),
        edited_text=edited_text,
        homes_after_second_pull=homes,
        hub=hub,
    )


def test_each_learner_pulled_a_separate_copy_by_link(class_run):
    copies = [learner.home / links.TARGET_FOLDER for learner in class_run.learners]
    assert len({copy.resolve() for copy in copies}) == len(copies)
    for copy in copies:
        assert (copy / "notebooks" / NOTEBOOK).is_file() and (copy / "helpers" / "__init__.py").is_file()
    first, second = class_run.learners
    assert (second.home / links.TARGET_FOLDER / EDITED).read_text() != class_run.edited_text, "copies are shared"
    git("merge-base", "--is-ancestor", class_run.commit, "HEAD", cwd=copies[0])
    assert git("rev-parse", "HEAD", cwd=copies[1]) == class_run.commit


def test_a_second_pull_brings_upstream_changes_and_keeps_the_learners_edit(class_run):
    first, second = class_run.learners
    assert (first.home / links.TARGET_FOLDER / EDITED).read_text() == class_run.edited_text
    assert UPSTREAM_FILE in class_run.homes_after_second_pull[first.name]
    assert UPSTREAM_FILE not in class_run.homes_after_second_pull[second.name]


def test_both_learners_ran_the_notebook_without_errors(class_run):
    for run in class_run.runs:
        assert run.error is None, f"{run.learner}: {run.error}"
        assert run.cells_run > 20, run
    printed = "".join(class_run.runs[0].printed)
    assert "not answered yet" in printed, "the exercise cells ran and their checks answered"


def test_the_data_came_from_the_mirror_into_each_learners_own_folder(class_run):
    for learner in class_run.learners:
        assert (learner.home / "course-data" / "mnist" / "train-images-idx3-ubyte.gz").is_file(), learner.name


def test_nothing_was_written_into_the_mirror(class_run):
    assert class_run.mirror_changes == []


def test_the_hub_stopped_cleanly_and_left_no_process_behind(class_run):
    assert class_run.hub.left_behind == [] and class_run.hub.stopped_cleanly
