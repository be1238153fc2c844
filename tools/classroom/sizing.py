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
        "runs": sorted(
            (json.loads(line) for line in lines if line.strip()),
            key=lambda run: (run["mode"] != "quick", run["learners"]),
        ),
    }
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def per_learner(record: dict) -> dict[str, float]:
    """What one learner needs, from the highest peaks measured (MB), and the limits that implies (GB).

    The limit must allow a learner's kernel with all its libraries (resident memory: the first learner on a server
    or node is charged for them); the guarantee is what each learner adds where the libraries are already loaded:
    the kernel's unique memory with other learners running (quick mode), plus what full mode's larger data adds,
    plus their server.
    """
    runs = record["runs"]
    quick = [run for run in runs if run["mode"] == "quick"]
    kernel = max(run["peak_kernel_mb_max"] for run in runs)
    full_extra = kernel - max(run["peak_kernel_mb_max"] for run in quick)
    unique = max(run["peak_kernel_unique_mb_mean"] for run in quick) + full_extra
    server = max(run["peak_server_mb_max"] for run in runs)
    return {
        "kernel_mb": kernel,
        "full_extra_mb": full_extra,
        "unique_mb": unique,
        "server_mb": server,
        "peak_gb": (kernel + server) / 1024,
        "limit_gb": math.ceil((kernel + server) * HEADROOM / 512) / 2,
        "guarantee_gb": math.ceil((unique + server) / 512) / 2,
    }


def section(record: dict) -> str:
    """The markdown between the sizing markers: the table, the limits and the estimate."""
    runs = record["runs"]
    rows = [
        "| learners at once | mode | wall time, all notebooks | slowest learner | peak memory per kernel: resident "
        "(highest, mean) | unique (highest, mean) | per server | failures | load before |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        rows.append(
            f"| {run['learners']} | {run['mode']} | {run['wall_s']:.0f} s | {run['slowest_learner_s']:.0f} s "
            f"| {run['peak_kernel_mb_max']} MB, {run['peak_kernel_mb_mean']} MB "
            f"| {run['peak_kernel_unique_mb_max']} MB, {run['peak_kernel_unique_mb_mean']} MB "
            f"| {run['peak_server_mb_max']} MB | {run['failures']} | {run['load_average_before']} |"
        )
    need = per_learner(record)
    quick = [run for run in runs if run["mode"] == "quick"]
    busiest = quick[-1]
    # Core-seconds one learner's run took: with more learners than cores, the cores were busy throughout.
    cores_here = int(record["machine"].split("-core")[0])
    core_seconds = busiest["wall_s"] * min(cores_here, busiest["learners"]) / busiest["learners"]
    guarantee_cores = 0.5
    class_gb = CLASS_SIZE * need["guarantee_gb"]
    class_limit_gb = CLASS_SIZE * need["limit_gb"]
    cores = CLASS_SIZE * guarantee_cores
    nodes = max(math.ceil(class_gb / (NODE_GB - 4)), math.ceil(cores / NODE_CORES))
    shared_mb = max(run["peak_kernel_mb_mean"] - run["peak_kernel_unique_mb_mean"] for run in quick)
    full = [run for run in runs if run["mode"] == "full"]
    full_note = (
        " The last row is one learner alone in full mode (`--full`), which trains on the whole training set."
        if full
        else ""
    )
    text = f"""Measured on {record["date"]}, on this {record["machine"]} (the load average before each run is in the
table: other work ran at the same time, so the times are upper bounds). JupyterHub as in the test: each learner logs
in, pulls the course by link and runs notebook 06 in quick mode with one compute thread, all learners at once
(`python -m tools.classroom.hub --learners N`). A kernel's peak memory counts its child processes too, sampled twice
a second: *resident* is everything it has mapped, the frameworks' shared libraries included (what a learner alone
needs); *unique* is what belongs to that kernel alone (what each further learner adds where the libraries are
already loaded).{full_note}

{chr(10).join(rows)}

What it implies, per learner:

- **Memory**: a kernel peaked at {need["kernel_mb"]} MB resident ({need["full_extra_mb"]} MB of it more than in
  quick mode: full mode's data); with other learners running, about {shared_mb} MB of a kernel are libraries they
  share, so each learner adds about {need["unique_mb"]} MB (unique memory in quick mode, and what full mode adds);
  a server took {need["server_mb"]} MB. So a **limit of {need["limit_gb"]:.1f} GB** (the highest resident peak and a
  server, {need["peak_gb"]:.1f} GB, with a quarter of headroom) and a **guarantee of {need["guarantee_gb"]:.1f} GB**
  (what each learner adds, and a server); the configurations in `classroom/` use these. A learner with two
  notebooks open runs two kernels: ask learners to shut a kernel down when they move on to the next notebook.
- **Disk**: a learner's home held {busiest["learner_home_mb"]} MB after pulling the course and running notebook 06
  (the course's files and the data copied from the mirror); the 2 GiB volume in `classroom/values.yaml` leaves room
  for the other notebooks' data and the models learners save.
- **CPU**: every learner's run finished ({sum(run["failures"] for run in runs)} failures in all runs). With
  {busiest["learners"]} learners on {cores_here} cores, one learner's run of notebook 06 in quick mode took about
  {core_seconds:.0f} core-seconds. The notebooks train with one thread, so a **limit of one core** is all a learner
  can use; a **guarantee of {guarantee_cores} core** assumes that at most half the class trains at the same moment.

**A class of {CLASS_SIZE}**, an estimate from these numbers with everyone logged in at once:

- **Without GPUs**: {class_gb:.0f} GB of memory guaranteed ({CLASS_SIZE} x {need["guarantee_gb"]:.1f} GB), up to
  {class_limit_gb:.0f} GB if every learner reached the limit together; {cores:.0f} cores guaranteed, {CLASS_SIZE} if
  every learner trained at the same moment. That is about {nodes} nodes of {NODE_CORES} cores and {NODE_GB} GB (4 GB
  of each kept for the system), or one server with at least {cores:.0f} cores and {class_gb:.0f} GB. If all
  {CLASS_SIZE} press "run all" on notebook 06 in quick mode together on {cores:.0f} cores, each waits about
  {core_seconds * CLASS_SIZE / cores:.0f} s; a full-mode training notebook takes the minutes of the README's table
  (one or two threads of a 2-core CPU) when the learner has a core to themselves.
- **With GPU nodes**: the training moves to the GPU, so the CPU guarantee can stay at half a core for everyone and
  the training notebooks (06 to 13) run several times faster. Nothing was measured on a GPU here: CUDA's libraries
  add to each kernel's host memory, so run one learner on a GPU node (`python -m tools.classroom.hub --learners 1`
  reports the peaks) and set the GPU profile's memory limit from it; watch the GPU memory one kernel takes while it
  trains (`nvidia-smi`) to see how many learners can share one GPU, and offer the GPU profile to the learners who
  train at a time rather than to all {CLASS_SIZE}.
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
