"""The small package the course's notebooks share.

Notebooks call the everyday functions through ``helpers.`` (``helpers.setup``, ``helpers.pick``,
``helpers.fetch``, ``helpers.check``...) and import everything else by name
(``from helpers.lessons.convolution import conv2d``).

- :mod:`helpers.lessons`: the code the notebooks teach (convolution, pooling, the training loop, LeNet,
  network accounting), shown in the notebooks with :func:`show_source`;
- everything else is plumbing: run settings (:mod:`.env`), data (:mod:`.data`, and the readers
  :mod:`.mnist`, :mod:`.hoda`, :mod:`.cats_and_dogs`, :mod:`.pretrained`), figures (:mod:`.plotting`,
  :mod:`.widgets`, :mod:`.persian`), results and claims (:mod:`.results`, :mod:`.claims`), exercises
  (:mod:`.exercises`), source display (:mod:`.source_code`) and notebook 00's report (:mod:`.report`).

Importing it imports no deep-learning framework.
"""

from .data import extract, fetch
from .env import per_device, pick, quick_mode, setup
from .exercises import check, quiz
from .plotting import show_images
from .results import record_result
from .source_code import show_source

__all__ = [
    "check",
    "extract",
    "fetch",
    "per_device",
    "pick",
    "quick_mode",
    "quiz",
    "record_result",
    "setup",
    "show_images",
    "show_source",
]
