"""Shared fixtures: an isolated data folder, a temporary registry and a loopback file server; and the mark on the
tests that need Chromium, so that ``tasks.py test`` can leave them out, and say so, on a machine without it."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from helpers import data

T = TypeVar("T")
BROWSER_MARK = "needs_chromium"
# Fixtures that start or find Chromium: the slide tests', the website's (its build prints the PDF handouts too).
BROWSER_FIXTURES = {"chromium", "chrome", "site"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{BROWSER_MARK}: the test drives Chromium (tasks.py test leaves it out without)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(getattr(pytest.mark, BROWSER_MARK))


def load_real_data(load: Callable[[], T], what: str) -> T:
    """Run ``load`` on the real course data. With no copy anywhere (offline, no mirror) the test is skipped;
    with ``COURSE_MIRROR`` set the data must be there, so a failure fails. Other errors are never hidden."""
    try:
        return load()
    except data.DataUnavailableError as error:
        if data.mirror_dir() is not None:
            raise
        pytest.skip(f"{what} unavailable offline without a mirror: {error}")


@pytest.fixture
def real_data() -> Callable[[Callable[[], T], str], T]:
    """:func:`load_real_data`, for tests that check the real course files."""
    return load_real_data


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder, and no mirror, for one test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(data.DATA_DIR_ENV, str(cache))
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    return cache


class FileServer:
    """Serves byte strings at /<name> on 127.0.0.1; ``cut`` makes a response stop early."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut: dict[str, int] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server expects)
                name = self.path.lstrip("/")
                server.requests.append(name)
                if name not in server.files:
                    self.send_error(404)
                    return
                body = server.files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # An interrupted transfer: promise the whole body, send part of it, hang up.
                self.wfile.write(body[: server.cut.get(name, len(body))])

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    server = FileServer()
    yield server
    server.close()


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a registry of the given {relpath: (content, urls)} and point the data layer at it."""

    def make(files: dict[str, tuple[bytes, list[str]]]) -> Path:
        path = tmp_path / "registry.json"
        records = {
            name: {"dataset": "test", "urls": urls, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            for name, (content, urls) in files.items()
        }
        path.write_text(json.dumps({"datasets": {"test": {}}, "files": records}))
        monkeypatch.setattr(data, "REGISTRY_PATH", path)
        return path

    return make
