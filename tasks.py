"""The course's commands. Run with any Python 3.11+; it creates and reuses `.venv` itself.

python tasks.py lab          # install on first use, then open JupyterLab on notebooks/
python tasks.py test         # the whole test suite: unit tests, every notebook (quick mode), conventions
python tasks.py test notebooks/06_lenet_mnist.ipynb   # one notebook (or one test file)
python tasks.py slides       # every notebook as offline reveal.js slides and a PDF handout, in build/slides/
python tasks.py book         # the course as a static website that works offline, in build/book/
python tasks.py full-run     # re-run every notebook in full mode and store its outputs (05 06: only those)
python tasks.py bench        # the benchmarks in benchmarks/
python tasks.py sync         # rewrite the encoded answers, badges, Colab cells, notebook metadata, README tables
python tasks.py mirror DIR   # a classroom's data mirror: every data file, checked, into DIR (resumes if interrupted)
python tasks.py practice     # practice copies of the notebooks (no outputs, no solutions), in build/practice/
python tasks.py hub          # the classroom test: a real JupyterHub on 127.0.0.1, two learners pull and run a notebook
"""

from __future__ import annotations

import hashlib
import json
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
OLDEST_PYTHON, NEWEST_TESTED_PYTHON = (3, 11), (3, 13)
OTHER_PYTHON = (
    "Run this file with Python 3.11, 3.12 or 3.13 (e.g. `python3.12 tasks.py lab`, or `py -3.12 tasks.py lab` "
    "on Windows; delete the .venv folder first if an install failed), or use the conda environment "
    "(environment.yml, see the README)."
)

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

# The classroom test starts a real JupyterHub; it needs the proxy from npm (classroom/package.json), so it runs on
# its own command, which checks that first and says what to install.
HUB_TEST_COMMAND = ["-m", "pytest", "-p", "no:xdist", "tests/classroom_hub.py"]

# Keras must also run on PyTorch alone: the Keras notebooks run a second time with TensorFlow made unimportable.
KERAS_ON_TORCH_ENV = {
    **TEST_ENV,
    "KERAS_BACKEND": "torch",
    "PYTHONPATH": os.pathsep.join([str(ROOT / "tools" / "no_tensorflow"), os.environ.get("PYTHONPATH", "")]),
}


def keras_notebooks() -> list[str]:
    """The notebooks whose setup cell asks for Keras (``helpers.setup(..., keras=True)``); JupyterLab's
    ``.ipynb_checkpoints`` copies are a learner's own work, never tested."""
    chosen = []
    for path in sorted((ROOT / "notebooks").glob("**/[0-9][0-9]*_*.ipynb")):
        if ".ipynb_checkpoints" in path.relative_to(ROOT).parts:
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if len(cells) > 2 and "keras=True" in "".join(cells[2]["source"]):
            chosen.append(str(path.relative_to(ROOT)))
    return chosen


# The slide tests that drive Chromium carry this mark (tests/conftest.py); without Chromium they are left out.
BROWSER_MARK = "needs_chromium"
FIND_CHROMIUM = (
    "from tools.slides.chromium import ChromiumNotFoundError, find_chromium\n"
    "try:\n    find_chromium()\nexcept ChromiumNotFoundError as error:\n    print(error)\n    raise SystemExit(1)"
)


def chromium_problem() -> str | None:
    """Why Chromium cannot be used (with how to install it), or None when it is found."""
    found = subprocess.run([str(PYTHON), "-c", FIND_CHROMIUM], cwd=ROOT, capture_output=True, text=True)
    return None if found.returncode == 0 else (found.stdout + found.stderr).strip()


def browser_tests_left_out() -> list[str]:
    """Extra pytest arguments for the whole suite: none with Chromium; without it, the browser tests are left
    out, after saying which and how to get Chromium (before the run starts, not as failures at its end)."""
    problem = chromium_problem()
    if problem is None:
        return []
    print(
        f"Chromium was not found, so the tests marked {BROWSER_MARK} will not run (slide decks, the website and "
        f"JupyterLab seen in a browser: tests/test_slides*.py, test_book.py, test_lab.py); everything else will."
        f"\n{problem}\n",
        flush=True,
    )
    return ["-m", f"not {BROWSER_MARK}"]


# JupyterLab as the course starts it (see tools/lab/__init__.py): its settings (no news pop-up, no update check) and a
# style-only extension that aligns Persian cells, beside the learner's own configuration, which still applies.
LAB_DIR = ROOT / "tools" / "lab"
LAB_OPTIONS = [
    f"--LabApp.app_settings_dir={LAB_DIR / 'settings'}",
    f"--LabApp.extra_labextensions_path={LAB_DIR / 'labextensions'}",
]


