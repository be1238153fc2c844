"""The data layer: cache, mirror, download, checksums, atomic writes, safe extraction, clear errors."""

from __future__ import annotations

import io
import json
import os
import socket
import time
import zipfile
from pathlib import Path

import pytest

from helpers import data

PAYLOAD = b"convolution " * 1000


def folder_listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) if folder.exists() else []


def test_download_is_verified_and_cached(data_home, registry, file_server):
    file_server.files["a.bin"] = PAYLOAD
    registry({"set/a.bin": (PAYLOAD, [f"{file_server.url}/a.bin"])})
    path = data.fetch("set/a.bin")
    assert path == data_home / "set" / "a.bin"
    assert path.read_bytes() == PAYLOAD
    assert data.fetch("set/a.bin") == path
    assert file_server.requests == ["a.bin"], "the second fetch must come from the cache"


def test_second_url_is_tried_when_the_first_fails(data_home, registry, file_server):
    file_server.files["good.bin"] = PAYLOAD
    registry({"a.bin": (PAYLOAD, [f"{file_server.url}/missing.bin", f"{file_server.url}/good.bin"])})
    assert data.fetch("a.bin").read_bytes() == PAYLOAD


def test_checksum_mismatch_on_download_leaves_nothing(data_home, registry, file_server):
    file_server.files["a.bin"] = PAYLOAD[:-1] + b"X"
    registry({"a.bin": (PAYLOAD, [f"{file_server.url}/a.bin"])})
    with pytest.raises(data.DataUnavailableError, match="expected"):
        data.fetch("a.bin")
    assert [name for name in folder_listing(data_home) if name != "."] == []


def test_truncated_download_is_rejected(data_home, registry, file_server):
    file_server.files["a.bin"] = PAYLOAD[:100]
    registry({"a.bin": (PAYLOAD, [f"{file_server.url}/a.bin"])})
    with pytest.raises(data.DataUnavailableError, match="bytes"):
        data.fetch("a.bin")
    assert folder_listing(data_home) == []


def test_interrupted_download_leaves_no_partial_file(data_home, registry, file_server):
    file_server.files["a.bin"] = PAYLOAD
    file_server.cut["a.bin"] = 500
    registry({"a.bin": (PAYLOAD, [f"{file_server.url}/a.bin"])})
    with pytest.raises(data.DataUnavailableError):
        data.fetch("a.bin")
    assert folder_listing(data_home) == []


def test_offline_without_mirror_or_cache_names_file_url_and_setting(data_home, registry):
    url = "http://127.0.0.1:9/a.bin"  # the discard port: nothing listens, the connection is refused
    registry({"set/a.bin": (PAYLOAD, [url])})
    with pytest.raises(data.DataUnavailableError) as error:
        data.fetch("set/a.bin")
    message = str(error.value)
    assert "set/a.bin" in message and url in message and data.MIRROR_ENV in message


def test_mirror_is_used_before_the_network(data_home, registry, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "set").mkdir(parents=True)
    (mirror / "set" / "a.bin").write_bytes(PAYLOAD)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    registry({"set/a.bin": (PAYLOAD, ["http://127.0.0.1:9/a.bin"])})
    assert data.availability("set/a.bin") == "mirror"
    assert data.fetch("set/a.bin").read_bytes() == PAYLOAD
    assert data.availability("set/a.bin") == "cache"


def test_corrupted_mirror_file_gives_a_clear_error_and_leaves_the_cache_alone(
    data_home, registry, tmp_path, monkeypatch
):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "a.bin").write_bytes(PAYLOAD[:-1] + b"X")
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    registry({"a.bin": (PAYLOAD, ["http://127.0.0.1:9/a.bin"])})
    with pytest.raises(data.ChecksumError, match="mirror copy is damaged"):
        data.fetch("a.bin")
    assert folder_listing(data_home) == []


def test_damaged_cache_copy_is_replaced(data_home, registry, file_server):
    file_server.files["a.bin"] = PAYLOAD
    registry({"a.bin": (PAYLOAD, [f"{file_server.url}/a.bin"])})
    data_home.mkdir()
    (data_home / "a.bin").write_bytes(PAYLOAD[:10])
    assert data.fetch("a.bin").read_bytes() == PAYLOAD


