"""Generate the README's notebook table and results table.

    python -m tools.readme_tables          # rewrite README.md between the table markers
    python -m tools.readme_tables --check  # exit 1 if README.md is out of date

The notebook table comes from the notebooks' title cells, the results table from the
``results/*.json`` files that full-mode runs write.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

import nbformat

from helpers import results
from helpers.course import REPO_ROOT, in_notebooks, notebooks
from tools.notebook_sync import badge

README = REPO_ROOT / "README.md"
RESULTS_DIR = REPO_ROOT / "results"


def run_time(notebook: str) -> str:
    """How long the notebook's last full run took, and on what ('3.2 min, cpu (2 threads)'), or '—'."""
    run = results.load_results(notebook, RESULTS_DIR).get("run")
    if not run:
        return "—"
    return f"{run['seconds'] / 60:.1f} min, {run['device']}, {run['machine']}"


def notebook_table() -> str:
    rows = ["| # | notebook | full mode run time | open |", "|---|---|---|---|"]
    for path in notebooks():
        title_line = next(
            line for line in nbformat.read(path, as_version=4).cells[0].source.splitlines() if line.startswith("# ")
        )
        title = title_line.split("·", 1)[-1].strip()
        where = in_notebooks(path)
        number = path.name.split("_")[0]
        rows.append(f"| {number} | [{title}](notebooks/{where}) | {run_time(path.stem)} | {badge(where)} |")
    return "\n".join(rows)


def format_value(value: float, unit: str) -> str:
    if unit == "fraction":
        return f"{value:.2%}"
    return f"{value:,.4g} {unit}"


def results_table() -> str:
    rows = ["| notebook | result | value | framework | device | machine | date |", "|---|---|---|---|---|---|---|"]
    for path in sorted(RESULTS_DIR.glob("*.json")):
        saved = json.loads(path.read_text())
        for name, record in sorted(saved["results"].items()):
            rows.append(
                f"| {saved['notebook']} | {name} | {format_value(record['value'], record['unit'])} | "
                f"{record['framework']} | {record['device']} | {record.get('machine', '—')} | {record['date']} |"
            )
    if len(rows) == 2:
        rows.append("| (no full-mode results recorded yet) | | | | | | |")
    return "\n".join(rows)


def replace_between(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"README.md lacks the <!-- {name}:start --> / <!-- {name}:end --> markers")
    return pattern.sub(lambda match: match.group(1) + body + "\n" + match.group(2), text)


def render(readme: str) -> str:
    """``readme`` with both generated tables brought up to date."""
    return replace_between(replace_between(readme, "notebooks", notebook_table()), "results", results_table())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    updated = render(current)
    if args.check:
        if updated != current:
            print("README.md tables are out of date: run python -m tools.readme_tables")
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
