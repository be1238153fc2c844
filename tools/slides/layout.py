"""Measure exported decks in headless Chromium: which slides are taller or wider than the slide area, and whether
anything on them is cut off, out of reach of the keys, under the navigation arrows, or misaligned.

Each deck is opened in a window of each size, with every request off this machine refused and recorded. Every slide,
horizontal and vertical, is shown in turn; once MathJax has typeset it and the fonts are loaded, ``assets/measure.js``
measures it in the slide's own coordinates (reveal.js scales the whole slide area to the window):

- *tall*: the slide's content is taller than its box (it scrolls);
- *wide*: a block (code, output, table, formula) or the slide itself is wider than its box (it scrolls sideways);
- *unreachable*: something is cut off for good: by a box that hides its overflow, above or before the start of a
  scrolling box, or outside the window;
- *needs a wheel*: pressing one of ``ADVANCE_KEYS`` moves on before the end of a tall slide has been shown;
- *under the controls*: a line of text lies under a visible navigation arrow or the slide number, at the slide's
  top or at any place the keys scroll it to;
- *misaligned*: a block of a Persian cell is not right to left and right-aligned.

``python -m tools.slides --layout-report 06`` prints all of these; ``tests/test_slides_layout.py`` fails on any but
the tall and wide ones, and on any network request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from tools.slides.chromium import browser, offline_context

WINDOWS: tuple[tuple[int, int], ...] = ((1280, 720), (1920, 1080))
# Sub-pixel rounding, borders and font hinting move boxes by a pixel or two; only more than this counts.
TOLERANCE_PX = 2
READY_TIMEOUT_MS = 30_000

# The keys a presenter advances with (a clicker sends Page Down): each must scroll a tall slide to its end before
# moving on, so no slide needs a wheel.
ADVANCE_KEYS = ("PageDown", "Space", "ArrowDown")
# More presses than any slide needs to be scrolled through (a page each): reaching this means the keys are stuck.
MAX_PRESSES = 30
MEASURE_JS = files("tools.slides").joinpath("assets", "measure.js").read_text(encoding="utf-8")


@dataclass
class SlideLayout:
    """One slide's measurements, in the slide's own pixels (before reveal.js scales it to the window)."""

    number: int  # 1-based, as reveal.js numbers slides
    h: int  # reveal.js indices: the deck opens on this slide at <deck>.slides.html#/h/v
    v: int
    width: int
    height: int  # of its content
    shown_height: int  # of its box: the slide area less the band the navigation arrows take
    first_words: str
    wide: list[str]
    unreachable: list[str]
    misaligned: list[str]
    under_controls: list[str]
    slide_width: int
    slide_height: int
    needs_wheel: list[str] = field(default_factory=list)  # the advance keys that move on before its end is shown

    @property
    def tall(self) -> bool:
        return self.height > self.shown_height + TOLERANCE_PX

    def problems(self) -> list[str]:
        """Everything on this slide a presenter or the audience cannot get at, or sees wrong."""
        return [
            *self.unreachable,
            *(f"{key} moves on before the end of the slide is shown: it needs a wheel" for key in self.needs_wheel),
            *(f"text under the controls: {place}" for place in self.under_controls),
            *(f"Persian block not right-aligned: {block}" for block in self.misaligned),
        ]

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
    errors: list[str] = field(default_factory=list)  # console errors, and local files that failed to load

    @property
    def window_name(self) -> str:
        return f"{self.window[0]}x{self.window[1]}"

    @property
    def overflowing(self) -> list[SlideLayout]:
        return [slide for slide in self.slides if slide.tall or slide.wide]

    def problems(self) -> list[str]:
        """One line per problem of a slide (see :meth:`SlideLayout.problems`) and per request that left the machine."""
        lines = [
            f"{self.deck.name} at {self.window_name}, slide {slide.number} ({slide.anchor}, "
            f'"{slide.first_words}"): {problem}'
            for slide in self.slides
            for problem in slide.problems()
        ]
        lines += [f"{self.deck.name} at {self.window_name}: network request to {url}" for url in self.requests]
        lines += [f"{self.deck.name} at {self.window_name}: {error}" for error in self.errors]
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
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on(
        "console", lambda message: errors.append(f"console error: {message.text}") if message.type == "error" else None
    )
    page.on(
        "requestfailed",
        lambda request: errors.append(f"missing file: {request.url}") if request.url.startswith("file:") else None,
    )
    before = len(refused)
    try:
        page.goto(deck.resolve().as_uri())
        try:
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=READY_TIMEOUT_MS)
        except Exception as error:
            raise RuntimeError(f"{deck.name}: reveal.js did not start; page errors: {errors}") from error
        page.evaluate(MEASURE_JS)
        result = page.evaluate("(tolerance) => courseMeasure.deck(tolerance)", TOLERANCE_PX)
        slides = [
            SlideLayout(**slide, slide_width=result["slide_width"], slide_height=result["slide_height"])
            for slide in result["slides"]
        ]
        for slide in slides:
            if slide.tall:
                press_through(page, slide)
    finally:
        page.close()
    # A refused request logs its own console error: it is reported once, as a network request.
    errors = [error for error in errors if "ERR_INTERNET_DISCONNECTED" not in error]
    return DeckLayout(deck=deck, window=window, slides=slides, requests=refused[before:], errors=errors)


# Resolves once MathJax has finished what it has queued (at once without MathJax).
TYPESET_JS = "() => new Promise((done) => window.MathJax && MathJax.Hub ? MathJax.Hub.Queue(done) : done())"


def press_through(page, slide: SlideLayout) -> None:
    """Press each advance key on the tall ``slide`` until the deck moves on; note the keys that moved on before the
    slide's end was shown, and any text under the controls at each place a key stopped."""
    for key in ADVANCE_KEYS:
        page.evaluate("([h, v]) => { Reveal.slide(h, v); Reveal.getCurrentSlide().scrollTop = 0; }", [slide.h, slide.v])
        page.evaluate(TYPESET_JS)  # arriving re-typesets the slide's formulas: measure the slide as it will stay
        seen_end = False
        for _ in range(MAX_PRESSES):
            where = page.evaluate("courseMeasure.position()")
            # Moved on; or pressed at the end and stayed (the last slide, or the last of a column for ArrowDown).
            if (where["h"], where["v"]) != (slide.h, slide.v) or (seen_end and where["end"]):
                break
            seen_end = seen_end or where["end"]
            slide.under_controls += [place for place in where["under_controls"] if place not in slide.under_controls]
            page.keyboard.press(key)
        if not seen_end:
            slide.needs_wheel.append(key)


