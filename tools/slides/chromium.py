"""Finding and driving headless Chromium: printing handouts to PDF, and opening decks with the network cut off.

Chromium (or Google Chrome) is found through the ``CHROMIUM`` environment variable, then the usual command names,
then the usual macOS and Windows install paths. Printing runs the browser's own command line; measuring decks
(:mod:`tools.slides.layout`) drives it through Playwright (``pip install playwright``; Playwright's own browser
downloads are not used, it starts the Chromium found here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

# Chromium renders in virtual time: this much simulated time lets MathJax typeset every formula and the handout's
# script fit wide blocks to the page before the PDF is printed, without waiting that long for real.
VIRTUAL_TIME_BUDGET_MS = 10_000
CHROMIUM_TIMEOUT_S = 180

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM_PATHS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
)
# Headless and quiet: no sandbox (CI runs as root), no GPU, and none of the background traffic (updates, sync,
# QUIC probes) that would try to reach the network.
QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
    # No host name resolves: even a request that slipped past every other guard cannot leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
# For a page served on this machine (JupyterLab under test): the loopback address alone still resolves.
LOOPBACK_RESOLVER = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
CHROMIUM_FLAGS = ("--headless", *QUIET_FLAGS)
# URL schemes that never leave the machine.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-extension:", "devtools:")

HOW_TO_GET_CHROMIUM = (
    "Chromium or Google Chrome renders the slides and prints the PDF handouts:\n"
    "  Debian/Ubuntu: sudo apt-get install chromium   (on Ubuntu the package may be chromium-browser)\n"
    "  macOS: install Google Chrome (looked for in /Applications/Google Chrome.app)\n"
    "  anywhere: set the CHROMIUM environment variable to the path of a Chromium or Chrome binary"
)


class ChromiumNotFoundError(RuntimeError):
    """No Chromium or Google Chrome binary could be found to render the slides and print the handouts."""


def find_chromium() -> str:
    """The path of a Chromium or Google Chrome binary, or a :class:`ChromiumNotFoundError` that says how to get one.

    >>> find_chromium()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    configured = os.environ.get("CHROMIUM")
    if configured:
        if Path(configured).is_file() or shutil.which(configured):
            return shutil.which(configured) or configured
        raise ChromiumNotFoundError(
            f"CHROMIUM={configured!r} is set but is not an executable file.\n{HOW_TO_GET_CHROMIUM}"
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for path in CHROMIUM_PATHS:
        if Path(path).is_file():
            return path
    raise ChromiumNotFoundError(f"no Chromium or Google Chrome was found.\n{HOW_TO_GET_CHROMIUM}")


def run_chromium(chromium: str, arguments: list[str], timeout: float = CHROMIUM_TIMEOUT_S) -> str:
    """Run headless Chromium with a fresh, throw-away profile and return what it printed on stdout.

    A fresh profile means no state (cache, service workers, first-run prompts) leaks between runs.
    """
    with tempfile.TemporaryDirectory(prefix="course-chromium-") as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"Chromium did not finish within {timeout} s: {' '.join(command)}") from error
    if completed.returncode != 0:
        raise RuntimeError(
            f"Chromium failed (exit status {completed.returncode}): {' '.join(command)}\n{completed.stderr[-2000:]}"
        )
    return completed.stdout


def print_to_pdf(chromium: str, page: Path, pdf: Path) -> Path:
    """Print the page to a PDF with Chromium, without the browser's date/title header and URL footer."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.unlink(missing_ok=True)
    # --no-pdf-header-footer is today's flag, --print-to-pdf-no-header the older one; Chromium ignores unknown flags.
    run_chromium(
        chromium,
        [
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={pdf.resolve()}",
            page.resolve().as_uri(),
        ],
    )
    if not pdf.is_file() or pdf.read_bytes()[:4] != b"%PDF":
        raise RuntimeError(f"Chromium did not print {page} to a PDF at {pdf}")
    return pdf


@contextmanager
def browser(chromium: str | None = None, *, loopback: bool = False) -> Iterator[Browser]:
    """Headless Chromium driven by Playwright, closed on exit; with ``loopback``, it can reach 127.0.0.1.

    >>> with browser() as chrome:  # doctest: +SKIP
    ...     context, requests = offline_context(chrome, 1280, 720)
    """
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError as error:
        raise RuntimeError("measuring slides needs the Python package playwright: pip install playwright") from error
    with sync_playwright() as playwright:
        flags = [LOOPBACK_RESOLVER if flag.startswith("--host-resolver-rules") else flag for flag in QUIET_FLAGS]
        launched = playwright.chromium.launch(
            executable_path=chromium or find_chromium(), args=flags if loopback else list(QUIET_FLAGS)
        )
        try:
            yield launched
        finally:
            launched.close()


def offline_context(chrome: Browser, width: int, height: int) -> tuple[BrowserContext, list[str]]:
    """A fresh browser context with a ``width`` x ``height`` window that refuses every request off this machine.

    Returns the context and the list that every refused URL is appended to, so a caller can fail on it. Only the
    schemes in ``LOCAL_SCHEMES`` (files, data: URLs) load.
    """
    refused: list[str] = []
    context = chrome.new_context(viewport={"width": width, "height": height}, service_workers="block")

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    def guard_websocket(websocket) -> None:
        refused.append(websocket.url)
        websocket.close()

    context.route("**/*", guard)
    context.route_web_socket("**/*", guard_websocket)
    return context, refused
