"""Measure exported decks in headless Chromium: which slides are taller or wider than the slide area, and whether
anything on them is cut off where no one can scroll to it.

Each deck is opened in a window of each size, with every request off this machine refused and recorded. Every slide,
horizontal and vertical, is shown in turn; once MathJax has typeset it and the fonts are loaded, the script below
measures it in the slide's own coordinates (reveal.js scales the whole slide area to the window):

- *tall*: the slide's content is taller than the slide area (it scrolls);
- *wide*: a block (code, output, table, formula) or the slide itself is wider than its box (it scrolls sideways);
- *unreachable*: something is cut off for good: by a box that hides its overflow, above or before the start of a
  scrolling box, or outside the window.

``python -m tools.slides --layout-report 06`` prints the tall and wide slides for writers;
``tests/test_slides_layout.py`` fails on the unreachable ones and on any network request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.slides.chromium import browser, offline_context

WINDOWS: tuple[tuple[int, int], ...] = ((1280, 720), (1920, 1080))
# Sub-pixel rounding, borders and font hinting move boxes by a pixel or two; only more than this counts.
TOLERANCE_PX = 2
READY_TIMEOUT_MS = 30_000

MEASURE_DECK_JS = """
async ({tolerance}) => {
    // MathJax signals "End" once its first typesetting pass is done (at once if it already is).
    await new Promise((done) => window.MathJax && MathJax.Hub
        ? MathJax.Hub.Register.StartupHook("End", done) : done());
    await document.fonts.ready;
    Reveal.configure({transition: "none", backgroundTransition: "none"});
    const config = Reveal.getConfig();
    // Descendants of these are drawn as one piece (glyph boxes, SVG shapes, a code block's tokens), and MathJax's
    // assistive copy of a formula is hidden on purpose: the piece itself is what is measured.
    const WHOLE = "pre, svg, img, canvas, video, .MathJax, .MathJax_Display, .MathJax_SVG";
    const SKIP = ".MJX_Assistive_MathML, .MathJax_Preview, aside.notes";
    const clipped = (value) => value === "hidden" || value === "clip";
    const scrolls = (value) => value === "auto" || value === "scroll";
    const describe = (element) => {
        const name = element.tagName.toLowerCase();
        const classes = [...element.classList].filter((c) => !c.startsWith("jp-mod")).slice(0, 2).join(".");
        const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
        return (classes ? `${name}.${classes}` : name) + (text ? ` "${text}"` : "");
    };
    const typeset = () => new Promise((done) => window.MathJax && MathJax.Hub ? MathJax.Hub.Queue(done) : done());

    function measure(section) {
        const style = getComputedStyle(section);
        const box = section.getBoundingClientRect();
        const scale = section.offsetHeight > 0 ? box.height / section.offsetHeight : 1;
        const wide = [], unreachable = [];
        // The slide itself must lie in the window; if it does not scroll, so must all of its content.
        const bottom = scrolls(style.overflowY) ? box.bottom : box.top + section.scrollHeight * scale;
        const right = scrolls(style.overflowX) ? box.right : box.left + section.scrollWidth * scale;
        if (box.top < -tolerance || bottom > innerHeight + tolerance
                || box.left < -tolerance || right > innerWidth + tolerance) {
            unreachable.push(`the slide (${Math.round(section.scrollWidth)}x${Math.round(section.scrollHeight)}` +
                ` px) runs out of the ${innerWidth}x${innerHeight} window and does not scroll`);
        }
        if (section.scrollWidth > section.clientWidth + tolerance) {
            wide.push(`the slide ${section.scrollWidth}>${section.clientWidth}`);
        }
        const elements = [...section.querySelectorAll("*")].filter(
            (element) => !element.closest(SKIP) && !element.parentElement.closest(WHOLE));
        for (const element of elements) {
            const own = getComputedStyle(element);
            if (own.display === "none" || own.display === "contents") continue;
            const name = describe(element);
            const excessX = element.scrollWidth - element.clientWidth;
            const excessY = element.scrollHeight - element.clientHeight;
            if (element.clientWidth > 0 && excessX > tolerance) {
                if (clipped(own.overflowX)) unreachable.push(`${name}: ${excessX} px cut off at its side`);
                else if (scrolls(own.overflowX)) wide.push(`${name} ${element.scrollWidth}>${element.clientWidth}`);
            }
            if (element.clientHeight > 0 && excessY > tolerance && clipped(own.overflowY)) {
                unreachable.push(`${name}: ${excessY} px cut off at its bottom`);
            }
            // Content before the start of the box that scrolls it (above it, or on its starting side) can never
            // be scrolled to.
            const rect = element.getBoundingClientRect();
            if (rect.width === 0 && rect.height === 0) continue;
            let scroller = element.parentElement;
            while (scroller !== section && getComputedStyle(scroller).overflowX === "visible"
                    && getComputedStyle(scroller).overflowY === "visible") {
                scroller = scroller.parentElement;
            }
            const outer = scroller.getBoundingClientRect();
            const slack = tolerance * scale;
            const beforeStart = getComputedStyle(scroller).direction === "rtl"
                ? rect.right > outer.right + slack : rect.left < outer.left - slack;
            if (rect.top < outer.top - slack || beforeStart) {
                unreachable.push(`${name}: before the start of ${describe(scroller).split(" ")[0]}`);
            }
        }
        // The first words as the notebook has them (innerText would be upper-cased like the headings), without
        // speaker notes or formulas.
        const copy = section.cloneNode(true);
        copy.querySelectorAll(`aside.notes, script, style, ${SKIP}, .MathJax, .MathJax_Display`)
            .forEach((node) => node.remove());
        const words = copy.textContent.trim().split(/\\s+/).slice(0, 8).join(" ");
        return {
            width: section.scrollWidth, height: section.scrollHeight, wide, unreachable,
            first_words: words.length > 60 ? words.slice(0, 59) + "\u2026" : words,
        };
    }

    const slides = [];
    Reveal.getHorizontalSlides().forEach((stack, h) => {
        const verticals = stack.classList.contains("stack") ? [...stack.querySelectorAll(":scope > section")] : [stack];
        verticals.forEach((section, v) => slides.push({h, v, section}));
    });
    const measured = [];
    for (const [number, {h, v, section}] of slides.entries()) {
        Reveal.slide(h, v);
        await typeset();
        measured.push({number: number + 1, h, v, ...measure(section)});
    }
    return {slide_width: config.width, slide_height: config.height, slides: measured};
}
"""


@dataclass
class SlideLayout:
    """One slide's measurements, in the slide's own pixels (before reveal.js scales it to the window)."""

    number: int  # 1-based, as reveal.js numbers slides
    h: int  # reveal.js indices: the deck opens on this slide at <deck>.slides.html#/h/v
    v: int
    width: int
    height: int
    first_words: str
    wide: list[str]
    unreachable: list[str]
    slide_width: int
    slide_height: int

    @property
    def tall(self) -> bool:
        return self.height > self.slide_height + TOLERANCE_PX

    @property
    def anchor(self) -> str:
        return f"#/{self.h}/{self.v}"


@dataclass
class DeckLayout:
    """A deck measured in one window size, with every request it tried to make off this machine."""

    deck: Path
    window: tuple[int, int]
    slides: list[SlideLayout] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def window_name(self) -> str:
        return f"{self.window[0]}x{self.window[1]}"

    @property
    def overflowing(self) -> list[SlideLayout]:
        return [slide for slide in self.slides if slide.tall or slide.wide]

    def problems(self) -> list[str]:
        """One line per piece of content no one can reach, and per request that tried to leave the machine."""
        lines = [
            f"{self.deck.name} at {self.window_name}, slide {slide.number} ({slide.anchor}, "
            f'"{slide.first_words}"): {problem}'
            for slide in self.slides
            for problem in slide.unreachable
        ]
        lines += [f"{self.deck.name} at {self.window_name}: network request to {url}" for url in self.requests]
        return lines


def measure_decks(
    decks: Sequence[Path], windows: Iterable[tuple[int, int]] = WINDOWS, chromium: str | None = None
) -> list[DeckLayout]:
    """Open each deck in each window size in headless Chromium and measure every slide (see the module docstring)."""
    layouts = []
    with browser(chromium) as chrome:
        for width, height in windows:
            context, refused = offline_context(chrome, width, height)
            try:
                for deck in decks:
                    layouts.append(_measure(context, refused, deck, (width, height)))
            finally:
                context.close()
    return layouts


def _measure(context, refused: list[str], deck: Path, window: tuple[int, int]) -> DeckLayout:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    before = len(refused)
    try:
        page.goto(deck.resolve().as_uri())
        try:
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=READY_TIMEOUT_MS)
        except Exception as error:
            raise RuntimeError(f"{deck.name}: reveal.js did not start; page errors: {errors}") from error
        result = page.evaluate(MEASURE_DECK_JS, {"tolerance": TOLERANCE_PX})
    finally:
        page.close()
    slides = [
        SlideLayout(**slide, slide_width=result["slide_width"], slide_height=result["slide_height"])
        for slide in result["slides"]
    ]
    return DeckLayout(deck=deck, window=window, slides=slides, requests=refused[before:])


def format_report(layouts: Sequence[DeckLayout]) -> str:
    """The layout report: per deck and window size, the slides whose content is taller or wider than the slide."""
    lines = []
    for layout in sorted(layouts, key=lambda layout: (layout.deck.name, layout.window)):
        overflowing = layout.overflowing
        tall = sum(slide.tall for slide in layout.slides)
        wide = sum(bool(slide.wide) for slide in layout.slides)
        lines.append(
            f"{layout.deck.name} at {layout.window_name}: {len(layout.slides)} slides, {tall} taller than the slide"
            f" (scroll), {wide} with content wider than its box"
        )
        for slide in overflowing:
            what = []
            if slide.tall:
                what.append(f"{slide.height / slide.slide_height:.1f}x tall")
            if slide.wide:
                what.append("wide: " + "; ".join(slide.wide[:2]) + (" ..." if len(slide.wide) > 2 else ""))
            lines.append(f"  slide {slide.number:>3} {slide.anchor:<7} {', '.join(what)}  | {slide.first_words}")
        lines.extend(f"  PROBLEM: {problem}" for problem in layout.problems())
    total = sum(len(layout.overflowing) for layout in layouts)
    lines.append(f"{total} overflowing slide(s) in {len(layouts)} deck measurement(s)")
    return "\n".join(lines)