def format_report(layouts: Sequence[DeckLayout]) -> str:
    """The layout report: per deck and window size, the slides whose content is taller or wider than the slide."""
    lines = []
    for layout in sorted(layouts, key=lambda layout: (layout.deck.name, layout.window)):
        overflowing = layout.overflowing
        tall = sum(slide.tall for slide in layout.slides)
        wide = sum(bool(slide.wide) for slide in layout.slides)
        wheel = sum(bool(slide.needs_wheel) for slide in layout.slides)
        covered = sum(bool(slide.under_controls) for slide in layout.slides)
        misaligned = sum(bool(slide.misaligned) for slide in layout.slides)
        lines.append(
            f"{layout.deck.name} at {layout.window_name}: {len(layout.slides)} slides, {tall} taller than the slide"
            f" (scroll), {wide} with content wider than its box, {wheel} needing a wheel, {covered} with text under"
            f" the controls, {misaligned} with Persian misaligned"
        )
        for slide in overflowing:
            what = []
            if slide.tall:
                what.append(f"{slide.height / slide.slide_height:.1f}x tall")
            if slide.wide:
                what.append("wide: " + "; ".join(slide.wide[:2]) + (" ..." if len(slide.wide) > 2 else ""))
            lines.append(f"  slide {slide.number:>3} {slide.anchor:<7} {', '.join(what)}  | {slide.first_words}")
        lines.extend(f"  PROBLEM: {problem}" for problem in layout.problems())
    for name in sorted({layout.window_name for layout in layouts}):
        measured = [slide for layout in layouts if layout.window_name == name for slide in layout.slides]
        lines.append(
            f"all decks at {name}: {len(measured)} slides, {sum(slide.tall for slide in measured)} taller than the"
            f" slide, {sum(bool(slide.wide) for slide in measured)} wide, "
            f"{sum(bool(slide.needs_wheel) for slide in measured)} needing a wheel, "
            f"{sum(bool(slide.under_controls) for slide in measured)} with text under the controls, "
            f"{sum(bool(slide.misaligned) for slide in measured)} with Persian misaligned"
        )
    return "\n".join(lines)
