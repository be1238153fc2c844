"""The project's own files agree with each other: conda and pip requirements, README tables, Colab cells."""

from __future__ import annotations

import re

from helpers.course import REPO_ROOT, REPOSITORY
from tools import notebook_sync, readme_tables


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_environment_yml_pip_section_mirrors_requirements_txt():
    requirements = requirement_lines((REPO_ROOT / "requirements.txt").read_text())
    environment = (REPO_ROOT / "environment.yml").read_text()
    pip_section = environment.split("- pip:", 1)[1]
    pip_lines = [line.strip()[2:].strip() for line in pip_section.splitlines() if line.strip().startswith("- ")]
    assert pip_lines == requirements
    assert re.search(r"^\s*- python=3\.1[1-9]", environment, re.MULTILINE)


def test_readme_tables_are_current():
    readme = (REPO_ROOT / "README.md").read_text()
    assert readme_tables.render(readme) == readme, "run: python -m tools.readme_tables"


def test_colab_cell_and_badges_come_from_the_one_repository_address():
    assert REPOSITORY in notebook_sync.INSTALL_CELL
    assert notebook_sync.badge("00_start_here.ipynb").endswith(
        f"({REPOSITORY.replace('https://github.com/', 'https://colab.research.google.com/github/')}"
        "/blob/main/notebooks/00_start_here.ipynb)"
    )
    readme = (REPO_ROOT / "README.md").read_text()
    assert f"git clone {REPOSITORY}" in readme


def test_readme_names_the_test_command_that_ci_runs():
    readme = (REPO_ROOT / "README.md").read_text()
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme and "python3 tasks.py test" in ci


def test_readme_conda_test_command_is_the_one_tasks_py_runs():
    import tasks

    command = " ".join([*(f"{name}={value}" for name, value in tasks.TEST_ENV.items()), "python", *tasks.TEST_COMMAND])
    readme = (REPO_ROOT / "README.md").read_text()
    assert f"`{command}`" in readme, f"the README's conda instructions should say: {command}"


def test_encoded_answers_are_current():
    from tools import answer_key

    assert answer_key.main(["--check"]) == 0, "run: python -m tools.answer_key"


def test_instructors_guide_has_a_row_per_notebook():
    from helpers.course import notebooks

    guide = (REPO_ROOT / "docs" / "instructors.md").read_text()
    rows = {line.split("|")[1].strip() for line in guide.splitlines() if re.match(r"\| \d\d \|", line)}
    main = {path.name[:2] for path in notebooks() if "appendix" not in path.parts}
    assert rows == main, f"rows {sorted(rows)} do not match the notebooks {sorted(main)}"
    readme = (REPO_ROOT / "README.md").read_text()
    assert "docs/instructors.md" in readme and "docs/glossary.md" in readme
