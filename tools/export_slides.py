"""Export the course's notebooks as offline reveal.js slides and PDF handouts.

    python -m tools.export_slides                      # every notebook, into build/slides/
    python -m tools.export_slides 05 06                # only notebooks whose names start with 05 or 06
    python -m tools.export_slides --out /tmp/deck 00   # somewhere else

For each notebook ``NN_topic.ipynb`` this writes ``NN_topic.slides.html`` (reveal.js, slide breaks from the cells'
``slideshow.slide_type`` metadata, ``skip`` cells left out) and ``NN_topic.pdf`` (a handout: the notebook's HTML
export printed by headless Chromium). The JavaScript both need (reveal.js and MathJax) is copied from installed
Python packages into ``<out>/vendor/`` and referenced by relative URLs, so the whole folder can be zipped and opened
anywhere with no internet:

- reveal.js from the ``sphinx-revealjs`` package (reveal.js is MIT licensed),
- MathJax 2 from the ``jupyter-server-mathjax`` package (MathJax is Apache-2.0 licensed).

nbconvert's stock templates also load require.js, jQuery, Mermaid and the widget manager from CDNs. The course's
notebooks need none of them (no saved widget state, no Mermaid diagrams), so the templates below drop them and load
reveal.js with plain script tags instead of through require.js.

Chromium (or Google Chrome) is found through the ``CHROMIUM`` environment variable, then the usual command names,
then the usual macOS and Windows install paths.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter, SlidesExporter

from helpers.course import REPO_ROOT, notebooks

DEFAULT_OUT = REPO_ROOT / "build" / "slides"

# Where each vendored library lives inside its Python package, and what to copy of it. Only reveal.js's UMD build,
# its stylesheets and themes (with their fonts) and the speaker-notes plugin are needed; source maps and the ES
# module build would only make the folder bigger.
REVEAL_PACKAGE, REVEAL_SUBDIR = "sphinx_revealjs", "_static/revealjs"
MATHJAX_PACKAGE, MATHJAX_SUBDIR = "jupyter_server_mathjax", "static"
VENDOR_REVEAL = "vendor/reveal.js"
VENDOR_MATHJAX = "vendor/mathjax"
# jupyter-server-mathjax ships a trimmed MathJax: this combined configuration and the HTML-CSS output with the
# STIX-Web fonts (the CommonHTML output that nbconvert asks for by default is not included).
MATHJAX_URL = f"{VENDOR_MATHJAX}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"

# Chromium renders in virtual time: this much simulated time lets reveal.js lay out and MathJax typeset every
# formula before the DOM is dumped, the screenshot taken or the PDF printed, without waiting that long for real.
VIRTUAL_TIME_BUDGET_MS = 10_000
CHROMIUM_TIMEOUT_S = 180

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM_PATHS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
)
# Headless and quiet: no sandbox (CI runs as root), no GPU, and none of the background traffic (updates, sync,
# QUIC probes) that would try to reach the network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
)

MATHJAX_BLOCK = """
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({
    tex2jax: {
        inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
        displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
        processEscapes: true,
        processEnvironments: true
    },
    TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
    // Only the STIX-Web web fonts ship with the vendored MathJax; never fall back to fonts it would fetch.
    "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
                 linebreaks: {automatic: true}},
    displayAlign: "center",
    messageStyle: "none",
    showMathMenu: false
});
</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
"""

# Blocks of nbconvert's templates that would load something from a CDN, emptied.
NO_REMOTE_BLOCKS = """
{%- block html_head_js_jquery -%}{%- endblock html_head_js_jquery -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
"""


def offline_template(blocks: str) -> str:
    """An nbconvert HTML template with nothing loaded from the network, plus the given blocks."""
    return "{%- extends 'index.html.j2' -%}\n" + NO_REMOTE_BLOCKS + MATHJAX_BLOCK + blocks


SLIDES_TEMPLATE = offline_template(
    """
{%- block html_head_css -%}
<style type="text/css">
/* Wrap long code lines on a slide rather than cut them off at its right edge. */
.reveal .jp-InputArea-editor pre, .reveal .jp-OutputArea-output pre { white-space: pre-wrap; word-break: break-word; }
</style>
{%- endblock html_head_css -%}

{% block footer_js %}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
    controls: true,
    progress: true,
    history: true,
    transition: "{{ resources.reveal.transition }}",
    slideNumber: "{{ resources.reveal.number }}",
    width: {{ resources.reveal.width | default('960', true) }},
    height: {{ resources.reveal.height | default('700', true) }},
    plugins: [RevealNotes]
});

