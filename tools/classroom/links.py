"""nbgitpuller links: one per notebook, which pulls the course into the learner's home and opens the notebook.

    python -m tools.classroom.links https://hub.example.edu [--repository URL] [--branch main]
    python -m tools.classroom.links --update-docs     # rewrite the link tables in README.md and docs/instructors.md

A learner who clicks a link logs in to the hub, gets their server started, and nbgitpuller clones the repository
into ``~/convnets-course`` (or, when it is already there, merges the new commits without overwriting the learner's
own edits), then JupyterLab opens the notebook.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

from helpers.course import BRANCH, REPO_ROOT, REPOSITORY, in_notebooks, notebooks

TARGET_FOLDER = "convnets-course"
# The address the documented links use; the instructor puts their hub's in its place.
EXAMPLE_HUB = "https://hub.example.edu"
DOCUMENTS = (REPO_ROOT / "README.md", REPO_ROOT / "docs" / "instructors.md")
TABLE = re.compile(r"(<!-- hub-links:start -->\n).*?(<!-- hub-links:end -->)", re.DOTALL)


def pull_query(repository: str, branch: str, notebook: str, target: str = TARGET_FOLDER) -> str:
    """The query nbgitpuller reads: which repository and branch, into which folder, and what to open after."""
    return urlencode(
        {
            "repo": repository,
            "branch": branch,
            "targetpath": target,
            "urlpath": f"lab/tree/{target}/notebooks/{notebook}",
        }
    )


def link(hub: str, notebook: str, repository: str = REPOSITORY, branch: str = BRANCH) -> str:
    """The link that pulls the course and opens ``notebooks/<notebook>`` on the hub at ``hub``."""
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{pull_query(repository, branch, notebook)}"


def table(hub: str = EXAMPLE_HUB) -> str:
    """A markdown table with the link of every notebook, for the documents."""
    rows = ["| notebook | nbgitpuller link |", "|---|---|"]
    rows += [f"| `{in_notebooks(path)}` | [pull and open]({link(hub, in_notebooks(path))}) |" for path in notebooks()]
    return "\n".join(rows) + "\n"


def update_documents(documents: tuple[Path, ...] = DOCUMENTS) -> list[Path]:
    """Rewrite the marked link table in each document; return those that changed."""
    changed = []
    for document in documents:
        text = document.read_text(encoding="utf-8")
        updated = TABLE.sub(lambda match: match[1] + table() + match[2], text)
        if updated != text:
            document.write_text(updated, encoding="utf-8")
            changed.append(document)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hub", nargs="?", default=EXAMPLE_HUB, help=f"the hub's address, e.g. {EXAMPLE_HUB}")
    parser.add_argument("--repository", default=REPOSITORY, help=f"default: {REPOSITORY}")
    parser.add_argument("--branch", default=BRANCH, help=f"default: {BRANCH} (a branch of practice copies, say)")
    parser.add_argument("--update-docs", action="store_true", help="rewrite the tables in the documents")
    args = parser.parse_args(argv)
    if args.update_docs:
        for document in update_documents():
            print(f"updated {document.relative_to(REPO_ROOT)}")
        return 0
    for path in notebooks():
        name = in_notebooks(path)
        print(f"{name}\n  {link(args.hub, name, args.repository, args.branch)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
