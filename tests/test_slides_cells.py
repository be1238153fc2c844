"""What the exports do with particular cells, on a small synthetic notebook: ``hide-input`` code, speaker notes,
wide output, long formulas, and Persian (right-to-left) text in the vendored font; and with a course quiz.

The Persian font normally comes from ``helpers.persian.font_files()``. Most tests here pass font files in directly
and use a stand-in, matplotlib's DejaVu Sans (it has Arabic-script glyphs), under the deck's Persian family name:
what they check is that the deck's own font file draws the text, not which typeface that file holds. The last test
goes through ``helpers.persian`` and checks that Vazirmatn itself draws it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import matplotlib
import nbformat
import pytest

from helpers.course import notebooks
from tests.slides_browser import code, markdown, write_notebook
from tools import instructor_notes
from tools.slides import export as exporter
from tools.slides import vendor
from tools.slides.chromium import browser, find_chromium, offline_context
from tools.slides.templates import for_export, slide_type
from tools.slides.vendor import PERSIAN_FONT_FAMILY

SCAFFOLDING = "SCAFFOLDING_PLOT_CODE = 'draw the figure'"
SCAFFOLDING_OUTPUT = "the figure the scaffolding drew"
LESSON = "LESSON_CODE = 'the convolution itself'"
LESSON_OUTPUT = "what the lesson code printed"
NOTE = "Speaker note: ask the room what a stride of 2 does."
PERSIAN = "خلاصه به فارسی: کانولوشن یک فیلتر را روی تصویر می‌لغزاند."
# A printed line wider than a slide and than the handout's page (a table like Keras's model.summary()).
WIDE_LINE = "| " + " | ".join(f"column {number:02d}" for number in range(11)) + " | Param # |"
LONG_FORMULA = "$$" + " + ".join(f"w_{{{number}}} x_{{{number}}}" for number in range(1, 41)) + "$$"
# Stand-in for helpers.persian.font_files(): a TTF that every install of the course has.
STAND_IN_FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@pytest.fixture(scope="module")
def notebook(tmp_path_factory) -> Path:
    cells = [
        markdown("# 98 · Cells test\n\nA synthetic notebook.", "slide"),
        code(SCAFFOLDING, SCAFFOLDING_OUTPUT, tags=("hide-input",)),
        code(LESSON, LESSON_OUTPUT),
        markdown(instructor_notes.marked(NOTE), "notes"),
        code("print(WIDE_TABLE)", WIDE_LINE, "subslide"),
        markdown(f"The weighted sum:\n\n{LONG_FORMULA}", "subslide"),
        markdown(f'<div dir="rtl" lang="fa">\n\n## خلاصه\n\n{PERSIAN}\n\n</div>', "subslide"),
    ]
    return write_notebook(tmp_path_factory.mktemp("notebook") / "98_cells_test.ipynb", cells)


@pytest.fixture(scope="module")
def exported(notebook, tmp_path_factory) -> tuple[Path, str]:
    """The synthetic notebook's deck, and its handout HTML (what is printed to the PDF), side by side."""
    out_dir = tmp_path_factory.mktemp("slides")
    [(slides, handout)] = exporter.export_notebooks(
        [notebook], out_dir, handouts=False, fonts={"regular": STAND_IN_FONT}, quiet=True
    )
    assert handout is None
    handout_page = out_dir / "98_cells_test.handout.html"
    handout_page.write_text(exporter.handout_html(notebook), encoding="utf-8")
    return slides, handout_page


@pytest.fixture(scope="module")
def chrome():
    with browser(find_chromium()) as launched:
        yield launched


def open_page(chrome, page: Path, media: str = "screen"):
    context, refused = offline_context(chrome, 1280, 720)
    tab = context.new_page()
    tab.emulate_media(media=media)
    tab.goto(page.resolve().as_uri())
    tab.evaluate("document.fonts.ready.then(() => true)")
    return context, tab, refused


def test_hide_input_cell_shows_its_output_but_not_its_code(exported, notebook):
    slides, handout = exported
    for page in (slides, handout):
        html = page.read_text(encoding="utf-8")
        assert "SCAFFOLDING_PLOT_CODE" not in html, f"{page.name} shows the code of a hide-input cell"
        assert SCAFFOLDING_OUTPUT in html, f"{page.name} lost the output of a hide-input cell"
        assert "LESSON_CODE" in html and LESSON_OUTPUT in html, f"{page.name} hid an untagged cell"


