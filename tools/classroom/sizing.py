"""The sizing section of docs/classroom.md, written from measured hub runs (classroom/sizing.json).

    python -m tools.classroom.hub --learners 4 >> build/sizing.jsonl    # one run per class size
    python -m tools.classroom.sizing build/sizing.jsonl                 # store them and rewrite the section
    python -m tools.classroom.sizing                                    # rewrite the section from the stored runs

The per-learner limits and the class-of-100 estimate are derived from the stored numbers here, in one place, so the
page always says what the measurements imply.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import sys
from pathlib import Path

from helpers.course import REPO_ROOT

MEASURED = REPO_ROOT / "classroom" / "sizing.json"
DOCUMENT = REPO_ROOT / "docs" / "classroom.md"
SECTION = re.compile(r"(<!-- sizing:start -->\n).*?(<!-- sizing:end -->)", re.DOTALL)
# A limit leaves a quarter above the highest peak measured, rounded up to half a gigabyte.
HEADROOM = 1.25
CLASS_SIZE = 100
# The node the class-of-100 estimate is counted in: a common 16-core, 64 GB machine.
NODE_CORES, NODE_GB = 16, 64


def machine() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()}-core {platform.machine()}, {memory_gb:.0f} GB memory, shared with other work"


def store(lines: list[str], path: Path = MEASURED) -> dict:
    """Keep the runs (one JSON object per line, as the hub prints them) with the machine and the date."""
    record = {
        "machine": machine(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "runs": sorted((json.loads(line) for line in lines if line.strip()), key=lambda run: run["learners"]),
    }
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def per_learner(record: dict) -> dict[str, float]:
    """What one learner needs, from the highest peaks measured (MB), and the limits that implies (GB)."""
    kernel = max(run["peak_kernel_mb_max"] for run in record["runs"])
    server = max(run["peak_server_mb_max"] for run in record["runs"])
    mean = max(run["peak_kernel_mb_mean"] for run in record["runs"]) + server
    return {
        "kernel_mb": kernel,
        "server_mb": server,
        "peak_gb": (kernel + server) / 1024,
        "limit_gb": math.ceil((kernel + server) * HEADROOM / 512) / 2,
        "guarantee_gb": math.ceil(mean / 512) / 2,
    }


def section(record: dict) -> str:
    """The markdown between the sizing markers: the table, the limits and the estimate."""
    runs = record["runs"]
    rows = [
        "| learners at once | wall time, all notebooks | slowest learner | peak memory per kernel (highest, mean) "
        "| per server | failures | load before |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        rows.append(
            f"| {run['learners']} | {run['wall_s']:.0f} s | {run['slowest_learner_s']:.0f} s "
            f"| {run['peak_kernel_mb_max']} MB, {run['peak_kernel_mb_mean']} MB | {run['peak_server_mb_max']} MB "
            f"| {run['failures']} | {run['load_average_before']} |"
        )
    need = per_learner(record)
    first, last = runs[0], runs[-1]
    seconds_per_learner = last["wall_s"] / last["learners"]
    guarantee_cores = 0.5
    class_gb = CLASS_SIZE * need["guarantee_gb"]
    class_limit_gb = CLASS_SIZE * need["limit_gb"]
    cores = CLASS_SIZE * guarantee_cores
    nodes = max(math.ceil(class_gb / (NODE_GB - 4)), math.ceil(cores / NODE_CORES))
    text = f"""Measured on {record["date"]}, on this {record["machine"]} (the load average before each run is in the
table): JupyterHub as in the test, each learner logging in, pulling the course by link and running notebook 06 in
quick mode with one compute thread, all learners at once (`python -m tools.classroom.hub --learners N`). Peak memory
is the resident memory of each kernel with its child processes, and of each single-user server, sampled twice a
second.

{chr(10).join(rows)}

What it implies:

- **Memory per learner**: a kernel peaked at {need["kernel_mb"]} MB and a server at {need["server_mb"]} MB, so one
  learner running one notebook needs {need["peak_gb"]:.1f} GB. With a quarter of headroom: a **limit of
  {need["limit_gb"]:.1f} GB** and a **guarantee of {need["guarantee_gb"]:.1f} GB** per learner (the configurations in
  `classroom/` use these). Most of it is the two frameworks loaded at once (PyTorch and TensorFlow): the data of
  notebook 06 is small next to them. A learner with two notebooks open has two kernels; ask learners to shut a
  notebook's kernel down when they move on, or allow two kernels' worth.
- **CPU**: the notebooks train on the CPU with one thread each, so with more learners than cores they share the
  cores: {first["learners"]} learners took {first["wall_s"]:.0f} s together, {last["learners"]} took
  {last["wall_s"]:.0f} s, about {seconds_per_learner:.0f} s of this machine per learner's run. Every learner got
  through ({sum(run["failures"] for run in runs)} failures in all). A guarantee of half a core and a limit of one
  core per learner keep a class responsive while most learners read and a few train.

**A class of {CLASS_SIZE}** (an estimate from these numbers, for everyone working at once):

- **Without GPUs**: memory {class_gb:.0f} GB guaranteed ({CLASS_SIZE} x {need["guarantee_gb"]:.1f} GB), up to
  {class_limit_gb:.0f} GB if every learner reaches the limit; CPU {cores:.0f} cores guaranteed
  ({CLASS_SIZE} x {guarantee_cores}), {CLASS_SIZE} cores if every learner trains at the same moment. That is about
  {nodes} nodes of {NODE_CORES} cores and {NODE_GB} GB (4 GB each kept for the system), or one large server
  with {cores:.0f} or more cores and {class_gb:.0f} GB or more. On one core, a full-mode training notebook takes the
  minutes the README's table gives (measured with one or two threads on a 2-core CPU).
- **With GPU nodes**: the host memory per learner stays the same ({need["guarantee_gb"]:.1f} GB guaranteed, the
  frameworks load in the kernel either way) and the CPU need drops to what reading, plotting and data loading take,
  about half a core; the training notebooks (06 to 13) run several times faster. GPUs were not measured here: as a
  starting point, give the GPU profile to the learners who need it at a time rather than to all {CLASS_SIZE}, and
  size it by the GPU memory one kernel takes on your GPUs (`nvidia-smi` while a learner trains).
"""
    return text


def update_document(record: dict, document: Path = DOCUMENT) -> bool:
    text = document.read_text(encoding="utf-8")
    updated = SECTION.sub(lambda match: match[1] + section(record) + match[2], text)
    document.write_text(updated, encoding="utf-8")
    return updated != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=Path, nargs="?", help="JSON lines from tools.classroom.hub, to store first")
    args = parser.parse_args(argv)
    if args.runs:
        record = store(args.runs.read_text(encoding="utf-8").splitlines())
    else:
        record = json.loads(MEASURED.read_text(encoding="utf-8"))
    print("updated" if update_document(record) else "unchanged", DOCUMENT.relative_to(REPO_ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
