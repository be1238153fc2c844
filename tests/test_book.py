"""The course's website (``python tasks.py book``): built once from the stored notebooks, then read in Chromium.

The site is built into a temporary folder at the start of this file's tests (the decks and handouts with it, one to
two minutes on two cores). Building needs Chromium (for the PDF handouts; CI installs Debian's ``chromium``) and the
Persian font (through the course's data layer, so a mirror or the network): without them the build fails and says
what is missing, rather than the tests being skipped.
"""

from __future__ import annotations

import html.parser
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.course import REPO_ROOT, notebooks
from tests.book_browser import SiteBrowser, loopback_browser, serve
from tools import instructor_notes
from tools.book import build as book
from tools.book.notebook_view import NOTES_CLASS, for_site
from tools.book.site import lesson_links
from tools.slides import chromium as browser

# Sphinx and MyST-Parser warn each other about APIs due to change in Sphinx 11; nothing the course can act on.
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

LESSONS = {path.relative_to(REPO_ROOT).with_suffix("").as_posix(): path for path in notebooks()}
PHONE_WIDTH = 390
# What a reader searches for, and the lesson that must come first.
SEARCHES = {
    "Grad-CAM": "notebooks/13_what_convnets_see",
    "receptive field": "notebooks/13_what_convnets_see",
    "Hoda": "notebooks/07_hoda_persian_digits",
}