def test_cache_copy_damaged_in_place_is_caught_and_replaced(data_home, registry, file_server):
    """A cached copy is hashed once; a change of its size or modification time makes the next fetch hash it again."""
    file_server.files["a.bin"] = PAYLOAD
    registry({"a.bin": (PAYLOAD, [f"{file_server.url}/a.bin"])})
    cached = data.fetch("a.bin")
    assert file_server.requests == ["a.bin"]
    assert data.fetch("a.bin") == cached and file_server.requests == ["a.bin"], "a verified copy is not fetched again"
    damaged = bytearray(cached.read_bytes())
    damaged[5] ^= 0xFF  # same size, one byte flipped, written in place
    stat = cached.stat()
    cached.write_bytes(bytes(damaged))
    os.utime(cached, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert data.fetch("a.bin").read_bytes() == PAYLOAD
    assert file_server.requests == ["a.bin", "a.bin"], "the damaged copy was replaced by a new download"


def test_a_silent_server_is_given_up_quickly_and_named(data_home, registry, file_server, monkeypatch, capsys):
    """A network that accepts connections and never answers must not stall a notebook for minutes."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # the kernel accepts the connection; nobody ever reads or writes
    silent_url = f"http://127.0.0.1:{silent.getsockname()[1]}/a.bin"
    file_server.files["a.bin"] = PAYLOAD
    registry({"a.bin": (PAYLOAD, [silent_url, f"{file_server.url}/a.bin"])})
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT_S", 0.5)
    started = time.perf_counter()
    try:
        assert data.fetch("a.bin").read_bytes() == PAYLOAD
    finally:
        silent.close()
    assert time.perf_counter() - started < 10
    messages = capsys.readouterr().err
    assert f"downloading a.bin from {silent_url}" in messages and f"from {file_server.url}/a.bin" in messages


def test_unknown_file_lists_the_known_ones(data_home, registry):
    registry({"a.bin": (PAYLOAD, [])})
    with pytest.raises(ValueError, match="a.bin"):
        data.fetch("nope.bin")


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_extract_unpacks_once(data_home, registry, file_server):
    archive = make_zip({"pack/x.txt": b"x", "pack/sub/y.txt": b"y"})
    file_server.files["pack.zip"] = archive
    registry({"pack.zip": (archive, [f"{file_server.url}/pack.zip"])})
    folder = data.extract("pack.zip")
    assert (folder / "pack" / "sub" / "y.txt").read_bytes() == b"y"
    (folder / "pack" / "x.txt").write_bytes(b"kept")
    assert data.extract("pack.zip") == folder
    assert (folder / "pack" / "x.txt").read_bytes() == b"kept", "the same archive is not unpacked again"


def content_registry(path: Path, archive: bytes, monkeypatch) -> None:
    """A registry that pins only the archive's contents, as it does for cats_and_dogs_filtered.zip."""
    path.parent.mkdir(exist_ok=True)
    (path.parent / "archive.zip").write_bytes(archive)
    record = {
        "dataset": "test",
        "urls": [],
        "content_sha256": data.zip_content_sha256(path.parent / "archive.zip", "*"),
        "content_glob": "*",
    }
    path.write_text(json.dumps({"datasets": {"test": {}}, "files": {"pack.zip": record}}))
    monkeypatch.setattr(data, "REGISTRY_PATH", path)


def test_extract_unpacks_again_when_the_archive_contents_change(data_home, tmp_path, monkeypatch, capsys):
    """The old extract() reused any folder it found, so a new archive's photos never arrived."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    for version in (b"old", b"new"):
        archive = make_zip({"pack/x.txt": version})
        (mirror / "pack.zip").write_bytes(archive)
        content_registry(tmp_path / "registry" / "registry.json", archive, monkeypatch)
        folder = data.extract("pack.zip")
        assert (folder / "pack" / "x.txt").read_bytes() == version
    assert "unpacking pack.zip again" in capsys.readouterr().err
    assert sorted(path.name for path in data_home.iterdir()) == ["pack", "pack.zip"], "no staging folder is left"


def test_a_cached_copy_is_checked_again_when_the_registry_changes(data_home, registry, file_server):
    """A stamp of size and time alone would keep serving the old file after the registry moved on."""
    file_server.files["a.bin"] = PAYLOAD
    registry({"a.bin": (PAYLOAD, [f"{file_server.url}/a.bin"])})
    data.fetch("a.bin")
    data.fetch("a.bin")  # a cache hit: verified and stamped
    new = PAYLOAD[::-1]
    file_server.files["a.bin"] = new
    registry({"a.bin": (new, [f"{file_server.url}/a.bin"])})
    assert data.fetch("a.bin").read_bytes() == new


@pytest.mark.parametrize("evil", ["../escape.txt", "pack/../../escape.txt", "/etc/escape.txt"])
def test_extract_refuses_members_outside_the_target(data_home, registry, file_server, evil):
    archive = make_zip({"pack/ok.txt": b"ok", evil: b"bad"})
    file_server.files["pack.zip"] = archive
    registry({"pack.zip": (archive, [f"{file_server.url}/pack.zip"])})
    with pytest.raises(data.DataError, match="outside"):
        data.extract("pack.zip")
    assert not (data_home / "pack").exists(), "nothing may be left half-extracted"
    assert not (data_home.parent / "escape.txt").exists()


def test_extract_refuses_symbolic_links(data_home, registry, file_server):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("pack/link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    file_server.files["pack.zip"] = buffer.getvalue()
    registry({"pack.zip": (buffer.getvalue(), [f"{file_server.url}/pack.zip"])})
    with pytest.raises(data.DataError, match="symbolic"):
        data.extract("pack.zip")


def test_content_checksum_ignores_packing_but_not_content(tmp_path):
    stored, deflated = tmp_path / "stored.zip", tmp_path / "deflated.zip"
    for path, method in ((stored, zipfile.ZIP_STORED), (deflated, zipfile.ZIP_DEFLATED)):
        with zipfile.ZipFile(path, "w", compression=method) as archive:
            archive.writestr("d/a/x.jpg", b"cat")
            archive.writestr("d/extra.py", b"ignored")
    assert stored.read_bytes() != deflated.read_bytes()
    assert data.zip_content_sha256(stored, "d/*/*.jpg") == data.zip_content_sha256(deflated, "d/*/*.jpg")
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(changed, "w") as archive:
        archive.writestr("d/a/x.jpg", b"dog")
    assert data.zip_content_sha256(changed, "d/*/*.jpg") != data.zip_content_sha256(stored, "d/*/*.jpg")


def test_registry_records_are_complete():
    registry = data.load_registry()
    assert registry["files"], "the registry lists no files"
    for path, record in registry["files"].items():
        file_record = data.FileRecord.from_json(path, record)
        urls = file_record.urls
        assert urls and all(url.startswith("https://") or url.startswith("http://") for url in urls), path
        assert (file_record.sha256 and len(file_record.sha256) == 64 and file_record.size) or file_record.content_sha256

        assert record["dataset"] in registry["datasets"], path
    for name, card in registry["datasets"].items():
        assert {"title", "license", "citation", "homepage"} <= card.keys(), name


def test_every_registry_file_matches_the_mirror_when_one_is_set():
    mirror = data.mirror_dir()
    if mirror is None:
        pytest.skip(f"{data.MIRROR_ENV} is not set; the registry's checksums are checked against the mirror in CI")
    for path in data.load_registry()["files"]:
        data.verify(mirror / path, data.file_record(path))


def test_registry_is_valid_json_with_a_trailing_newline():
    text = data.REGISTRY_PATH.read_text(encoding="utf-8")
    assert text.endswith("\n")
    json.loads(text)


def test_replaced_atomically_uses_private_files_and_keeps_the_old_file_on_failure(tmp_path: Path):
    target = tmp_path / "codes.npz"
    target.write_text("old")
    with data.replaced_atomically(target) as first, data.replaced_atomically(target) as second:
        assert first != second and first.parent == second.parent == tmp_path
        first.write_text("first")
        second.write_text("second")
    assert target.read_text() == "first", "the outer block finishes last and wins"
    with pytest.raises(RuntimeError), data.replaced_atomically(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "first" and sorted(tmp_path.iterdir()) == [target]
