"""What a folder holds, to prove nothing wrote into it: every file's size, modification time and sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

Snapshot = dict[str, tuple[int, int, str]]


def take(folder: Path) -> Snapshot:
    """{relative path: (bytes, modification time in ns, sha256)} for every file under ``folder``, and every folder."""
    held: Snapshot = {}
    for path in sorted(folder.rglob("*")):
        stat = path.stat()
        relpath = path.relative_to(folder).as_posix()
        if path.is_dir():
            held[relpath + "/"] = (0, stat.st_mtime_ns, "")
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        held[relpath] = (stat.st_size, stat.st_mtime_ns, digest.hexdigest())
    return held


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots, one line per path ('added', 'removed', 'changed')."""
    lines = [f"added {path}" for path in sorted(after.keys() - before.keys())]
    lines += [f"removed {path}" for path in sorted(before.keys() - after.keys())]
    lines += [f"changed {path}" for path in sorted(before.keys() & after.keys()) if before[path] != after[path]]
    return lines
