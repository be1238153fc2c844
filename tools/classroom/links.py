"""nbgitpuller links: one per notebook, which pulls the course into the learner's home and opens the notebook.

    python -m tools.classroom.links https://hub.example.edu [--repository URL] [--branch main]

A learner who clicks a link logs in to the hub, gets their server started, and nbgitpuller clones the repository
into ``~/convnets-course`` (or, when it is already there, merges the new commits without overwriting the learner's
own edits), then JupyterLab opens the notebook.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlencode

from helpers.course import BRANCH, REPOSITORY, in_notebooks, notebooks

TARGET_FOLDER = "convnets-course"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hub", help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--repository", default=REPOSITORY, help=f"default: {REPOSITORY}")
    parser.add_argument("--branch", default=BRANCH, help=f"default: {BRANCH} (a branch of practice copies, say)")
    args = parser.parse_args(argv)
    for path in notebooks():
        name = in_notebooks(path)
        print(f"{name}\n  {link(args.hub, name, args.repository, args.branch)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
