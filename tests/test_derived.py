"""The derived-array cache: reused while its stamp holds, rebuilt with a message naming the file otherwise."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from helpers import derived

IMAGES = np.arange(4 * 8 * 8, dtype=np.uint32).reshape(4, 8, 8).astype(np.uint8)
MADE_FROM = {"source": {"file": "x.gz", "sha256": "ab" * 32}, "size": 8}


@pytest.fixture
def cache(tmp_path: Path):
    """The cache file, a counter of the builds, and a loader that runs derived_arrays on them."""
    path = tmp_path / "cache" / "images.npz"
    builds = []

    def load(made_from: dict = MADE_FROM) -> np.ndarray:
        return derived.derived_arrays(path, made_from, lambda: builds.append(1) or {"images": IMAGES.copy()})["images"]

    load()
    return path, builds, load


def keep_time(path: Path, change) -> None:
    """Apply ``change`` to ``path`` and give it back its modification time, as silent damage would."""
    status = path.stat()
    change(path)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def rewrite_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """A well-formed file holding ``arrays`` under the original stamp (what a stale copy or a bad copy looks like)."""
    with np.load(path) as stored:
        stamp = stored[derived.STAMP]
    np.savez(path, **arrays, **{derived.STAMP: stamp})


def test_the_arrays_are_built_once_then_read(cache, tmp_path):
    path, builds, load = cache
    np.testing.assert_array_equal(load(), IMAGES)
    assert builds == [1] and path.is_file()
    with np.load(path, allow_pickle=False) as stored:
        stamp = json.loads(stored[derived.STAMP].tobytes())
    assert stamp["made_from"] == MADE_FROM
    assert stamp["sha256"] == derived.arrays_sha256({"images": IMAGES})
    assert not list(tmp_path.rglob("*.part")), "no temporary file is left behind"


def test_other_sources_rebuild_the_arrays_and_say_so(cache, capsys):
    path, builds, load = cache
    load({**MADE_FROM, "source": {"file": "x.gz", "sha256": "cd" * 32}})
    assert len(builds) == 2
    assert (
        capsys.readouterr().err
        == f"rebuilding {path}: it was built from something else (another source file, model or setting)\n"
    )


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-100])


def _garble_keeping_the_size(path: Path) -> None:
    path.write_bytes(b"PK" + b"\xff" * (path.stat().st_size - 2))


def _change_64_pixels(path: Path) -> None:
    wrong = IMAGES.copy()
    wrong.reshape(-1)[:64] += 1
    rewrite_arrays(path, {"images": wrong})


def _all_zeros(path: Path) -> None:
    rewrite_arrays(path, {"images": np.zeros_like(IMAGES)})


def _object_array(path: Path) -> None:
    rewrite_arrays(path, {"images": np.array([{"a": 1}], dtype=object)})


def _no_stamp(path: Path) -> None:  # a file from before stamps, or written by other code
    np.savez(path, images=np.zeros_like(IMAGES))


def _not_a_zip(path: Path) -> None:
    path.write_text("not an array")


@pytest.mark.parametrize(
    "damage",
    [_truncate, _garble_keeping_the_size, _change_64_pixels, _all_zeros, _object_array, _no_stamp, _not_a_zip],
)
def test_a_damaged_file_is_rebuilt_with_a_message_naming_it(cache, capsys, damage):
    path, builds, load = cache
    keep_time(path, damage)
    capsys.readouterr()
    np.testing.assert_array_equal(load(), IMAGES)
    assert len(builds) == 2
    message = capsys.readouterr().err
    assert message.startswith(f"rebuilding {path}: ") and message.count("\n") == 1, message
    np.testing.assert_array_equal(load(), IMAGES)
    assert len(builds) == 2, "the rebuilt file is read the next time"


def test_a_folder_that_cannot_be_written_means_building_every_time(tmp_path, monkeypatch):
    def refuse(target):
        raise PermissionError(f"read-only: {target}")

    monkeypatch.setattr(derived, "replaced_atomically", refuse)
    path = tmp_path / "images.npz"
    for _ in range(2):
        arrays = derived.derived_arrays(path, MADE_FROM, lambda: {"images": IMAGES})
        np.testing.assert_array_equal(arrays["images"], IMAGES)
    assert not path.exists()


def test_the_stamp_name_is_reserved(tmp_path):
    with pytest.raises(ValueError, match="reserved"):
        derived.derived_arrays(tmp_path / "x.npz", {}, lambda: {derived.STAMP: IMAGES})