def test_notes_cells_are_speaker_notes_in_the_deck_and_absent_from_the_handout(exported, chrome):
    slides, handout = exported
    assert re.search(r'<aside class="notes">.*?Speaker note: ask the room', slides.read_text(), re.DOTALL)
    assert instructor_notes.TITLE not in slides.read_text(), "the speaker knows whom the note is for"
    assert "Speaker note" not in handout.read_text(encoding="utf-8")
    context, page, refused = open_page(chrome, slides)
    try:
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        # On the slide the note is invisible; reveal.js hands it to the speaker view.
        assert "Speaker note" not in page.evaluate("Reveal.getCurrentSlide().innerText")
        assert not page.locator("aside.notes").is_visible()
        assert NOTE in page.evaluate("Reveal.getSlideNotes()")
        # The speaker view (key S) is a second window that shows the current slide's notes.
        with context.expect_page() as opened:
            page.keyboard.press("s")
        speaker = opened.value
        speaker.wait_for_function(
            "(note) => document.querySelector('.speaker-controls-notes')?.innerText.includes(note)",
            arg=NOTE.split(":")[1].strip(),
            timeout=15_000,
        )
    finally:
        context.close()
    assert refused == []


def persian_text_layout(page) -> dict:
    """Direction, font family and loaded faces of the first Persian paragraph, and the font Chromium drew it with."""
    element = page.locator('[lang="fa"] p').first
    element.wait_for(state="attached")
    style = element.evaluate(
        """(node) => {
            const range = document.createRange();
            range.selectNodeContents(node);
            const text = range.getBoundingClientRect(), box = node.getBoundingClientRect();
            return {direction: getComputedStyle(node).direction, family: getComputedStyle(node).fontFamily,
                    faces: [...document.fonts].map((face) => [face.family.replace(/"/g, ""), face.status]),
                    gapRight: box.right - text.right, gapLeft: text.left - box.left};
        }"""
    )
    # The font actually used to draw the text: Chromium's own record, not what CSS asked for.
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": '[lang="fa"] p'})["nodeId"]
    style["drawn_with"] = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return style


@pytest.mark.parametrize("which", ["slides", "handout"])
def test_persian_cells_are_right_to_left_in_the_shipped_font(exported, chrome, which):
    slides, handout = exported
    page_path = slides if which == "slides" else handout
    assert (page_path.parent / "vendor" / "fonts" / f"{PERSIAN_FONT_FAMILY}-regular.ttf").is_file()
    context, page, refused = open_page(chrome, page_path, media="screen" if which == "slides" else "print")
    try:
        if which == "slides":
            page.wait_for_function("window.Reveal && Reveal.isReady()")
            page.evaluate("Reveal.slide(0, 3)")
        layout = persian_text_layout(page)
    finally:
        context.close()
    assert layout["direction"] == "rtl"
    # The (short) line starts at the right edge of its paragraph and leaves the room on the left.
    assert abs(layout["gapRight"]) < 2 and layout["gapLeft"] > 100, layout
    assert layout["family"].strip('"').startswith(PERSIAN_FONT_FAMILY), layout["family"]
    assert [PERSIAN_FONT_FAMILY, "loaded"] in layout["faces"], layout["faces"]
    # Every glyph of the paragraph comes from the deck's font file (a web font), none from a system fallback.
    drawn = layout["drawn_with"]
    assert drawn and all(font["isCustomFont"] for font in drawn), drawn
    assert refused == []


def test_persian_cells_without_helpers_persian_are_a_clear_error(notebook, tmp_path, monkeypatch):
    # None in sys.modules makes "import helpers.persian" fail as if the module did not exist.
    monkeypatch.setitem(sys.modules, "helpers.persian", None)
    with pytest.raises(vendor.PersianFontUnavailableError, match=r"helpers\.persian\.font_files\(\)"):
        exporter.export_notebooks([notebook], tmp_path, handouts=False, quiet=True)


def test_font_files_with_unknown_weights_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown font weight"):
        vendor.vendor_fonts(tmp_path, {"heavyish": STAND_IN_FONT})


# The wide output's <pre> on a page, and what a test needs to know about it.
WIDE_PRE_STYLE = """() => {
    const pre = [...document.querySelectorAll(".jp-OutputArea-output pre")].find(
        (node) => node.innerText.includes("Param #"));
    const style = getComputedStyle(pre);
    return {whiteSpace: style.whiteSpace, overflowX: style.overflowX, fontSize: parseFloat(style.fontSize),
            lineHeight: parseFloat(style.lineHeight) || 1.5 * parseFloat(style.fontSize), height: pre.clientHeight,
            scrollWidth: pre.scrollWidth, clientWidth: pre.clientWidth, box: pre.parentElement.clientWidth};
}"""


