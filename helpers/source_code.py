"""Show the source of lesson code inside a notebook, so the code a notebook reuses stays visible."""

from __future__ import annotations

import inspect
from typing import Any

from IPython.display import Code


def show_source(*objects: Any) -> Code:
    """Syntax-highlighted source of one or more functions, classes or modules, in order (one source of truth).

    >>> from helpers.plotting import show_images
    >>> show_source(show_images)   # doctest: +SKIP
    """
    if not objects:
        raise ValueError("show_source needs at least one function, class or module")
    listings = []
    for obj in objects:
        try:
            listings.append(inspect.getsource(obj))
        except (TypeError, OSError) as error:
            raise ValueError(f"cannot show the source of {obj!r}: {error}") from error
    return Code("\n\n\n".join(listing.rstrip("\n") for listing in listings) + "\n", language="python")
