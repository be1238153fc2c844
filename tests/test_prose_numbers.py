"""Every measured number a notebook's text quotes appears in its own outputs, code or results record."""

from __future__ import annotations

import copy
import json

import nbformat
import numpy as np
import pytest

from helpers.course import notebooks
from tools import prose_numbers


@pytest.mark.parametrize("path", notebooks(), ids=lambda path: path.stem)
def test_numbers_in_the_text_come_from_the_run(path):
    missing = prose_numbers.unbacked(path)
    listed = "\n".join(f"  cell {quoted.cell}: {quoted.text}" for quoted in missing)
    assert not missing, (
        f"{path.name}: numbers in the text that no output, code or results record backs (print them in a cell, "
        f"or mark a number quoted from a paper or lecture with <q>...</q>):\n{listed}"
    )


def notebook_with(markdown: str, printed: str) -> dict:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(probability)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    notebook.cells = [cell, nbformat.v4.new_markdown_cell(markdown)]
    return notebook


def test_a_planted_wrong_number_is_caught(tmp_path):
    # Notebook 08's old mistake: the text said 0.28 where the output said 0.78.
    right = notebook_with("The Keras model gives Chelsea P(dog) = 0.78.", "P(dog) = 0.7812")
    wrong = copy.deepcopy(right)
    wrong.cells[1].source = "The Keras model gives Chelsea P(dog) = 0.28."
    for name, notebook, expected in (("01_right", right, []), ("02_wrong", wrong, ["0.28"])):
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(notebook))
        assert [quoted.text for quoted in prose_numbers.unbacked(path, results_dir=tmp_path)] == expected


@pytest.mark.parametrize(
    ("quoted", "printed", "backed"),
    [
        ("78%", "0.7812", True),
        ("0.78", "0.7812", True),
        ("78.1%", "0.7812", True),
        ("78.2%", "0.7812", False),
        ("62.4 million", "62,378,344", True),
        ("62.5 million", "62,378,344", False),
        ("1,500", "1500", True),
        ("1,501", "1500", False),
        ("۹۹٫۲٪", "0.9920", True),
        ("2.4x fewer", "(2.4x fewer)", True),
    ],
)
def test_matching_is_rounding_aware(quoted, printed, backed):
    [number] = prose_numbers.prose_numbers(quoted)
    candidates = prose_numbers.available_numbers(notebook_with("", printed))
    assert prose_numbers.is_backed(number, candidates) is backed


def test_quotations_years_and_small_counts_are_not_checked():
    text = "In 2012 AlexNet had <q>60 million</q> parameters, <q>15.3%</q> error; 5 layers, 3x3 kernels, notebook 06"
    assert prose_numbers.prose_numbers(text) == []
    assert [q.text for q in prose_numbers.prose_numbers("a 224 x 224 crop, `0.5` in code, $0.25$ in math")] == [
        "224",
        "224",
    ]


def test_results_records_back_numbers(tmp_path):
    path = tmp_path / "03_demo.ipynb"
    path.write_text(json.dumps(notebook_with("Test accuracy 99.27%, in 62 s.", "nothing")))
    record = {"notebook": "03_demo", "results": {"test accuracy": {"value": 0.9927, "seconds": 61.8}}}
    (tmp_path / "03_demo.json").write_text(json.dumps(record))
    assert prose_numbers.unbacked(path, results_dir=tmp_path) == []
    assert prose_numbers.available_numbers({"cells": []}, record).tolist() == pytest.approx(
        np.unique([0.9927, 61.8]).tolist()
    )