# COURSE_INSTALL=small: CPU-only PyTorch wheels and no TensorFlow (Keras then runs on PyTorch): about 2 GB, not 8.
INSTALL_ENV = "COURSE_INSTALL"
PYTORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def small_install() -> bool:
    value = os.environ.get(INSTALL_ENV, "").strip().lower()
    if value not in ("", "full", "small"):
        sys.exit(f"error: {INSTALL_ENV} must be 'small' or 'full', got {value!r}")
    return value == "small"


def split_requirements(text: str) -> tuple[list[str], list[str]]:
    """(PyTorch's lines, every other line but TensorFlow's): what a small install takes from where."""
    torch_lines, other_lines = [], []
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].strip()
        name = requirement.split(";", 1)[0].replace(" ", "").split("<")[0].split(">")[0].split("=")[0].lower()
        if not requirement or name == "tensorflow":
            continue
        (torch_lines if name in ("torch", "torchvision") else other_lines).append(requirement)
    return torch_lines, other_lines


def install_fingerprint() -> str:
    digest = hashlib.sha256(b"small" if small_install() else b"full")
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def python_version_problem(version: tuple[int, int]) -> str | None:
    """Why this Python cannot run the course (None if it can); printed before anything is installed."""
    shown = ".".join(map(str, version))
    if version < OLDEST_PYTHON:
        oldest = ".".join(map(str, OLDEST_PYTHON))
        return f"the course needs Python {oldest} or newer, this is {shown}. {OTHER_PYTHON}"
    if version > NEWEST_TESTED_PYTHON:
        return (
            f"Python {shown} is newer than the course is tested with (3.11 to 3.13): some packages, TensorFlow "
            f"first, may have no release for it yet. {OTHER_PYTHON}"
        )
    return None


def ensure_environment() -> None:
    """Create `.venv` and install the course into it, unless the same install is already there."""
    if STAMP.is_file() and STAMP.read_text() == install_fingerprint():
        return
    problem = python_version_problem(sys.version_info[:2])
    if problem and sys.version_info[:2] < OLDEST_PYTHON:
        sys.exit(f"error: {problem}")
    if problem:
        print(f"warning: {problem}", flush=True)
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
    try:
        if small_install():
            torch_lines, other_lines = split_requirements((ROOT / "requirements.txt").read_text())
            subprocess.run([*pip, "--index-url", PYTORCH_CPU_INDEX, *torch_lines], check=True)
            subprocess.run([*pip, *other_lines], check=True)
        else:
            subprocess.run([*pip, "-r", str(ROOT / "requirements.txt")], check=True)
        subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    except subprocess.CalledProcessError:
        sys.exit(f"error: installing the course's packages failed (pip's messages are above). {OTHER_PYTHON}")
    STAMP.write_text(install_fingerprint())


def run_in_venv(arguments: list[str], extra_env: dict[str, str] | None = None) -> int:
    return subprocess.run([str(PYTHON), *arguments], cwd=ROOT, env={**os.environ, **(extra_env or {})}).returncode


def main(argv: list[str]) -> int:
    commands = ("lab", "test", "slides", "book", "full-run", "bench", "sync", "mirror", "practice", "hub")
    if argv and argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if not argv or argv[0] not in commands:
        if argv:
            print(f"error: unknown command {argv[0]!r}; the commands are {', '.join(commands)}")
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_environment()
    if command == "lab":
        return run_in_venv(["-m", "jupyter", "lab", "--notebook-dir", str(ROOT / "notebooks"), *LAB_OPTIONS, *rest])
    if command == "test":
        code = run_in_venv([*TEST_COMMAND, *(rest or browser_tests_left_out())], TEST_ENV)
        if code == 5:
            print("pytest collected no tests: treating that as a failure")
            return 1
        if code or rest:
            return code
        print("The Keras notebooks again, on the PyTorch backend, with TensorFlow blocked:", flush=True)
        return run_in_venv([*TEST_COMMAND, *keras_notebooks()], KERAS_ON_TORCH_ENV)
    if command == "slides":
        return run_in_venv(["-m", "tools.slides", *rest])
    if command == "book":
        return run_in_venv(["-m", "tools.book", *rest])
    if command == "full-run":
        return run_in_venv(["-m", "tools.run_notebooks", *rest])
    if command in ("mirror", "practice"):
        return run_in_venv(["-m", f"tools.classroom.{command}", *rest])
    if command == "hub":
        return run_in_venv(["-m", "tools.classroom.hub", "--check"]) or run_in_venv(
            [*HUB_TEST_COMMAND, *rest], TEST_ENV
        )
    if command == "bench":
        scripts = sorted(path.stem for path in (ROOT / "benchmarks").glob("[a-z]*.py"))
        return max((run_in_venv(["-m", f"benchmarks.{name}", *rest]) for name in scripts), default=0)
    return (
        run_in_venv(["-m", "tools.answer_key"])
        or run_in_venv(["-m", "tools.glossary"])
        or run_in_venv(["-m", "tools.notebook_sync"])
        or run_in_venv(["-m", "tools.readme_tables"])
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
