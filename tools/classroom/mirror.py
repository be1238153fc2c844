"""Build a classroom mirror: every registry file, checked, in the registry's layout, in one folder.

    python -m tools.classroom.mirror DIR        # (python3 tasks.py mirror DIR)

The instructor shares DIR read-only with the class and sets ``COURSE_MIRROR`` to it. Each file goes through
:func:`helpers.fetch` with DIR as the data folder, so it comes from the cache, ``COURSE_MIRROR`` or its official
addresses, is written under a temporary name and renamed only once its checksum matches. Running the command again
after an interruption resumes it: complete files are checked and kept, and a file that was half-way through is
fetched again from the start (no partial file ever has a real name).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import helpers
from helpers import data


def registry_files() -> list[str]:
    """Every file the registry lists, by its path relative to the data folder."""
    return sorted(data.load_registry()["files"])


def build(folder: Path) -> list[tuple[str, int]]:
    """Fetch every registry file into ``folder``; return (relative path, bytes) for each, in registry order."""
    folder = folder.expanduser().resolve()
    mirror = data.mirror_dir()
    if mirror is not None and mirror.expanduser().resolve() == folder:
        raise ValueError(f"{folder} is {data.MIRROR_ENV} itself: build the mirror in another folder")
    previous = os.environ.get(data.DATA_DIR_ENV)
    os.environ[data.DATA_DIR_ENV] = str(folder)
    try:
        held = []
        for relpath in registry_files():
            print(f"{relpath} ...", end=" ", flush=True)
            path = helpers.fetch(relpath)
            held.append((relpath, path.stat().st_size))
            print("ok", flush=True)
        return held
    finally:
        if previous is None:
            del os.environ[data.DATA_DIR_ENV]
        else:
            os.environ[data.DATA_DIR_ENV] = previous


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def describe(held: list[tuple[str, int]], folder: Path) -> str:
    """What the mirror holds: one line per file, then the total, and how to share it."""
    width = max(len(relpath) for relpath, _ in held)
    lines = [f"{relpath:<{width}}  {megabytes(size):>9}" for relpath, size in held]
    total = sum(size for _, size in held)
    lines.append(f"{len(held)} files, {megabytes(total)} in {folder}")
    lines.append(f"Share it read-only and set {data.MIRROR_ENV}={folder} for every learner.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to build the mirror (created if needed)")
    folder = parser.parse_args(argv).folder
    try:
        held = build(folder)
    except (data.DataError, ValueError) as error:
        print(f"\nerror: {error}", file=sys.stderr)
        print("Run the same command again to resume: the files already checked are kept.", file=sys.stderr)
        return 1
    print(describe(held, folder.expanduser().resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
