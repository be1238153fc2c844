"""Read MNIST from its original IDX files, fetched and checksummed by :mod:`helpers.data`.

IDX is LeCun's format: a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian uint32 per dimension, then the values. The reader checks every
field against the file's real size before allocating anything.

Decoding the gzip files takes a noticeable fraction of a second, so :func:`load_mnist` keeps
each decoded array in a ``.npz`` file beside its ``.gz`` in the data cache (:mod:`helpers.derived`: its stamp
names the source's registry checksum and the array's digest, so a new source or a damaged copy is decoded
again).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from .data import fetch, file_record
from .derived import derived_arrays

# Mean and standard deviation of the 60,000 training images' pixels scaled to [0, 1]: notebook 06
# measures them (and asserts these rounded values); every MNIST model in the course standardises with them.
MEAN = 0.1307
STD = 0.3081

IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
FILES = {
    "train": ("mnist/train-images-idx3-ubyte.gz", "mnist/train-labels-idx1-ubyte.gz"),
    "test": ("mnist/t10k-images-idx3-ubyte.gz", "mnist/t10k-labels-idx1-ubyte.gz"),
}


def parse_idx(raw: bytes) -> np.ndarray:
    """Decode the bytes of one (uncompressed) IDX file into an array.

    >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]))
    array([7, 9], dtype=uint8)
    """
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError("not an IDX file: it must start with two zero bytes")
    type_code, ndim = raw[2], raw[3]
    if type_code not in IDX_TYPES:
        raise ValueError(f"IDX type code 0x{type_code:02x} is not one of {sorted(IDX_TYPES)}")
    if not 1 <= ndim <= 4:
        raise ValueError(f"IDX files here have 1 to 4 dimensions, this one says {ndim}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"IDX header needs {header} bytes, the file has {len(raw)}")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(IDX_TYPES[type_code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"IDX shape {shape} needs {expected:,} bytes of data, the file has {len(raw) - header:,}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx_gz(path: Path) -> np.ndarray:
    """Read a gzip-compressed IDX file."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read(200_000_000)  # MNIST's largest file is 47 MB uncompressed
    except (OSError, EOFError) as error:
        raise ValueError(f"{path} is not a readable gzip file: {error}") from error
    return parse_idx(raw)


def decoded_cache_path(source: Path) -> Path:
    """Where the decoded copy of the IDX file ``source`` (``name.gz``) is kept.

    >>> decoded_cache_path(Path("mnist/t10k-labels-idx1-ubyte.gz")).name
    't10k-labels-idx1-ubyte.npz'
    """
    return source.with_suffix(".npz")


def load_idx(relpath: str) -> np.ndarray:
    """Registry file ``relpath`` (a gzip-compressed IDX file), fetched, verified and decoded, with the decoded cache.

    >>> load_idx("mnist/t10k-labels-idx1-ubyte.gz")[:5]   # doctest: +SKIP
    array([7, 2, 1, 0, 4], dtype=uint8)
    """
    source = fetch(relpath)
    made_from = {"source": file_record(relpath).identity(), "reader": "idx"}
    return derived_arrays(decoded_cache_path(source), made_from, lambda: {"values": read_idx_gz(source)})["values"]


def load_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST ``split`` ('train': 60,000 or 'test': 10,000) as uint8 images (N, 28, 28) and labels (N,).

    >>> images, labels = load_mnist("test")   # doctest: +SKIP
    >>> images.shape, labels[:5]              # doctest: +SKIP
    ((10000, 28, 28), array([7, 2, 1, 0, 4], dtype=uint8))
    """
    if split not in FILES:
        raise ValueError(f"split must be one of {sorted(FILES)}, got {split!r}")
    images_file, labels_file = FILES[split]
    images, labels = load_idx(images_file), load_idx(labels_file)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"MNIST {split}: images {images.shape} and labels {labels.shape} do not match")
    return images, labels
