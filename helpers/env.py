"""Run settings every notebook shares: quick or full mode, seeds, threads, devices, Keras's backend, Colab.

Quick mode (``COURSE_QUICK=1``) shrinks the work so a notebook runs in seconds (the test suite
and a first look on a weak laptop use it); full mode, the default, trains to the accuracies the
text quotes. Notebooks choose sizes with :func:`pick`, and sizes that depend on the hardware with
:func:`per_device`, and nothing else.

Keras runs on any of its backends (``KERAS_BACKEND``: tensorflow, the default, torch or jax); it is
imported through :func:`import_keras`. With the TensorFlow backend, TensorFlow is imported after torch
(the other order can crash the kernel) and told to take GPU memory as it needs it, so that PyTorch
cells in the same kernel still find room on a shared GPU.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

QUICK_ENV = "COURSE_QUICK"
THREADS_ENV = "COURSE_THREADS"
KERAS_BACKEND_ENV = "KERAS_BACKEND"
# Set by Jupyter for every kernel it starts (and by the course's notebook runner): the notebook's path.
SESSION_ENV = "JPY_SESSION_NAME"

T = TypeVar("T")


def quick_mode() -> bool:
    """True when ``COURSE_QUICK`` is set to 1/true/yes (case-insensitive).

    >>> quick_mode()   # with COURSE_QUICK=1 in the environment   # doctest: +SKIP
    True
    """
    value = os.environ.get(QUICK_ENV, "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValueError(f"{QUICK_ENV} must be 1/true/yes or 0/false/no, got {value!r}")


def mode_name() -> str:
    """'quick' or 'full', for printing and for the results record."""
    return "quick" if quick_mode() else "full"


def pick(quick: T, full: T) -> T:
    """The one sizing switch: ``quick`` in quick mode, ``full`` otherwise.

    >>> epochs = pick(quick=1, full=12)
    """
    return quick if quick_mode() else full


def per_device(cpu: T, gpu: T) -> T:
    """A size that suits the hardware: ``gpu`` when PyTorch has a GPU (CUDA or Apple MPS), else ``cpu``.

    For settings that change speed, not the lesson (batch sizes, the number of photos timed).

    >>> batch_size = per_device(cpu=128, gpu=512)   # doctest: +SKIP
    """
    return gpu if torch_device().type in ("cuda", "mps") else cpu


def thread_count() -> int:
    """Compute threads per framework: ``COURSE_THREADS`` if set (and not empty), else every core."""
    cores = os.cpu_count() or 1
    value = os.environ.get(THREADS_ENV, "").strip()
    if not value:
        return cores
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, got {value!r}")
    if int(value) > cores:
        warnings.warn(f"{THREADS_ENV}={value} asks for more threads than the {cores} cores here", stacklevel=2)
    return int(value)


def progress_bars() -> bool:
    """False when ``TQDM_DISABLE`` is set (the notebook runner sets it: a stored bar would stay at "0%" forever).

    tqdm's notebook bars ignore that variable themselves, so the course's bars ask here.
    """
    return os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("1", "true", "yes")


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def notebook_name() -> str | None:
    """The running notebook's name without ``.ipynb`` (e.g. ``'06_lenet_mnist'``), or None outside a course notebook.

    Jupyter tells every kernel it starts which notebook it serves (``JPY_SESSION_NAME``); the course's
    notebook runner and test run set it too.
    """
    stem = Path(os.environ.get(SESSION_ENV, "")).stem
    return stem if re.fullmatch(r"\d\d[a-z]?_[a-z0-9_]+", stem) else None


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and, where already imported, torch and Keras (whichever backend it runs on)."""
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for child processes: this interpreter's hash seed is already fixed
    if "torch" in sys.modules:
        import torch

        torch.manual_seed(seed)
    if "keras" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)


def import_torch() -> ModuleType:
    """Import torch with the course's thread setting."""
    import torch

    threads = thread_count()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return torch


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment.

    TensorFlow's C++ start-up messages ("All log messages before absl::InitializeLog()...",
    "Could not find cuda drivers...") ignore TF_CPP_MIN_LOG_LEVEL and would otherwise be
    stored in every notebook that imports it. Python-level errors are unaffected: an import
    error is raised after the descriptor is restored.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def enable_gpu_memory_growth(tf: Any) -> list[str]:
    """Let TensorFlow take GPU memory as it needs it instead of nearly all of it at its first operation.

    Without this, TensorFlow maps almost the whole GPU and PyTorch cells later in the same kernel run out of
    memory. It must happen before TensorFlow's first operation; returns the GPUs it was set for.
    """
    names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError as error:  # TensorFlow already initialised its GPUs: too late to change
            warnings.warn(f"GPU memory growth could not be set for {gpu.name}: {error}", stacklevel=2)
            continue
        names.append(gpu.name)
    return names


