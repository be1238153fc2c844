"""The site's Sphinx extension: lesson links on every notebook page, no images from the internet, offline assets.

- Every lesson page gets a row of links under its title: Open in Colab, the ``.ipynb`` download, its slide deck
  and its PDF handout (the decks are exported into the site's ``slides/`` folder by :mod:`tools.book.build`).
- The Colab badge is an image on Colab's server; the site never loads it. On a lesson page the badge line gives way
  to the links row; elsewhere (the README's table) the badge becomes the words "Open in Colab".
- MathJax (from ``jupyter-server-mathjax``, as the slides use it) and the Persian font (Vazirmatn, through
  ``helpers.persian``) are copied into ``_static`` so that no page needs the network.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path, PurePosixPath

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from helpers.course import colab_url
from tools.slides.vendor import (
    MATHJAX_PACKAGE,
    MATHJAX_SUBDIR,
    PERSIAN_FONT_CSS,
    mathjax_version,
    package_dir,
    persian_font_files,
    vendor_fonts,
)

COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
NOTEBOOKS = "notebooks/"
SLIDES_DIR = "slides"
STATIC_MATHJAX = "mathjax"
# An anchor written in raw HTML, as the glossary marks its terms: <a id="term-stride"></a>.
HTML_ANCHOR = re.compile(r'<a\s+id="([^"]+)"\s*>')


def is_lesson(docname: str) -> bool:
    return docname.startswith(NOTEBOOKS)


def lesson_links(docname: str) -> dict[str, str]:
    """The lesson page's links, relative to the page, by label.

    >>> lesson_links("notebooks/appendix/08a_x")["Slides"]
    '../../slides/08a_x.slides.html'
    """
    up = "../" * docname.count("/")
    stem = PurePosixPath(docname).name
    return {
        "Open in Colab": colab_url(f"{docname.removeprefix(NOTEBOOKS)}.ipynb"),
        "Download the notebook (.ipynb)": f"{up}_sources/{docname}.ipynb",
        "Slides": f"{up}{SLIDES_DIR}/{stem}.slides.html",
        "PDF handout": f"{up}{SLIDES_DIR}/{stem}.pdf",
    }


def lesson_links_html(docname: str) -> str:
    items = "".join(
        f'<li><a class="lesson-link" href="{html.escape(url)}">{html.escape(label)}</a></li>'
        for label, url in lesson_links(docname).items()
    )
    return f'<ul class="lesson-links">{items}</ul>\n'


class LessonLinks(SphinxTransform):
    """Replace the Colab badge: by the lesson links row on a lesson page, by plain words anywhere else."""

    default_priority = 500

    def apply(self) -> None:
        lesson = is_lesson(self.env.docname)
        for image in list(self.document.findall(nodes.image)):
            if image["uri"] != COLAB_BADGE:
                continue
            paragraph = image.parent.parent if isinstance(image.parent, nodes.reference) else image.parent
            if lesson and isinstance(paragraph, nodes.paragraph):
                paragraph.parent.remove(paragraph)
            else:
                image.replace_self(nodes.Text("Open in Colab"))
        if lesson:
            title = next(iter(self.document.findall(nodes.title)), None)
            row = nodes.raw("", lesson_links_html(self.env.docname), format="html")
            if title is None:
                self.document.insert(0, row)
            else:
                title.parent.insert(title.parent.index(title) + 1, row)


class HtmlAnchors(SphinxTransform):
    """Make anchors written in raw HTML (the glossary's terms) known to Sphinx, so links to them resolve."""

    default_priority = 500

    def apply(self) -> None:
        labels = self.env.get_domain("std").anonlabels
        for raw in self.document.findall(nodes.raw):
            for anchor in HTML_ANCHOR.findall(raw.astext()):
                labels[anchor] = (self.env.docname, anchor)


def copy_offline_assets(app: Sphinx, exception: Exception | None) -> None:
    """Copy MathJax (once per version) and the Persian font into the built site's ``_static``."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    source = package_dir(MATHJAX_PACKAGE) / MATHJAX_SUBDIR
    target = static / STATIC_MATHJAX
    stamp = target / "SOURCE.json"
    wanted = {"from": f"{MATHJAX_PACKAGE}/{MATHJAX_SUBDIR}", "version": mathjax_version(source)}
    if not (stamp.is_file() and json.loads(stamp.read_text()) == wanted):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        stamp.write_text(json.dumps(wanted, indent=2) + "\n")
    vendor_fonts(static, persian_font_files())


def setup(app: Sphinx) -> dict:
    app.add_transform(LessonLinks)
    app.add_transform(HtmlAnchors)
    app.add_css_file(PERSIAN_FONT_CSS)
    app.connect("build-finished", copy_offline_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
