"""The MNIST benchmarks: smoke runs of their commands (as subprocesses, as the README runs them) print a valid
JSON summary and exit with 0 exactly when the target was reached; the timed loop is reproducible."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from benchmarks import _time_to_accuracy as tta
from benchmarks.lenet_mnist_time_to_accuracy import course_recipe
from benchmarks.pytorch_mnist_example_baseline import pytorch_example_net
from helpers.course import REPO_ROOT
from helpers.mnist import load_mnist

SUMMARY_KEYS = {
    "recipe",
    "device",
    "machine",
    "torch_threads",
    "load_average_before",
    "load_average_after",
    "torch",
    "seed",
    "optimizer",
    "batch_size",
    "schedule_epochs",
    "amp",
    "channels_last",
    "train_images",
    "evaluated_on",
    "target",
    "target_reached",
    "seconds_to_target",
    "epochs_to_target",
    "train_seconds",
    "images_per_second",
    "final_accuracy",
    "evaluations",
    "evaluation_seconds",
    "startup_seconds",
}
STARTUP_PHASES = {"import_torch", "import_helpers", "device_init", "data_loading", "tensors", "warmup", "model"}


@pytest.fixture
def mnist_available(real_data) -> None:
    """The real MNIST files in the cache (skipped offline without a mirror; with a mirror they must be there)."""
    for split in ("train", "test"):
        real_data(lambda split=split: load_mnist(split), "MNIST")


def run_benchmark(module: str, *arguments: str) -> tuple[int, dict, str]:
    """Run ``python -m benchmarks.<module> --device cpu --threads 1 ...``; its exit status, summary and output."""
    command = [sys.executable, "-m", f"benchmarks.{module}", "--device", "cpu", "--threads", "1", *arguments]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    lines = result.stdout.strip().splitlines()
    assert lines, f"no output; stderr:\n{result.stderr}"
    try:
        summary = json.loads(lines[-1])
    except json.JSONDecodeError:
        pytest.fail(f"the last line is not a JSON summary:\n{result.stdout}\n{result.stderr}")
    return result.returncode, summary, result.stdout


def check_summary(summary: dict, target: float, train_images: int, evaluated_on: str) -> None:
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["target"] == target and summary["train_images"] == train_images
    assert summary["evaluated_on"] == evaluated_on
    assert summary["train_seconds"] > 0 and summary["images_per_second"] > 0
    assert 0 <= summary["final_accuracy"] <= 1
    if summary["target_reached"]:
        assert 0 < summary["seconds_to_target"] <= summary["train_seconds"]
        assert summary["epochs_to_target"] > 0
    else:
        assert summary["seconds_to_target"] is None and summary["epochs_to_target"] is None


def test_course_smoke_run_reaches_a_low_target(mnist_available):
    status, summary, output = run_benchmark(
        "lenet_mnist_time_to_accuracy", "--train-size", "3000", "--epochs", "1", "--target", "0.5"
    )
    check_summary(summary, 0.5, 3000, "test (10000 images)")
    assert status == 0 and summary["target_reached"]
    assert summary["recipe"] == "course-lenet" and summary["evaluations"] == 4
    assert output.count("course-lenet: epoch") == 4
    assert set(summary["startup_seconds"]) == STARTUP_PHASES
    assert summary["process_seconds"] >= sum(summary["startup_seconds"].values()) + summary["train_seconds"]


def test_a_missed_target_exits_with_status_1(mnist_available):
    status, summary, _ = run_benchmark(
        "lenet_mnist_time_to_accuracy",
        *("--train-size", "3000", "--epochs", "1", "--evals-per-epoch", "1", "--holdout", "0.05"),
        *("--target", "0.999", "--warmup-steps", "0"),
    )
    check_summary(summary, 0.999, 3000, "holdout (3000 training images)")
    assert status == 1 and not summary["target_reached"]
    assert summary["evaluations"] == 1 and "warmup" in summary["startup_seconds"]


def test_course_and_baseline_smoke_run_in_one_process(mnist_available):
    status, summary, _ = run_benchmark(
        "lenet_mnist_time_to_accuracy",
        *("--train-size", "1000", "--test-size", "1000", "--epochs", "1", "--baseline", "--baseline-epochs", "1"),
        *("--evals-per-epoch", "2", "--target", "0.3"),
    )
    check_summary(summary, 0.3, 1000, "test (1000 images)")
    baseline = summary["baseline"]
    check_summary(baseline, 0.3, 1000, "test (1000 images)")
    assert baseline["recipe"] == "pytorch-example" and baseline["batch_size"] == 64
    assert set(baseline["startup_seconds"]) == {"warmup", "model"}
    both = summary["target_reached"] and baseline["target_reached"]
    assert status == (0 if both else 1)
    assert ("baseline_to_course_ratio" in summary) == both


def test_baseline_script_smoke_run(mnist_available):
    status, summary, output = run_benchmark(
        "pytorch_mnist_example_baseline", "--train-size", "1000", "--test-size", "1000", "--epochs", "1"
    )
    check_summary(summary, 0.99, 1000, "test (1000 images)")
    assert status == (0 if summary["target_reached"] else 1)
    assert summary["recipe"] == "pytorch-example" and summary["schedule_epochs"] == 1
    assert output.count("pytorch-example: epoch") == 4
    assert set(summary["startup_seconds"]) == STARTUP_PHASES


def test_the_baseline_is_pytorchs_example_network():
    model = pytorch_example_net()
    layers = [type(layer).__name__ for layer in model]
    assert layers == [
        *("Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d", "Dropout", "Flatten"),
        *("Linear", "ReLU", "Dropout", "Linear", "LogSoftmax"),
    ]
    assert [layer.p for layer in model if isinstance(layer, torch.nn.Dropout)] == [0.25, 0.5]
    assert sum(p.numel() for p in model.parameters()) == 1_199_882
    log_probabilities = model.eval()(torch.randn(3, 1, 28, 28))
    torch.testing.assert_close(log_probabilities.exp().sum(1), torch.ones(3))


def tiny_data() -> tta.MnistTensors:
    generator = np.random.default_rng(0)
    images = torch.from_numpy(generator.integers(0, 256, (600, 1, 28, 28), dtype=np.uint8)).float() / 255
    labels = torch.from_numpy(generator.integers(0, 10, 600))
    return tta.MnistTensors(images[:500], labels[:500], images[500:], labels[500:], "tiny")


def test_the_same_seed_repeats_the_same_run():
    args = argparse.Namespace(
        batch_size=64, max_lr=4e-3, epochs=2, warmup_fraction=0.25, amp=False, channels_last=True, compile=False
    )
    data, device = tiny_data(), torch.device("cpu")
    runs, weights = [], []
    for _ in range(2):
        torch.manual_seed(3)
        recipe = course_recipe(args, device, 500)
        runs.append(tta.train_to_target(recipe, data, device, 0.99, evals_per_epoch=2))
        weights.append(torch.cat([p.detach().flatten() for p in recipe.model.parameters()]))
    assert [accuracy for *_, accuracy in runs[0]["history"]] == [accuracy for *_, accuracy in runs[1]["history"]]
    assert torch.equal(weights[0], weights[1])
    assert len(runs[0]["history"]) == 4 and runs[0]["images"] == 1000 and runs[0]["reached"] is None


def test_the_step_profile_times_every_phase():
    args = argparse.Namespace(
        batch_size=32, max_lr=4e-3, epochs=1, warmup_fraction=0.25, amp=False, channels_last=False, compile=False
    )
    device = torch.device("cpu")
    profile = tta.profile_steps(course_recipe(args, device, 500), tiny_data(), device, steps=5)
    assert set(profile["ms_per_step"]) == {"batch", "forward", "backward", "optimizer", "total"}
    assert profile["ms_per_step"]["total"] == pytest.approx(
        sum(value for phase, value in profile["ms_per_step"].items() if phase != "total"), abs=0.01
    )
    assert profile["images_per_second"] > 0 and profile["evaluated_images"] == 100
