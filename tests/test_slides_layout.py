"""Every exported deck, opened in headless Chromium at 1280x720 and 1920x1080: nothing on any slide is cut off
where no one can scroll to it, and nothing is requested from the network.

The course's decks are exported once for this module (no PDFs) into a temporary folder and measured by
``tools.slides.layout``. A slide taller than the slide area is fine as long as it scrolls; the layout report
(``python -m tools.slides --layout-report``) lists those for writers. The last tests show, on synthetic decks, that
the measurement catches what it should: cut-off content, a remote image, and that a tall slide really scrolls.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.slides_browser import markdown, write_notebook
from tools.slides import export as exporter
from tools.slides.chromium import browser, find_chromium, offline_context
from tools.slides.layout import WINDOWS, measure_decks

WINDOW_NAMES = [f"{width}x{height}" for width, height in WINDOWS]
LONG_TEXT = "\n\n".join(f"Line {number} of a slide that is far taller than the slide area." for number in range(60))


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


@pytest.fixture(scope="module")
def course_layouts(tmp_path_factory, chromium) -> dict:
    """Every course deck measured in both window sizes: {window name: [DeckLayout, ...]}."""
    written = exporter.export([], tmp_path_factory.mktemp("decks"), handouts=False)
    layouts = measure_decks([slides for slides, _ in written], WINDOWS, chromium)
    grouped: dict = {name: [] for name in WINDOW_NAMES}
    for layout in layouts:
        grouped[layout.window_name].append(layout)
    return grouped


def synthetic_deck(tmp_path: Path, *cells) -> Path:
    notebook = write_notebook(tmp_path / "97_layout_test.ipynb", [markdown("# 97 · Layout test", "slide"), *cells])
    [(slides, _)] = exporter.export_notebooks([notebook], tmp_path / "out", handouts=False, fonts={}, quiet=True)
    return slides


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_every_slide_of_every_deck_can_be_reached(course_layouts, window):
    layouts = course_layouts[window]
    assert len(layouts) >= 10 and all(layout.slides for layout in layouts)
    unreachable = [line for layout in layouts for line in layout.problems() if "network request" not in line]
    assert not unreachable, f"{len(unreachable)} piece(s) of content cut off, out of reach:\n" + "\n".join(unreachable)


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_no_deck_requests_anything_from_the_network(course_layouts, window):
    requests = [f"{layout.deck.name}: {url}" for layout in course_layouts[window] for url in layout.requests]
    assert not requests, "decks must work offline, but these were requested:\n" + "\n".join(requests)


def test_a_remote_image_is_caught_as_a_network_request(tmp_path, chromium):
    deck = synthetic_deck(tmp_path, markdown('<img src="https://planted.invalid/remote.png" alt="remote">'))
    [layout] = measure_decks([deck], [WINDOWS[0]], chromium)
    # The browser may ask more than once (a failed image is retried when its slide is shown): each ask is caught.
    assert set(layout.requests) == {"https://planted.invalid/remote.png"}
    assert any("network request to https://planted.invalid/remote.png" in line for line in layout.problems())


def test_content_cut_off_by_a_box_that_hides_overflow_is_caught(tmp_path, chromium):
    clipped = '<div style="height: 40px; overflow: hidden">' + "<br>".join(["clipped line"] * 10) + "</div>"
    deck = synthetic_deck(tmp_path, markdown(clipped, "subslide"))
    [layout] = measure_decks([deck], [WINDOWS[0]], chromium)
    [title, slide] = layout.slides
    assert not title.unreachable
    assert any("cut off at its bottom" in problem for problem in slide.unreachable), slide.unreachable


def test_a_tall_slide_scrolls_to_its_last_line(tmp_path, chromium):
    deck = synthetic_deck(tmp_path, markdown(LONG_TEXT, "subslide"))
    [layout] = measure_decks([deck], [WINDOWS[0]], chromium)
    tall = layout.slides[1]
    assert tall.tall and tall.height > 2 * tall.slide_height
    assert not tall.unreachable
    with browser(chromium) as chrome:
        context, refused = offline_context(chrome, *WINDOWS[0])
        page = context.new_page()
        page.goto(deck.resolve().as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        page.evaluate("Reveal.slide(0, 1)")
        last = page.locator("section.present p", has_text="Line 59 of a slide")
        assert not last.evaluate("(node) => node.getBoundingClientRect().top < innerHeight")
        # The mouse wheel over the slide scrolls it, as a presenter would, until the last line is in the window.
        page.mouse.move(640, 360)
        for _ in range(20):
            page.mouse.wheel(0, 600)
        # Wheel scrolling is smooth (animated): give it up to 5 s to bring the last line into the window.
        reached = last.evaluate(
            """(node) => new Promise((done) => {
                const deadline = performance.now() + 5000;
                const check = () => node.getBoundingClientRect().bottom <= innerHeight ? done(true)
                    : performance.now() > deadline ? done(false) : setTimeout(check, 50);
                check();
            })"""
        )
        assert reached, "the mouse wheel did not scroll the slide's last line into the window"
        assert page.evaluate("Reveal.getCurrentSlide().scrollTop") > tall.slide_height
        context.close()
    assert refused == []
