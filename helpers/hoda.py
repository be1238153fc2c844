"""Read the Hoda Persian handwritten digits: the CDB files, the MATLAB file, and a fixed frame.

Hoda (H. Khosravi and E. Kabir, 2007) ships its digits in two formats:

* **CDB**, the dataset's own binary format (``Test 20000.cdb``, ``RemainingSamples.cdb``). A
  1,024-byte header (little-endian): year (uint16), month, day, height, width (one byte each),
  the number of records (uint32), 128 per-label counts (uint32 each), the image type (0: binary,
  1: grayscale), a 256-byte comment and 245 reserved bytes. Each record then holds a start byte
  0xFF, the label, its width and height (only when the header's are 0, i.e. sizes vary), the
  record's byte count (uint16) and the pixels: for binary images each row is run-length encoded
  as alternating white and black run lengths (one byte each, starting with white) summing to the
  width; grayscale images store width x height raw bytes.
* **MATLAB v5** (``Data_hoda_full.mat``, the 60,000 training digits as the class.vision notebooks
  load them): a cell array ``Data`` of uint8 images and a ``labels`` vector.

The CDB reader checks every length against the bytes actually present before allocating, so a
truncated or hostile file raises a ``ValueError`` instead of exhausting memory; the MAT reader checks
the element tags (scipy's reader crashes on some malformed ones), leaves the rest of the format to
``scipy.io.loadmat`` and checks what it returns. The digits have
varying sizes; :func:`fit_into_frame` scales one into a fixed square without distorting it.

:func:`load_hoda_raw` decodes a split once and keeps the digits in a ``.npz`` file beside the source
(:mod:`helpers.derived`: rebuilt when the source's checksum changes or the file is damaged).
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .data import fetch, file_record
from .derived import derived_arrays

HEADER_SIZE = 1024
MAX_FILE_BYTES = 64 << 20  # the real files are 2-4 MB; anything far larger is not Hoda
MAX_RECORDS = 1_000_000
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
FILES = {
    "train": "hoda/Data_hoda_full.mat",
    "test": "hoda/Test 20000.cdb",
    "remaining": "hoda/RemainingSamples.cdb",
}


@dataclass(frozen=True)
class CdbHeader:
    """The fixed 1,024-byte header of a CDB file."""

    year: int
    month: int
    day: int
    height: int
    width: int
    total_records: int
    letter_count: tuple[int, ...]
    image_type: int
    comment: str


def persian_digit(label: int) -> str:
    """The Persian numeral for a digit label.

    >>> persian_digit(2)
    '۲'
    """
    if not 0 <= int(label) <= 9:
        raise ValueError(f"a digit label is 0..9, got {label}")
    return PERSIAN_DIGITS[int(label)]


def parse_cdb_header(raw: bytes) -> CdbHeader:
    """Decode and check the header of a CDB file.

    >>> header = bytearray(1024); header[0:2] = (2005).to_bytes(2, "little"); header[2:4] = b"\\x08\\x04"
    >>> parse_cdb_header(bytes(header)).year
    2005
    """
    if len(raw) < HEADER_SIZE:
        raise ValueError(f"a CDB file starts with a {HEADER_SIZE}-byte header, this one has {len(raw)} bytes")
    year, month, day, height, width, total = struct.unpack_from("<HBBBBI", raw, 0)
    counts = struct.unpack_from("<128I", raw, 10)
    image_type = raw[522]
    comment = raw[523:779].split(b"\0", 1)[0].decode("latin-1")
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"not a CDB header: date {year}-{month}-{day} is not a date")
    if image_type not in (0, 1):
        raise ValueError(f"CDB image type must be 0 (binary) or 1 (grayscale), got {image_type}")
    if (height == 0) != (width == 0):
        raise ValueError(f"CDB header gives one fixed side but not the other ({width}x{height})")
    if total > MAX_RECORDS:
        raise ValueError(f"CDB header claims {total:,} records, more than the {MAX_RECORDS:,} allowed")
    return CdbHeader(year, month, day, height, width, total, counts, image_type, comment)


def parse_cdb(raw: bytes) -> tuple[list[np.ndarray], np.ndarray, CdbHeader]:
    """Decode a whole CDB file: images (uint8, 0 background, 255 ink), labels and the header.

    Every length is checked against the bytes left before anything is allocated.

    >>> images, labels, header = parse_cdb(open("Test 20000.cdb", "rb").read())   # doctest: +SKIP
    >>> len(images), np.bincount(labels)[:3]                                       # doctest: +SKIP
    (20000, array([2000, 2000, 2000]))
    """
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"CDB data of {len(raw):,} bytes is over the {MAX_FILE_BYTES:,}-byte limit")
    header = parse_cdb_header(raw)
    # Each record needs at least 4 bytes (start, label, byte count), so the count is bounded by the size.
    if header.total_records * 4 > len(raw) - HEADER_SIZE:
        raise ValueError(
            f"CDB header claims {header.total_records:,} records but only {len(raw) - HEADER_SIZE:,} bytes follow it"
        )
    images: list[np.ndarray] = []
    labels = np.empty(header.total_records, dtype=np.uint8)
    offset = HEADER_SIZE
    for index in range(header.total_records):
        image, labels[index], offset = _parse_record(raw, offset, header, index)
        images.append(image)
    return images, labels, header


def _parse_record(raw: bytes, offset: int, header: CdbHeader, index: int) -> tuple[np.ndarray, int, int]:
    """One record starting at ``offset``: (image, label, offset of the next record)."""
    fixed = header.width > 0
    need = 4 if fixed else 6
    if offset + need > len(raw):
        raise ValueError(f"CDB record {index} is truncated: its header needs {need} bytes at offset {offset}")
    if raw[offset] != 0xFF:
        raise ValueError(f"CDB record {index} at offset {offset} does not start with 0xFF (found 0x{raw[offset]:02x})")
    label = raw[offset + 1]
    if fixed:
        width, height = header.width, header.height
        (byte_count,) = struct.unpack_from("<H", raw, offset + 2)
    else:
        width, height = raw[offset + 2], raw[offset + 3]
        (byte_count,) = struct.unpack_from("<H", raw, offset + 4)
    offset += need
    if label > 9:
        raise ValueError(f"CDB record {index} has label {label}; digits are 0..9")
    if width == 0 or height == 0:
        raise ValueError(f"CDB record {index} has an empty image ({width}x{height})")
    if header.image_type == 1:
        end = offset + width * height
        if end > len(raw):
            raise ValueError(f"CDB record {index} is truncated: its {width}x{height} grayscale pixels run past the end")
        image = np.frombuffer(raw, np.uint8, width * height, offset).reshape(height, width).copy()
        return image, label, end
    # Binary image: width and height are single bytes, so the image is at most 255x255.
    image = np.zeros((height, width), dtype=np.uint8)
    for row in range(height):
        column, ink = 0, False
        while column < width:
            if offset >= len(raw):
                raise ValueError(f"CDB record {index} is truncated in row {row}")
            run = raw[offset]
            offset += 1
            if column + run > width:
                raise ValueError(f"CDB record {index}, row {row}: runs add up to more than the width {width}")
            if ink:
                image[row, column : column + run] = 255
            column += run
            ink = not ink
    del byte_count  # stored for readers that skip records; decoding the runs finds the end anyway
    return image, label, offset


def read_cdb(path: str | Path) -> tuple[list[np.ndarray], np.ndarray, CdbHeader]:
    """Read a CDB file from disk (see :func:`parse_cdb`), refusing files over the size limit.

    >>> images, labels, header = read_cdb(helpers.fetch("hoda/Test 20000.cdb"))   # doctest: +SKIP
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{path} has {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a CDB file")
    return parse_cdb(path.read_bytes())


# MATLAB v5 data types. scipy's reader crashes the whole process (a segmentation fault, not an exception) on a
# reserved type code (8, 10, 11), so a learner's own file has its element tags checked before scipy reads it.
MAT_TYPES = {1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 14, 15, 16, 17, 18}
MI_MATRIX, MI_COMPRESSED = 14, 15
MAX_MAT_INFLATED = 256 << 20  # the training file inflates to about 60 MB


def check_mat_elements(data: bytes, offset: int = 128, end: int | None = None, depth: int = 0) -> None:
    """Raise ValueError unless every MAT v5 element tag in ``data[offset:end]`` has a known type and fits its bytes.

    Walks into matrices and (bounded) compressed elements. The tags' layout: a type and a byte count, or, for a
    small element, both packed in the first word with the data in the second.
    """
    end = len(data) if end is None else end
    if depth > 8:
        raise ValueError("MAT elements nested more than 8 deep")
    while offset < end:
        if offset + 8 > end:
            raise ValueError(f"MAT element tag at offset {offset} runs past the end")
        word, count = struct.unpack_from("<II", data, offset)
        small = word >> 16 != 0
        kind, start, count = (word & 0xFFFF, offset + 4, word >> 16) if small else (word, offset + 8, count)
        if kind not in MAT_TYPES or start + count > end or (small and count > 4):
            raise ValueError(f"MAT element at offset {offset}: type {kind}, {count:,} bytes; not a valid element")
        if kind == MI_COMPRESSED:
            inflater = zlib.decompressobj()
            try:
                inflated = inflater.decompress(data[start : start + count], MAX_MAT_INFLATED)
            except zlib.error as error:
                raise ValueError(f"MAT compressed element at offset {offset} is corrupt: {error}") from error
            if inflater.unconsumed_tail:
                raise ValueError(f"MAT element at offset {offset} inflates to more than {MAX_MAT_INFLATED:,} bytes")
            check_mat_elements(inflated, 0, None, depth + 1)
        elif kind == MI_MATRIX:
            check_mat_elements(data, start, start + count, depth + 1)
        # A small element fills 8 bytes; compressed elements are not padded; the others are padded to 8 bytes.
        offset = offset + 8 if small else start + count + (0 if kind == MI_COMPRESSED else -count % 8)


def parse_hoda_mat(raw: bytes) -> tuple[list[np.ndarray], np.ndarray]:
    """Images and labels from the bytes of ``Data_hoda_full.mat`` (a ``Data`` cell array and ``labels``).

    ``scipy.io.loadmat`` reads it (it never unpickles anything); what it returns is checked.

    >>> images, labels = parse_hoda_mat(open("Data_hoda_full.mat", "rb").read())   # doctest: +SKIP
    >>> len(images), images[0].shape, labels[0]                                     # doctest: +SKIP
    (60000, (27, 20), 6)
    """
    import scipy.io

    # The course's own copy is verified by its sha256 before it gets here; these checks are for a learner's
    # own file: a clear error, and no attempt to read something far larger than the real 4 MB file.
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"MAT data of {len(raw):,} bytes is over the {MAX_FILE_BYTES:,}-byte limit")
    if not raw.startswith(b"MATLAB 5.0 MAT-file"):
        raise ValueError("not a MATLAB 5.0 MAT-file (the 128-byte header is missing)")
    check_mat_elements(raw)
    try:
        contents = scipy.io.loadmat(io.BytesIO(raw), variable_names=["Data", "labels"])
    except Exception as error:  # scipy raises many types for malformed files
        raise ValueError(f"MAT file could not be read: {type(error).__name__}: {error}") from error
    if "Data" not in contents or "labels" not in contents:
        raise ValueError("the Hoda MAT file must hold variables 'Data' and 'labels'")
    cells, labels = contents["Data"], np.asarray(contents["labels"])
    if cells.dtype != object or labels.size != cells.size:
        raise ValueError(f"'Data' must be a cell array with one image per label, got {cells.dtype} {cells.shape}")
    labels = labels.reshape(-1)
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError("Hoda labels must be digits 0..9")
    images = []
    for index, cell in enumerate(cells.reshape(-1)):
        image = np.asarray(cell)
        if image.ndim != 2 or image.size == 0 or image.dtype != np.uint8:
            raise ValueError(f"image {index} must be a non-empty 2-D uint8 array, got {image.dtype} {image.shape}")
        images.append(image)
    return images, labels.astype(np.uint8)


