"""Decoded datasets kept as NumPy ``.npy`` files, so each dataset is decoded once, not in every notebook.

Each cached array has a small JSON stamp beside it (``name.npy.stamp.json``) recording what the array was built
from (the caller's ``key``: a source file's sha256, size and modification time, the photo size asked for...) and
the ``.npy`` file's own size and modification time. A cache whose stamp does not match, or a ``.npy`` that is
damaged, replaced or unreadable, is built again. Files are written atomically and read with
``allow_pickle=False``: they never hold Python objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .data import replaced_atomically

STAMP_SUFFIX = ".stamp.json"


def stamp_path(cache: Path) -> Path:
    """The stamp kept beside the cached array ``cache``.

    >>> stamp_path(Path("decoded/train.npy")).name
    'train.npy.stamp.json'
    """
    return cache.with_name(cache.name + STAMP_SUFFIX)


def cached_array(cache: Path, key: dict, build: Callable[[], np.ndarray]) -> np.ndarray:
    """The array ``build()`` returns, read from ``cache`` when its stamp matches ``key``, else built and saved."""
    array = _read(cache, key)
    if array is None:
        array = build()
        _write(array, cache, key)
    return array


def _read(cache: Path, key: dict) -> np.ndarray | None:
    """The cached array if its stamp matches ``key`` and the ``.npy`` file itself; None otherwise."""
    try:
        recorded = json.loads(stamp_path(cache).read_text(encoding="utf-8"))
        status = cache.stat()
        if not isinstance(recorded, dict) or recorded.get("key") != key:
            return None
        if recorded.get("npy_size") != status.st_size or recorded.get("npy_mtime_ns") != status.st_mtime_ns:
            return None
        array = np.load(cache, allow_pickle=False)
    except (OSError, ValueError, EOFError):  # missing, unreadable, not JSON, not a .npy, or an object array
        return None
    if not isinstance(array, np.ndarray) or list(array.shape) != recorded.get("shape"):
        return None
    if array.dtype.str != recorded.get("dtype"):
        return None
    return array


def _write(array: np.ndarray, cache: Path, key: dict) -> None:
    """Save ``array`` as ``cache``, then its stamp, each atomically; a cache that cannot be written is skipped."""
    try:
        with replaced_atomically(cache) as temporary:
            with open(temporary, "wb") as handle:
                np.save(handle, array, allow_pickle=False)
        status = cache.stat()
        record = {
            "key": key,
            "npy_size": status.st_size,
            "npy_mtime_ns": status.st_mtime_ns,
            "shape": list(array.shape),
            "dtype": array.dtype.str,
        }
        with replaced_atomically(stamp_path(cache)) as temporary:
            temporary.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only data folder: build every time
