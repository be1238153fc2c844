"""The IDX reader: the real MNIST test files decode correctly; malformed input gets a clear ValueError."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import mnist


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


def test_real_test_split():
    from helpers.data import DataError

    try:
        images, labels = mnist.load_mnist("test")
    except DataError as error:
        pytest.skip(f"MNIST unavailable: {error}")
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


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
