"""The claims notebooks check: each kind fails when its claim is false, and no notebook's claim is vacuous."""

from __future__ import annotations

import ast

import nbformat
import pytest

from helpers import claims
from helpers.course import notebooks


def test_at_least_and_at_most():
    claims.at_least("accuracy", 0.95, 0.9)
    claims.at_most("loss", 0.1, 0.2)
    with pytest.raises(AssertionError, match="accuracy is 0.85, expected at least 0.9"):
        claims.at_least("accuracy", 0.85, 0.9)
    with pytest.raises(AssertionError, match="at most"):
        claims.at_most("loss", 0.3, 0.2)


def test_smaller_and_falls():
    claims.smaller("gap", 0.03, 0.2)
    claims.falls("loss", [2.3, 1.0, 0.4], factor=2)
    with pytest.raises(AssertionError, match="gap"):
        claims.smaller("gap", 0.2, 0.03)
    with pytest.raises(AssertionError, match="gap"):
        claims.smaller("gap", 0.1, 0.2, margin=0.15)
    with pytest.raises(AssertionError, match="fall"):
        claims.falls("loss", [2.3, 2.2], factor=2)
    with pytest.raises(ValueError, match="two values"):
        claims.falls("loss", [2.3])


def test_quick_mode_is_named_in_the_message(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    with pytest.raises(AssertionError, match="quick mode"):
        claims.at_least("accuracy", 0.1, 0.5)


@pytest.mark.parametrize("value", [True, None, "0.9", float("nan")])
def test_claims_compare_numbers_only(value):
    with pytest.raises(ValueError, match="finite numbers"):
        claims.at_least("accuracy", value, 0.5)


def claim_calls(source: str) -> list[ast.Call]:
    """Calls of helpers.claims functions (claims.at_least(...), at_least(...)) in a cell's code."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics
        return []
    names = {"at_least", "at_most", "smaller", "falls"}
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "attr", None) in names or getattr(node.func, "id", None) in names)
    ]


def quick_value(node: ast.expr):
    """The quick= argument of a pick(quick=..., full=...) call, if ``node`` is one."""
    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "pick":
        for keyword in node.keywords:
            if keyword.arg == "quick":
                return keyword.value
    return None


@pytest.mark.parametrize("path", notebooks(), ids=lambda path: path.stem)
def test_no_claim_or_assert_is_vacuous_in_quick_mode(path):
    """CI runs quick mode only: a bound of 0 or True there would let any result pass."""
    problems = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            quick = quick_value(node)
            if quick is None:
                continue
            inside_check = any(
                node in ast.walk(statement) for statement in ast.walk(tree) if isinstance(statement, ast.Assert)
            ) or any(node in ast.walk(call) for call in claim_calls(cell.source))
            vacuous = isinstance(quick, ast.Constant) and (
                quick.value is None
                or isinstance(quick.value, bool)
                or (type(quick.value) in (int, float) and quick.value == 0)
            )
            if inside_check and vacuous:
                problems.append(f"cell {index}: {ast.unparse(node)}")
    assert not problems, f"{path.name}: checks that cannot fail in quick mode: {problems}"
