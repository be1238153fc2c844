"""The cats-vs-dogs photos (``cats_and_dogs_filtered``): file lists with labels and resized arrays.

The archive holds 1,000 cats and 1,000 dogs for training and 500 of each for validation, laid out
as ``cats_and_dogs_filtered/{train,validation}/{cats,dogs}/cat.N.jpg``. Files are listed in a fixed
order (cats then dogs, each by their number N), so a subset such as "the first 100 of each class" is
the same on every machine. Labels: 0 = cat, 1 = dog.

>>> paths, labels = list_files("train", per_class=2)   # doctest: +SKIP
>>> [p.name for p in paths], labels.tolist()             # doctest: +SKIP
(['cat.0.jpg', 'cat.1.jpg', 'dog.0.jpg', 'dog.1.jpg'], [0, 0, 1, 1])
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm.auto import tqdm

from .data import extract, file_record
from .derived import derived_arrays
from .env import progress_bars

ARCHIVE = "cats_and_dogs_filtered.zip"
CLASSES = ("cat", "dog")
SPLITS = {"train": 1000, "validation": 500}  # images per class in each split
_NUMBER = re.compile(r"^(cat|dog)\.(\d+)\.jpg$")


def root() -> Path:
    """The extracted ``cats_and_dogs_filtered`` folder (fetched and unpacked on first use)."""
    return extract(ARCHIVE) / "cats_and_dogs_filtered"


def _number(path: Path) -> int:
    match = _NUMBER.match(path.name)
    if match is None:
        raise ValueError(f"unexpected file name {path.name!r} in {path.parent} (expected cat.N.jpg or dog.N.jpg)")
    return int(match.group(2))


def list_files(split: str, per_class: int | None = None, folder: Path | None = None) -> tuple[list[Path], np.ndarray]:
    """Paths and labels (0 cat, 1 dog) of one split, cats first, each class sorted by number.

    ``per_class`` keeps the first that many images of each class. ``folder`` replaces the
    extracted archive's folder (tests use a small fake one).

    >>> paths, labels = list_files("validation", per_class=3)   # doctest: +SKIP
    >>> len(paths), labels.tolist()                              # doctest: +SKIP
    (6, [0, 0, 0, 1, 1, 1])
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    if per_class is not None and per_class < 1:
        raise ValueError(f"per_class must be positive or None, got {per_class}")
    base = (folder or root()) / split
    paths: list[Path] = []
    labels: list[int] = []
    for label, name in enumerate(CLASSES):
        class_folder = base / f"{name}s"
        if not class_folder.is_dir():
            raise FileNotFoundError(f"missing folder {class_folder} (is {ARCHIVE} complete?)")
        found = sorted(class_folder.glob("*.jpg"), key=_number)
        if per_class is not None:
            if per_class > len(found):
                raise ValueError(f"asked for {per_class} {name}s in {split}, but only {len(found)} exist")
            found = found[:per_class]
        paths += found
        labels += [label] * len(found)
    return paths, np.asarray(labels, dtype=np.int64)


def load_photo(path: str | Path, size: int = 224, resize: int | None = None) -> np.ndarray:
    """One photo as a ``size`` x ``size`` x 3 uint8 array: shorter side scaled to ``resize``, centre crop.

    ``resize`` defaults to ``size`` (the whole shorter side is kept). ImageNet models are usually
    evaluated with ``resize=256, size=224``: a little border is cropped away, as in their training.

    >>> load_photo("cat.0.jpg", size=160).shape   # doctest: +SKIP
    (160, 160, 3)
    """
    resize = size if resize is None else resize
    if size < 1 or resize < size:
        raise ValueError(f"need 1 <= size <= resize, got size={size}, resize={resize}")
    with Image.open(path) as image:
        image = image.convert("RGB")
        width, height = image.size
        scale = resize / min(width, height)
        image = image.resize((max(resize, round(width * scale)), max(resize, round(height * scale))), Image.BICUBIC)
        width, height = image.size
        left, top = (width - size) // 2, (height - size) // 2
        return np.array(image.crop((left, top, left + size, top + size)), dtype=np.uint8)  # writable, for torch


def load_images(
    split: str,
    size: int = 224,
    per_class: int | None = None,
    resize: int | None = None,
    folder: Path | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """All photos of a split as uint8 arrays ``(N, size, size, 3)`` and their labels, in :func:`list_files` order.

    Decoding and resizing 3,000 JPEGs takes a while, so the result is saved once as a ``.npz`` file beside the
    extracted archive (:mod:`helpers.derived`: plain arrays, never a pickle, rebuilt when the archive's content
    checksum changes or the file is damaged) and read from there next time, by this notebook or another one.

    >>> images, labels = load_images("validation", size=224, per_class=10)   # doctest: +SKIP
    >>> images.shape, labels.shape                                            # doctest: +SKIP
    ((20, 224, 224, 3), (20,))
    """
    paths, labels = list_files(split, per_class=per_class, folder=folder)

    def decode() -> np.ndarray:
        bar = tqdm(paths, desc=f"{split} photos", disable=not (progress and progress_bars()))
        return np.stack([load_photo(path, size, resize) for path in bar])

    if folder is not None:
        return decode(), labels  # a learner's own folder: not cached
    made_from = {
        "archive": file_record(ARCHIVE).identity(),
        "files": hashlib.sha256("\n".join(path.name for path in paths).encode()).hexdigest(),
        "size": size,
        "resize": resize,
    }
    cache = decoded_cache_path(split, size, per_class, resize)
    return derived_arrays(cache, made_from, lambda: {"photos": decode()})["photos"], labels


def decoded_cache_path(split: str, size: int, per_class: int | None, resize: int | None) -> Path:
    """Where :func:`load_images` keeps one decoded split (beside the extracted archive, in the data cache)."""
    count = "all" if per_class is None else f"{per_class}-per-class"
    return root().parent / "decoded" / f"{split}_{size}px_resize{resize or size}_{count}.npz"
