"""Rules for the code inside notebooks: each name defined once in the course, taught code kept in
``helpers/lessons/``, no reaching into a library's private attributes. Each rule is a small function over the
notebooks' code cells, so a test can also plant a violation and see the rule catch it."""

from __future__ import annotations

import ast
import importlib
import inspect
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from helpers.course import notebooks

Sources = dict[str, list[str]]  # notebook name -> the source of each of its code cells

# show_source targets outside helpers/lessons/, each with the reason it lives where it does.
SHOWN_OUTSIDE_LESSONS = {
    # The Hoda readers are the data layer every notebook, test and the benchmark use (with their checks on
    # malformed files); notebook 07 shows them because reading a binary format is part of its lesson.
    "helpers.hoda.parse_cdb_header",
    "helpers.hoda.fit_into_frame",
    # Loading weights safely is how every pretrained model is loaded; notebook 10 shows the checks it makes.
    "helpers.pretrained.load_checked_state_dict",
}


def code_sources(paths: list[Path]) -> Sources:
    return {
        path.name: [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
        for path in paths
    }


def trees(sources: list[str]) -> list[ast.Module]:
    return [ast.parse(source) for source in sources]


def defined_in_several(course: Sources) -> dict[str, list[str]]:
    """Top-level function and class names defined in more than one notebook, with those notebooks."""
    where = defaultdict(set)
    for notebook, sources in course.items():
        for tree in trees(sources):
            for node in tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    where[node.name].add(notebook)
    return {name: sorted(found) for name, found in where.items() if len(found) > 1}


def private_attributes(course: Sources) -> list[str]:
    """Every ``something._name`` a notebook reads or writes (dunder names excepted)."""
    found = []
    for notebook, sources in course.items():
        for tree in trees(sources):
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                    found.append(f"{notebook}: {ast.unparse(node)}")
    return found


def imported_names(tree: ast.Module) -> dict[str, str]:
    """What each name imported from ``helpers`` refers to, as a dotted path."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("helpers"):
                    names[alias.asname or alias.name] = alias.name
    return names


def resolve(dotted: str) -> object:
    """The object a dotted path names: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ImportError(dotted)


def shown_sources(course: Sources) -> list[tuple[str, str]]:
    """(notebook, dotted path of the object's home) for every ``helpers.show_source(...)`` argument."""
    shown = []
    for notebook, sources in course.items():
        names: dict[str, str] = {}
        for tree in trees(sources):
            names |= imported_names(tree)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and ast.unparse(node.func) == "helpers.show_source"):
                    continue
                for argument in node.args:
                    head, _, rest = ast.unparse(argument).partition(".")
                    obj = resolve(names.get(head, head) + (f".{rest}" if rest else ""))
                    home = obj.__name__ if inspect.ismodule(obj) else f"{obj.__module__}.{obj.__qualname__}"
                    shown.append((notebook, home))
    return shown


def shown_outside_lessons(course: Sources) -> list[str]:
    return [
        f"{notebook}: {home}"
        for notebook, home in shown_sources(course)
        if not home.startswith("helpers.lessons.") and home not in SHOWN_OUTSIDE_LESSONS
    ]


@pytest.fixture(scope="module")
def course() -> Sources:
    return code_sources(notebooks())


def test_no_function_or_class_is_defined_in_two_notebooks(course):
    assert defined_in_several(course) == {}, "share it through helpers/lessons/ or give each its own name"


def test_a_name_defined_twice_is_caught():
    planted = {"a.ipynb": ["def augment(x):\n    return x"], "b.ipynb": ["import math\n\n\nclass augment:\n    pass"]}
    assert defined_in_several(planted) == {"augment": ["a.ipynb", "b.ipynb"]}


def test_notebooks_use_no_private_attributes(course):
    assert private_attributes(course) == [], "use the library's public face (e.g. pretrained.lite0_parts)"


def test_a_private_attribute_is_caught():
    planted = {"x.ipynb": ["print(model.__class__)", "layer = model._fc"]}
    assert private_attributes(planted) == ["x.ipynb: model._fc"]


def test_shown_code_lives_in_lessons_or_on_the_named_list(course):
    homes = [home for _, home in shown_sources(course)]
    assert len(homes) >= 20, homes
    assert shown_outside_lessons(course) == [], "move taught code to helpers/lessons/ (or name it, with a reason)"
    assert set(SHOWN_OUTSIDE_LESSONS) <= set(homes), "the named list holds only what a notebook shows"


def test_shown_plumbing_is_caught():
    planted = {"x.ipynb": ["from helpers import data\n\nhelpers.show_source(data.fetch)"]}
    assert shown_outside_lessons(planted) == ["x.ipynb: helpers.data.fetch"]


EXTRA_CODE = "# extra code – "  # handson-ml3's marker: what JupyterLab shows of a cell the slides and site hide


def unmarked_hidden_cells(cells: list[nbformat.NotebookNode]) -> list[int]:
    """Indexes of code cells whose ``hide-input`` tag and first-line marker disagree (one without the other)."""
    return [
        index
        for index, cell in enumerate(cells)
        if cell.cell_type == "code"
        and ("hide-input" in cell.metadata.get("tags", [])) != cell.source.startswith(EXTRA_CODE)
    ]


@pytest.mark.parametrize("path", notebooks(), ids=lambda path: path.stem)
def test_hidden_cells_say_they_are_extra_code(path):
    cells = nbformat.read(path, as_version=4).cells
    assert unmarked_hidden_cells(cells) == [], f"start each hide-input cell with {EXTRA_CODE!r}, and only those"