def test_wide_output_keeps_its_lines_and_shrinks_to_fit_the_slide_and_the_page(exported, chrome):
    slides, handout = exported
    assert len(WIDE_LINE) > 140
    context, page, _ = open_page(chrome, slides)
    try:
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        page.evaluate("Reveal.slide(0, 1)")
        on_slide = page.evaluate(WIDE_PRE_STYLE)
    finally:
        context.close()
    # One line, not wrapped, in a smaller font that fits the slide: nothing is cut at its right edge.
    assert on_slide["whiteSpace"] == "pre" and on_slide["scrollWidth"] <= on_slide["clientWidth"] + 1, on_slide
    assert on_slide["height"] < 2.5 * on_slide["lineHeight"] and on_slide["fontSize"] < 16, on_slide
    context, page, _ = open_page(chrome, handout, media="print")
    try:
        # The handout's script fits blocks once the page and its fonts have loaded, and then says so.
        page.wait_for_function("document.documentElement.hasAttribute('data-blocks-fitted')")
        printed = page.evaluate(WIDE_PRE_STYLE)
    finally:
        context.close()
    # On paper nothing scrolls: the block keeps its lines and gets a smaller font that fits the page width.
    assert printed["whiteSpace"] == "pre" and printed["scrollWidth"] <= printed["box"] + 1, printed
    assert printed["fontSize"] < 12, printed


def test_a_long_formula_stays_on_one_line(exported, chrome):
    slides, _ = exported
    context, page, _ = open_page(chrome, slides)
    try:
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        page.evaluate("Reveal.slide(0, 2)")
        page.evaluate("new Promise((done) => MathJax.Hub.Queue(done))")
        formula = page.evaluate(
            """() => { const math = Reveal.getCurrentSlide().querySelector(".MathJax_Display .MathJax");
                       const box = math.getBoundingClientRect();
                       return {width: box.width, height: box.height, scale: box.height / math.offsetHeight,
                               slide: Reveal.getConfig().width}; }"""
        )
    finally:
        context.close()
    # Broken over lines, 40 terms would stack several rows high; on one line it is wider than the slide.
    assert formula["height"] / formula["scale"] < 60, formula
    assert formula["width"] / formula["scale"] > formula["slide"], formula


def test_the_course_font_from_helpers_persian_draws_persian_cells(notebook, tmp_path, chrome, real_data):
    # The export's own path: a notebook with Persian cells gets the font from helpers.persian.font_files().
    persian = pytest.importorskip("helpers.persian", reason="helpers.persian is not in this checkout yet")
    fonts = real_data(persian.font_files, "the Vazirmatn font")
    [(slides, _)] = exporter.export_notebooks([notebook], tmp_path, handouts=False, quiet=True)
    fonts_dir = tmp_path / "vendor" / "fonts"
    assert {path.name for path in fonts_dir.iterdir()} >= {f"{PERSIAN_FONT_FAMILY}-{weight}.ttf" for weight in fonts}
    assert (fonts_dir / "OFL.txt").is_file(), "the font's license must travel with it"
    context, page, refused = open_page(chrome, slides)
    try:
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        page.evaluate("Reveal.slide(0, 3)")
        layout = persian_text_layout(page)
    finally:
        context.close()
    assert {font["familyName"] for font in layout["drawn_with"]} == {"Vazirmatn"}, layout["drawn_with"]
    assert refused == []


def test_a_note_reaches_the_speaker_without_the_instructors_mark():
    note = nbformat.v4.new_markdown_cell(instructor_notes.marked(NOTE), metadata={"slideshow": {"slide_type": "notes"}})
    lesson = nbformat.v4.new_markdown_cell(LESSON, metadata={"slideshow": {"slide_type": "slide"}})
    deck = for_export(nbformat.v4.new_notebook(cells=[lesson, note]), handout=False).cells
    assert [cell.source for cell in deck] == [LESSON, NOTE]
    assert [cell.source for cell in for_export(nbformat.v4.new_notebook(cells=[lesson, note]), handout=True).cells] == [
        LESSON
    ]


def test_a_quiz_shows_its_questions_under_its_heading_and_its_answers_on_the_next_slide():
    notebook = nbformat.read(next(path for path in notebooks() if path.name.startswith("05_")), as_version=4)
    for handout in (False, True):
        cells = for_export(notebook, handout=handout).cells
        heading = next(index for index, cell in enumerate(cells) if cell.source.strip() == "## Quiz")
        questions, answers = cells[heading + 1], cells[heading + 2]
        # No widget placeholder: the questions share the heading's slide, the answers, unfolded, get the next one.
        assert slide_type(questions) == "-" and questions.source.startswith("1. "), questions.source[:80]
        assert "running kernel" not in questions.source and "<details>" not in questions.source
        assert slide_type(answers) == "subslide" and answers.source.startswith("**Answers**\n\n1. "), answers.source
        assert not any("helpers.quiz(" in cell.source for cell in cells)
