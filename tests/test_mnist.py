"""The IDX reader: the real MNIST test files decode correctly; malformed input gets a clear ValueError;
the decoded arrays are cached (helpers.derived) beside the sources, reused, rebuilt when the source changes and
never served damaged."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import data, derived, mnist


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.dtype(mnist.IDX_TYPES[type_code])).tobytes()


def test_round_trip_of_small_arrays():
    images = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(mnist.parse_idx(idx_bytes(images)), images)
    big_endian = np.array([1, -2, 300], dtype=np.int32)
    decoded = mnist.parse_idx(idx_bytes(big_endian, 0x0C))
    np.testing.assert_array_equal(decoded, big_endian)
    assert decoded.dtype.isnative


def test_real_test_split(real_data):
    images, labels = real_data(lambda: mnist.load_mnist("test"), "MNIST")
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_cached_arrays_equal_the_decoded_files(real_data):
    for relpath in mnist.FILES["test"]:
        cached = real_data(lambda relpath=relpath: mnist.load_idx(relpath), "MNIST")
        assert mnist.decoded_cache_path(data.data_dir() / relpath).is_file()
        np.testing.assert_array_equal(cached, mnist.read_idx_gz(data.data_dir() / relpath))


def test_mean_and_std_are_the_training_pixels_statistics(real_data):
    images, _ = real_data(lambda: mnist.load_mnist("train"), "MNIST")
    scaled = images / 255.0
    assert round(float(scaled.mean()), 4) == mnist.MEAN
    assert round(float(scaled.std()), 4) == mnist.STD


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "two zero bytes"),
        (bytes([1, 0, 8, 1, 0, 0, 0, 1, 5]), "two zero bytes"),
        (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), "type code"),
        (bytes([0, 0, 8, 0]), "dimensions"),
        (bytes([0, 0, 8, 9]), "dimensions"),
        (bytes([0, 0, 8, 3, 0, 0]), "header"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 3, 5, 6]), "needs 3 bytes"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 1, 5, 6]), "needs 1 bytes"),
        # Absurd sizes: 2^32-1 cubed is never allocated, the length check fails first.
        (bytes([0, 0, 8, 3]) + b"\xff" * 12 + b"\0" * 10, "bytes of data"),
    ],
)
def test_malformed_idx_is_rejected(raw, message):
    with pytest.raises(ValueError, match=message):
        mnist.parse_idx(raw)


def test_truncated_gzip_is_rejected(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((5, 4), np.uint8)))[:-10])
    with pytest.raises(ValueError):
        mnist.read_idx_gz(path)


def test_unknown_split_is_rejected():
    with pytest.raises(ValueError, match="split"):
        mnist.load_mnist("validation")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_decode_or_raise_value_error(raw):
    try:
        array = mnist.parse_idx(raw)
    except ValueError:
        return
    assert array.size * array.dtype.itemsize <= len(raw)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_files_decode_or_raise_value_error(data):
    raw = bytearray(idx_bytes(np.arange(60, dtype=np.uint8).reshape(3, 4, 5)))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] = data.draw(st.integers(0, 255))
    try:
        array = mnist.parse_idx(bytes(raw[: data.draw(st.integers(0, len(raw)))]))
    except ValueError:
        return
    assert array.size <= 60


# The decoded-array cache, on a small fake MNIST test split served from a mirror folder.

FAKE_IMAGES = np.arange(3 * 28 * 28, dtype=np.uint32).reshape(3, 28, 28).astype(np.uint8)
FAKE_LABELS = np.array([7, 2, 1], dtype=np.uint8)


@pytest.fixture
def fake_mnist(data_home, registry, tmp_path, monkeypatch):
    """The test split as tiny IDX files in a mirror, registered with their checksums; returns a function that
    replaces them (new contents, a new registry record) and a counter of the decodings."""
    mirror = tmp_path / "mirror"
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    decodings = []
    real_read = mnist.read_idx_gz

    def counting_read(path: Path) -> np.ndarray:
        decodings.append(path.name)
        return real_read(path)

    monkeypatch.setattr(mnist, "read_idx_gz", counting_read)

    def publish(images: np.ndarray, labels: np.ndarray) -> None:
        files = {}
        for relpath, array in zip(mnist.FILES["test"], (images, labels), strict=True):
            content = gzip.compress(idx_bytes(array), mtime=0)
            (mirror / relpath).parent.mkdir(parents=True, exist_ok=True)
            (mirror / relpath).write_bytes(content)
            files[relpath] = (content, [])
        registry(files)

    publish(FAKE_IMAGES, FAKE_LABELS)
    return publish, decodings


def cache_files(cache: Path) -> list[Path]:
    return [mnist.decoded_cache_path(cache / relpath) for relpath in mnist.FILES["test"]]


def test_decoded_arrays_are_cached_beside_the_sources(fake_mnist, data_home):
    _, decodings = fake_mnist
    images, labels = mnist.load_mnist("test")
    np.testing.assert_array_equal(images, FAKE_IMAGES)
    np.testing.assert_array_equal(labels, FAKE_LABELS)
    assert len(decodings) == 2
    for cached in cache_files(data_home):
        assert cached.is_file() and cached.with_suffix(".gz").is_file()
        # Plain arrays, never a pickle: they load with pickles refused.
        with np.load(cached, allow_pickle=False) as stored:
            assert stored["values"].dtype == np.uint8


def test_the_cache_is_reused(fake_mnist):
    _, decodings = fake_mnist
    mnist.load_mnist("test")
    images, labels = mnist.load_mnist("test")
    assert len(decodings) == 2, "the second load read the cached arrays"
    np.testing.assert_array_equal(images, FAKE_IMAGES)
    np.testing.assert_array_equal(labels, FAKE_LABELS)


def test_a_changed_source_rebuilds_the_cache(fake_mnist, data_home):
    publish, decodings = fake_mnist
    mnist.load_mnist("test")
    # A new version of the files: new checksums in the registry, so the cached .gz is replaced from the mirror.
    publish(255 - FAKE_IMAGES, FAKE_LABELS[::-1].copy())
    images, labels = mnist.load_mnist("test")
    np.testing.assert_array_equal(images, 255 - FAKE_IMAGES)
    np.testing.assert_array_equal(labels, FAKE_LABELS[::-1])
    assert len(decodings) == 4


def test_a_touched_but_unchanged_source_is_checked_not_decoded_again(fake_mnist, data_home):
    _, decodings = fake_mnist
    mnist.load_mnist("test")
    source = data_home / mnist.FILES["test"][0]
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    images, _ = mnist.load_mnist("test")
    np.testing.assert_array_equal(images, FAKE_IMAGES)
    assert len(decodings) == 2, "the source was verified again and still has the registry's checksum"


def test_64_wrong_pixels_of_the_same_size_and_time_are_rebuilt(fake_mnist, data_home, capsys):
    """The old cache checked only the file's size and time, and served this damage silently."""
    _, decodings = fake_mnist
    mnist.load_mnist("test")
    cached = cache_files(data_home)[0]
    status = cached.stat()
    with np.load(cached) as stored:
        wrong, stamp = stored["values"].copy(), stored[derived.STAMP]
    wrong.reshape(-1)[:64] ^= 1
    np.savez(cached, values=wrong, **{derived.STAMP: stamp})
    assert cached.stat().st_size == status.st_size
    os.utime(cached, ns=(status.st_atime_ns, status.st_mtime_ns))
    images, _ = mnist.load_mnist("test")
    np.testing.assert_array_equal(images, FAKE_IMAGES)
    assert decodings[2:] == [cached.with_suffix(".gz").name]
    assert f"rebuilding {cached}" in capsys.readouterr().err