def read_hoda_mat(path: str | Path) -> tuple[list[np.ndarray], np.ndarray]:
    """Read ``Data_hoda_full.mat`` from disk (see :func:`parse_hoda_mat`)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{path} has {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for the Hoda MAT file")
    return parse_hoda_mat(path.read_bytes())


def fit_into_frame(image: np.ndarray, size: int = 28, box: int = 20) -> np.ndarray:
    """Scale ``image`` so its longer side is ``box`` pixels, keeping its shape, and centre it in a ``size`` square.

    This is how MNIST was made (digits fitted into 20x20, centred in 28x28). Grey levels come
    from area averaging, so thin strokes stay visible. Input: 2-D uint8 with 0 background.

    >>> fit_into_frame(np.full((10, 2), 255, np.uint8)).shape
    (28, 28)
    """
    image = _check_image(image)
    if not 1 <= box <= size:
        raise ValueError(f"box must be between 1 and size ({size}), got {box}")
    height, width = image.shape
    scale = box / max(height, width)
    new_height, new_width = max(1, round(height * scale)), max(1, round(width * scale))
    resized = np.asarray(Image.fromarray(image).resize((new_width, new_height), Image.Resampling.BOX))
    frame = np.zeros((size, size), dtype=np.uint8)
    top, left = (size - new_height) // 2, (size - new_width) // 2
    frame[top : top + new_height, left : left + new_width] = resized
    return frame


def stretch_to_frame(image: np.ndarray, size: int = 28) -> np.ndarray:
    """Naive resizing: stretch ``image`` to fill a ``size`` square, whatever its shape (for comparison).

    >>> int(stretch_to_frame(np.full((10, 2), 255, np.uint8)).min())
    255
    """
    image = _check_image(image)
    return np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BOX))


def _check_image(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 2 or image.size == 0:
        raise ValueError(f"expected a non-empty 2-D image, got shape {image.shape}")
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    return image


def load_hoda_raw(split: str = "train") -> tuple[list[np.ndarray], np.ndarray]:
    """Hoda ``split`` at the digits' own sizes: a list of uint8 images and their labels.

    'train': the 60,000 digits of ``Data_hoda_full.mat``; 'test': the official 20,000-digit test
    set; 'remaining': the extra samples of ``RemainingSamples.cdb``.

    >>> images, labels = load_hoda_raw("test")   # doctest: +SKIP
    """
    if split not in FILES:
        raise ValueError(f"split must be one of {sorted(FILES)}, got {split!r}")
    path = fetch(FILES[split])

    def decode() -> dict[str, np.ndarray]:
        images, labels = read_hoda_mat(path) if split == "train" else read_cdb(path)[:2]
        return packed(images, labels)

    made_from = {"source": file_record(FILES[split]).identity(), "reader": "hoda"}
    return unpacked(derived_arrays(path.with_suffix(".npz"), made_from, decode))


def packed(images: list[np.ndarray], labels: np.ndarray) -> dict[str, np.ndarray]:
    """Digits of varying sizes as three arrays: all pixels in one row, each digit's (height, width), the labels.

    >>> packed([np.ones((2, 3), np.uint8)], np.array([5]))["shapes"].tolist()
    [[2, 3]]
    """
    pixels = np.concatenate([image.ravel() for image in images]) if images else np.zeros(0, np.uint8)
    return {"pixels": pixels, "shapes": np.array([image.shape for image in images], np.int64), "labels": labels}


def unpacked(arrays: dict[str, np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """The digits and labels :func:`packed` stored.

    >>> images, labels = unpacked(packed([np.ones((2, 3), np.uint8)], np.array([5])))
    >>> images[0].shape, labels.tolist()
    ((2, 3), [5])
    """
    ends = np.cumsum(arrays["shapes"].prod(axis=1)) if len(arrays["shapes"]) else np.zeros(0, np.int64)
    flat = np.split(arrays["pixels"], ends[:-1])
    return [part.reshape(shape) for part, shape in zip(flat, arrays["shapes"], strict=True)], arrays["labels"]
