"""What an exported deck or handout looks like: nbconvert templates, their CSS and JavaScript, and the cell filter.

Both exports start from nbconvert's templates (``reveal`` for the slides, ``lab`` for the handout) with every block
that would load something from a CDN emptied (require.js, jQuery, Mermaid, the widget manager): the course's
notebooks need none of them. MathJax and reveal.js come from ``vendor/`` beside the exported files (see
:mod:`tools.slides.vendor`).

Layout rules shared by both: no ``In [n]:`` prompts, code and text outputs never wrapped (a wrapped table of
``model.summary()`` is unreadable), formulas never broken over lines, Persian cells (``<div dir="rtl" lang="fa">``)
set right to left in the vendored Persian font. On a slide, what is taller than the slide scrolls inside it and what
is wider scrolls sideways; in the handout, a too-wide block gets a smaller font until it fits the page.

Cells tagged ``hide-input`` show only their output; ``notes`` cells become reveal.js speaker notes and are left out
of the handout, as are ``skip`` cells.
"""

from __future__ import annotations

import copy
import json
import re

import nbformat
from traitlets.config import Config

# The slide area that reveal.js scales to fit the window. 16:9 like the projectors and screens the course is shown
# on (1280x720, 1920x1080), so the same slide fills either window, with the same line breaks, at a different scale.
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
REVEAL_SETTINGS = {"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT, "margin": 0.04, "minScale": 0.2, "maxScale": 2.0}

HIDE_INPUT_TAG = "hide-input"
PERSIAN_FONT_FAMILY = "Vazirmatn"
# The stylesheet with the Persian font's @font-face rules, written by tools.slides.vendor next to the font files.
PERSIAN_FONT_CSS = "vendor/fonts/persian.css"

# The Colab badge line that opens every notebook: an image from the internet, which neither offline slides nor a
# printed handout can show.
COLAB_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\((?P<url>[^)]*)\)")
# A right-to-left or Persian block in a markdown cell, as the course writes them: <div dir="rtl" lang="fa">.
PERSIAN_BLOCK = re.compile(r"""\b(?:dir\s*=\s*["']?rtl|lang\s*=\s*["']?fa)\b""", re.IGNORECASE)

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
    // A formula stays on one line: broken over several it is hard to read (a wide one scrolls instead).
    "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
                 linebreaks: {automatic: false}},
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

# Persian cells: right to left, in the vendored font (its @font-face rules are in PERSIAN_FONT_CSS).
PERSIAN_CSS = f"""
[lang="fa"], [dir="rtl"] {{ font-family: "{PERSIAN_FONT_FAMILY}", sans-serif; }}
[dir="rtl"] {{ direction: rtl; text-align: start; }}
/* JupyterLab's stylesheet sets paragraphs and lists to text-align: left; in a right-to-left block they start right. */
.jp-RenderedHTMLCommon [dir="rtl"] :is(p, ul, ol, li, h1, h2, h3, h4, h5, h6, blockquote, td, th) {{
    text-align: start;
}}
[dir="rtl"] ul, [dir="rtl"] ol {{ padding-left: 0; padding-right: 0; padding-inline-start: 2em; }}
[dir="rtl"] code, [dir="rtl"] pre {{ direction: ltr; unicode-bidi: isolate; }}
"""

# Neither export shows execution counts: they take a column of width and say nothing to a reader.
NO_PROMPTS_CSS = """
.jp-InputPrompt, .jp-OutputPrompt { display: none; }
"""

SLIDES_CSS = f"""
:root {{
    --jp-content-font-size1: 22px;
    --jp-ui-font-size1: 20px;
    --jp-code-font-size: 16px;
}}
/* A slide is at most the slide area tall: what is taller scrolls inside it, so nothing is out of reach. */
.reveal .slides > section:not(.stack), .reveal .slides > section > section {{
    max-height: {SLIDE_HEIGHT}px;
    overflow: auto;
}}
/* Code and text output keep their lines (a wrapped table is garbage) and scroll sideways when wider. */
.reveal .jp-InputArea-editor div.highlight > pre, .reveal div.jp-OutputArea-output > pre {{
    white-space: pre;
    word-break: normal;
    overflow-wrap: normal;
    overflow-x: auto;
    box-sizing: border-box;
    width: 100%;
}}
.reveal .jp-OutputArea-output {{ overflow-x: auto; }}
.reveal .jp-RenderedMarkdown table {{ display: block; overflow-x: auto; max-width: 100%; }}
.reveal section img {{ max-width: 100%; height: auto; }}
"""

