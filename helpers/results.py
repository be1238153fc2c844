"""Record a notebook's headline results (accuracy, time, throughput) as JSON.

Full-mode runs write ``results/NN_topic.json``, committed with the notebook's outputs; the README's
results table is generated from those files (``python -m tools.readme_tables``). Quick-mode runs
write to ``build/quick-results/`` instead, so they never overwrite real results.

The notebook, the framework and the device are found out, never typed by hand: the notebook from the
kernel's session (:func:`helpers.env.notebook_name`), the framework and device from the model the
result belongs to. Each file also holds the last full run of its notebook (``"run"``, written by
``python -m tools.run_notebooks``): how long it took, on what; and what its solutions cell printed
(``"solutions"``, written when the notebook is stored: see :mod:`tools.notebook_sync`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
import os
import platform
import sys
from pathlib import Path
from typing import Any

from . import env
from .course import REPO_ROOT
from .data import replaced_atomically

FRAMEWORKS = ("torch", "keras", "numpy")
# An accuracy says which data it was measured on: the course never calls a test-set number "val".
SPLIT_WORDS = ("validation", "test", "training")


def results_dir() -> Path:
    """``results/`` in full mode, ``build/quick-results/`` in quick mode."""
    return REPO_ROOT / ("results" if env.mode_name() == "full" else "build/quick-results")


def machine() -> str:
    """The computer a number came from, e.g. '2-core x86_64'."""
    return f"{os.cpu_count() or 1}-core {platform.machine() or 'computer'}"


def framework_and_device(model: Any = None, framework: str | None = None) -> tuple[str, str]:
    """('torch' / 'keras (tensorflow)' / ..., 'cpu (2 threads)' / 'cuda (NAME)' / 'mps') for a model or a framework."""
    if model is not None:
        if "torch" in sys.modules and isinstance(model, sys.modules["torch"].nn.Module):
            tensor = next(iter(model.parameters()), None)
            tensor = next(iter(model.buffers()), None) if tensor is None else tensor
            device = tensor.device if tensor is not None else "cpu"
            return "torch", env.describe_torch_device(device)
        if "keras" in sys.modules and isinstance(model, sys.modules["keras"].Model):
            keras = env.import_keras()
            return f"keras ({keras.backend.backend()})", env.describe_keras_device()
        raise ValueError(f"cannot tell the framework of {type(model).__name__}: pass framework=")
    if framework not in FRAMEWORKS:
        raise ValueError(f"pass the model the result belongs to, or framework= one of {FRAMEWORKS}, got {framework!r}")
    if framework == "torch":
        return "torch", env.describe_torch_device(env.torch_device())
    if framework == "keras":
        keras = env.import_keras()
        return f"keras ({keras.backend.backend()})", env.describe_keras_device()
    return "numpy", env.describe_cpu()


def record_result(
    name: str,
    value: float,
    unit: str = "fraction",
    *,
    model: Any = None,
    framework: str | None = None,
    seconds: float | None = None,
) -> None:
    """Add or replace result ``name`` of the running notebook (nothing is shown: the notebook prints its numbers).

    ``model`` is what produced the number (a torch module or a Keras model): the framework and the
    device are read from it. Without a model, name the ``framework`` ('torch', 'keras' or 'numpy').
    Outside a course notebook (no session to name it, e.g. on Colab) nothing is written.

    >>> record_result("test accuracy, modern LeNet", 0.9912, model=model, seconds=61.2)   # doctest: +SKIP
    """
    if not isinstance(value, numbers.Real) or not math.isfinite(value):  # NumPy and Keras scalars are Real too
        raise ValueError(f"value must be a finite number, got {value!r}")
    if "accuracy" in name and not any(word in name for word in SPLIT_WORDS):
        raise ValueError(f"say which data an accuracy was measured on ({', '.join(SPLIT_WORDS)}): {name!r}")
    used_framework, device = framework_and_device(model, framework)
    record = {
        "value": float(value),
        "unit": unit,
        "mode": env.mode_name(),
        "framework": used_framework,
        "device": device,
        "machine": machine(),
        "seconds": None if seconds is None else round(float(seconds), 2),
        "date": dt.date.today().isoformat(),
    }
    notebook = env.notebook_name()
    if notebook is not None:
        _update(notebook, lambda saved: saved["results"].__setitem__(name, record))


def record_run(notebook: str, seconds: float, device: str) -> dict[str, Any]:
    """Store how long the last full run of ``notebook`` took, and on what (``"run"`` in its results file)."""
    today = dt.date.today().isoformat()
    run = {"seconds": round(float(seconds)), "device": device, "machine": machine(), "date": today}
    _update(notebook, lambda saved: saved.__setitem__("run", run))
    return run


def record_solutions(notebook: str, printed: str) -> None:
    """Store what the notebook's solutions cell printed in its last run (``"solutions"``). The cell is stored without
    outputs (they would show the answers under the exercises), so the solutions' text is backed by this record."""
    _update(notebook, lambda saved: saved.__setitem__("solutions", printed))


def load_results(notebook: str, folder: Path | None = None) -> dict[str, Any]:
    """The saved record of ``notebook`` (``{"notebook", "results", "run"?, "solutions"?}``), empty if there is none."""
    path = (folder or results_dir()) / f"{notebook}.json"
    return json.loads(path.read_text()) if path.is_file() else {"notebook": notebook, "results": {}}


def _update(notebook: str, change: Any) -> None:
    if not notebook[:2].isdigit() or notebook.endswith(".ipynb"):
        raise ValueError(f"notebook must look like '06_lenet_mnist', got {notebook!r}")
    saved = load_results(notebook)
    change(saved)
    path = results_dir() / f"{notebook}.json"
    with replaced_atomically(path) as temporary:
        temporary.write_text(json.dumps(saved, indent=1, sort_keys=True) + "\n")
