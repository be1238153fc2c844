"""Test-only helpers for the site's tests: open a built page in headless Chromium and report what went wrong.

Pages are opened from the disk (``file://``), the harder case for a static site, or from a static server on this
machine (:func:`serve`). Every request that leaves the site (the network, or files outside the site's folder) is
recorded, and requests to the network are refused, so a page that reaches for either fails its test.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from tools.slides.chromium import QUIET_FLAGS, find_chromium, offline_context

# Long enough for the theme's scripts, MathJax and the search index to finish on a slow, busy machine.
LOAD_TIMEOUT_MS = 30_000
MATHJAX_DONE = "() => window.MathJax && MathJax.Hub ? new Promise(done => MathJax.Hub.Queue(() => done(true))) : false"


@dataclass
class PageVisit:
    """What opening one page produced: console errors, uncaught exceptions and requests that left the site."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def inside(site: Path, url: str, server: str | None = None) -> bool:
    """Whether ``url`` names a file of the site: in its folder, or on its ``server`` (data: and blob: URLs never
    leave the page either)."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about") or (server and url.startswith(f"{server}/")):
        return True
    return parsed.scheme == "file" and Path(unquote(parsed.path)).resolve().is_relative_to(site.resolve())


@contextmanager
def loopback_browser(chrome):
    """A second Chromium, from the same Playwright, whose host rules let 127.0.0.1 through (and nothing else)."""
    flags = [flag for flag in QUIET_FLAGS if not flag.startswith("--host-resolver-rules")]
    flags.append("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    launched = chrome.browser_type.launch(executable_path=find_chromium(), args=flags)
    try:
        yield launched
    finally:
        launched.close()


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve the site's folder on 127.0.0.1 (as ``python -m http.server`` would); yields its address."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class SiteBrowser:
    """One offline browser context at a given window width, for pages of one built site (from ``server`` if given)."""

    def __init__(self, chrome, site: Path, width: int = 1280, height: int = 900, server: str | None = None) -> None:
        self.site, self.server = site, server
        self.context, self.refused = offline_context(chrome, width, height)
        if server:
            # The site's own server is this machine; everything else stays refused.
            self.context.route(f"{server}/**", lambda route: route.continue_())

    def open(self, relative: str, query: str = ""):
        """Open ``relative`` (a path in the site, e.g. ``index.html``); return the page and its :class:`PageVisit`."""
        visit = PageVisit()
        page = self.context.new_page()
        page.on("console", lambda message: message.type == "error" and visit.errors.append(message.text))
        page.on("pageerror", lambda error: visit.errors.append(str(error)))
        page.on(
            "request", lambda request: inside(self.site, request.url, self.server) or visit.outside.append(request.url)
        )
        address = f"{self.server}/{relative}" if self.server else (self.site / relative).resolve().as_uri()
        page.goto(address + query, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        # MathJax typesets after the load event (and loads its fonts then): wait for it, so its errors count too.
        page.evaluate(MATHJAX_DONE)
        return page, visit

    def close(self) -> None:
        self.context.close()
