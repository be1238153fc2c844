"""A real JupyterHub on 127.0.0.1 for a class of test learners: the classroom test and the sizing runs use it.

    python -m tools.classroom.hub --learners 4 [--notebook 06]     # one sizing run: a table row, on stdout

The hub loads the course's one-server configuration (``classroom/jupyterhub_config.py``) and changes only what a
machine without learner accounts needs: a test login (any name, any password), servers started as the current user
with their homes under a temporary folder (``SimpleLocalProcessSpawner``), everything on 127.0.0.1, no idle culler.
Each learner logs in, follows the notebook's nbgitpuller link (which pulls the course from a local clone into their
home) and runs the notebook through the kernel API, all learners at once. Every process the hub started, and the
hub itself, is stopped at the end, even when something fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import requests

from helpers import data, env
from helpers.course import REPO_ROOT
from tools.classroom import kernel_client, links

CONFIG = REPO_ROOT / "classroom" / "jupyterhub_config.py"
PROXY = REPO_ROOT / "classroom" / "node_modules" / ".bin" / "configurable-http-proxy"
SERVICE = "classroom-test"
BRANCH = "class"
# The test's learners run a notebook as the test suite does: quick mode, one compute thread each.
QUICK_ENV = {env.QUICK_ENV: "1", env.THREADS_ENV: "1", "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
FULL_ENV = {**QUICK_ENV, env.QUICK_ENV: "0"}


def missing_prerequisites() -> list[str]:
    """What this machine lacks to run a hub, each with how to get it (empty when nothing is missing)."""
    missing = []
    if not PROXY.is_file():
        missing.append(f"the proxy JupyterHub needs: run `npm ci --prefix {PROXY.parents[2]}` (Node.js and npm first)")
    if shutil.which("jupyterhub", path=str(Path(sys.executable).parent)) is None:
        missing.append("JupyterHub and nbgitpuller in the course's environment: pip install -r requirements.txt")
    if shutil.which("git") is None:
        missing.append("git, which nbgitpuller runs to pull the course")
    if data.mirror_dir() is None:
        missing.append(f"a classroom mirror: `python3 tasks.py mirror DIR`, then set {data.MIRROR_ENV}=DIR")
    return missing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_config(
    run_dir: Path, hub_port: int, api_port: int, internal_port: int, token: str, learner_env: dict[str, str] = QUICK_ENV
) -> str:
    """The course's hub configuration, changed only where a test machine without learner accounts needs it."""
    return f"""
load_subconfig({str(CONFIG)!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{hub_port}"
c.JupyterHub.hub_ip, c.JupyterHub.hub_port = "127.0.0.1", {internal_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.ConfigurableHTTPProxy.pid_file = {str(run_dir / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{run_dir / "hub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(run_dir / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(run_dir / "home" / "{username}")!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [{str(Path(sys.executable).parent / "jupyterhub-singleuser")!r}]
c.Spawner.args = ["--allow-root"]  # this machine runs everything as root; a real server never does
c.Spawner.start_timeout = c.Spawner.http_timeout = 300
c.Spawner.environment = {{**c.Spawner.environment, **{learner_env!r}}}
c.JupyterHub.services = [{{"name": {SERVICE!r}, "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "admin", "services": [{SERVICE!r}]}}]
"""


@dataclass
class Learner:
    name: str
    home: Path
    browser: requests.Session = field(default_factory=requests.Session)


class ProcessWatch:
    """Remembers every process below the hub (servers and kernels live in their own sessions) and the peak memory
    of each kernel with its children, sampled twice a second: resident (what one learner alone needs, shared
    libraries included) and unique (what each further learner adds on a server where the libraries are shared)."""

    def __init__(self, hub: psutil.Process) -> None:
        self.hub = hub
        self.seen: dict[int, psutil.Process] = {hub.pid: hub}
        self.kernel_peaks: dict[str, int] = {}
        self.kernel_unique_peaks: dict[str, int] = {}
        self.server_peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.refresh()

    def refresh(self) -> None:
        try:
            descendants = self.hub.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for process in descendants:
            self.seen.setdefault(process.pid, process)
            try:
                command = process.cmdline()
                if any(part.endswith("jupyterhub-singleuser") for part in command):
                    rss = process.memory_info().rss
                    self.server_peaks[process.pid] = max(rss, self.server_peaks.get(process.pid, 0))
                    continue
                kernel = next((part for part in command if "kernel-" in part and part.endswith(".json")), None)
                if kernel is None or "ipykernel_launcher" not in " ".join(command):
                    continue
                kernel_id = Path(kernel).stem.removeprefix("kernel-")
                family = [process, *process.children(recursive=True)]
                memory = [member.memory_full_info() for member in family]
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            resident, unique = sum(info.rss for info in memory), sum(info.uss for info in memory)
            self.kernel_peaks[kernel_id] = max(resident, self.kernel_peaks.get(kernel_id, 0))
            self.kernel_unique_peaks[kernel_id] = max(unique, self.kernel_unique_peaks.get(kernel_id, 0))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def alive(self, run_dir: Path) -> list[psutil.Process]:
        """Every process seen below the hub that still runs, and any other whose command line or folder is in
        ``run_dir`` (the learners' homes, the proxy's files): one started between two samples is not missed."""
        found = dict(self.seen)
        for process in psutil.process_iter():
            try:
                if str(run_dir) in " ".join(process.cmdline()) or process.cwd().startswith(str(run_dir)):
                    found.setdefault(process.pid, process)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        running = []
        for process in found.values():
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    running.append(process)
            except psutil.NoSuchProcess:
                continue
        return running


