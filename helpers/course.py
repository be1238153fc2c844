"""Facts about the course itself: where it lives and which notebooks it has, in order."""

from __future__ import annotations

from pathlib import Path

# The one place that names the repository; badges and Colab install cells derive from it
# (python -m tools.notebook_sync rewrites them, a test checks they agree).
REPOSITORY = "https://github.com/convnets-course/convnets-course"
BRANCH = "main"
REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


def colab_url(notebook: str) -> str:
    """The Colab address that opens ``notebooks/<notebook>`` from GitHub (``notebook`` may be ``appendix/...``)."""
    owner_and_name = REPOSITORY.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{owner_and_name}/blob/{BRANCH}/notebooks/{notebook}"


def notebooks() -> list[Path]:
    """The course's notebooks in reading order: ``NN_topic.ipynb``, each followed by its optional appendices
    (``appendix/NNa_topic.ipynb``: experiments worth doing that the notebook's time budget leaves out)."""
    found = [*NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"), *NOTEBOOKS_DIR.glob("appendix/[0-9][0-9][a-z]_*.ipynb")]
    return sorted(found, key=lambda path: path.name)


def in_notebooks(path: Path) -> str:
    """A notebook's path inside ``notebooks/`` ('06_lenet_mnist.ipynb', 'appendix/08a_....ipynb')."""
    return path.resolve().relative_to(NOTEBOOKS_DIR).as_posix()