def import_tensorflow() -> ModuleType:
    """Import TensorFlow safely: torch first, quiet C++ logs, the course's threads, GPU memory growth on."""
    import_torch()
    # torch's optimizers import torch._dynamo (and triton) lazily, and torchvision loads its own
    # native operators; doing either after TensorFlow is loaded segfaults (torch 2.14, TF 2.21),
    # so both are loaded first.
    import torch._dynamo  # noqa: F401

    if importlib.util.find_spec("torchvision") is not None:
        import torchvision  # noqa: F401

    first_import = "tensorflow" not in sys.modules
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _native_stderr_silenced() if first_import else contextlib.nullcontext():
        import tensorflow as tf

    if first_import:
        threads = thread_count()
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(min(threads, 2))
        tf.get_logger().setLevel("ERROR")
        enable_gpu_memory_growth(tf)
    return tf


def keras_backend() -> str:
    """The backend Keras will use: ``KERAS_BACKEND`` if set, else TensorFlow when it is installed, else torch."""
    chosen = os.environ.get(KERAS_BACKEND_ENV, "").strip().lower()
    if chosen:
        return chosen
    return "tensorflow" if importlib.util.find_spec("tensorflow") is not None else "torch"


def import_keras() -> ModuleType:
    """Import Keras 3 on its backend (see :func:`keras_backend`), TensorFlow's imported safely first when it is used."""
    backend = keras_backend()
    os.environ[KERAS_BACKEND_ENV] = backend
    if backend == "tensorflow":
        import_tensorflow()
    else:
        import_torch()
    import keras

    if keras.backend.backend() != backend:
        raise RuntimeError(
            f"Keras was already imported with the {keras.backend.backend()} backend; "
            f"restart the kernel to use {backend}"
        )
    return keras


def torch_device() -> Any:
    """The best torch device here: CUDA, then Apple MPS, then the CPU."""
    torch = import_torch()
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_cpu() -> str:
    """'cpu (1 thread)' or 'cpu (N threads)': the CPU as the frameworks use it."""
    threads = thread_count()
    return f"cpu ({threads} thread{'' if threads == 1 else 's'})"


def describe_torch_device(device: Any) -> str:
    """One spelling for every run: 'cuda (NVIDIA H100 ...)', 'mps' or 'cpu (N threads)'."""
    torch = import_torch()
    device = torch.device(device)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps"
    return describe_cpu()


def describe_keras_device() -> str:
    """The device Keras computes on, in :func:`describe_torch_device`'s spelling, whatever its backend."""
    keras = import_keras()
    backend = keras.backend.backend()
    if backend == "torch":
        return describe_torch_device(torch_device())
    if backend == "tensorflow":
        tf = import_tensorflow()
        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            return f"cuda ({tf.config.experimental.get_device_details(gpus[0]).get('device_name', gpus[0].name)})"
        return describe_cpu()
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return describe_cpu() if device.platform == "cpu" else f"cuda ({device.device_kind})"
    return backend


def setup(seed: int = 0, keras: bool = False) -> Any:
    """Prepare a notebook: plotting style, threads, seeds, device; print one environment line.

    Returns the torch device to use. With ``keras=True`` Keras is imported too, on its backend, and its
    backend and device are reported.

    >>> device = setup(seed=0)   # doctest: +SKIP
    mode=full | torch 2.x on cpu (2 threads) | seed=0
    """
    from .plotting import use_course_style

    use_course_style()
    torch = import_torch()
    parts = [f"mode={mode_name()}", f"torch {torch.__version__} on {describe_torch_device(torch_device())}"]
    if keras:
        keras_module = import_keras()
        backend = keras_module.backend.backend()
        parts.append(f"keras {keras_module.__version__} ({backend} backend) on {describe_keras_device()}")
    seed_everything(seed)
    parts.append(f"seed={seed}")
    print(" | ".join(parts))
    return torch_device()