// MathJax measures formulas on hidden slides as zero-sized; typeset them again once their slide is shown.
function rerenderMath(event) {
    if (window.MathJax && MathJax.Hub) {
        MathJax.Hub.Queue(["Rerender", MathJax.Hub, event.currentSlide]);
    }
}

// Long code or output would run off the bottom of a slide: let such a slide scroll instead.
function scrollTallSlides(event) {
    var limit = Reveal.getConfig().height * 0.95;
    event.currentSlide.querySelectorAll("section").forEach(function (section) {
        if (section.scrollHeight > limit) {
            section.style.height = "95vh";
            section.style.overflowY = "auto";
        }
    });
}

Reveal.on("ready", scrollTallSlides);
Reveal.on("slidechanged", rerenderMath);
Reveal.on("slidechanged", scrollTallSlides);
</script>
{% endblock footer_js %}
"""
)

HANDOUT_TEMPLATE = offline_template(
    """
{%- block html_head_css -%}
<style type="text/css">
/* A printed page: A4 with margins, code that wraps instead of being cut off at the page edge, and no code block,
   figure or table row split across two pages (whole cells may be split, or long ones would leave half-empty pages). */
@page { size: A4; margin: 14mm 12mm; }
@media print {
    body { padding: 0; }
    .jp-InputArea-editor pre, .jp-OutputArea-output pre { white-space: pre-wrap; word-break: break-word; }
    .jp-InputArea, .jp-RenderedImage, tr, h1, h2, h3 { break-inside: avoid-page; }
    h1, h2, h3 { break-after: avoid-page; }
    .jp-RenderedImage img { max-width: 100%; }
}
</style>
{%- endblock html_head_css -%}
"""
)

# The Colab badge line that opens every notebook: an image from the internet, which neither offline slides nor a
# printed handout can show.
COLAB_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\((?P<url>[^)]*)\)")
# Script, stylesheet and image references that point at the internet.
REMOTE_REFERENCE = re.compile(
    r"<(?:script|img|iframe)\b[^>]*\bsrc\s*=\s*[\"'](?P<src>(?:https?:)?//[^\"']+)"
    r"|<link\b[^>]*\bhref\s*=\s*[\"'](?P<href>(?:https?:)?//[^\"']+)"
    r"|\bimport\s*\(?\s*[\"'](?P<module>(?:https?:)?//[^\"']+)",
    re.IGNORECASE,
)


HOW_TO_GET_CHROMIUM = (
    "Chromium or Google Chrome renders the slides and prints the PDF handouts:\n"
    "  Debian/Ubuntu: sudo apt-get install chromium   (on Ubuntu the package may be chromium-browser)\n"
    "  macOS: install Google Chrome (looked for in /Applications/Google Chrome.app)\n"
    "  anywhere: set the CHROMIUM environment variable to the path of a Chromium or Chrome binary"
)


class ChromiumNotFoundError(RuntimeError):
    """No Chromium or Google Chrome binary could be found to render the slides and print the handouts."""


def find_chromium() -> str:
    """The path of a Chromium or Google Chrome binary, or a :class:`ChromiumNotFoundError` that says how to get one.

    >>> find_chromium()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    configured = os.environ.get("CHROMIUM")
    if configured:
        if Path(configured).is_file() or shutil.which(configured):
            return shutil.which(configured) or configured
        raise ChromiumNotFoundError(
            f"CHROMIUM={configured!r} is set but is not an executable file.\n{HOW_TO_GET_CHROMIUM}"
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for path in CHROMIUM_PATHS:
        if Path(path).is_file():
            return path
    raise ChromiumNotFoundError(f"no Chromium or Google Chrome was found.\n{HOW_TO_GET_CHROMIUM}")


def run_chromium(chromium: str, arguments: list[str], timeout: float = CHROMIUM_TIMEOUT_S) -> str:
    """Run headless Chromium with a fresh, throw-away profile and return what it printed on stdout.

    A fresh profile means no state (cache, service workers, first-run prompts) leaks between runs.
    """
    with tempfile.TemporaryDirectory(prefix="course-chromium-") as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"Chromium did not finish within {timeout} s: {' '.join(command)}") from error
    if completed.returncode != 0:
        raise RuntimeError(
            f"Chromium failed (exit status {completed.returncode}): {' '.join(command)}\n{completed.stderr[-2000:]}"
        )
    return completed.stdout


