"""Export the course's notebooks as offline reveal.js slides and PDF handouts.

    python -m tools.slides                       # every notebook, into build/slides/
    python -m tools.slides 05 06                 # only notebooks whose names start with 05 or 06
    python -m tools.slides --out /tmp/deck 00    # somewhere else
    python -m tools.slides --no-pdf 06           # the deck only, no handout
    python -m tools.slides --layout-report 06    # which slides are taller or wider than the slide, and any problem

For each notebook ``NN_topic.ipynb`` this writes ``NN_topic.slides.html`` (reveal.js, slide breaks from the cells'
``slideshow.slide_type`` metadata, ``skip`` cells left out, ``notes`` cells as speaker notes) and ``NN_topic.pdf``
(a handout: the notebook's HTML printed by headless Chromium). Everything they load is copied into ``<out>/vendor/``,
so the folder can be zipped and opened anywhere with no internet.

The parts, each readable on its own:

- :mod:`tools.slides.templates`: what a deck and a handout look like (the nbconvert templates, CSS and JavaScript in
  ``assets/``, and the notebook as the exports show it);
- :mod:`tools.slides.vendor`: copying reveal.js, MathJax and the Persian font into the output folder;
- :mod:`tools.slides.chromium`: finding Chromium, printing PDFs, opening decks with the network cut off;
- :mod:`tools.slides.export`: exporting notebooks with the above;
- :mod:`tools.slides.layout`: measuring decks (the layout report, and the tests that a presenter reaches everything);
- ``__main__``: the command line.
"""
