"""Execute notebooks in place, in order, store their outputs (then sync their metadata) and record the run.

    python -m tools.run_notebooks                      # every notebook, full mode
    python -m tools.run_notebooks --quick 05 06        # notebooks whose names start with 05 or 06

Committed notebooks carry the outputs of a full-mode run (the default), in the course's form
(:mod:`tools.notebook_sync`: the solutions cell without outputs; what it printed goes to the results record). A
full run also records how long the notebook took and on what device, as ``"run"`` in ``results/NN_topic.json``
(the README's notebook table shows it). Each kernel is told which notebook it runs (``JPY_SESSION_NAME``, as
Jupyter does), so the notebook's results are filed under its name.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers import env, results
from helpers.course import notebooks
from tools.notebook_sync import store


def run(path: Path, timeout: int) -> float:
    """Execute one notebook in its folder; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    os.environ[env.SESSION_ENV] = str(path.resolve())  # the kernel inherits it
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        coalesce_streams=True,  # one stdout block per cell, not one per flush: cleaner files and diffs
    ).execute()
    seconds = time.perf_counter() - started
    store(notebook, path)  # solutions unrun: their printed check goes to the results record
    return seconds


def run_device() -> str:
    """The device a full run used, in the course's one spelling (the notebooks pick the same one)."""
    return env.describe_torch_device(env.torch_device())


def select(prefixes: list[str]) -> list[Path]:
    """The notebooks whose names start with one of ``prefixes`` (all of them when none is given)."""
    return [path for path in notebooks() if not prefixes or path.name.startswith(tuple(prefixes))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick mode (COURSE_QUICK=1)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    parser.add_argument("prefixes", nargs="*", help="run notebooks whose names start with these")
    args = parser.parse_args(argv)
    os.environ["COURSE_QUICK"] = "1" if args.quick else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # A stored progress bar is a widget whose state is not saved: it would show "0%" forever.
    os.environ["TQDM_DISABLE"] = "1"
    chosen = select(args.prefixes)
    if not chosen:
        print("no notebook matches", args.prefixes)
        return 1
    for path in chosen:
        seconds = run(path, args.timeout)
        if not args.quick:
            results.record_run(path.stem, seconds, run_device())
        print(f"{path.name}: {seconds:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