def describe(process: psutil.Process) -> str:
    try:
        return f"{process.pid} {' '.join(process.cmdline()[:3])}"
    except psutil.Error:
        return str(process.pid)


class ClassroomHub:
    """A running hub; use as a context manager (``with ClassroomHub(run_dir) as hub:``)."""

    def __init__(self, run_dir: Path, learner_env: dict[str, str] = QUICK_ENV) -> None:
        self.run_dir = run_dir
        self.learner_env = learner_env
        self.token = secrets.token_hex(32)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.watch: ProcessWatch | None = None
        self.left_behind: list[str] = []
        self.stopped_cleanly = False

    def __enter__(self) -> ClassroomHub:
        config = self.run_dir / "jupyterhub_config.py"
        config.write_text(hub_config(self.run_dir, self.port, free_port(), free_port(), self.token, self.learner_env))
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        self.log = open(self.run_dir / "hub.log", "wb")  # noqa: SIM115 (closed in __exit__)
        # A session of its own: the hub's process group is the test's to end, whatever happens.
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)],
            cwd=self.run_dir,
            env={**os.environ, "PATH": path},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self.watch = ProcessWatch(psutil.Process(self.process.pid))
            self._wait_until(lambda: self._get("/hub/api/").ok, 120, "the hub to answer")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the hub as an administrator would (it stops the servers and the proxy), then end anything left."""
        assert self.process is not None
        if self.watch is not None:
            self.watch.refresh()
            self.watch.stop()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                pass
        time.sleep(1)  # the proxy and servers exit a moment after the hub
        leftovers = self.watch.alive(self.run_dir) if self.watch is not None else []
        self.left_behind = [describe(process) for process in leftovers]
        self.stopped_cleanly = self.process.poll() == 0 and not leftovers
        for process in leftovers:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()

    def _wait_until(self, ready, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the hub exited while waiting for {what}: see {self.run_dir / 'hub.log'}")
            try:
                if ready():
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"waited {seconds:.0f} s for {what}: see {self.run_dir / 'hub.log'}")

    def _get(self, path: str) -> requests.Response:
        return requests.get(f"{self.url}{path}", headers={"Authorization": f"token {self.token}"}, timeout=30)

    def server_url(self, learner: Learner) -> str:
        return f"{self.url}/user/{learner.name}"

    def log_in_and_start(self, name: str) -> Learner:
        """Log in through the hub's login form, as a learner's browser does, and start their server."""
        learner = Learner(name, self.run_dir / "home" / name)
        login = learner.browser.get(f"{self.url}/hub/login", timeout=30)
        login.raise_for_status()
        form = {"username": name, "password": "any", "_xsrf": learner.browser.cookies.get("_xsrf", "")}
        learner.browser.post(f"{self.url}/hub/login", data=form, timeout=300, allow_redirects=False).raise_for_status()
        requests.post(
            f"{self.url}/hub/api/users/{name}/server", headers={"Authorization": f"token {self.token}"}, timeout=60
        ).raise_for_status()
        self._wait_until(
            lambda: self._get(f"/hub/api/users/{name}").json()["servers"].get("", {}).get("ready"),
            300,
            f"{name}'s server to start",
        )
        return learner

    def pull_by_link(self, learner: Learner, repository: str, notebook: str) -> list[str]:
        """Follow the notebook's nbgitpuller link as the learner, then do the pull its page starts; return the
        pull's messages. Raises if the link does not land on the pull page or the pull fails."""
        link = links.link(self.url, notebook, repository=repository, branch=BRANCH)
        page = learner.browser.get(link, timeout=120)
        page.raise_for_status()
        landed = urlsplit(page.url)
        if landed.path != f"/user/{learner.name}/git-pull":
            raise RuntimeError(f"the link landed on {page.url}, not on {learner.name}'s pull page")
        messages = []
        with learner.browser.get(
            f"{self.server_url(learner)}/git-pull/api?{landed.query}", stream=True, timeout=300
        ) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if not line.startswith("data: "):
                    continue
                event = json.loads(line.removeprefix("data: "))
                messages.append(event.get("output") or event.get("message") or event["phase"])
                if event["phase"] == "error":
                    raise RuntimeError(f"nbgitpuller failed for {learner.name}: {event.get('message')}")
                if event["phase"] == "finished":
                    return messages
        raise RuntimeError(f"nbgitpuller's stream ended without finishing for {learner.name}")

    def run_notebooks(self, learners: list[Learner], notebook: str, cell_timeout: float = 900) -> list:
        """Run ``notebooks/<notebook>`` of each learner's copy, all learners at once, through the kernel API."""
        path = f"{links.TARGET_FOLDER}/notebooks/{notebook}"
        runs = [kernel_client.NotebookRun(learner.name) for learner in learners]
        cells = {}
        for learner, run in zip(learners, runs, strict=True):
            url = self.server_url(learner)
            cells[learner.name] = kernel_client.notebook_code(url, self.token, path)
            run.kernel_id = kernel_client.start_session(url, self.token, path)

        async def all_at_once() -> None:
            await asyncio.gather(
                *(
                    kernel_client.run_cells(
                        self.server_url(learner), self.token, run.kernel_id, cells[learner.name], run, cell_timeout
                    )
                    for learner, run in zip(learners, runs, strict=True)
                )
            )

        asyncio.run(all_at_once())
        return runs