def render_dom(chromium: str, page: Path, window_size: str = "1280,800") -> str:
    """The page's DOM after its scripts have run (reveal.js initialised, MathJax typeset), as HTML."""
    return run_chromium(
        chromium,
        [
            f"--window-size={window_size}",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
    )


def screenshot(chromium: str, page: Path, png: Path, window_size: str = "1280,800") -> Path:
    """A PNG screenshot of the page (for a deck: its first slide) once its scripts have run."""
    png.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(
        chromium,
        [
            f"--window-size={window_size}",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            f"--screenshot={png.resolve()}",
            page.resolve().as_uri(),
        ],
    )
    if not png.is_file():
        raise RuntimeError(f"Chromium wrote no screenshot of {page} to {png}")
    return png


def print_to_pdf(chromium: str, page: Path, pdf: Path) -> Path:
    """Print the page to a PDF with Chromium, without the browser's date/title header and URL footer."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.unlink(missing_ok=True)
    # --no-pdf-header-footer is today's flag, --print-to-pdf-no-header the older one; Chromium ignores unknown flags.
    run_chromium(
        chromium,
        [
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={pdf.resolve()}",
            page.resolve().as_uri(),
        ],
    )
    if not pdf.is_file() or pdf.read_bytes()[:4] != b"%PDF":
        raise RuntimeError(f"Chromium did not print {page} to a PDF at {pdf}")
    return pdf


def remote_references(html: str) -> list[str]:
    """Every script, stylesheet, image or module URL in ``html`` that points at the internet.

    >>> remote_references('<script src="https://cdn.example/x.js"></script><script src="vendor/y.js"></script>')
    ['https://cdn.example/x.js']
    """
    return [next(url for url in match.groups() if url) for match in REMOTE_REFERENCE.finditer(html)]


def package_dir(package: str) -> Path:
    """The folder of an installed Python package, or a clear error naming what to install."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        distribution = package.replace("_", "-")
        raise RuntimeError(f"offline slides need the Python package {distribution}: pip install {distribution}")
    return Path(next(iter(spec.submodule_search_locations)))


def vendor_assets(out_dir: Path) -> Path:
    """Copy reveal.js and MathJax from their Python packages into ``out_dir/vendor`` (once per installed version)."""
    reveal_source = package_dir(REVEAL_PACKAGE) / REVEAL_SUBDIR
    mathjax_source = package_dir(MATHJAX_PACKAGE) / MATHJAX_SUBDIR
    vendor = out_dir / "vendor"
    # The stamp names the sources and their versions; when it matches, the copies are already the right ones.
    stamp = vendor / "SOURCES.json"
    wanted = {
        "reveal.js": {"from": f"{REVEAL_PACKAGE}/{REVEAL_SUBDIR}", "version": reveal_version(reveal_source)},
        "mathjax": {"from": f"{MATHJAX_PACKAGE}/{MATHJAX_SUBDIR}", "version": mathjax_version(mathjax_source)},
    }
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return vendor
    shutil.rmtree(vendor, ignore_errors=True)
    skip_reveal = shutil.ignore_patterns("*.map", "*.esm.js", "markdown", "highlight", "math", "search", "zoom")
    for part in ("LICENSE", "dist", "plugin"):
        source, target = reveal_source / part, out_dir / VENDOR_REVEAL / part
        if source.is_dir():
            shutil.copytree(source, target, ignore=skip_reveal)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    shutil.copytree(mathjax_source, out_dir / VENDOR_MATHJAX)
    stamp.write_text(json.dumps(wanted, indent=2) + "\n")
    return vendor


def reveal_version(reveal_source: Path) -> str:
    """The reveal.js version, read from the banner at the top of its bundled build."""
    banner = (reveal_source / "dist" / "reveal.js").read_text(encoding="utf-8")[:200]
    found = re.search(r"reveal\.js (\d+\.\d+\.\d+)", banner)
    return found.group(1) if found else "unknown"


def mathjax_version(mathjax_source: Path) -> str:
    """The MathJax version, read from MathJax.js itself."""
    source = (mathjax_source / "MathJax.js").read_text(encoding="utf-8")
    found = re.search(r'version\s*[:=]\s*"(\d+\.\d+\.\d+)"', source)
    return found.group(1) if found else "unknown"


def for_export(notebook: nbformat.NotebookNode, *, handout: bool) -> nbformat.NotebookNode:
    """A copy of the notebook as the exports show it: no Colab badge image, and for a handout no skipped cells.

    The slides keep every cell, because nbconvert's reveal template drops ``skip`` cells itself and turns
    ``notes`` cells into speaker notes. The handout is for the audience, so it leaves out the same ``skip`` cells
    (Colab install, setup) and the speaker notes.
    """
    exported = copy.deepcopy(notebook)
    if handout:
        exported.cells = [cell for cell in exported.cells if slide_type(cell) not in {"skip", "notes"}]
    for cell in exported.cells:
        if cell.cell_type == "markdown":
            # In the handout, keep the address as a plain link; a slide has no use for it.
            replacement = r"[Open in Colab](\g<url>)" if handout else ""
            cell.source = COLAB_BADGE.sub(replacement, cell.source).lstrip("\n")
    return exported


def slide_type(cell: nbformat.NotebookNode) -> str:
    """The cell's ``slideshow.slide_type`` (``-`` when it has none)."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def export_slides(notebook_path: Path, out_dir: Path) -> Path:
    """Write ``<out_dir>/<name>.slides.html``, a reveal.js deck that loads everything from ``<out_dir>/vendor``."""
    notebook = nbformat.read(notebook_path, as_version=4)
    exporter = SlidesExporter(
        extra_loaders=[DictLoader({"course_slides.html.j2": SLIDES_TEMPLATE})],
        template_file="course_slides.html.j2",
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


def export_handout(notebook_path: Path, out_dir: Path, chromium: str) -> Path:
    """Write ``<out_dir>/<name>.pdf``: the notebook's HTML export (less ``skip`` cells) printed by Chromium."""
    notebook = nbformat.read(notebook_path, as_version=4)
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"course_handout.html.j2": HANDOUT_TEMPLATE})],
        template_file="course_handout.html.j2",
        mathjax_url=MATHJAX_URL,
        exclude_anchor_links=True,
    )
    html, _ = exporter.from_notebook_node(for_export(notebook, handout=True), resources=_resources(notebook_path))
    # The HTML goes beside the vendor folder so its relative MathJax URL resolves; it is only a step to the PDF.
    page = out_dir / f".{notebook_path.stem}.handout.html"
    page.write_text(html, encoding="utf-8")
    try:
        return print_to_pdf(chromium, page, out_dir / f"{notebook_path.stem}.pdf")
    finally:
        page.unlink(missing_ok=True)


