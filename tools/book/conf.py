"""Sphinx configuration of the course's website (``python -m tools.book``; see :mod:`tools.book`).

The source folder is the staging copy that :mod:`tools.book.build` lays out with the repository's own relative paths
(``index.md`` from the README, ``notebooks/``, ``docs/``, ``datasets/README.md``), so every link written for GitHub
also works on the site. Notebooks are rendered from their stored outputs and never executed.
"""

from __future__ import annotations

from helpers.course import BRANCH, REPOSITORY

project = "convnets-course"
author = "the convnets-course authors"
copyright = "the convnets-course authors"
root_doc = "index"

extensions = ["myst_nb", "sphinx.ext.mathjax", "tools.book.site"]

# Stored outputs only: the site shows the full-mode run committed with each notebook.
nb_execution_mode = "off"
# The lessons' own view of a notebook: quiz widget cell out, folded cells folded (tools.book.notebook_view).
nb_custom_formats = {".ipynb": ["tools.book.notebook_view.read_for_site", {}, False]}
# No widget views are stored (a convention test checks it); never pull the widget scripts from a CDN.
nb_ipywidgets_js = {}
nb_merge_streams = True
myst_enable_extensions = ["dollarmath"]
# Links to a heading of another page (file.md#a-heading) resolve, as they do on GitHub.
myst_heading_anchors = 3
# The notebooks put their Persian goals (###) right under the title (#), which reads well; not a defect here.
suppress_warnings = ["myst.header"]

exclude_patterns = ["**/.ipynb_checkpoints"]

# MathJax 2 ships offline in jupyter-server-mathjax (the slides use the same copy); tools.book.site copies it to
# _static/mathjax. MyST's MathJax 3 settings would not apply to it, so the delimiters are set here.
myst_update_mathjax = False
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
mathjax2_config = {
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]], "processEscapes": True},
    # Only the STIX-Web fonts ship with this MathJax (as in the slides); never fall back to fonts it would fetch.
    # Its blank test font points at about:blank, which browsers refuse (with a console error) on file://; a local()
    # source fails as quietly as MathJax expects.
    "HTML-CSS": {
        "availableFonts": [],
        "preferredFont": None,
        "webFont": "STIX-Web",
        "imageFont": None,
        "styles": {"@font-face": {"font-family": "MathJax_Blank", "src": "local('MathJax_Blank')"}},
    },
    "showMathMenu": False,
    "messageStyle": "none",
}

html_theme = "sphinx_book_theme"
html_title = "Convolutional neural networks, in notebooks"
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_copy_source = True
# The download button and the lesson links offer the notebook itself, not a .txt copy of it.
html_sourcelink_suffix = ""
html_last_updated_fmt = None
# Search needs no server: the index is a script. The result summaries would fetch each page, which browsers refuse
# on file://, so results show titles without them.
html_show_search_summary = False
# The theme's light/dark switch needs a starting mode; without one it logs an error on a first visit.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": BRANCH,
    "path_to_docs": "",
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "use_download_button": True,
    "use_repository_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
