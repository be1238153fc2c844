"""The course's commands. Run with any Python 3.11+; it creates and reuses `.venv` itself.

python tasks.py lab          # install on first use, then open JupyterLab on notebooks/
python tasks.py test         # the whole test suite: unit tests, every notebook (quick mode), conventions
python tasks.py slides       # every notebook as offline reveal.js slides and a PDF handout, in build/slides/
python tasks.py full-run     # re-run every notebook in full mode and store its outputs (05 06: only those)
python tasks.py bench        # the benchmarks in benchmarks/
python tasks.py sync         # rewrite badges, Colab cells, notebook metadata and the README tables
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / "course-installed.txt"
INSTALL_INPUTS = ("requirements.txt", "pyproject.toml")

# The test suite runs each notebook in quick mode, one compute thread per kernel, two kernels at once.
TEST_ENV = {"COURSE_QUICK": "1", "COURSE_THREADS": "1", "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
TEST_COMMAND = [
    "-m",
    "pytest",
    "-n",
    "2",
    "--dist",
    "loadfile",
    "--nbval",
    "--nbval-sanitize-with",
    "tests/nbval_sanitize.cfg",
    "--nbval-cell-timeout",
    "900",
]


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create `.venv` and install the course into it, unless the same install is already there."""
    if STAMP.is_file() and STAMP.read_text() == install_fingerprint():
        return
    if sys.version_info < (3, 11):  # noqa: UP036 (tasks.py may be started by an older Python)
        sys.exit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements.txt")], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(install_fingerprint())


def run_in_venv(arguments: list[str], extra_env: dict[str, str] | None = None) -> int:
    return subprocess.run([str(PYTHON), *arguments], cwd=ROOT, env={**os.environ, **(extra_env or {})}).returncode


def main(argv: list[str]) -> int:
    commands = ("lab", "test", "slides", "full-run", "bench", "sync")
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_environment()
    if command == "lab":
        return run_in_venv(["-m", "jupyter", "lab", "--notebook-dir", str(ROOT / "notebooks"), *rest])
    if command == "test":
        code = run_in_venv([*TEST_COMMAND, *rest], TEST_ENV)
        if code == 5:
            print("pytest collected no tests: treating that as a failure")
            return 1
        return code
    if command == "slides":
        return run_in_venv(["-m", "tools.export_slides", *rest])
    if command == "full-run":
        return run_in_venv(["-m", "tools.run_notebooks", *rest])
    if command == "bench":
        scripts = sorted(path.stem for path in (ROOT / "benchmarks").glob("[a-z]*.py"))
        return max((run_in_venv(["-m", f"benchmarks.{name}", *rest]) for name in scripts), default=0)
    return run_in_venv(["-m", "tools.notebook_sync"]) or run_in_venv(["-m", "tools.readme_tables"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
