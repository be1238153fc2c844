"""Test-only helpers for the site's tests: open a built page in headless Chromium and report what went wrong.

Pages are opened from the disk (``file://``), the harder case for a static site; every request that is not a file
inside the site's folder is refused and recorded, so a page that reaches for the network, or outside the site,
fails its test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from tools.slides.chromium import offline_context

# Long enough for the theme's scripts, MathJax and the search index to finish on a slow, busy machine.
LOAD_TIMEOUT_MS = 30_000


@dataclass
class PageVisit:
    """What opening one page produced: console errors, uncaught exceptions and requests that left the site."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def inside(site: Path, url: str) -> bool:
    """Whether ``url`` names a file in the site's folder (data: and blob: URLs never leave the page either)."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return parsed.scheme == "file" and Path(unquote(parsed.path)).resolve().is_relative_to(site.resolve())


class SiteBrowser:
    """One offline browser context at a given window width, for pages of one built site."""

    def __init__(self, chrome, site: Path, width: int = 1280, height: int = 900) -> None:
        self.site = site
        self.context, self.refused = offline_context(chrome, width, height)

    def open(self, relative: str, query: str = ""):
        """Open ``relative`` (a path in the site, e.g. ``index.html``); return the page and its :class:`PageVisit`."""
        visit = PageVisit()
        page = self.context.new_page()
        page.on("console", lambda message: message.type == "error" and visit.errors.append(message.text))
        page.on("pageerror", lambda error: visit.errors.append(str(error)))
        page.on("request", lambda request: inside(self.site, request.url) or visit.outside.append(request.url))
        page.goto((self.site / relative).resolve().as_uri() + query, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        return page, visit

    def close(self) -> None:
        self.context.close()
