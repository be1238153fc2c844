"""Export notebooks as reveal.js decks and PDF handouts into one folder (see :mod:`tools.slides`)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, SlidesExporter

from helpers.course import REPO_ROOT, notebooks
from tools.slides.chromium import find_chromium, print_to_pdf
from tools.slides.templates import (
    HANDOUT_TEMPLATE,
    REVEAL_SETTINGS,
    SLIDES_TEMPLATE,
    exporter_config,
    for_export,
    has_persian_cells,
    template_loader,
)
from tools.slides.vendor import (
    MATHJAX_URL,
    PERSIAN_FONT_CSS,
    VENDOR_REVEAL,
    persian_font_files,
    remote_references,
    vendor_assets,
)

DEFAULT_OUT = REPO_ROOT / "build" / "slides"


def export_slides(notebook_path: Path, out_dir: Path) -> Path:
    """Write ``<out_dir>/<name>.slides.html``, a reveal.js deck that loads everything from ``<out_dir>/vendor``."""
    notebook = nbformat.read(notebook_path, as_version=4)
    exporter = SlidesExporter(
        config=exporter_config(),
        extra_loaders=[template_loader()],
        template_file=SLIDES_TEMPLATE,
        reveal_url_prefix=VENDOR_REVEAL,
        reveal_theme="white",
        reveal_transition="slide",
        reveal_number="c/t",
        mathjax_url=MATHJAX_URL,
    )
    html, _ = exporter.from_notebook_node(for_export(notebook, handout=False), resources=_resources(notebook_path))
    target = out_dir / f"{notebook_path.stem}.slides.html"
    target.write_text(html, encoding="utf-8")
    return target


def handout_html(notebook_path: Path) -> str:
    """The handout as HTML (less ``skip`` and ``notes`` cells), to be printed from a page in the export folder."""
    notebook = nbformat.read(notebook_path, as_version=4)
    exporter = HTMLExporter(
        config=exporter_config(),
        extra_loaders=[template_loader()],
        template_file=HANDOUT_TEMPLATE,
        mathjax_url=MATHJAX_URL,
    )
    html, _ = exporter.from_notebook_node(for_export(notebook, handout=True), resources=_resources(notebook_path))
    return html


def export_handout(notebook_path: Path, out_dir: Path, chromium: str) -> Path:
    """Write ``<out_dir>/<name>.pdf``: the notebook's handout HTML printed by Chromium."""
    # The HTML goes beside the vendor folder so its relative URLs resolve; it is only a step to the PDF.
    page = out_dir / f".{notebook_path.stem}.handout.html"
    page.write_text(handout_html(notebook_path), encoding="utf-8")
    try:
        return print_to_pdf(chromium, page, out_dir / f"{notebook_path.stem}.pdf")
    finally:
        page.unlink(missing_ok=True)


def _resources(notebook_path: Path) -> dict:
    """nbconvert resources: the notebook's name (the page title) and folder (for relative image paths), and what the
    course's templates fill in (the Persian font's stylesheet, the slide size)."""
    return {
        "metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)},
        "course": {"persian_font_css": PERSIAN_FONT_CSS, "reveal": REVEAL_SETTINGS},
    }


def select_notebooks(prefixes: Sequence[str]) -> list[Path]:
    """The course's notebooks whose file names start with one of ``prefixes`` (all of them when none is given)."""
    available = notebooks()
    if not prefixes:
        return available
    unknown = [prefix for prefix in prefixes if not any(path.name.startswith(prefix) for path in available)]
    if unknown:
        names = ", ".join(path.stem for path in available)
        raise ValueError(f"no notebook starts with {', '.join(unknown)}; the notebooks are: {names}")
    return [path for path in available if any(path.name.startswith(prefix) for prefix in prefixes)]


def export_notebooks(
    notebook_paths: Sequence[Path],
    out_dir: Path,
    *,
    handouts: bool = True,
    fonts: Mapping[str, Path] | None = None,
    quiet: bool = False,
) -> list[tuple[Path, Path | None]]:
    """Export notebooks into ``out_dir``; return the (slides, handout) paths written, in order.

    ``handouts=False`` writes the decks only (no Chromium needed). ``fonts`` are the Persian font files; by default
    they come from ``helpers.persian.font_files()`` when a notebook has right-to-left cells.
    """
    chromium = find_chromium() if handouts else None
    if fonts is None:
        needs_font = any(has_persian_cells(nbformat.read(path, as_version=4)) for path in notebook_paths)
        fonts = persian_font_files() if needs_font else {}
    out_dir.mkdir(parents=True, exist_ok=True)
    vendor_assets(out_dir, fonts)
    written = []
    for notebook_path in notebook_paths:
        slides = export_slides(notebook_path, out_dir)
        handout = export_handout(notebook_path, out_dir, chromium) if chromium else None
        for url in remote_references(slides.read_text(encoding="utf-8")):
            print(f"warning: {slides.name} still refers to {url}, which needs the internet", file=sys.stderr)
        if not quiet:
            sizes = f"{_shown(slides)} ({human_size(slides)})"
            if handout:
                sizes += f", {_shown(handout)} ({human_size(handout)})"
            print(f"{notebook_path.stem}: {sizes}", flush=True)
        written.append((slides, handout))
    return written


def export(
    prefixes: Sequence[str], out_dir: Path, *, handouts: bool = True, quiet: bool = False
) -> list[tuple[Path, Path | None]]:
    """Export the course's notebooks whose names start with ``prefixes`` (all when empty) into ``out_dir``."""
    return export_notebooks(select_notebooks(prefixes), out_dir, handouts=handouts, quiet=quiet)


def human_size(path: Path) -> str:
    """A file's size in KB or MB, for the one-line report per notebook."""
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"


def _shown(path: Path) -> str:
    """A path relative to the repository when it is inside it (shorter to read), else absolute."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO_ROOT)) if resolved.is_relative_to(REPO_ROOT) else str(resolved)