def test_a_hidden_cell_without_its_marker_is_caught():
    marked = nbformat.v4.new_code_cell(EXTRA_CODE + "draws the figure below\nplt.show()")
    marked.metadata["tags"] = ["hide-input"]
    unmarked = nbformat.v4.new_code_cell("plt.show()")
    unmarked.metadata["tags"] = ["hide-input"]
    untagged = nbformat.v4.new_code_cell(EXTRA_CODE + "draws the figure below\nplt.show()")
    assert unmarked_hidden_cells([marked, unmarked, untagged]) == [1, 2]


def one_way_calls(course: Sources) -> list[str]:
    """Calls written another way than the course's one: ``claims.x(...)`` and a bare ``helpers.record_result``."""
    found = []
    for notebook, sources in course.items():
        for tree in trees(sources):
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "helpers.claims":
                    found.append(f"{notebook}: {ast.unparse(node)} (use `from helpers import claims`)")
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Call)
                    and ast.unparse(node.value.func) == "helpers.record_result"
                ):
                    found.append(f"{notebook}: {ast.unparse(node.targets[0])} = record_result(...) (it returns None)")
    return found


def test_claims_and_results_are_written_one_way(course):
    assert one_way_calls(course) == []


def test_another_way_is_caught():
    planted = {"x.ipynb": ["from helpers.claims import at_least", "_ = helpers.record_result('a', 1.0)"]}
    assert len(one_way_calls(planted)) == 2


def plumbing_share(cells: list[nbformat.NotebookNode]) -> float:
    """The share of a notebook's code lines that are setup (cell 2) or hidden scaffolding (``hide-input``),
    not counting the generated Colab cell (cell 1)."""
    total = plumbing = 0
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or index == 1:
            continue
        lines = len(cell.source.splitlines())
        total += lines
        if index == 2 or "hide-input" in cell.metadata.get("tags", []):
            plumbing += lines
    return plumbing / max(total, 1)


@pytest.mark.parametrize("path", notebooks(), ids=lambda path: path.stem)
def test_plumbing_is_at_most_a_third_of_a_notebooks_code(path):
    share = plumbing_share(nbformat.read(path, as_version=4).cells)
    assert share <= 1 / 3, f"{share:.0%} of the code is setup and hidden scaffolding: move it to helpers.plotting"


def test_a_notebook_of_mostly_scaffolding_is_caught():
    cells = [
        nbformat.v4.new_markdown_cell("# 99"),
        nbformat.v4.new_code_cell("# Colab"),
        nbformat.v4.new_code_cell("a"),
    ]
    hidden = nbformat.v4.new_code_cell(EXTRA_CODE + "draws\nplt.plot()\nplt.show()")
    hidden.metadata["tags"] = ["hide-input"]
    assert plumbing_share([*cells, hidden, nbformat.v4.new_code_cell("x = 1")]) == 4 / 5


def is_typed_in(node: ast.expr, typed: set[str]) -> bool:
    """Whether ``node`` is built from literals alone (numbers, strings, their arithmetic, lists and tuples of them),
    or from names the cell bound to such values: an answer typed in, not computed."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in typed
    if isinstance(node, ast.UnaryOp):
        return is_typed_in(node.operand, typed)
    if isinstance(node, ast.BinOp):
        return is_typed_in(node.left, typed) and is_typed_in(node.right, typed)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(is_typed_in(element, typed) for element in node.elts)
    return False


def typed_in_answers(source: str) -> list[str]:
    """The ``helpers.check("NN.k", X)`` calls of a solutions cell whose X is typed in (see :func:`is_typed_in`): such
    an assert passes whatever the notebook computes, so it proves nothing. The answer must be derived."""
    typed: set[str] = set()
    found = []
    for statement in ast.parse(source).body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "helpers.check" and len(node.args) == 2:
                if is_typed_in(node.args[1], typed):
                    found.append(ast.unparse(node))
        if isinstance(statement, ast.Assign):
            names = {target.id for target in statement.targets if isinstance(target, ast.Name)}
            typed = typed | names if is_typed_in(statement.value, typed) else typed - names
    return found


@pytest.mark.parametrize("path", notebooks(), ids=lambda path: path.stem)
def test_the_solutions_derive_each_answer_they_check(path):
    cells = nbformat.read(path, as_version=4).cells
    solutions = [cell.source for cell in cells if "solutions" in cell.metadata.get("tags", [])]
    found = [call for source in solutions for call in typed_in_answers(source)]
    assert found == [], "compute each answer from the notebook's data, model or formulas:\n  " + "\n  ".join(found)


def test_a_typed_in_answer_is_caught():
    source = """
side = 5 + (2 - 1) * 1
measured = model_output.shape[-1]
assert helpers.check("98.1", side + (5 - 1) * 2)
assert helpers.check("98.2", "b")
assert helpers.check("98.3", [1, -2.5])
assert helpers.check("98.4", 1 / 0.8)
assert helpers.check("98.5", measured)
assert helpers.check("98.6", conv_output_size(224, 11, stride=4))
assert helpers.check("98.7", "a" if measured > side else "b")
side = measured
assert helpers.check("98.8", side)
"""
    assert [call[15:19] for call in typed_in_answers(source)] == ["98.1", "98.2", "98.3", "98.4"]
