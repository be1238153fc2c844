"""Arrays derived from the course's data (decoded images, resized photos, CNN codes), built once and kept.

:func:`derived_arrays` keeps the arrays a ``build()`` returns in one ``.npz`` file with a stamp inside it:

* ``made_from``: what the arrays were built from, as the caller describes it (a source file's registry
  checksum, the photo size asked for, the identity of the model that computed the codes...);
* ``sha256``: a digest of the arrays themselves (names, types, shapes and bytes).

A later call reads the file only if both still hold: a file built from other data, a damaged, truncated or
replaced file, or one that cannot be read at all is built again, with a one-line message naming it. Stamp and
arrays travel in one file written atomically, so no reader ever pairs a new file with an old stamp. Files are
read with ``allow_pickle=False``: they never hold Python objects. A folder that cannot be written only
means building every time.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .data import replaced_atomically

STAMP = "_stamp"  # the member holding the stamp, as JSON bytes; no array may use this name


def arrays_sha256(arrays: dict[str, np.ndarray]) -> str:
    """Digest of named arrays: each name, dtype, shape and bytes, in name order.

    >>> arrays_sha256({"a": np.zeros(2)}) == arrays_sha256({"a": np.zeros(2)})
    True
    >>> arrays_sha256({"a": np.zeros(2)}) == arrays_sha256({"a": np.zeros(2, np.float32)})
    False
    """
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name} {array.dtype.str} {array.shape}\n".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def derived_arrays(
    path: str | Path, made_from: dict[str, Any], build: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """The arrays ``build()`` returns, read from ``path`` when its stamp says they were built from ``made_from``
    and they are intact; otherwise built, saved there and returned.

    >>> codes = derived_arrays("build/codes.npz", {"model": "lite0"}, lambda: {"head": np.zeros(3)})  # doctest: +SKIP
    """
    path = Path(path)
    made_from = json.loads(json.dumps(made_from))  # the form it takes in the stamp (tuples become lists)
    arrays, problem = _read(path, made_from)
    if arrays is not None:
        return arrays
    if problem:
        print(f"rebuilding {path}: {problem}", file=sys.stderr, flush=True)
    arrays = build()
    if STAMP in arrays:
        raise ValueError(f"{STAMP!r} is reserved for the stamp; name the array otherwise")
    _write(path, made_from, arrays)
    return arrays


def _read(path: Path, made_from: dict[str, Any]) -> tuple[dict[str, np.ndarray] | None, str]:
    """The stored arrays, or None and why not ('' when there is simply no file yet)."""
    if not path.is_file():
        return None, ""
    try:
        with np.load(path, allow_pickle=False) as stored:
            if STAMP not in stored.files:
                return None, "it has no stamp saying what it was built from"
            stamp = json.loads(stored[STAMP].tobytes())
            if stamp.get("made_from") != made_from:
                return None, "it was built from something else (another source file, model or setting)"
            arrays = {name: stored[name] for name in stored.files if name != STAMP}
    except (OSError, ValueError, EOFError, KeyError, AttributeError, zipfile.BadZipFile) as error:
        return None, f"it cannot be read ({type(error).__name__}: {error})"
    if arrays_sha256(arrays) != stamp.get("sha256"):
        return None, "its contents changed after it was saved (damaged or replaced)"
    return arrays, ""


def _write(path: Path, made_from: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    stamp = json.dumps({"made_from": made_from, "sha256": arrays_sha256(arrays)}, sort_keys=True).encode()
    try:
        with replaced_atomically(path) as temporary, open(temporary, "wb") as out:
            np.savez(out, **arrays, **{STAMP: np.frombuffer(stamp, dtype=np.uint8)})
    except OSError:
        pass  # a read-only data folder: build every time