# A formula typeset while its slide was hidden has no size: typeset it again once its slide is shown. Only slides
# with formulas are touched (MathJax keeps each formula's source in a <script type="math/...">).
SLIDES_JS = """
function typesetShownSlide(event) {
    if (window.MathJax && MathJax.Hub && event.currentSlide.querySelector('script[type^="math/"]')) {
        MathJax.Hub.Queue(["Rerender", MathJax.Hub, event.currentSlide]);
    }
}
Reveal.on("slidechanged", typesetShownSlide);
"""

# The handout is printed on A4 (210 mm less 2 x 12 mm margins): its HTML is laid out at that width on screen too, so
# the script below measures blocks as they will be printed, and shrinks the font of each code or output block that is
# wider than the page until it fits. A block that would need a font smaller than MIN_SHRINK of its own wraps instead.
HANDOUT_PAGE_WIDTH = "186mm"
HANDOUT_CSS = f"""
@page {{ size: A4; margin: 14mm 12mm; }}
html, body {{ width: {HANDOUT_PAGE_WIDTH}; margin: 0; padding: 0; }}
.jp-InputArea-editor pre, .jp-OutputArea-output pre {{ white-space: pre; word-break: normal; overflow: visible; }}
.jp-OutputArea-output pre.course-wrapped {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
.jp-RenderedImage img {{ max-width: 100%; }}
@media print {{
    .jp-InputArea, .jp-RenderedImage, tr, h1, h2, h3 {{ break-inside: avoid-page; }}
    h1, h2, h3 {{ break-after: avoid-page; }}
}}
"""
HANDOUT_JS = """
(function () {
    var MIN_SHRINK = 0.55;
    function fitWideBlocks() {
        document.querySelectorAll(".jp-InputArea-editor pre, .jp-OutputArea-output pre").forEach(function (pre) {
            var box = pre.parentElement.clientWidth;
            if (pre.scrollWidth <= box + 1) { return; }
            var ratio = box / pre.scrollWidth;
            if (ratio < MIN_SHRINK) { pre.classList.add("course-wrapped"); return; }
            var size = parseFloat(getComputedStyle(pre).fontSize);
            pre.style.fontSize = (size * ratio * 0.98).toFixed(2) + "px";
        });
        document.documentElement.setAttribute("data-blocks-fitted", "");
    }
    window.addEventListener("load", function () { document.fonts.ready.then(fitWideBlocks); });
})();
"""


def offline_template(blocks: str) -> str:
    """An nbconvert HTML template with nothing loaded from the network, plus the given blocks."""
    return "{%- extends 'index.html.j2' -%}\n" + NO_REMOTE_BLOCKS + MATHJAX_BLOCK + blocks


def _head_css(css: str) -> str:
    """A ``html_head_css`` block: the Persian font's stylesheet, then the given rules and the shared ones."""
    return (
        "{%- block html_head_css -%}\n"
        f'<link rel="stylesheet" href="{PERSIAN_FONT_CSS}">\n'
        f'<style type="text/css">{NO_PROMPTS_CSS}{PERSIAN_CSS}{css}</style>\n'
        "{%- endblock html_head_css -%}\n"
    )


SLIDES_TEMPLATE = offline_template(
    _head_css(SLIDES_CSS)
    + """
{% block footer_js %}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize(Object.assign({
    controls: true,
    progress: true,
    history: true,
    center: true,
    transition: "{{ resources.reveal.transition }}",
    slideNumber: "{{ resources.reveal.number }}",
    plugins: [RevealNotes]
}, """
    + json.dumps(REVEAL_SETTINGS)
    + """));
"""
    + SLIDES_JS
    + """</script>
{% endblock footer_js %}
"""
)

HANDOUT_TEMPLATE = offline_template(
    _head_css(HANDOUT_CSS)
    + """
{% block footer_js %}
<script>"""
    + HANDOUT_JS
    + """</script>
{% endblock footer_js %}
"""
)


def exporter_config() -> Config:
    """nbconvert settings shared by both exports: no prompts, no heading anchors, ``hide-input`` cells' code removed."""
    config = Config()
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.HTMLExporter.exclude_anchor_links = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {HIDE_INPUT_TAG}
    return config


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


def has_persian_cells(notebook: nbformat.NotebookNode) -> bool:
    """Whether a markdown cell holds a right-to-left or Persian block, which needs the Persian font.

    >>> has_persian_cells(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('<div dir="rtl">...</div>')]))
    True
    """
    return any(cell.cell_type == "markdown" and PERSIAN_BLOCK.search(cell.source) for cell in notebook.cells)
