"""Command line: ``python -m tools.slides [--out DIR] [--no-pdf] [--layout-report] [PREFIX ...]``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import tools.slides
from tools.slides.chromium import ChromiumNotFoundError
from tools.slides.export import DEFAULT_OUT, export
from tools.slides.vendor import PersianFontUnavailableError


def main(argv: list[str] | None = None) -> int:
    """Export (or measure) the selected notebooks' slides; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.slides",
        description=tools.slides.__doc__.split("\n\n")[0],
        epilog="Examples: python -m tools.slides 05 06;  python -m tools.slides --layout-report 06",
    )
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: build/slides)")
    parser.add_argument("--no-pdf", action="store_true", help="write the decks only, no PDF handouts")
    parser.add_argument(
        "--layout-report",
        action="store_true",
        help="measure the decks (exported to --out, or to a temporary folder) and print, per deck and window size "
        "(1280x720, 1920x1080), the slides whose content is taller or wider than the slide, with their first words, "
        "and every problem: content out of reach, keys that skip a tall slide's end, text under the controls, "
        "Persian text misaligned",
    )
    parser.add_argument("prefixes", nargs="*", help="notebook name prefixes, e.g. 00 06_lenet (default: all)")
    arguments = parser.parse_args(argv)
    try:
        if arguments.layout_report:
            return layout_report(arguments.prefixes, arguments.out)
        export(arguments.prefixes, arguments.out or DEFAULT_OUT, handouts=not arguments.no_pdf)
    except (ChromiumNotFoundError, PersianFontUnavailableError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def layout_report(prefixes: list[str], out_dir: Path | None) -> int:
    """Export the decks (into ``out_dir``, or a temporary folder), measure them and print the report."""
    from tools.slides.layout import format_report, measure_decks

    with tempfile.TemporaryDirectory(prefix="course-slides-") as scratch:
        written = export(prefixes, out_dir or Path(scratch), handouts=False, quiet=True)
        layouts = measure_decks([slides for slides, _ in written])
    print(format_report(layouts))
    return 1 if any(layout.problems() for layout in layouts) else 0


if __name__ == "__main__":
    sys.exit(main())