@pytest.fixture(scope="module")
def chrome():
    """Headless Chromium; a missing one is a failure with install instructions, never a skip."""
    try:
        chromium = browser.find_chromium()
    except browser.ChromiumNotFoundError as error:
        pytest.fail(str(error), pytrace=False)
    with browser.browser(chromium) as launched:
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The whole site, built once into a fresh folder."""
    return book.build(tmp_path_factory.mktemp("book") / "book", quiet=True)


@pytest.fixture(scope="module")
def desktop(chrome, site):
    reader = SiteBrowser(chrome, site)
    yield reader
    reader.close()


def pages(site: Path) -> list[str]:
    """Every page of the site proper (the decks under slides/ are the slide tests' business)."""
    found = [path.relative_to(site).as_posix() for path in site.rglob("*.html")]
    return sorted(name for name in found if not name.startswith(("slides/", "_")))


def image_outputs(notebook_path: Path) -> int:
    """How many figures a notebook's stored outputs hold."""
    cells = nbformat.read(notebook_path, as_version=4).cells
    return sum(
        any(kind.startswith("image/") for kind in output.get("data", {}))
        for cell in cells
        for output in cell.get("outputs", [])
    )


class LinkCollector(html.parser.HTMLParser):
    """The links (a, link) and embedded files (img, script, iframe) of a page, and the ids it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if attributes.get("name") and tag == "a":
            self.ids.add(attributes["name"])
        for name in ("href", "src"):
            if attributes.get(name):
                self.links.append(attributes[name])


def parsed(page: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(page.read_text(encoding="utf-8"))
    return collector


def broken_links(site: Path) -> list[str]:
    """Every relative link or embedded file in the site's pages that names no file, or no anchor in its page."""
    collected = {name: parsed(site / name) for name in pages(site)}
    problems = []
    for name, page in collected.items():
        for link in page.links:
            url = urlparse(link)
            if url.scheme or link.startswith("//"):
                continue
            target = (site / name).parent / unquote(url.path) if url.path else site / name
            if target.is_dir():
                target = target / "index.html"
            if not target.resolve().is_file():
                problems.append(f"{name}: {link} (no such file)")
                continue
            if url.fragment and target.suffix == ".html":
                key = target.resolve().relative_to(site.resolve()).as_posix()
                ids = collected[key].ids if key in collected else parsed(target).ids
                if url.fragment not in ids:
                    problems.append(f"{name}: {link} (no element with that id)")
    return problems


def test_a_notebook_reads_on_the_site_with_folded_cells_folded_and_the_quiz_widget_left_out():
    folded = new_code_cell("check()", metadata={"jupyter": {"source_hidden": True}})
    plotting = new_code_cell("plot()", metadata={"tags": ["hide-input"]})
    quiz = new_code_cell('helpers.quiz("01")')
    static = new_markdown_cell("1. ...", metadata={"tags": ["quiz-static"]})
    cells = for_site(new_notebook(cells=[plotting, quiz, static, folded])).cells
    tags = [cell.metadata.get("tags") for cell in cells]
    assert tags == [["hide-input"], ["remove-cell"], ["quiz-static"], ["hide-input"]]


def test_an_instructors_note_reads_on_the_site_as_a_box_of_its_own():
    text = "Ask the room what a stride of 2 does.\n\n```python\nconv(x, stride=2)\n```"
    note = new_markdown_cell(instructor_notes.marked(text), metadata={"slideshow": {"slide_type": "notes"}})
    lesson = new_markdown_cell("A stride of 2 halves the output.")
    shown_note, shown_lesson = for_site(new_notebook(cells=[note, lesson])).cells
    assert shown_note.source.startswith(f"`````{{admonition}} {instructor_notes.TITLE}\n:class: {NOTES_CLASS}\n")
    assert text in shown_note.source and instructor_notes.MARK_START not in shown_note.source
    assert shown_note.source.endswith("\n`````") and shown_lesson.source == "A stride of 2 halves the output."


def test_every_lesson_page_links_colab_the_notebook_its_deck_and_its_handout(site):
    for docname, notebook_path in LESSONS.items():
        links = set(parsed(site / f"{docname}.html").links)
        wanted = lesson_links(docname)
        assert set(wanted.values()) <= links, f"{docname}: missing {sorted(set(wanted.values()) - links)}"
        assert "colab.research.google.com/github/" in wanted["Open in Colab"]
        assert wanted["Open in Colab"].endswith(notebook_path.relative_to(REPO_ROOT).as_posix())
        downloaded = (site / docname).parent / wanted["Download the notebook (.ipynb)"]
        assert downloaded.read_bytes() == notebook_path.read_bytes(), f"{docname}: the download is not the notebook"


def test_no_internal_link_is_broken(site):
    assert len(pages(site)) >= len(LESSONS) + 5
    assert not broken_links(site), "\n".join(broken_links(site))


def test_every_page_loads_offline_with_no_console_error_and_no_request_leaving_the_site(site, desktop):
    problems = defaultdict(list)
    for name in pages(site):
        page, visit = desktop.open(name)
        page.close()
        problems[name] += [f"console: {error}" for error in visit.errors]
        problems[name] += [f"request: {url}" for url in visit.outside]
    problems["(network)"] += desktop.refused
    assert not any(problems.values()), {name: found for name, found in problems.items() if found}


def test_the_site_works_from_a_static_server_too(chrome, site):
    with serve(site) as server, loopback_browser(chrome) as served:
        reader = SiteBrowser(served, site, server=server)
        problems = {}
        for name in ["index.html", "notebooks/13_what_convnets_see.html"]:
            page, visit = reader.open(name)
            problems[name] = visit.errors + visit.outside
            page.close()
        page, visit = reader.open("search.html", "?q=Hoda")
        first = page.wait_for_selector("#search-results ul.search li a", timeout=30_000).get_attribute("href")
        problems["search.html"] = visit.errors + visit.outside
        page.close()
        reader.close()
    assert not any(problems.values()) and not reader.refused, (problems, reader.refused)
    assert first.startswith(f"{SEARCHES['Hoda']}.html"), first


@pytest.mark.parametrize("query", sorted(SEARCHES))
def test_search_works_offline_and_finds_the_right_lesson_first(site, desktop, query):
    page, visit = desktop.open("search.html", f"?q={query}")
    first = page.wait_for_selector("#search-results ul.search li a", timeout=30_000)
    found = first.get_attribute("href").split("#")[0].split("?")[0]
    page.close()
    assert not visit.errors and not visit.outside, (visit.errors, visit.outside)
    assert found == f"{SEARCHES[query]}.html", f"searching {query!r} found {found} first"


def test_each_lesson_page_shows_every_figure_of_its_notebook(site, desktop):
    for docname, notebook_path in LESSONS.items():
        page, _ = desktop.open(f"{docname}.html")
        shown = page.eval_on_selector_all(
            ".cell_output img", "images => images.filter(image => image.complete && image.naturalWidth > 0).length"
        )
        page.close()
        assert shown == image_outputs(notebook_path), (
            f"{docname}: {shown} figures shown, its notebook has {image_outputs(notebook_path)}"
        )


def test_formulas_are_typeset_by_the_sites_own_mathjax(site, desktop):
    page, visit = desktop.open("notebooks/05_training_essentials.html")
    typeset = page.evaluate(
        "() => [document.querySelectorAll('.MathJax, .MathJax_Display').length,"
        " document.querySelectorAll('.MathJax_Error, .merror').length]"
    )
    page.close()
    assert typeset[0] > 0 and typeset[1] == 0, f"{typeset[0]} formulas typeset, {typeset[1]} errors"
    assert not visit.errors and not visit.outside, (visit.errors, visit.outside)


def test_persian_reads_right_to_left_in_vazirmatn(site, desktop):
    page, _ = desktop.open("notebooks/07_hoda_persian_digits.html")
    style = page.eval_on_selector(
        '[dir="rtl"][lang="fa"] p',
        "p => { const s = getComputedStyle(p); return [s.direction, s.textAlign, s.fontFamily]; }",
    )
    fonts_loaded = page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px Vazirmatn', 'سلام'))")
    page.close()
    assert style[:2] == ["rtl", "right"], style
    assert style[2].startswith('"Vazirmatn"') or style[2].startswith("Vazirmatn"), style
    assert fonts_loaded


def test_folded_things_stay_folded_and_the_quiz_shows_its_static_form(site, desktop):
    page, _ = desktop.open("notebooks/13_what_convnets_see.html")
    state = page.evaluate(
        """() => ({
            openDetails: [...document.querySelectorAll('details')].filter(d => d.open).length,
            quizStatic: document.querySelectorAll('section#quiz details').length,
            quizWidget: document.body.innerText.includes('helpers.quiz('),
            hiddenInputs: [...document.querySelectorAll('.tag_hide-input .cell_input')]
                .filter(input => input.checkVisibility()).length,
            foldedCells: document.querySelectorAll('.tag_hide-input').length,
        })"""
    )
    page.close()
    assert state["openDetails"] == 0, "a folded block (solution, quiz answers, hidden code) is open"
    assert state["quizStatic"] >= 1, "the static quiz with its folded answers is missing"
    assert not state["quizWidget"], "the interactive quiz cell, which needs a kernel, is on the page"
    assert state["foldedCells"] > 0 and state["hiddenInputs"] == 0, state


def test_lesson_pages_have_a_table_of_contents_and_previous_next_links(site, desktop):
    for docname in LESSONS:
        page, _ = desktop.open(f"{docname}.html")
        toc = page.eval_on_selector_all("#pst-page-toc-nav a", "links => links.length")
        prev_next = page.eval_on_selector_all(".prev-next-area a", "links => links.length")
        page.close()
        assert toc >= 2 and prev_next >= 1, f"{docname}: {toc} table-of-contents links, {prev_next} previous/next"


def test_on_a_phone_no_prose_needs_sideways_scrolling(chrome, site):
    phone = SiteBrowser(chrome, site, width=PHONE_WIDTH, height=844)
    overflowing = {}
    for name in ["index.html", "docs/glossary.html", *(f"{docname}.html" for docname in LESSONS)]:
        page, _ = phone.open(name)
        overflowing[name] = page.evaluate(
            """width => [...document.querySelectorAll('.bd-article p, .bd-article li, .bd-article h1, .bd-article h2')]
                .filter(element => element.closest('pre, table, .cell_output') === null)
                .filter(element => element.getBoundingClientRect().right > width + 1)
                .map(element => element.innerText.slice(0, 60))""",
            PHONE_WIDTH,
        )
        overflowing[name] += [] if page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH else ["<page>"]
        page.close()
    phone.close()
    assert not any(overflowing.values()), {name: found for name, found in overflowing.items() if found}
