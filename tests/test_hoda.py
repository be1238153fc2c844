"""The Hoda readers: the real files decode to the published counts; malformed input gets a clear ValueError."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import data, hoda
from tests.conftest import load_real_data

needs_data = pytest.mark.usefixtures("hoda_files")


@pytest.fixture(scope="module")
def hoda_files():
    """Paths of the real files (fetched through the data layer): skipped only offline with no mirror."""
    from helpers.data import fetch

    return load_real_data(lambda: {split: fetch(name) for split, name in hoda.FILES.items()}, "the Hoda files")


def cdb_header(total: int, image_type: int = 0, width: int = 0, height: int = 0) -> bytearray:
    header = bytearray(hoda.HEADER_SIZE)
    struct.pack_into("<HBBBBI", header, 0, 2005, 8, 4, height, width, total)
    header[522] = image_type
    return header


def binary_record(label: int, image: np.ndarray) -> bytes:
    """Encode one variable-size binary record the way the CDB files do (white run first)."""
    rows = bytearray()
    for row in image:
        runs, ink, column = [], False, 0
        while column < len(row):
            end = column
            while end < len(row) and bool(row[end]) == ink:
                end += 1
            runs.append(end - column)
            column, ink = end, not ink
        rows += bytes(runs)
    height, width = image.shape
    return bytes([0xFF, label, width, height]) + struct.pack("<H", len(rows) + 6) + bytes(rows)


def make_cdb(images: list[np.ndarray], labels: list[int]) -> bytes:
    records = (binary_record(label, image) for label, image in zip(labels, images, strict=True))
    return bytes(cdb_header(len(images))) + b"".join(records)


def test_cdb_round_trip_of_a_synthetic_file():
    rng = np.random.default_rng(0)
    images = [(rng.random((h, w)) > 0.5).astype(np.uint8) * 255 for h, w in [(3, 4), (1, 1), (7, 2)]]
    decoded, labels, header = hoda.parse_cdb(make_cdb(images, [3, 0, 9]))
    assert header.total_records == 3 and labels.tolist() == [3, 0, 9]
    for original, image in zip(images, decoded, strict=True):
        np.testing.assert_array_equal(original, image)


def test_grayscale_fixed_size_records():
    raw = bytes(cdb_header(2, image_type=1, width=3, height=2))
    raw += bytes([0xFF, 4]) + struct.pack("<H", 10) + bytes(range(6))
    raw += bytes([0xFF, 5]) + struct.pack("<H", 10) + bytes(range(6, 12))
    images, labels, _ = hoda.parse_cdb(raw)
    assert labels.tolist() == [4, 5]
    np.testing.assert_array_equal(images[1], np.arange(6, 12).reshape(2, 3))


@needs_data
def test_official_test_set_has_2000_digits_per_class(hoda_files):
    images, labels, header = hoda.read_cdb(hoda_files["test"])
    assert (header.year, header.month, header.day) == (2005, 8, 4)
    assert len(images) == 20_000 and np.bincount(labels).tolist() == [2000] * 10
    assert header.letter_count[:10] == (2000,) * 10
    assert all(image.dtype == np.uint8 and set(np.unique(image)) <= {0, 255} for image in images[:500])


@needs_data
def test_remaining_samples_match_their_header_counts(hoda_files):
    images, labels, header = hoda.read_cdb(hoda_files["remaining"])
    assert len(images) == header.total_records == 22_352
    assert np.bincount(labels, minlength=10).tolist() == list(header.letter_count[:10])


@needs_data
def test_training_mat_has_6000_digits_per_class(hoda_files):
    images, labels = hoda.read_hoda_mat(hoda_files["train"])
    assert len(images) == 60_000 and np.bincount(labels).tolist() == [6000] * 10
    assert images[0].shape == (27, 20) and labels[0] == 6


def test_truncated_cdb_is_rejected():
    raw = make_cdb([np.full((4, 4), 255, np.uint8)] * 3, [1, 2, 3])
    for cut in (10, hoda.HEADER_SIZE - 1, hoda.HEADER_SIZE + 3, len(raw) - 1):
        with pytest.raises(ValueError):
            hoda.parse_cdb(raw[:cut])


def test_wrong_cdb_header_is_rejected():
    raw = bytearray(make_cdb([np.zeros((2, 2), np.uint8)], [1]))
    bad_month = bytearray(raw)
    bad_month[2] = 13
    bad_type = bytearray(raw)
    bad_type[522] = 7
    bad_start = bytearray(raw)
    bad_start[hoda.HEADER_SIZE] = 0x00
    for bad, message in [(bad_month, "date"), (bad_type, "image type"), (bad_start, "0xFF")]:
        with pytest.raises(ValueError, match=message):
            hoda.parse_cdb(bytes(bad))


def test_absurd_record_count_is_rejected_before_allocating():
    with pytest.raises(ValueError, match="records"):
        hoda.parse_cdb(bytes(cdb_header(4_000_000_000)))
    with pytest.raises(ValueError, match="bytes follow"):
        hoda.parse_cdb(bytes(cdb_header(500_000)) + b"\xff" * 100)


def test_runs_longer_than_the_row_are_rejected():
    raw = bytes(cdb_header(1)) + bytes([0xFF, 1, 2, 1]) + struct.pack("<H", 8) + bytes([3])
    with pytest.raises(ValueError, match="width"):
        hoda.parse_cdb(raw)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_crash_the_cdb_reader(raw):
    try:
        hoda.parse_cdb(raw)
    except ValueError:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_cdb_files_decode_or_raise_value_error(data):
    images = [np.full((3, 5), 255, np.uint8), np.eye(4, dtype=np.uint8) * 255]
    raw = bytearray(make_cdb(images, [7, 2]))
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    try:
        decoded, labels, _ = hoda.parse_cdb(bytes(raw[:cut]))
    except ValueError:
        return
    assert len(decoded) == len(labels) and all(image.ndim == 2 for image in decoded)


def mat_file(dims: tuple[int, int] = (2, 1), images: int = 2, compress: bool = True) -> bytes:
    """A small MAT v5 file shaped like Data_hoda_full.mat, built with scipy."""
    import io

    import scipy.io

    cells = np.empty((images, 1), dtype=object)
    for index in range(images):
        cells[index, 0] = np.full((3, 2), 255, np.uint8)
    buffer = io.BytesIO()
    scipy.io.savemat(
        buffer, {"Data": cells, "labels": np.arange(images, dtype=np.uint8).reshape(-1, 1)}, do_compression=compress
    )
    return buffer.getvalue()


@pytest.mark.parametrize("compress", [True, False])
def test_mat_round_trip(compress):
    images, labels = hoda.parse_hoda_mat(mat_file(compress=compress))
    assert labels.tolist() == [0, 1] and images[1].shape == (3, 2)


def test_mat_with_wrong_header_or_truncation_is_rejected():
    raw = mat_file()
    with pytest.raises(ValueError, match="MAT-file"):
        hoda.parse_hoda_mat(b"NOT A MAT" + raw[9:])
    for cut in (100, 140, len(raw) - 5):
        with pytest.raises(ValueError):
            hoda.parse_hoda_mat(raw[:cut])


def test_a_reserved_element_type_is_refused_before_scipy_reads_it():
    """scipy's MAT reader crashes the process on a reserved type code; the tag check refuses the file first."""
    raw = bytearray(mat_file(compress=False))
    assert raw[224:232] == bytes([2, 0, 0, 0, 6, 0, 0, 0])  # the first image's data: miUINT8, 6 bytes
    raw[224] = 11
    with pytest.raises(ValueError, match="type 11"):
        hoda.parse_hoda_mat(bytes(raw))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_mat_files_load_or_raise_value_error(data):
    raw = bytearray(mat_file(compress=data.draw(st.booleans())))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    try:
        images, labels = hoda.parse_hoda_mat(bytes(raw[: data.draw(st.integers(0, len(raw)))]))
    except ValueError:
        return
    assert len(images) == len(labels)


