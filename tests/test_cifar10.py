"""helpers.cifar10 on the real archive (through the data layer), on small fake archives, and the tar content check."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import cifar10, data
from tests.conftest import load_real_data


def jpeg(size: int = 32, value: int = 128) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (value, 255 - value, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def write_tar(path: Path, members: dict[str, bytes], top: str, mtime: int = 0, level: int = 9) -> Path:
    """A .tar.gz with ``members`` under the folder ``top``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=level) as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size, info.mtime = len(content), mtime
            archive.addfile(info, io.BytesIO(content))
    path.write_bytes(buffer.getvalue())
    return path


def test_tar_content_checksum_ignores_the_top_folder_and_the_packing(tmp_path):
    members = {"test/cat/0000.jpg": b"cat", "train/dog/0000.jpg": b"dog", "README.md": b"readme"}
    plain = write_tar(tmp_path / "a.tar.gz", members, "CIFAR-10-images")
    from_github = write_tar(tmp_path / "b.tar.gz", members, "CIFAR-10-images-d7d0561", mtime=10**9, level=1)
    assert plain.read_bytes() != from_github.read_bytes()
    assert data.tar_content_sha256(plain, "*/*/*.jpg") == data.tar_content_sha256(from_github, "*/*/*.jpg")
    for changed in ({**members, "test/cat/0000.jpg": b"cat!"}, {"test/cow/0000.jpg": b"cat", **members}):
        other = write_tar(tmp_path / "c.tar.gz", changed, "CIFAR-10-images")
        assert data.tar_content_sha256(other, "*/*/*.jpg") != data.tar_content_sha256(plain, "*/*/*.jpg")
    assert data.content_sha256(plain, "*") == data.tar_content_sha256(plain, "*")


@pytest.fixture
def fake_archive(data_home, tmp_path, monkeypatch):
    """Serve a small archive from a mirror, registered by its contents as the real one is; returns a writer."""
    mirror = tmp_path / "mirror"
    (mirror / "cifar10").mkdir(parents=True)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))

    def make(members: dict[str, bytes]) -> Path:
        path = write_tar(mirror / cifar10.ARCHIVE, members, "CIFAR-10-images")
        record = {"dataset": "cifar10", "urls": [], "content_glob": "*/*/*.jpg"}
        record["content_sha256"] = data.tar_content_sha256(path, record["content_glob"])
        registry = tmp_path / "registry.json"
        registry.write_text(json.dumps({"datasets": {"cifar10": {}}, "files": {cifar10.ARCHIVE: record}}))
        monkeypatch.setattr(data, "REGISTRY_PATH", registry)
        return path

    return make


def test_read_images_takes_the_first_images_of_every_class(fake_archive):
    members = {
        cifar10.member_name(split, label, index): jpeg(value=20 * label + index)
        for split in ("test", "train")
        for label in range(10)
        for index in range(3)
    }
    fake_archive(members)
    images, labels = cifar10.read_images("test", per_class=2)
    assert images.shape == (20, 32, 32, 3) and images.dtype == np.uint8
    assert labels.tolist() == [label for label in range(10) for _ in range(2)]
    expected_red = [20 * label + index for label in range(10) for index in range(2)]
    assert np.abs(images[:, 16, 16, 0].astype(int) - expected_red).max() <= 3  # JPEG rounding only


def test_missing_or_wrongly_sized_images_are_errors(fake_archive):
    fake_archive({cifar10.member_name("test", label, 0): jpeg() for label in range(9)})
    with pytest.raises(data.DataError, match="lacks 1 of the wanted images, for example test/truck/0000.jpg"):
        cifar10.read_images("test", per_class=1)
    fake_archive({cifar10.member_name("test", label, 0): jpeg(size=33 if label == 4 else 32) for label in range(10)})
    with pytest.raises(data.DataError, match="deer/0000.jpg is"):
        cifar10.read_images("test", per_class=1)


def test_a_damaged_archive_fails_its_content_check(fake_archive, tmp_path):
    path = fake_archive({cifar10.member_name("test", 0, 0): jpeg()})
    record = data.file_record(cifar10.ARCHIVE)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(data.ChecksumError):
        data.verify(path, record)


def test_member_names_are_checked():
    assert cifar10.member_name("train", 9, 4999) == "train/truck/4999.jpg"
    for split, label, index in [("valid", 0, 0), ("test", 10, 0), ("test", 0, 1000), ("train", 0, -1)]:
        with pytest.raises(ValueError):
            cifar10.member_name(split, label, index)


def test_the_real_archive_holds_60000_images_6000_per_class():
    counts = load_real_data(cifar10.count_images, "CIFAR-10")
    assert counts == {split: dict.fromkeys(cifar10.CLASSES, per_class) for split, per_class in cifar10.SPLITS.items()}


def test_real_images_are_32x32_colour_photos():
    images, labels = load_real_data(lambda: cifar10.read_images("test", per_class=3), "CIFAR-10")
    assert images.shape == (30, 32, 32, 3) and labels.tolist() == np.repeat(np.arange(10), 3).tolist()
    assert all(image.std() > 10 for image in images), "a blank image"
    assert len({image.tobytes() for image in images}) == 30, "two images are the same"
    colour_spread = np.abs(images[..., 0].astype(int) - images[..., 2]).mean()
    assert colour_spread > 5, "the images look grayscale"
