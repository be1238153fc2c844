"""The results record and the README table generated from it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import results


@pytest.fixture
def results_home(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "REPO_ROOT", tmp_path)
    return tmp_path


def test_full_mode_writes_results_json(results_home, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "0")
    results.record_result(
        "06_lenet_mnist", "test accuracy", 0.9912, "fraction", framework="torch", device="cpu", seconds=61.234
    )
    results.record_result("06_lenet_mnist", "images per second", 5000, "images/s", framework="torch", device="cpu")
    accuracy = np.float32(0.5)
    results.record_result("06_lenet_mnist", "keras accuracy", accuracy, "fraction", framework="keras", device="CPU")
    saved = json.loads((results_home / "results" / "06_lenet_mnist.json").read_text())
    record = saved["results"]["test accuracy"]
    assert record["value"] == 0.9912 and record["mode"] == "full" and record["seconds"] == 61.23
    assert saved["results"]["keras accuracy"]["value"] == 0.5
    assert set(saved["results"]) == {"test accuracy", "images per second", "keras accuracy"}


def test_quick_mode_never_touches_results(results_home, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    results.record_result("06_lenet_mnist", "test accuracy", 0.5, "fraction", framework="torch", device="cpu")
    assert not (results_home / "results").exists()
    assert (results_home / "build" / "quick-results" / "06_lenet_mnist.json").is_file()


@pytest.mark.parametrize(
    ("notebook", "value"), [("lenet", 1.0), ("05_lenet.ipynb", 1.0), ("05_lenet", float("nan")), ("05_lenet", "0.9")]
)
def test_bad_records_are_refused(results_home, notebook, value):
    with pytest.raises(ValueError):
        results.record_result(notebook, "x", value, "fraction", framework="torch", device="cpu")
