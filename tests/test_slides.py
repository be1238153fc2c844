"""The instructor's exports: offline reveal.js slides and PDF handouts, and the slide metadata they come from.

The rendering test needs Chromium (CI installs Debian's ``chromium``); without it the test fails and says how to
install one, rather than being skipped, so a green run always means the slides were really rendered. What the
exports do with particular cells is tested in ``test_slides_cells.py``, the layout of every deck in
``test_slides_layout.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.course import REPO_ROOT, notebooks
from tests.slides_browser import render_dom, screenshot
from tools.slides import chromium as browser
from tools.slides import export as exporter
from tools.slides.__main__ import main as slides_command
from tools.slides.templates import slide_type
from tools.slides.vendor import remote_references

ALLOWED_SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
NOTEBOOK = "00_start_here"
NOTEBOOK_PATH = REPO_ROOT / "notebooks" / f"{NOTEBOOK}.ipynb"
SCREENSHOT = REPO_ROOT / "build" / "test_slides" / f"{NOTEBOOK}.slides.png"
# A PNG of a 1280x720 slide with a title and text is tens of KB; a blank or failed render compresses to a few KB.
MIN_SCREENSHOT_BYTES = 10_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium binary; a missing one is a failure with install instructions, never a skip."""
    try:
        return browser.find_chromium()
    except browser.ChromiumNotFoundError as error:
        problem = str(error)
    pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory, chromium) -> tuple[Path, Path]:
    """The first notebook exported once, as (slides, handout), into a fresh folder."""
    out_dir = tmp_path_factory.mktemp("slides")
    [(slides, handout)] = exporter.export([NOTEBOOK], out_dir)
    return slides, handout


def expected_sections(notebook_path: Path) -> int:
    """How many <section> elements nbconvert writes for a notebook.

    Every ``slide`` cell opens a horizontal slide (an outer section) and its first vertical sub-slide (an inner
    one); every ``subslide`` cell opens one more inner section.
    """
    types = [slide_type(cell) for cell in nbformat.read(notebook_path, as_version=4).cells]
    return 2 * types.count("slide") + types.count("subslide")


def test_every_notebook_cell_has_an_allowed_slide_type():
    problems = []
    for path in notebooks():
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
            if kind not in ALLOWED_SLIDE_TYPES:
                problems.append(f"{path.name} cell {index}: slide_type {kind!r}")
    assert notebooks(), "no notebooks found in notebooks/"
    assert not problems, f"every cell needs metadata.slideshow.slide_type in {sorted(ALLOWED_SLIDE_TYPES)}: {problems}"


def test_every_notebook_opens_with_a_slide():
    # The title cell must start a slide, or reveal.js would begin with an unnamed section.
    for path in notebooks():
        first = nbformat.read(path, as_version=4).cells[0]
        assert slide_type(first) == "slide", f"{path.name}: the title cell is not a 'slide'"


def test_exported_deck_loads_nothing_from_the_internet(exported):
    slides, _ = exported
    html = slides.read_text(encoding="utf-8")
    assert remote_references(html) == []
    assert not re.search(r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']https?://", html, re.IGNORECASE)
    for local in ("vendor/reveal.js/dist/reveal.js", "vendor/reveal.js/dist/reveal.css", "vendor/mathjax/MathJax.js"):
        assert local in html, f"the deck does not reference {local}"
        assert (slides.parent / local).is_file(), f"{local} was not copied next to the deck"


def test_exported_deck_shows_every_cell_except_skipped_ones(exported):
    slides, _ = exported
    html = slides.read_text(encoding="utf-8")
    cells = nbformat.read(NOTEBOOK_PATH, as_version=4).cells
    shown = [cell for cell in cells if slide_type(cell) != "skip"]
    assert len(shown) < len(cells), "the notebook should skip its Colab and setup cells"
    assert len(re.findall(r'<div class="jp-Cell jp-', html)) == len(shown)
    # The Colab badge is an image from the internet: offline slides leave it out.
    assert "colab-badge.svg" not in html
    # No "In [n]:" prompts: they take width and tell an audience nothing.
    assert "In&nbsp;[" not in html and not re.search(r'<div class="jp-(?:In|Out)putPrompt', html)


def test_deck_renders_in_chromium_with_every_slide(exported, chromium):
    slides, _ = exported
    dom = render_dom(chromium, slides)
    reveal = re.search(r'<div class="(reveal [^"]*)"', dom)
    assert reveal, "the rendered page has no .reveal element"
    # reveal.js adds 'ready' once it has initialised and laid out the slides.
    assert "ready" in reveal.group(1).split(), f"reveal.js did not initialise: class={reveal.group(1)!r}"
    assert '<div class="slides"' in dom
    sections = len(re.findall(r"<section\b", dom))
    assert sections == expected_sections(NOTEBOOK_PATH) > 1
    # The slide shown first is the notebook's title slide.
    title = re.search(r"^# (.+)$", nbformat.read(NOTEBOOK_PATH, as_version=4).cells[0].source, re.MULTILINE)
    assert title, "the first cell has no '# NN · Title' heading"
    present = re.search(r'<section[^>]*class="[^"]*\bpresent\b[^"]*"[^>]*>(.*?)</section>', dom, re.DOTALL)
    assert present and title.group(1).split("·")[-1].strip() in present.group(1)


def test_deck_screenshot_is_a_real_picture(exported, chromium):
    slides, _ = exported
    SCREENSHOT.unlink(missing_ok=True)
    png = screenshot(chromium, slides, SCREENSHOT)
    data = png.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > MIN_SCREENSHOT_BYTES, f"{png} is only {len(data)} bytes: the slide looks blank"


def test_handout_is_a_multi_page_pdf(exported):
    _, handout = exported
    data = handout.read_bytes()
    assert data[:4] == b"%PDF"
    # Each page is one '/Type /Page' object; '/Type /Pages' is the page tree, not a page.
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages >= 2, f"{handout} has {pages} page(s)"
    assert not list(handout.parent.glob(".*.handout.html")), "the handout's intermediate HTML was left behind"


def test_missing_chromium_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(browser.ChromiumNotFoundError, match="CHROMIUM"):
        browser.find_chromium()


def test_unknown_notebook_prefix_is_a_clear_error():
    with pytest.raises(ValueError, match="no notebook starts with 99"):
        exporter.select_notebooks(["99"])


def test_remote_references_finds_cdn_scripts_and_styles():
    html = (
        '<script src="https://cdn.example/a.js"></script><link rel="stylesheet" href="//cdn.example/b.css">'
        '<script src="vendor/c.js"></script><a href="https://example.org">a link is fine</a>'
    )
    assert remote_references(html) == ["https://cdn.example/a.js", "//cdn.example/b.css"]


def test_layout_report_lists_each_deck_at_both_window_sizes(capsys, chromium):
    assert slides_command(["--layout-report", NOTEBOOK]) == 0
    report = capsys.readouterr().out
    for window in ("1280x720", "1920x1080"):
        assert re.search(rf"^{NOTEBOOK}\.slides\.html at {window}: \d+ slides, \d+ taller than the slide", report, re.M)
    # Each overflowing slide is named by number, by reveal.js address and by its first words.
    for line in report.splitlines():
        if line.startswith("  slide"):
            assert re.match(r"  slide +\d+ #/\d+/\d+ +.+ \| \S", line), line


def test_tasks_slides_command_runs_the_slides_package():
    tasks = (REPO_ROOT / "tasks.py").read_text(encoding="utf-8")
    assert 'run_in_venv(["-m", "tools.slides", *rest])' in tasks
