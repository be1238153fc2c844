"""Run a notebook's code cells on a learner's Jupyter server through its REST and kernel websocket API.

This is what JupyterLab does when a learner runs every cell: open a session for the notebook (Jupyter starts a
kernel in the notebook's folder and tells it the notebook's path), then send each cell as an ``execute_request``
on the kernel's websocket and wait for its reply.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect


@dataclass
class NotebookRun:
    """How one learner's run went: the kernel it used, cells run, seconds, and the first error if any."""

    learner: str
    kernel_id: str = ""
    cells_run: int = 0
    seconds: float = 0.0
    error: str | None = None
    printed: list[str] = field(default_factory=list)


def start_session(server_url: str, token: str, notebook_path: str) -> str:
    """Open a notebook session on the server (``notebook_path`` relative to its root); return its kernel id."""
    response = requests.post(
        f"{server_url}/api/sessions",
        headers={"Authorization": f"token {token}"},
        json={"path": notebook_path, "type": "notebook", "name": notebook_path, "kernel": {"name": "python3"}},
        timeout=120,
    )
    response.raise_for_status()
    return response.json()["kernel"]["id"]


def notebook_code(server_url: str, token: str, notebook_path: str) -> list[str]:
    """The code cells of the notebook as the server has it (the learner's copy)."""
    response = requests.get(
        f"{server_url}/api/contents/{notebook_path}", headers={"Authorization": f"token {token}"}, timeout=60
    )
    response.raise_for_status()
    return [cell["source"] for cell in response.json()["content"]["cells"] if cell["cell_type"] == "code"]


def execute_request(code: str, session: str) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": "execute_request",
            "session": session,
            "username": "classroom",
            "version": "5.3",
            "date": "",
        },
        "parent_header": {},
        "metadata": {},
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False},
        "channel": "shell",
        "buffers": [],
    }


async def run_cells(
    server_url: str, token: str, kernel_id: str, cells: list[str], run: NotebookRun, cell_timeout: float
) -> None:
    """Execute ``cells`` in order on the kernel; stop at the first error, which goes into ``run.error``."""
    websocket_url = server_url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    connection = await websocket_connect(HTTPRequest(websocket_url, headers={"Authorization": f"token {token}"}))
    session = uuid.uuid4().hex
    started = time.perf_counter()
    try:
        for code in cells:
            request = execute_request(code, session)
            await connection.write_message(json.dumps(request))
            reply = await _reply_to(connection, request["header"]["msg_id"], run, cell_timeout)
            run.cells_run += 1
            if reply["status"] != "ok":
                run.error = f"cell {run.cells_run}: {reply.get('ename')}: {reply.get('evalue')}"
                return
    finally:
        run.seconds = time.perf_counter() - started
        connection.close()


async def _reply_to(connection, msg_id: str, run: NotebookRun, cell_timeout: float) -> dict:
    """Read messages until the shell's execute_reply to ``msg_id``; keep what the cell printed."""
    deadline = time.monotonic() + cell_timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no reply from the kernel within {cell_timeout:.0f} s")
        raw = await asyncio.wait_for(connection.read_message(), remaining)
        if raw is None:
            raise ConnectionError("the kernel's websocket closed (did the kernel die?)")
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "stream":
            run.printed.append(message["content"]["text"])
        if message["channel"] == "shell" and message["msg_type"] == "execute_reply":
            return message["content"]
