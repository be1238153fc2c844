"""JupyterLab as ``python tasks.py lab`` starts it, opened in headless Chromium: Persian cells read right to left with
every paragraph at the right edge, the news question does not pop up over the lesson, and the extension written for
JupyterLab 3 that RISE once pulled in stays off.

The server runs on 127.0.0.1 with the course's options (``tasks.LAB_OPTIONS``) and throw-away configuration, settings
and runtime folders, so the tests see the course's settings and nobody's own. It needs Chromium, like the slide tests.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from helpers.course import REPO_ROOT
from tasks import LAB_OPTIONS
from tools.slides.chromium import browser, find_chromium

NOTEBOOK = "05_training_essentials.ipynb"
START_TIMEOUT_S = 120
STYLE_TIMEOUT_MS = 20_000
PERSIAN_BLOCKS = '.jp-RenderedMarkdown :is([dir="rtl"], [lang="fa"]) :is(p, li, h1, h2, h3, h4, h5, h6)'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> str:
    """The course's JupyterLab, started as ``tasks.py lab`` starts it; its address."""
    scratch = tmp_path_factory.mktemp("lab")
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(scratch / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(scratch / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        "--IdentityProvider.token=",
        "--notebook-dir",
        str(REPO_ROOT / "notebooks"),
        *LAB_OPTIONS,
    ]
    log = scratch / "lab.log"
    with log.open("w") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                urllib.request.urlopen(f"{address}/api/status", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-3000:]}", pytrace=False)
                time.sleep(0.5)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=30)


def defaults(lab: str, plugin: str) -> dict:
    """A plugin's default settings as the server hands them out: its schema's, with the course's overrides applied."""
    with urllib.request.urlopen(f"{lab}/lab/api/settings/{plugin}") as response:
        schema = json.load(response)["schema"]
    return {name: field.get("default") for name, field in schema["properties"].items()}


def test_the_news_question_and_the_update_check_are_off(lab):
    notification = defaults(lab, "@jupyterlab/apputils-extension:notification")
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False, notification


def test_the_jupyterlab_3_mathjax_extension_is_off(lab):
    with urllib.request.urlopen(f"{lab}/lab") as response:
        page = response.read().decode()
    config = json.loads(page.split('id="jupyter-config-data"', 1)[1].split(">", 1)[1].split("</script>", 1)[0])
    assert "@jupyterlab/mathjax3-extension" in config["disabledExtensions"]
    loaded = {extension["name"] for extension in config["federated_extensions"]}
    assert "convnets-course-lab" in loaded, loaded


@pytest.mark.needs_chromium
def test_persian_cells_are_right_to_left_and_right_aligned_in_jupyterlab(lab):
    with browser(find_chromium(), loopback=True) as chrome:
        context = chrome.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(f"{lab}/lab/tree/{NOTEBOOK}")
        page.wait_for_selector(PERSIAN_BLOCKS, timeout=90_000)
        # The course's stylesheet arrives with its extension, possibly after the notebook has rendered: give it time.
        try:
            page.wait_for_function(
                "(selector) => [...document.querySelectorAll(selector)].every("
                "(block) => getComputedStyle(block).textAlign !== 'left')",
                arg=PERSIAN_BLOCKS,
                timeout=STYLE_TIMEOUT_MS,
            )
        except PlaywrightTimeoutError:
            pass  # the assertions below say which blocks are wrong
        blocks = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)].map((block) => {
                const style = getComputedStyle(block);
                return {text: block.textContent.trim().slice(0, 30), direction: style.direction,
                        align: style.textAlign};
            })""",
            PERSIAN_BLOCKS,
        )
        toasts = page.evaluate("[...document.querySelectorAll('.Toastify__toast')].map((toast) => toast.innerText)")
        context.close()
    paragraphs = [block for block in blocks if block["text"]]
    assert len(paragraphs) >= 5, blocks
    wrong = [
        block
        for block in paragraphs
        if block["direction"] != "rtl" or block["align"] not in ("right", "start", "-webkit-right")
    ]
    assert not wrong, (
        f"{len(wrong)} of {len(paragraphs)} Persian blocks are not right to left and right-aligned: {wrong}"
    )
    assert not any("news" in toast.lower() for toast in toasts), toasts
