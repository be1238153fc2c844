"""Fetch the course's data files: cache, then local mirror, then download, always checksummed.

Every file is listed in ``datasets/registry.json`` by its path relative to the data folder
(for example ``mnist/train-images-idx3-ubyte.gz``) with its canonical URLs, size and sha256.
:func:`fetch` returns a verified local copy:

1. the cache (``datasets/`` beside this package, or ``COURSE_DATA_DIR``), when it holds a good copy;
2. the local mirror (``COURSE_MIRROR``, a folder with the same relative paths), copied and verified;
3. each canonical URL in turn, downloaded with a progress bar and verified. Each address is named before it
   is tried, and a connection that stays silent for ``DOWNLOAD_TIMEOUT_S`` seconds moves on to the next one.

A cached copy is verified (sha256) once; its size, modification time and registry checksums are then recorded
beside it, and a later call re-verifies it whenever one of them changes. A copy damaged in place (which rewrites
it, so changes its modification time) or superseded by a new registry record is therefore caught and replaced,
while an unchanged 69 MB archive is not hashed again in every notebook.

Files are written to a temporary name and renamed only once verified, so an interruption never
leaves a partial file under the real name. Nothing downloaded is ever unpickled.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tqdm.auto import tqdm

from .course import REPO_ROOT
from .env import progress_bars

MIRROR_ENV = "COURSE_MIRROR"
DATA_DIR_ENV = "COURSE_DATA_DIR"
REGISTRY_PATH = REPO_ROOT / "datasets" / "registry.json"
CHUNK = 1 << 20
# Seconds a download may wait to connect, or between two pieces of data, before the next address is tried.
DOWNLOAD_TIMEOUT_S = 15


class DataError(RuntimeError):
    """A data file could not be provided (bad checksum, offline, malformed)."""


class ChecksumError(DataError):
    """A file's size or checksum is not the one the registry lists."""


class DataUnavailableError(DataError):
    """No cache, no mirror and no reachable URL for a file."""


@dataclass(frozen=True)
class FileRecord:
    """One registry record: where a file comes from and how to check it."""

    path: str
    dataset: str
    urls: tuple[str, ...]
    size: int | None
    sha256: str | None
    content_sha256: str | None
    content_glob: str | None

    @classmethod
    def from_json(cls, path: str, record: dict) -> FileRecord:
        return cls(
            path=path,
            dataset=record["dataset"],
            urls=tuple(record["urls"]),
            size=record.get("size"),
            sha256=record.get("sha256"),
            content_sha256=record.get("content_sha256"),
            content_glob=record.get("content_glob"),
        )

    def identity(self) -> dict[str, str | None]:
        """What pins this file's contents: its path and checksums. Caches derived from it record this."""
        return {"file": self.path, "sha256": self.sha256, "content_sha256": self.content_sha256}


