"""Command line: ``python -m tools.book [--out DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import tools.book
from tools.book.build import DEFAULT_OUT, build
from tools.slides.chromium import ChromiumNotFoundError
from tools.slides.vendor import PersianFontUnavailableError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.book", description=tools.book.__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/book)")
    arguments = parser.parse_args(argv)
    try:
        build(arguments.out)
    except (ChromiumNotFoundError, PersianFontUnavailableError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
