"""Run settings: quick/full mode, sizing, threads, seeding, devices, import order."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from helpers import env


@pytest.mark.parametrize(("value", "quick"), [("1", True), ("true", True), ("YES", True), ("0", False), ("", False)])
def test_quick_mode_reads_the_environment(monkeypatch, value, quick):
    monkeypatch.setenv(env.QUICK_ENV, value)
    assert env.quick_mode() is quick
    assert env.pick(quick="small", full="big") == ("small" if quick else "big")
    assert env.mode_name() == ("quick" if quick else "full")


def test_unclear_quick_setting_is_an_error(monkeypatch):
    monkeypatch.setenv(env.QUICK_ENV, "maybe")
    with pytest.raises(ValueError, match=env.QUICK_ENV):
        env.quick_mode()


def test_full_mode_is_the_default(monkeypatch):
    monkeypatch.delenv(env.QUICK_ENV, raising=False)
    assert env.pick(quick=1, full=12) == 12


def test_thread_count(monkeypatch):
    monkeypatch.setenv(env.THREADS_ENV, "3")
    assert env.thread_count() == 3
    monkeypatch.setenv(env.THREADS_ENV, "0")
    with pytest.raises(ValueError, match=env.THREADS_ENV):
        env.thread_count()


def test_seeding_makes_numpy_and_torch_repeatable():
    torch = env.import_torch()
    env.seed_everything(7)
    first = np.random.rand(3), torch.rand(3)
    env.seed_everything(7)
    second = np.random.rand(3), torch.rand(3)
    assert np.array_equal(first[0], second[0]) and torch.equal(first[1], second[1])


def test_torch_device_is_a_real_device():
    device = env.torch_device()
    torch = env.import_torch()
    assert torch.zeros(1, device=device).device.type == device.type
    assert device.type in env.describe_torch_device(device)


def test_setup_prints_one_line_and_returns_the_device(capsys):
    device = env.setup(seed=3)
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and "seed=3" in line and f"mode={env.mode_name()}" in line
    assert device == env.torch_device()


def test_tensorflow_after_torch_in_a_fresh_interpreter():
    """The import order the course relies on: helpers imports torch, then TensorFlow, in one process."""
    # Creating a torch optimizer loads torch._dynamo (and triton), and torchvision its native
    # operators; after a bare TensorFlow import either crashed the interpreter.
    code = (
        "from helpers import env; tf = env.import_tensorflow(); import torch, torchvision, keras;"
        "optimizer = torch.optim.Adam([torch.nn.Parameter(torch.ones(2))]);"
        "print(tf.reduce_sum(tf.ones((2, 2))).numpy(), torch.ones(2).sum().item(), keras.__version__[0])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["4.0", "2.0", "3"]
    assert "absl" not in result.stderr, "TensorFlow's start-up log lines should be silenced"