def _resources(notebook_path: Path) -> dict:
    """nbconvert resources: the notebook's name (the page title) and folder (for relative image paths)."""
    return {"metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)}}


def select_notebooks(prefixes: list[str]) -> list[Path]:
    """The course's notebooks whose file names start with one of ``prefixes`` (all of them when none is given)."""
    available = notebooks()
    if not prefixes:
        return available
    unknown = [prefix for prefix in prefixes if not any(path.name.startswith(prefix) for path in available)]
    if unknown:
        names = ", ".join(path.stem for path in available)
        raise ValueError(f"no notebook starts with {', '.join(unknown)}; the notebooks are: {names}")
    return [path for path in available if any(path.name.startswith(prefix) for prefix in prefixes)]


def human_size(path: Path) -> str:
    """A file's size in KB or MB, for the one-line report per notebook."""
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"


def export(prefixes: list[str], out_dir: Path) -> list[tuple[Path, Path]]:
    """Export the selected notebooks into ``out_dir``; return the (slides, handout) paths written, in order."""
    chromium = find_chromium()
    selected = select_notebooks(prefixes)
    out_dir.mkdir(parents=True, exist_ok=True)
    vendor_assets(out_dir)
    written = []
    for notebook_path in selected:
        slides = export_slides(notebook_path, out_dir)
        handout = export_handout(notebook_path, out_dir, chromium)
        for url in remote_references(slides.read_text(encoding="utf-8")):
            print(f"warning: {slides.name} still refers to {url}, which needs the internet", file=sys.stderr)
        sizes = f"{_shown(slides)} ({human_size(slides)}), {_shown(handout)} ({human_size(handout)})"
        print(f"{notebook_path.stem}: {sizes}", flush=True)
        written.append((slides, handout))
    return written


def _shown(path: Path) -> str:
    """A path relative to the repository when it is inside it (shorter to read), else absolute."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO_ROOT)) if resolved.is_relative_to(REPO_ROOT) else str(resolved)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/slides)")
    parser.add_argument("prefixes", nargs="*", help="notebook name prefixes, e.g. 00 05_lenet (default: all)")
    arguments = parser.parse_args(argv)
    try:
        export(arguments.prefixes, arguments.out)
    except (ChromiumNotFoundError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
