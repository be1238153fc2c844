"""The results record: the notebook, framework and device are found out, and each split is named."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from helpers import env, results


@pytest.fixture
def results_home(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "REPO_ROOT", tmp_path)
    monkeypatch.setenv(env.SESSION_ENV, "/somewhere/notebooks/06_lenet_mnist.ipynb")
    return tmp_path


def test_full_mode_writes_results_json_with_what_it_infers(results_home, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "0")
    model = torch.nn.Linear(2, 2)
    results.record_result("test accuracy", 0.9912, model=model, seconds=61.234)
    results.record_result("images per second", 5000, "images/s", framework="torch")
    results.record_result("validation accuracy", np.float32(0.5), model=model)
    saved = json.loads((results_home / "results" / "06_lenet_mnist.json").read_text())
    record = saved["results"]["test accuracy"]
    assert record["value"] == 0.9912 and record["mode"] == "full" and record["seconds"] == 61.23
    assert record["framework"] == "torch" and record["device"] == env.describe_cpu()
    assert record["machine"] == results.machine()
    assert saved["results"]["validation accuracy"]["value"] == 0.5
    assert set(saved["results"]) == {"test accuracy", "images per second", "validation accuracy"}


def test_the_device_spelling_is_one_for_every_run(monkeypatch):
    monkeypatch.setenv(env.THREADS_ENV, "1")
    assert env.describe_torch_device("cpu") == "cpu (1 thread)"
    monkeypatch.setenv(env.THREADS_ENV, "2")
    assert env.describe_torch_device(torch.device("cpu")) == "cpu (2 threads)" == env.describe_cpu()


def test_quick_mode_never_touches_results(results_home, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    results.record_result("test accuracy", 0.5, framework="numpy")
    assert not (results_home / "results").exists()
    assert (results_home / "build" / "quick-results" / "06_lenet_mnist.json").is_file()


def test_outside_a_course_notebook_nothing_is_written(results_home, monkeypatch):
    monkeypatch.setenv(env.SESSION_ENV, "/content/Untitled.ipynb")
    assert results.record_result("test accuracy", 0.5, framework="numpy") is None
    assert not (results_home / "build").exists() and not (results_home / "results").exists()


def test_the_run_is_recorded_beside_the_results(results_home, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "0")
    results.record_result("test accuracy", 0.99, framework="numpy")
    results.record_run("06_lenet_mnist", 301.4, "cpu (2 threads)")
    saved = results.load_results("06_lenet_mnist")
    assert saved["run"]["seconds"] == 301 and saved["run"]["device"] == "cpu (2 threads)"
    assert "test accuracy" in saved["results"]


@pytest.mark.parametrize(
    ("name", "value", "framework", "match"),
    [
        ("test accuracy", float("nan"), "numpy", "finite"),
        ("test accuracy", "0.9", "numpy", "finite"),
        ("accuracy", 0.9, "numpy", "which data"),
        ("val accuracy", 0.9, "numpy", "which data"),
        ("test accuracy", 0.9, None, "framework"),
        ("test accuracy", 0.9, "jax", "framework"),
    ],
)
def test_bad_records_are_refused(results_home, name, value, framework, match):
    with pytest.raises(ValueError, match=match):
        results.record_result(name, value, framework=framework)


def test_a_model_of_unknown_kind_is_refused(results_home):
    with pytest.raises(ValueError, match="framework"):
        results.record_result("test accuracy", 0.9, model=object())
