"""Run settings every notebook shares: quick or full mode, seeds, threads, devices, Colab.

Quick mode (``COURSE_QUICK=1``) shrinks the work so a notebook runs in seconds (the test suite
and a first look on a weak laptop use it); full mode, the default, trains to the accuracies the
text quotes. Notebooks choose sizes with :func:`pick` and nothing else.

TensorFlow is imported through :func:`import_tensorflow`, which imports torch first: with both
installed, importing TensorFlow before torch can crash the kernel.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any, TypeVar

QUICK_ENV = "COURSE_QUICK"
THREADS_ENV = "COURSE_THREADS"

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


def thread_count() -> int:
    """Compute threads per framework: ``COURSE_THREADS`` if set, else every core."""
    value = os.environ.get(THREADS_ENV)
    if value is None:
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, got {value!r}")
    return int(value)


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and, where already imported, torch and TensorFlow."""
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for child processes: this interpreter's hash seed is already fixed
    if "torch" in sys.modules:
        import torch

        torch.manual_seed(seed)
    if "tensorflow" in sys.modules:
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


def import_tensorflow() -> ModuleType:
    """Import TensorFlow safely: torch first, quiet C++ logs, the course's thread setting."""
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
    return tf


def torch_device() -> Any:
    """The best torch device here: CUDA, then Apple MPS, then the CPU."""
    torch = import_torch()
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_torch_device(device: Any) -> str:
    """'cuda (NVIDIA H100)', 'mps (Apple GPU)', 'cpu (1 thread)' or 'cpu (N threads)'."""
    torch = import_torch()
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'' if threads == 1 else 's'})"


def describe_tf_device() -> str:
    """The device TensorFlow will use, in words."""
    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"GPU ({details.get('device_name', gpus[0].name)})"
    return "CPU"


def setup(seed: int = 0, tensorflow: bool = False) -> Any:
    """Prepare a notebook: plotting style, threads, seeds, device; print one environment line.

    Returns the torch device to use. With ``tensorflow=True`` TensorFlow is imported too
    (after torch) and its device is reported.

    >>> device = setup(seed=0)   # doctest: +SKIP
    mode=full | torch 2.x on cpu (2 threads) | seed=0
    """
    from .plotting import use_course_style

    use_course_style()
    torch = import_torch()
    parts = [f"mode={mode_name()}", f"torch {torch.__version__} on {describe_torch_device(torch_device())}"]
    if tensorflow:
        tf = import_tensorflow()
        import keras

        parts.append(f"tensorflow {tf.__version__} / keras {keras.__version__} on {describe_tf_device()}")
    seed_everything(seed)
    parts.append(f"seed={seed}")
    print(" | ".join(parts))
    return torch_device()
