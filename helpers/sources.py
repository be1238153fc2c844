"""Show the source of a helper inside a notebook, so the code a notebook reuses stays visible."""

from __future__ import annotations

import inspect
from typing import Any

from IPython.display import Code


def show_source(obj: Any) -> Code:
    """Syntax-highlighted source of a function, class or module (one source of truth).

    >>> from helpers.plotting import show_images
    >>> show_source(show_images)   # doctest: +SKIP
    """
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise ValueError(f"cannot show the source of {obj!r}: {error}") from error
    return Code(source, language="python")