def local_clone(run_dir: Path) -> str:
    """A bare clone of this repository's current commit, on branch ``class``: the upstream the learners pull."""
    clone = run_dir / "upstream.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(REPO_ROOT), str(clone)], check=True)
    commit = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run(["git", "--git-dir", str(clone), "branch", "--force", BRANCH, commit], check=True)
    return f"file://{clone}"


def sizing_run(learners: int, notebook: str, full: bool = False) -> dict:
    """One sizing row: ``learners`` learners pull the course and run ``notebook`` at the same time."""
    with tempfile.TemporaryDirectory(prefix="classroom-") as folder:
        run_dir = Path(folder)
        repository = local_clone(run_dir)
        load_before = os.getloadavg()[0]
        setup_started = time.perf_counter()
        with ClassroomHub(run_dir, FULL_ENV if full else QUICK_ENV) as hub:
            class_ = [hub.log_in_and_start(f"learner{number}") for number in range(1, learners + 1)]
            for learner in class_:
                hub.pull_by_link(learner, repository, notebook)
            setup = time.perf_counter() - setup_started
            started = time.perf_counter()
            runs = hub.run_notebooks(class_, notebook)
            wall = time.perf_counter() - started
            hub.watch.refresh()
            peaks = [hub.watch.kernel_peaks.get(run.kernel_id, 0) for run in runs]
            unique = [hub.watch.kernel_unique_peaks.get(run.kernel_id, 0) for run in runs]
            servers = list(hub.watch.server_peaks.values())
        home_bytes = sum(path.stat().st_size for path in class_[0].home.rglob("*") if path.is_file())
        return {
            "learners": learners,
            "notebook": notebook,
            "mode": "full" if full else "quick",
            "load_average_before": round(load_before, 1),
            "hub_start_login_and_pull_s": round(setup, 1),
            "wall_s": round(wall, 1),
            "slowest_learner_s": round(max(run.seconds for run in runs), 1),
            "peak_kernel_mb_max": round(max(peaks) / 2**20),
            "peak_kernel_mb_mean": round(sum(peaks) / len(peaks) / 2**20),
            "peak_kernel_unique_mb_max": round(max(unique) / 2**20),
            "peak_kernel_unique_mb_mean": round(sum(unique) / len(unique) / 2**20),
            "peak_server_mb_max": round(max(servers, default=0) / 2**20),
            "learner_home_mb": round(home_bytes / 1e6),
            "failures": sum(run.error is not None for run in runs),
            "errors": [run.error for run in runs if run.error],
            "stopped_cleanly": hub.stopped_cleanly,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=2)
    parser.add_argument("--notebook", default="06_lenet_mnist.ipynb")
    parser.add_argument("--full", action="store_true", help="run the notebook in full mode (default: quick)")
    parser.add_argument("--check", action="store_true", help="only say whether a hub can start here")
    args = parser.parse_args(argv)
    missing = missing_prerequisites()
    if missing:
        print("A hub cannot start here; missing:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 2
    if args.check:
        print("A hub can start here: the proxy, JupyterHub, nbgitpuller, git and a data mirror are present.")
        return 0
    print(json.dumps(sizing_run(args.learners, args.notebook, args.full)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
