"""The cats-vs-dogs loader: deterministic order, labels, subsets, resizing, clear errors."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import cats_and_dogs, data
from helpers.derived import STAMP


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


def test_decoded_photos_are_cached_and_reused(fake_folder, tmp_path, monkeypatch):
    """load_images decodes once; later calls read the cache (never a pickle); a damaged cache is rebuilt."""
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
    with np.load(cache, allow_pickle=False) as stored:
        assert stored["photos"].shape == (6, 16, 16, 3)


def archive_of(colour: tuple[int, int, int]) -> bytes:
    """A small cats_and_dogs_filtered.zip: two photos per class and split, all of one colour."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for split in cats_and_dogs.SPLITS:
            for name in cats_and_dogs.CLASSES:
                for number in range(2):
                    photo = io.BytesIO()
                    Image.new("RGB", (20, 16), colour).save(photo, format="JPEG")
                    archive.writestr(f"cats_and_dogs_filtered/{split}/{name}s/{name}.{number}.jpg", photo.getvalue())
    return buffer.getvalue()


def test_a_new_archive_is_unpacked_and_decoded_again(data_home, tmp_path, monkeypatch):
    """The registry pins this archive by its contents (no sha256): the old cache was keyed on the missing sha256
    and the old extract() kept any folder, so a new archive's photos were never seen."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    registry_path = tmp_path / "registry.json"
    monkeypatch.setattr(data, "REGISTRY_PATH", registry_path)
    for colour in ((250, 250, 250), (0, 0, 0)):
        (mirror / cats_and_dogs.ARCHIVE).write_bytes(archive_of(colour))
        record = {
            "dataset": "test",
            "urls": [],
            "content_sha256": data.zip_content_sha256(mirror / cats_and_dogs.ARCHIVE, "*.jpg"),
            "content_glob": "*.jpg",
        }
        registry_path.write_text(json.dumps({"datasets": {"test": {}}, "files": {cats_and_dogs.ARCHIVE: record}}))
        photos, labels = cats_and_dogs.load_images("validation", size=8, per_class=2, progress=False)
        assert photos.shape == (4, 8, 8, 3) and labels.tolist() == [0, 0, 1, 1]
        assert abs(int(photos.mean()) - colour[0]) < 10, "the photos come from the archive the registry lists"
        with np.load(cats_and_dogs.decoded_cache_path("validation", 8, 2, None)) as stored:
            stamp = json.loads(stored[STAMP].tobytes())
        assert stamp["made_from"]["archive"]["content_sha256"] == record["content_sha256"]
