"""Lay out the site's sources, export the decks and handouts into it, and run Sphinx (see :mod:`tools.book`)."""

from __future__ import annotations

import filecmp
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from helpers.course import REPO_ROOT, notebooks
from tools.slides.export import export_notebooks

CONF_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = REPO_ROOT / "build" / "book"
# The pages besides the lessons, in the order the sidebar lists them. The README also links CONTRIBUTING.md, the
# licenses, the citation file, the registry and the publishing workflow: they come along (the last ones as files to
# download) so that every link on the home page works on the site too.
REFERENCE_PAGES = (
    "docs/glossary.md",
    "docs/instructors.md",
    "docs/classroom.md",
    "datasets/README.md",
    "CONTRIBUTING.md",
)
DOWNLOADS = ("datasets/registry.json", "LICENSE", "LICENSE-CONTENT", "CITATION.cff", ".github/workflows/pages.yml")


def site_sources() -> list[str]:
    """Every file the site is made from, relative to the repository, lessons first in course order."""
    lessons = [path.relative_to(REPO_ROOT).as_posix() for path in notebooks()]
    return [*lessons, *REFERENCE_PAGES, *DOWNLOADS]


def home_page(readme: str, lessons: Sequence[str], references: Sequence[str]) -> str:
    """The home page: the README, then the (hidden) tables of contents that give the sidebar and previous/next."""

    def toctree(caption: str, files: Sequence[str]) -> str:
        entries = "\n".join(str(Path(name).with_suffix("")) for name in files)
        return f"\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n{entries}\n```\n"

    return readme.rstrip() + "\n" + toctree("Lessons", lessons) + toctree("Reference", references)


def stage(source_dir: Path) -> Path:
    """Write the Sphinx source folder: the repository's files at their own relative paths, and ``index.md``.

    Files are copied only when they changed (so Sphinx's incremental build reuses what it read before), and files
    that are no longer part of the site are removed.
    """
    wanted = site_sources()
    for name in wanted:
        source, target = REPO_ROOT / name, source_dir / name
        if not (target.is_file() and filecmp.cmp(source, target, shallow=False)):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    lessons = [name for name in wanted if name.endswith(".ipynb")]
    index = home_page((REPO_ROOT / "README.md").read_text(encoding="utf-8"), lessons, REFERENCE_PAGES)
    index_path = source_dir / "index.md"
    if not index_path.is_file() or index_path.read_text(encoding="utf-8") != index:
        index_path.write_text(index, encoding="utf-8")
    keep = {source_dir / name for name in [*wanted, "index.md"]}
    for path in sorted(source_dir.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return source_dir


def build(out_dir: Path = DEFAULT_OUT, *, quiet: bool = False) -> Path:
    """Build the site into ``out_dir`` (sources and Sphinx's cache go beside it); return ``out_dir``."""
    from sphinx.cmd.build import build_main

    started = time.perf_counter()
    source_dir = stage(out_dir.parent / f"{out_dir.name}-source")
    export_notebooks(notebooks(), out_dir / "slides", quiet=True)
    arguments = ["-b", "html", "-c", str(CONF_DIR), "-d", str(out_dir.parent / f"{out_dir.name}-doctrees")]
    if quiet:
        arguments.append("-q")
    if build_main([*arguments, "--fail-on-warning", "--keep-going", str(source_dir), str(out_dir)]):
        raise RuntimeError("Sphinx reported errors or warnings (above) while building the site")
    if not quiet:
        seconds = time.perf_counter() - started
        print(f"site: {out_dir}/index.html, {size_mb(out_dir):.1f} MB, built in {seconds:.0f} s", flush=True)
    return out_dir


def size_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6
