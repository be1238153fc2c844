"""Check that every measured number a notebook's text quotes comes from that notebook's own run.

    python -m tools.prose_numbers          # list the numbers in each notebook's text that no output backs
    python -m tools.prose_numbers 08 09    # only these notebooks

A number in a markdown cell is *backed* when it appears, up to the rounding the text shows, among the
notebook's stored outputs, its code (constants the code states), or its ``results/`` record. 0.7812 may be
quoted as 0.78 or 78%; 62,378,344 as 62.4 million. Checked are numbers with a decimal point, percentages and
numbers of 100 or more (years, small counts, layer and section numbers are not). Numbers quoted from papers
and lectures are written inside ``<q>...</q>`` (shown in quotation marks) and are exempt. Persian digits
count like their Latin forms.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.course import REPO_ROOT, notebooks

PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٫٬٪−", "0123456789.,%-")
# Ways a number can be restated in prose: as is, as a percentage or fraction, in thousands, millions, billions.
SCALES = np.array([1.0, 100.0, 0.01, 1e-3, 1e-6, 1e-9])
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:e([-+]?\d+))?(\s?%)?(?!x[A-Za-z_])(?![A-Za-wyz_])")
EXEMPT = [
    re.compile(r"```.*?```", re.DOTALL),  # code blocks
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"\$\$.*?\$\$", re.DOTALL),  # display math
    re.compile(r"\$[^$]*\$"),  # inline math
    re.compile(r"<q>.*?</q>", re.DOTALL),  # quotations from papers and lectures
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"<[^>]+>"),  # HTML tags (their attributes)
    re.compile(r"https?://\S+"),
]


@dataclass(frozen=True)
class Quoted:
    """A number as the text writes it."""

    text: str
    value: float
    decimals: int
    cell: int


def prose_numbers(markdown: str, cell: int = 0) -> list[Quoted]:
    """The checked numbers of one markdown text (see the module docstring).

    >>> [q.text for q in prose_numbers("It reached 99.27% (<q>0.95%</q> in the paper) after 6 epochs, in 2012.")]
    ['99.27%']
    """
    text = markdown.translate(PERSIAN_DIGITS)
    for pattern in EXEMPT:
        text = pattern.sub(" ", text)
    found = []
    for match in NUMBER.finditer(html.unescape(text)):
        whole, fraction, exponent, percent = match.groups()
        value = float(whole.replace(",", "") + (fraction or "") + (f"e{exponent}" if exponent else ""))
        decimals = len(fraction) - 1 if fraction else 0
        if exponent:
            decimals = max(decimals - int(exponent), 0)
        is_year = not fraction and not percent and "," not in whole and 1900 <= value <= 2099
        if (fraction or percent or value >= 100) and not is_year:
            found.append(Quoted(match.group(0).strip(), value, decimals, cell))
    return found


def output_text(cell: dict) -> str:
    """Everything a code cell printed or displayed, as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append("".join(output.get("text", "")))
        for kind in ("text/plain", "text/markdown", "text/html"):
            value = output.get("data", {}).get(kind)
            if value:
                parts.append(re.sub(r"<[^>]+>", " ", "".join(value)))
    return "\n".join(parts)


def available_numbers(notebook: dict, results: dict | None = None) -> np.ndarray:
    """Every number in the notebook's outputs and code, and in its results record (with what its solutions cell,
    stored without outputs, printed)."""
    texts = [(results or {}).get("solutions", "")]
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            texts += ["".join(cell["source"]), output_text(cell)]
    values = [
        float(whole.replace(",", "") + (fraction or "") + (f"e{exponent}" if exponent else ""))
        for text in texts
        for whole, fraction, exponent, _ in NUMBER.findall(re.sub(r"\x1b\[[0-9;]*m", "", text))
    ]
    for record in (results or {}).get("results", {}).values():
        values += [record["value"]] + ([record["seconds"]] if record.get("seconds") is not None else [])
    if (results or {}).get("run"):
        values.append(results["run"]["seconds"])
    return np.unique(np.asarray(values, dtype=float))


def is_backed(quoted: Quoted, candidates: np.ndarray) -> bool:
    """Does some candidate, at some scale, round to the quoted number?"""
    if len(candidates) == 0:
        return False
    scaled = np.abs(candidates[:, None] * SCALES[None, :])
    return bool(np.any(np.abs(scaled - quoted.value) <= 0.5 * 10.0**-quoted.decimals + 1e-9))


def unbacked(path: Path, results_dir: Path = REPO_ROOT / "results") -> list[Quoted]:
    """The numbers in ``path``'s markdown that none of its outputs, code or results back."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    record_path = results_dir / f"{path.stem}.json"
    results = json.loads(record_path.read_text()) if record_path.is_file() else None
    candidates = available_numbers(notebook, results)
    missing = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            missing += [q for q in prose_numbers("".join(cell["source"]), index) if not is_backed(q, candidates)]
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="notebooks whose names start with these (default: all)")
    args = parser.parse_args(argv)
    problems = 0
    for path in notebooks():
        if args.prefixes and not path.name.startswith(tuple(args.prefixes)):
            continue
        for quoted in unbacked(path):
            problems += 1
            print(f"{path.stem} cell {quoted.cell}: {quoted.text}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