def test_fit_into_frame_keeps_the_aspect_ratio():
    tall = np.full((40, 8), 255, np.uint8)
    framed = hoda.fit_into_frame(tall, size=28, box=20)
    rows, columns = np.nonzero(framed)
    assert framed.shape == (28, 28)
    assert rows.max() - rows.min() + 1 == 20 and columns.max() - columns.min() + 1 == 4
    assert hoda.stretch_to_frame(tall).min() == 255  # stretching fills the whole frame


def test_resizing_rejects_bad_images():
    with pytest.raises(ValueError, match="2-D"):
        hoda.fit_into_frame(np.zeros((2, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        hoda.fit_into_frame(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="box"):
        hoda.fit_into_frame(np.zeros((2, 2), np.uint8), size=10, box=20)


def test_split_names_and_persian_digits():
    with pytest.raises(ValueError, match="split"):
        hoda.load_hoda_raw("validation")
    assert "".join(hoda.persian_digit(d) for d in range(10)) == "۰۱۲۳۴۵۶۷۸۹"
    with pytest.raises(ValueError):
        hoda.persian_digit(10)


# The decoded cache of load_hoda_raw, on a small fake test split served from a mirror folder.


@pytest.fixture
def fake_hoda(data_home, registry, tmp_path, monkeypatch):
    """A three-digit test split in a mirror, registered with its checksum; returns its digits and the decodings."""
    mirror = tmp_path / "mirror"
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    digits = [np.full((4, 3), 255, np.uint8), np.zeros((2, 5), np.uint8), np.eye(3, dtype=np.uint8) * 255]
    content = make_cdb(digits, [3, 0, 9])
    (mirror / "hoda").mkdir(parents=True)
    (mirror / hoda.FILES["test"]).write_bytes(content)
    registry({hoda.FILES["test"]: (content, [])})
    decodings = []
    real_read = hoda.read_cdb
    monkeypatch.setattr(hoda, "read_cdb", lambda path: decodings.append(path) or real_read(path))
    return digits, decodings


def test_load_hoda_raw_decodes_once_and_keeps_the_sizes(fake_hoda):
    digits, decodings = fake_hoda
    for _ in range(2):
        images, labels = hoda.load_hoda_raw("test")
        assert labels.tolist() == [3, 0, 9]
        for expected, image in zip(digits, images, strict=True):
            np.testing.assert_array_equal(image, expected)
    assert len(decodings) == 1, "the second call read the cache"


def test_a_damaged_hoda_cache_is_decoded_again(fake_hoda, data_home, capsys):
    digits, decodings = fake_hoda
    hoda.load_hoda_raw("test")
    cache = (data_home / hoda.FILES["test"]).with_suffix(".npz")
    with np.load(cache) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["labels"] = np.array([3, 0, 8], arrays["labels"].dtype)  # one wrong label, the file well-formed
    np.savez(cache, **arrays)
    _, labels = hoda.load_hoda_raw("test")
    assert labels.tolist() == [3, 0, 9] and len(decodings) == 2
    assert f"rebuilding {cache}" in capsys.readouterr().err


@needs_data
def test_the_cached_test_split_equals_the_file(hoda_files):
    images, labels = hoda.load_hoda_raw("test")
    expected, expected_labels, _ = hoda.read_cdb(hoda_files["test"])
    np.testing.assert_array_equal(labels, expected_labels)
    assert all(np.array_equal(a, b) for a, b in zip(images, expected, strict=True))
