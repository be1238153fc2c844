"""The cats-vs-dogs loader: deterministic order, labels, subsets, resizing, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import cats_and_dogs


@pytest.fixture
def fake_folder(tmp_path: Path) -> Path:
    """A tiny stand-in for the archive: 12 cats and 12 dogs per split, numbered out of order on disk."""
    for split in ("train", "validation"):
        for name, colour in (("cat", (200, 0, 0)), ("dog", (0, 0, 200))):
            folder = tmp_path / split / f"{name}s"
            folder.mkdir(parents=True)
            for number in (10, 2, 1, 0, 11, 3, 4, 5, 6, 7, 8, 9):
                Image.new("RGB", (40 + number, 30), colour).save(folder / f"{name}.{number}.jpg")
    return tmp_path


def test_files_are_sorted_by_number_cats_first(fake_folder):
    paths, labels = cats_and_dogs.list_files("train", folder=fake_folder)
    names = [p.name for p in paths]
    assert names[:3] == ["cat.0.jpg", "cat.1.jpg", "cat.2.jpg"] and names[11] == "cat.11.jpg"
    assert names[12] == "dog.0.jpg"
    assert labels.tolist() == [0] * 12 + [1] * 12


def test_per_class_takes_the_first_of_each_class(fake_folder):
    paths, labels = cats_and_dogs.list_files("validation", per_class=2, folder=fake_folder)
    assert [p.name for p in paths] == ["cat.0.jpg", "cat.1.jpg", "dog.0.jpg", "dog.1.jpg"]
    assert labels.tolist() == [0, 0, 1, 1]


def test_bad_arguments_are_explained(fake_folder):
    with pytest.raises(ValueError, match="split must be one of"):
        cats_and_dogs.list_files("test", folder=fake_folder)
    with pytest.raises(ValueError, match="only 12 exist"):
        cats_and_dogs.list_files("train", per_class=13, folder=fake_folder)
    with pytest.raises(FileNotFoundError, match="missing folder"):
        cats_and_dogs.list_files("train", folder=fake_folder / "nowhere")


def test_images_are_resized_and_centre_cropped(fake_folder):
    images, labels = cats_and_dogs.load_images("train", size=16, per_class=3, folder=fake_folder, progress=False)
    assert images.shape == (6, 16, 16, 3) and images.dtype == np.uint8
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert images[0, ..., 0].mean() > 150 and images[-1, ..., 2].mean() > 150, "cats red, dogs blue"


def test_load_photo_keeps_the_aspect_ratio(tmp_path: Path):
    photo = np.zeros((20, 60, 3), np.uint8)
    photo[:, 20:40] = 255  # a white centre third
    Image.fromarray(photo).save(tmp_path / "wide.png")
    crop = cats_and_dogs.load_photo(tmp_path / "wide.png", size=10)
    assert crop.shape == (10, 10, 3)
    assert crop.mean() > 200, "the centre crop of a wide photo is its middle"
    with pytest.raises(ValueError, match="size <= resize"):
        cats_and_dogs.load_photo(tmp_path / "wide.png", size=10, resize=5)


def test_the_real_archive_has_the_documented_counts(real_data):
    paths, labels = real_data(lambda: cats_and_dogs.list_files("validation"), "cats_and_dogs_filtered")
    assert len(paths) == 1000 and labels.sum() == 500
    assert paths[0].name == "cat.2000.jpg" and paths[-1].name == "dog.2499.jpg"


def test_decoded_photos_are_cached_as_npy_and_reused(fake_folder, tmp_path, monkeypatch):
    """load_images decodes once; later calls read the .npy (never a pickle); a damaged cache is rebuilt."""
    archive_root = tmp_path / "extracted" / "cats_and_dogs_filtered"
    archive_root.mkdir(parents=True)
    for split in ("train", "validation"):
        (archive_root / split).symlink_to(fake_folder / split)
    monkeypatch.setattr(cats_and_dogs, "root", lambda: archive_root)
    decoded = []
    real_load_photo = cats_and_dogs.load_photo
    monkeypatch.setattr(cats_and_dogs, "load_photo", lambda *a: decoded.append(a) or real_load_photo(*a))
    first, labels = cats_and_dogs.load_images("train", size=16, per_class=3, progress=False)
    cache = cats_and_dogs.decoded_cache_path("train", 16, 3, None)
    assert cache.is_file() and len(decoded) == 6
    again, labels_again = cats_and_dogs.load_images("train", size=16, per_class=3, progress=False)
    assert len(decoded) == 6 and np.array_equal(first, again) and np.array_equal(labels, labels_again)
    cache.write_bytes(b"not an array")
    rebuilt, _ = cats_and_dogs.load_images("train", size=16, per_class=3, progress=False)
    assert len(decoded) == 12 and np.array_equal(first, rebuilt)
    assert np.load(cache, allow_pickle=False).shape == (6, 16, 16, 3)
