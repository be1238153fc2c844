"""Execute notebooks in place, in order, and store their outputs (then sync their metadata).

    python -m tools.run_notebooks                      # every notebook, full mode
    python -m tools.run_notebooks --quick 05 06        # notebooks whose names start with 05 or 06

Committed notebooks carry the outputs of a full-mode run (the default). The environment the
notebooks see is the same one the test suite uses, apart from the mode.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers.course import notebooks
from tools.notebook_sync import synced, write


def run(path: Path, timeout: int) -> float:
    """Execute one notebook in its folder; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        coalesce_streams=True,  # one stdout block per cell, not one per flush: cleaner files and diffs
    ).execute()
    write(synced(notebook, path.name), path)
    return time.perf_counter() - started


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
    chosen = [path for path in notebooks() if not args.prefixes or path.name.startswith(tuple(args.prefixes))]
    if not chosen:
        print("no notebook matches", args.prefixes)
        return 1
    for path in chosen:
        print(f"{path.name}: {run(path, args.timeout):.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
