"""Every exported deck, opened in headless Chromium at 1280x720 and 1920x1080, as a presenter with a clicker or a
keyboard shows it: nothing on any slide is cut off where no one can scroll to it, the keys that advance scroll every
tall slide to its end before moving on, no output is wider than its slide, no text lies under the navigation arrows,
every Persian block is right to left and right-aligned, and nothing is requested from the network.

The course's decks are exported once for this module (no PDFs) into a temporary folder and measured by
``tools.slides.layout``. A slide taller than the slide area is fine as long as the keys scroll it; the layout report
(``python -m tools.slides --layout-report``) lists those for writers. The last tests show, on synthetic decks, that
the measurement catches what it should, each on a deck with the defect planted: cut-off content, a remote image,
keys that skip a tall slide's end, a wide output, text under the arrows, a left-aligned Persian paragraph.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.slides_browser import code, markdown, write_notebook
from tools.slides import export as exporter
from tools.slides.chromium import browser, find_chromium, offline_context
from tools.slides.layout import WINDOWS, measure_decks

WINDOW_NAMES = [f"{width}x{height}" for width, height in WINDOWS]
LONG_TEXT = "\n\n".join(f"Line {number} of a slide that is far taller than the slide area." for number in range(60))
# Paragraphs as wide as the slide, and more of them than it holds: their lines reach the corner of the arrows.
WIDE_TEXT = "\n\n".join(
    f"Paragraph {number}: " + "a sentence that runs across the whole slide, " * 4 for number in range(20)
)
# Persian paragraphs that fill a slide to its bottom, each line starting at the right edge, under the arrows' corner.
PERSIAN_TEXT = (
    '<div dir="rtl" lang="fa">\n\n'
    + "\n\n".join(f"بند {number}: شبکهٔ کانولوشنی ویژگی‌ها را لایه به لایه از تصویر بیرون می‌کشد." for number in range(30))
    + "\n\n</div>"
)
# A printed line far wider than the slide (a table like Keras's model.summary()).
WIDE_LINE = "| " + " | ".join(f"column {number:02d}" for number in range(11)) + " | Param # |"


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


def planted(deck: Path, old: str, new: str) -> Path:
    """A copy of the deck, beside it, with ``old`` replaced by ``new`` in its HTML: a defect planted on purpose."""
    html = deck.read_text(encoding="utf-8")
    assert old in html, f"nothing to plant: {old!r} is not in {deck.name}"
    copy = deck.with_name(f"planted-{deck.name}")
    copy.write_text(html.replace(old, new), encoding="utf-8")
    return copy


def with_css(deck: Path, css: str) -> Path:
    """A copy of the deck with one more stylesheet rule, the last word on what it sets."""
    return planted(deck, "</head>", f"<style>{css}</style></head>")


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_every_slide_of_every_deck_can_be_reached(course_layouts, window):
    layouts = course_layouts[window]
    assert len(layouts) >= 10 and all(layout.slides for layout in layouts)
    unreachable = [line for layout in layouts for line in layout.problems() if "network request" not in line]
    assert not unreachable, f"{len(unreachable)} piece(s) of content cut off, out of reach:\n" + "\n".join(unreachable)


def course_problems(layouts, what) -> list[str]:
    return [
        f"{layout.deck.name} at {layout.window_name}, slide {slide.number} ({slide.anchor}, "
        f'"{slide.first_words}"): {problem}'
        for layout in layouts
        for slide in layout.slides
        for problem in what(slide)
    ]


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_the_advance_keys_scroll_every_tall_slide_to_its_end(course_layouts, window):
    layouts = course_layouts[window]
    skipped = course_problems(layouts, lambda slide: slide.needs_wheel)
    assert not skipped, f"{len(skipped)} key press(es) moved on before a tall slide's end was shown:\n" + "\n".join(
        skipped
    )


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_no_output_is_wider_than_its_slide(course_layouts, window):
    wide = course_problems(
        course_layouts[window], lambda slide: [block for block in slide.wide if "MathJax" not in block]
    )
    assert not wide, f"{len(wide)} block(s) wider than the slide, cut at its right edge:\n" + "\n".join(wide)


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_no_text_lies_under_the_navigation_controls(course_layouts, window):
    covered = course_problems(course_layouts[window], lambda slide: slide.under_controls)
    assert not covered, f"{len(covered)} place(s) where the controls cover text:\n" + "\n".join(covered)


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_every_persian_block_is_right_to_left_and_right_aligned(course_layouts, window):
    layouts = course_layouts[window]
    persian = [slide for layout in layouts for slide in layout.slides if "\u0600" <= slide.first_words[:1] <= "\u06ff"]
    assert len(persian) >= 14, "every notebook has Persian goals and summaries; the measurement found too few"
    misaligned = course_problems(layouts, lambda slide: slide.misaligned)
    assert not misaligned, f"{len(misaligned)} Persian block(s) misaligned:\n" + "\n".join(misaligned)


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_no_deck_requests_anything_from_the_network(course_layouts, window):
    requests = [f"{layout.deck.name}: {url}" for layout in course_layouts[window] for url in layout.requests]
    assert not requests, "decks must work offline, but these were requested:\n" + "\n".join(requests)


@pytest.mark.parametrize("window", WINDOW_NAMES)
def test_no_deck_logs_an_error_or_misses_a_local_file(course_layouts, window):
    errors = [f"{layout.deck.name}: {error}" for layout in course_layouts[window] for error in layout.errors]
    assert not errors, "decks must load every file they ask for, without errors:\n" + "\n".join(errors)


def test_a_missing_local_file_and_a_console_error_are_caught(tmp_path, chromium):
    deck = synthetic_deck(tmp_path, markdown('<img src="vendor/planted-missing.png" alt="missing">'))
    deck = planted(deck, "</body>", "<script>console.error('planted error')</script></body>")
    [layout] = measure_decks([deck], [WINDOWS[0]], chromium)
    assert any(error.startswith("missing file:") and "planted-missing.png" in error for error in layout.errors)
    assert "console error: planted error" in layout.errors, layout.errors


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
    assert not tall.problems(), tall.problems()
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


@pytest.mark.parametrize("window", WINDOWS, ids=WINDOW_NAMES)
def test_keys_scroll_a_tall_slide_before_advancing_and_the_measure_catches_keys_that_do_not(tmp_path, chromium, window):
    deck = synthetic_deck(tmp_path, markdown(LONG_TEXT, "subslide"), markdown("The next slide.", "subslide"))
    without_scrolling = planted(deck, "keyboardCondition: courseKeyboardCondition,", "")
    [good, bad] = measure_decks([deck, without_scrolling], [window], chromium)
    assert good.slides[1].tall and good.slides[1].needs_wheel == []
    assert bad.slides[1].needs_wheel == ["PageDown", "Space", "ArrowDown"]
    with browser(chromium) as chrome:
        context, refused = offline_context(chrome, *window)
        page = context.new_page()
        page.goto(deck.resolve().as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        page.evaluate("Reveal.slide(0, 1)")
        last = page.locator("section.present p", has_text="Line 59 of a slide")
        shown = """() => {
            const line = [...Reveal.getCurrentSlide().querySelectorAll("p")].pop();
            return line.getBoundingClientRect().bottom <= line.closest("section").getBoundingClientRect().bottom + 1;
        }"""
        at = "Reveal.getIndices().v"
        presses = 0
        while not page.evaluate(shown) and presses < 20:
            page.keyboard.press("PageDown")
            presses += 1
            assert page.evaluate(at) == 1, f"press {presses} moved on before the slide's last line was shown"
        # The last line came into view a page at a time; the key back scrolls up first, and then the deck moves on.
        assert presses >= 2 and last.is_visible()
        page.keyboard.press("PageUp")
        assert page.evaluate(at) == 1 and not page.evaluate(shown)
        page.keyboard.press("PageDown")
        assert page.evaluate(at) == 1 and page.evaluate(shown)
        page.keyboard.press("PageDown")
        assert page.evaluate(at) == 2
        context.close()
    assert refused == []


def test_a_wide_output_is_fitted_to_the_slide_and_the_measure_catches_one_that_is_not(tmp_path, chromium):
    deck = synthetic_deck(tmp_path, code("print(WIDE_TABLE)", WIDE_LINE, "subslide"))
    unfitted = planted(deck, "courseFitWideBlocks(slide);", "")
    [fitted, cut] = measure_decks([deck, unfitted], [WINDOWS[0]], chromium)
    assert fitted.slides[1].wide == []
    assert any(block.startswith("pre") for block in cut.slides[1].wide), cut.slides[1].wide


@pytest.mark.parametrize("text", [WIDE_TEXT, PERSIAN_TEXT], ids=["english", "persian"])
def test_text_stays_clear_of_the_controls_and_the_measure_catches_text_under_them(tmp_path, chromium, text):
    deck = synthetic_deck(tmp_path, markdown(text, "subslide"))
    no_band = with_css(deck, ".reveal .slides section { bottom: 0 !important; max-height: 100% !important; }")
    layouts = measure_decks([deck, no_band], WINDOWS, chromium)
    for layout in layouts[0::2]:
        assert layout.slides[1].tall and layout.slides[1].under_controls == [], layout.window_name
    # Without the band the Persian lines, which start at the right edge, run under the arrows.
    assert text != PERSIAN_TEXT or any("navigate-" in place for place in layouts[1].slides[1].under_controls), layouts[
        1
    ].slides[1]


def test_persian_paragraphs_are_right_aligned_and_the_measure_catches_a_left_aligned_one(tmp_path, chromium):
    deck = synthetic_deck(tmp_path, markdown(PERSIAN_TEXT, "subslide"))
    left = with_css(deck, '[dir="rtl"] p { text-align: left !important; }')
    [good, bad] = measure_decks([deck, left], [WINDOWS[0]], chromium)
    assert good.slides[1].misaligned == []
    assert len(bad.slides[1].misaligned) == 30 and "text-align left" in bad.slides[1].misaligned[0]
