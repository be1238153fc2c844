"""Record a notebook's headline results (accuracy, time, throughput) as JSON.

Full-mode runs write ``results/NN_topic.json``, committed with the notebook's outputs; the
README's results table is generated from those files (``python -m tools.readme_tables``).
Quick-mode runs write to ``build/quick-results/`` instead so they never overwrite real results.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from pathlib import Path
from typing import Any

from .course import REPO_ROOT
from .data import replaced_atomically
from .env import mode_name


def results_dir() -> Path:
    """``results/`` in full mode, ``build/quick-results/`` in quick mode."""
    return REPO_ROOT / ("results" if mode_name() == "full" else "build/quick-results")


def record_result(
    notebook: str,
    name: str,
    value: float,
    unit: str,
    framework: str,
    device: str,
    seconds: float | None = None,
) -> dict[str, Any]:
    """Add or replace result ``name`` in ``<results_dir>/<notebook>.json``; return the record.

    >>> record_result("06_lenet_mnist", "test accuracy (modern LeNet)", 0.9912, "fraction",
    ...               framework="torch", device="cpu", seconds=61.2)   # doctest: +SKIP
    """
    if not notebook[:2].isdigit() or notebook.endswith(".ipynb"):
        raise ValueError(f"notebook must look like '06_lenet_mnist', got {notebook!r}")
    if not isinstance(value, numbers.Real) or not math.isfinite(value):  # NumPy and Keras scalars are Real too
        raise ValueError(f"value must be a finite number, got {value!r}")
    record = {
        "value": float(value),
        "unit": unit,
        "mode": mode_name(),
        "device": device,
        "framework": framework,
        "seconds": None if seconds is None else round(float(seconds), 2),
        "date": dt.date.today().isoformat(),
    }
    path = results_dir() / f"{notebook}.json"
    existing = json.loads(path.read_text()) if path.is_file() else {"notebook": notebook, "results": {}}
    existing["results"][name] = record
    with replaced_atomically(path) as temporary:
        temporary.write_text(json.dumps(existing, indent=1, sort_keys=True) + "\n")
    return record
