"""Run settings: quick/full mode, sizing, threads, seeding, devices, import order."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

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
    monkeypatch.setattr(env.os, "cpu_count", lambda: 4)
    monkeypatch.setenv(env.THREADS_ENV, "3")
    assert env.thread_count() == 3
    monkeypatch.setenv(env.THREADS_ENV, " 2 ")  # spaces trimmed, as for COURSE_QUICK
    assert env.thread_count() == 2
    monkeypatch.setenv(env.THREADS_ENV, "")  # empty is unset: every core
    assert env.thread_count() == 4
    for bad in ("0", "-1", "two"):
        monkeypatch.setenv(env.THREADS_ENV, bad)
        with pytest.raises(ValueError, match=env.THREADS_ENV):
            env.thread_count()
    monkeypatch.setenv(env.THREADS_ENV, "8")
    with pytest.warns(UserWarning, match="more threads than the 4 cores"):
        assert env.thread_count() == 8


def test_gpu_memory_growth_is_set_for_every_listed_gpu():
    """TensorFlow must not map the whole GPU: PyTorch cells in the same kernel need memory too."""
    calls = []

    class Config:
        class experimental:  # noqa: N801 (mirrors tf.config.experimental)
            @staticmethod
            def set_memory_growth(device, enabled):
                if device.name.endswith(":1"):
                    raise RuntimeError("Physical devices cannot be modified after being initialized")
                calls.append((device.name, enabled))

        @staticmethod
        def list_physical_devices(kind):
            assert kind == "GPU"
            return [SimpleNamespace(name=f"/physical_device:GPU:{index}") for index in range(2)]

    fake_tf = SimpleNamespace(config=Config)
    with pytest.warns(UserWarning, match="GPU:1"):
        configured = env.enable_gpu_memory_growth(fake_tf)
    assert calls == [("/physical_device:GPU:0", True)] and configured == ["/physical_device:GPU:0"]


def test_import_tensorflow_turns_memory_growth_on():
    code = (
        "from unittest import mock; from helpers import env;"
        "env.enable_gpu_memory_growth = mock.Mock(return_value=[]); tf = env.import_tensorflow();"
        "assert env.enable_gpu_memory_growth.call_args.args[0] is tf; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/home/me/convnets-course/notebooks/06_lenet_mnist.ipynb", "06_lenet_mnist"),
        ("notebooks/13_what_convnets_see.ipynb", "13_what_convnets_see"),
        ("/content/Untitled0.ipynb", None),
        ("", None),
    ],
)
def test_notebook_name_comes_from_the_jupyter_session(monkeypatch, path, name):
    monkeypatch.setenv(env.SESSION_ENV, path)
    assert env.notebook_name() == name


def test_keras_backend_defaults_to_tensorflow_when_installed(monkeypatch):
    monkeypatch.delenv(env.KERAS_BACKEND_ENV, raising=False)
    monkeypatch.setattr(env.importlib.util, "find_spec", lambda name: None if name == "tensorflow" else object())
    assert env.keras_backend() == "torch"
    monkeypatch.setenv(env.KERAS_BACKEND_ENV, " JAX ")
    assert env.keras_backend() == "jax"


def test_per_device_picks_the_cpu_size_here(monkeypatch):
    monkeypatch.setattr(env, "torch_device", lambda: SimpleNamespace(type="cpu"))
    assert env.per_device(cpu=128, gpu=512) == 128
    monkeypatch.setattr(env, "torch_device", lambda: SimpleNamespace(type="cuda"))
    assert env.per_device(cpu=128, gpu=512) == 512


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


def test_setup_with_keras_reports_its_backend(capsys):
    env.setup(seed=0, keras=True)
    line = capsys.readouterr().out.strip()
    assert f"({env.keras_backend()} backend) on {env.describe_cpu()}" in line


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


@pytest.mark.parametrize(("value", "shown"), [("1", False), ("true", False), ("", True), ("0", True)])
def test_progress_bars_follow_tqdm_disable(monkeypatch, value, shown):
    """The runner sets TQDM_DISABLE so no frozen "0%" bar is stored; tqdm's notebook bars ignore it themselves."""
    monkeypatch.setenv("TQDM_DISABLE", value)
    assert env.progress_bars() is shown