def load_registry(path: Path | None = None) -> dict:
    """The parsed registry: ``{"datasets": {...}, "files": {...}}``."""
    with open(path or REGISTRY_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def file_record(relpath: str, registry: dict | None = None) -> FileRecord:
    """The registry record for ``relpath``; a ValueError lists the known files otherwise."""
    files = (registry or load_registry())["files"]
    if relpath not in files:
        raise ValueError(f"{relpath!r} is not in the data registry; known files: {', '.join(sorted(files))}")
    return FileRecord.from_json(relpath, files[relpath])


def data_dir() -> Path:
    """The cache folder: ``COURSE_DATA_DIR`` if set, else ``datasets/`` in the repository."""
    return Path(os.environ.get(DATA_DIR_ENV) or REPO_ROOT / "datasets").expanduser()


def mirror_dir() -> Path | None:
    """The local mirror folder named by ``COURSE_MIRROR``, or None."""
    value = os.environ.get(MIRROR_ENV)
    return Path(value).expanduser() if value else None


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def zip_content_sha256(path: Path, pattern: str) -> str:
    """Checksum of a zip's *contents*: sha256 over sorted (member name, member sha256) lines.

    Used where only the data inside an archive can be pinned (two published copies of
    cats_and_dogs_filtered.zip hold the same images in differently packed archives).
    Only regular members whose names match the glob ``pattern`` count.
    """
    lines = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir() or not fnmatch.fnmatchcase(info.filename, pattern):
                continue
            member = hashlib.sha256()
            with archive.open(info) as handle:
                for block in iter(lambda: handle.read(CHUNK), b""):
                    member.update(block)
            lines.append(f"{info.filename} {member.hexdigest()}\n")
    return hashlib.sha256("".join(sorted(lines)).encode()).hexdigest()


def tar_content_sha256(path: Path, pattern: str) -> str:
    """Checksum of a tar archive's contents, as :func:`zip_content_sha256` computes it for a zip.

    Each member's name is taken without its first folder, and ``pattern`` is matched against that shorter name:
    GitHub names the top folder of a repository's archive after the commit, so a repacked copy whose top folder
    has a plain name holds the same files under the same names below it.
    """
    lines = []
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            name = member.name.split("/", 1)[-1]
            if not member.isfile() or not fnmatch.fnmatchcase(name, pattern):
                continue
            digest = hashlib.sha256(archive.extractfile(member).read()).hexdigest()
            lines.append(f"{name} {digest}\n")
    return hashlib.sha256("".join(sorted(lines)).encode()).hexdigest()


def content_sha256(path: Path, pattern: str) -> str:
    """The contents checksum of a zip or tar archive (see :func:`zip_content_sha256`, :func:`tar_content_sha256`)."""
    return tar_content_sha256(path, pattern) if tarfile.is_tarfile(path) else zip_content_sha256(path, pattern)


def verify(path: Path, record: FileRecord) -> None:
    """Raise ChecksumError unless ``path`` matches the registry record ``record``."""
    if record.size is not None and path.stat().st_size != record.size:
        raise ChecksumError(
            f"{path} has {path.stat().st_size:,} bytes, expected {record.size:,} for {record.path} "
            "(truncated or different file)"
        )
    if record.sha256 is not None:
        actual = sha256_of(path)
        if actual != record.sha256:
            raise ChecksumError(f"{path} has sha256 {actual}, expected {record.sha256} for {record.path}")
    if record.content_sha256 is not None:
        try:
            actual = content_sha256(path, record.content_glob or "*")
        except zipfile.BadZipFile as error:
            raise ChecksumError(f"{path} is not a readable zip archive ({error}) for {record.path}") from error
        except (tarfile.TarError, EOFError, OSError) as error:  # gzip reports a cut-off stream as EOFError
            raise ChecksumError(f"{path} is not a readable tar archive ({error}) for {record.path}") from error
        if actual != record.content_sha256:
            raise ChecksumError(
                f"{path} has content sha256 {actual}, expected {record.content_sha256} for {record.path}"
            )


def _cached_copy_passes_verification(target: Path, record: FileRecord) -> bool:
    """Is the cached copy ``target`` present and good? Hashes it (69 MB for the largest file) only when its size,
    modification time or registry record changed since the last check, then records the new check beside it."""
    if not target.is_file():
        return False
    stamp = target.with_name(target.name + ".verified")
    status = target.stat()
    signature = f"{status.st_size} {status.st_mtime_ns} {record.sha256} {record.content_sha256}"
    if stamp.is_file() and stamp.read_text() == signature:
        return True
    verify(target, record)
    stamp.write_text(signature)
    return True


@contextlib.contextmanager
def replaced_atomically(target: Path) -> Iterator[Path]:
    """Yield a new temporary path beside ``target``; when the block succeeds, it replaces ``target`` in one step.

    Readers never see a half-written file, a failed or interrupted write leaves nothing behind, and two
    processes writing the same target at once (notebooks tested in parallel) each use their own file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _install(source: BinaryIO, target: Path, record: FileRecord, total: int | None, label: str | None) -> None:
    """Copy ``source`` to a temporary file beside ``target``, verify it, then rename it into place.

    A progress bar labelled ``label`` is shown while copying, unless ``label`` is None.
    """
    with (
        replaced_atomically(target) as temporary,
        open(temporary, "wb") as out,
        tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc=label,
            leave=False,
            disable=label is None or not progress_bars(),
        ) as bar,
    ):
        for block in iter(lambda: source.read(CHUNK), b""):
            out.write(block)
            bar.update(len(block))
        out.close()
        verify(temporary, record)


def fetch(relpath: str) -> Path:
    """A verified local copy of registry file ``relpath`` (see the module docstring for the order).

    >>> fetch("mnist/t10k-labels-idx1-ubyte.gz")   # doctest: +SKIP
    PosixPath('.../datasets/mnist/t10k-labels-idx1-ubyte.gz')
    """
    record = file_record(relpath)
    target = data_dir() / relpath
    try:
        if _cached_copy_passes_verification(target, record):
            return target
    except ChecksumError:
        target.unlink()  # a damaged cache copy is replaced by a fresh one below

    mirror = mirror_dir()
    if mirror is not None and (mirror / relpath).is_file():
        source = mirror / relpath
        try:
            with open(source, "rb") as handle:
                # A local copy is quick: no progress bar (it would also make outputs depend on the cache).
                _install(handle, target, record, record.size, None)
        except ChecksumError as error:
            raise ChecksumError(
                f"the mirror copy is damaged: {error}. Replace {source} or unset {MIRROR_ENV}."
            ) from error
        return target

    failures = []
    for url in record.urls:
        print(f"downloading {relpath} from {url}", file=sys.stderr, flush=True)
        try:
            request = urllib.request.Request(url, headers={"User-Agent": "convnets-course"})
            with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
                length = response.headers.get("Content-Length")
                _install(response, target, record, int(length) if length else record.size, relpath)
            return target
        except (urllib.error.URLError, OSError, ChecksumError) as error:
            failures.append(f"{url}: {error}")
    mirror_note = f"{MIRROR_ENV}={mirror}" if mirror else f"{MIRROR_ENV} is not set"
    raise DataUnavailableError(
        f"cannot get {relpath}: no copy in the cache ({target}), no mirror copy ({mirror_note}), "
        f"and no download succeeded:\n  "
        + "\n  ".join(failures)
        + f"\nConnect to the internet, or set {MIRROR_ENV} to a folder holding {relpath}."
    )


def availability(relpath: str) -> str:
    """Where ``relpath`` would come from now: 'cache', 'mirror' or 'download'. Reads no file contents."""
    if (data_dir() / relpath).is_file():
        return "cache"
    mirror = mirror_dir()
    if mirror is not None and (mirror / relpath).is_file():
        return "mirror"
    return "download"


def _safe_members(archive: zipfile.ZipFile, destination: Path) -> Iterator[zipfile.ZipInfo]:
    root = destination.resolve()
    for info in archive.infolist():
        name = info.filename
        resolved = (root / name).resolve()
        if name.startswith(("/", "\\")) or ":" in name.split("/")[0] or not resolved.is_relative_to(root):
            raise DataError(f"refusing archive member {name!r}: it would land outside {destination}")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise DataError(f"refusing archive member {name!r}: symbolic links are not extracted")
        yield info


EXTRACTED_FROM = ".extracted-from.json"  # inside an extracted folder: the identity of the archive it came from


def extract(relpath: str) -> Path:
    """Fetch zip archive ``relpath`` and unpack it into a folder beside it; return that folder.

    The folder is reused while it was unpacked from the archive the registry lists now (a file inside it records
    the archive's checksums); after a new version of the archive it is unpacked again. Members with absolute
    paths, ``..`` components or symbolic links are refused before anything is written. Unpacking happens in a
    temporary folder renamed into place, so a half-extracted folder is never mistaken for a complete one.
    """
    archive_path = fetch(relpath)
    identity = json.dumps(file_record(relpath).identity(), sort_keys=True)
    destination = archive_path.with_suffix("")
    if _extracted_from(destination) == identity:
        return destination
    if destination.exists():
        print(f"unpacking {relpath} again: {destination} was unpacked from another version", file=sys.stderr)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    old = staging.with_name(staging.name + ".old")
    try:
        with zipfile.ZipFile(archive_path) as archive:
            members = list(_safe_members(archive, staging))
            archive.extractall(staging, members=members)
        (staging / EXTRACTED_FROM).write_text(identity, encoding="utf-8")
        if destination.exists():
            os.replace(destination, old)
        try:
            os.replace(staging, destination)
        except OSError:
            if _extracted_from(destination) != identity:  # not a copy another process unpacked meanwhile
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return destination


def _extracted_from(folder: Path) -> str | None:
    try:
        return (folder / EXTRACTED_FROM).read_text(encoding="utf-8")
    except OSError:
        return None
