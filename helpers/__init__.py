"""Plumbing shared by the course's notebooks.

The concepts are taught in the notebooks themselves; this package holds what they share:
run settings (:mod:`helpers.env`), data (:mod:`helpers.data`), figures (:mod:`helpers.plotting`),
the results record (:mod:`helpers.results`) and source display (:mod:`helpers.sources`).
Importing it imports no deep-learning framework.
"""

from .data import extract, fetch
from .env import pick, quick_mode, setup
from .plotting import show_images
from .results import record_result
from .sources import show_source

__all__ = ["extract", "fetch", "pick", "quick_mode", "record_result", "setup", "show_images", "show_source"]
