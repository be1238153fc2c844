"""The course as a static website: every lesson with its stored outputs, searchable, readable offline.

``python -m tools.book`` (``python tasks.py book``) builds ``build/book/`` with Sphinx, MyST-NB and the Sphinx
Book Theme from what the repository already holds: the README as the home page, the notebooks in course order (not
re-executed), the glossary, the instructors' guide, the classroom guide and the dataset cards, plus each notebook's
slide deck and PDF handout. Every script, stylesheet, font and the MathJax files are part of the site, so it opens
from a static server or straight from the disk (``file://``) with no network.
"""
