"""The classroom mirror (``tasks.py mirror DIR``): every registry file, checked, resumable, nothing fetched twice."""

from __future__ import annotations

import hashlib
import os

import pytest

import tasks
from helpers import data
from tools.classroom import mirror


def test_the_mirror_holds_every_file_with_the_registry_layout(registry, file_server, tmp_path, monkeypatch):
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    files = {"digits/a.bin": b"first file" * 100, "photos/b c.jpg": b"second"}
    file_server.files = {"a": files["digits/a.bin"], "b": files["photos/b c.jpg"]}
    registry(
        {
            "digits/a.bin": (files["digits/a.bin"], [f"{file_server.url}/a"]),
            "photos/b c.jpg": (b"second", [f"{file_server.url}/b"]),
        }
    )
    held = mirror.build(tmp_path / "mirror")
    assert held == [("digits/a.bin", 1000), ("photos/b c.jpg", 6)]
    for relpath, content in files.items():
        assert (tmp_path / "mirror" / relpath).read_bytes() == content
    assert data.DATA_DIR_ENV not in os.environ, "the data folder setting must be restored"


def test_an_interrupted_mirror_resumes_and_fetches_no_good_file_twice(registry, file_server, tmp_path, monkeypatch):
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    first, second = b"x" * 5000, b"y" * 7000
    file_server.files = {"first": first, "second": second}
    file_server.cut = {"second": 3000}  # the connection drops half-way through the second file
    registry({"a/first": (first, [f"{file_server.url}/first"]), "b/second": (second, [f"{file_server.url}/second"])})
    folder = tmp_path / "mirror"
    assert mirror.main([str(folder)]) == 1
    assert (folder / "a" / "first").read_bytes() == first and not (folder / "b" / "second").exists()
    assert not [path for path in folder.rglob("*.part")], "a partial download must not stay behind"

    file_server.cut.clear()
    file_server.requests.clear()
    assert mirror.main([str(folder)]) == 0
    assert file_server.requests == ["second"], "only the missing file is fetched again"
    assert (folder / "b" / "second").read_bytes() == second

    (folder / "a" / "first").write_bytes(b"damaged")
    file_server.requests.clear()
    assert mirror.main([str(folder)]) == 0
    assert file_server.requests == ["first"] and (folder / "a" / "first").read_bytes() == first


def test_the_mirror_refuses_to_be_built_into_the_mirror_it_reads(tmp_path, monkeypatch):
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path))
    with pytest.raises(ValueError, match="itself"):
        mirror.build(tmp_path)


def test_the_real_mirror_has_every_registry_file_checked_and_prints_its_size(tmp_path, capsys):
    if data.mirror_dir() is None:
        pytest.skip(f"building the whole mirror would download about 100 MB: set {data.MIRROR_ENV} to a local copy")
    folder = tmp_path / "classroom-mirror"
    assert mirror.main([str(folder)]) == 0
    registry = data.load_registry()["files"]
    for relpath, record in registry.items():
        path = folder / relpath
        assert path.is_file(), relpath
        if record.get("sha256"):
            assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"], relpath
    total = sum((folder / relpath).stat().st_size for relpath in registry)
    printed = capsys.readouterr().out
    assert f"{len(registry)} files, {total / 1e6:.1f} MB in {folder}" in printed
    assert "mnist/t10k-labels-idx1-ubyte.gz" in printed and "COURSE_MIRROR=" in printed


@pytest.mark.parametrize(
    ("command", "module"), [("mirror", "tools.classroom.mirror"), ("practice", "tools.classroom.practice")]
)
def test_tasks_runs_the_classroom_commands_in_the_environment(monkeypatch, command, module):
    calls = []
    monkeypatch.setattr(tasks, "ensure_environment", lambda: None)
    monkeypatch.setattr(tasks, "run_in_venv", lambda arguments, extra_env=None: calls.append(arguments) or 0)
    assert tasks.main([command, "somewhere"]) == 0
    assert calls == [["-m", module, "somewhere"]]


def test_tasks_hub_checks_what_a_hub_needs_before_running_its_test(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "ensure_environment", lambda: None)
    monkeypatch.setattr(tasks, "run_in_venv", lambda arguments, extra_env=None: calls.append(arguments) or 0)
    assert tasks.main(["hub"]) == 0
    assert calls == [["-m", "tools.classroom.hub", "--check"], tasks.HUB_TEST_COMMAND]
    calls.clear()
    monkeypatch.setattr(tasks, "run_in_venv", lambda arguments, extra_env=None: calls.append(arguments) or 2)
    assert tasks.main(["hub"]) == 2 and len(calls) == 1, "the test must not start when something is missing"
