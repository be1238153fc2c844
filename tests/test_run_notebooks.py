"""The notebook runner: executes in a real kernel, stores outputs in the course's form, records the run."""

from __future__ import annotations

import json

import nbformat
import pytest

from helpers import env, results
from tools import notebook_sync, run_notebooks


def demo_notebook(path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# 98 · Demo"),
        nbformat.v4.new_code_cell("import os\nprint(os.environ['JPY_SESSION_NAME'].rsplit('/', 1)[-1], 6 * 7)"),
    ]
    notebook_sync.write(notebook_sync.synced(notebook, path.name), path)
    return path


def test_run_executes_in_a_kernel_that_knows_its_notebook(tmp_path):
    path = demo_notebook(tmp_path / "98_demo.ipynb")
    seconds = run_notebooks.run(path, timeout=120)
    stored = json.loads(path.read_text())
    code = [cell for cell in stored["cells"] if cell["cell_type"] == "code"]
    assert seconds > 0 and [cell["execution_count"] for cell in code] == [1, 2]
    assert "".join(code[-1]["outputs"][0]["text"]) == "98_demo.ipynb 42\n"
    assert notebook_sync.synced(nbformat.reads(path.read_text(), as_version=4), path.name) == nbformat.reads(
        path.read_text(), as_version=4
    ), "the stored notebook is in the course's form"


def test_a_run_stores_the_solutions_cell_unrun_and_records_what_it_printed(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "REPO_ROOT", tmp_path)
    path = demo_notebook(tmp_path / "98_demo.ipynb")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell("print('Exercise 98.1: correct.')", metadata={"tags": ["solutions"]})
    )
    notebook_sync.write(notebook, path)
    run_notebooks.run(path, timeout=120)
    stored = nbformat.read(path, as_version=4).cells[-1]
    assert stored.outputs == [] and stored.execution_count is None
    assert results.load_results("98_demo")["solutions"] == "Exercise 98.1: correct."


def test_main_records_the_full_run_and_refuses_unknown_prefixes(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(run_notebooks, "select", lambda prefixes: [demo_notebook(tmp_path / "98_demo.ipynb")])
    monkeypatch.setattr(run_notebooks, "run", lambda path, timeout: 12.3)
    monkeypatch.setenv(env.QUICK_ENV, "0")
    assert run_notebooks.main(["98"]) == 0
    run = results.load_results("98_demo", tmp_path / "results")["run"]
    assert run["seconds"] == 12 and run["device"] == run_notebooks.run_device()
    assert run_notebooks.main(["--quick", "98"]) == 0
    assert not (tmp_path / "build").exists(), "quick runs are not recorded"
    monkeypatch.setattr(run_notebooks, "select", lambda prefixes: [])
    assert run_notebooks.main(["99"]) == 1


@pytest.mark.parametrize(("prefixes", "first"), [([], "00_start_here.ipynb"), (["06"], "06_lenet_mnist.ipynb")])
def test_select_by_prefix(prefixes, first):
    chosen = run_notebooks.select(prefixes)
    assert chosen and chosen[0].name == first
