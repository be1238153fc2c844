"""The classroom's pieces that need no hub: nbgitpuller links, the mirror snapshot, and the hub configuration."""

from __future__ import annotations

import json
import os
import types
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from traitlets.config import Config

from helpers.course import BRANCH, REPOSITORY, in_notebooks, notebooks
from tools.classroom import hub, links, sizing, snapshot


def test_a_link_pulls_the_course_into_its_folder_and_opens_the_notebook():
    link = links.link("https://hub.example.edu/", "appendix/08a_augmentation_experiments.ipynb")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    assert parse_qs(parts.query) == {
        "repo": [REPOSITORY],
        "branch": [BRANCH],
        "targetpath": ["convnets-course"],
        "urlpath": ["lab/tree/convnets-course/notebooks/appendix/08a_augmentation_experiments.ipynb"],
    }


def test_the_links_command_prints_one_link_per_notebook(capsys):
    assert links.main(["https://hub.example.edu", "--branch", "practice"]) == 0
    printed = capsys.readouterr().out
    for path in notebooks():
        assert links.link("https://hub.example.edu", in_notebooks(path), branch="practice") in printed


def test_the_documents_link_tables_are_current(tmp_path):
    for document in links.DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        assert f"<!-- hub-links:start -->\n{links.table()}<!-- hub-links:end -->" in text, (
            f"{document.name}: run python -m tools.classroom.links --update-docs"
        )
    stale = tmp_path / "stale.md"
    stale.write_text("<!-- hub-links:start -->\nold\n<!-- hub-links:end -->\n")
    assert links.update_documents((stale,)) == [stale] and links.table() in stale.read_text()


def test_the_snapshot_sees_any_write_into_the_mirror(tmp_path):
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "a.gz").write_bytes(b"12345678")
    (tmp_path / "b.zip").write_bytes(b"zip")
    before = snapshot.take(tmp_path)
    assert snapshot.changes(before, snapshot.take(tmp_path)) == []

    stat = (tmp_path / "mnist" / "a.gz").stat()
    (tmp_path / "mnist" / "a.gz").write_bytes(b"87654321")  # same size, and the old modification time put back
    os.utime(tmp_path / "mnist" / "a.gz", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    (tmp_path / "mnist" / "a.gz.verified").write_text("stamp")
    (tmp_path / "b.zip").unlink()
    assert snapshot.changes(before, snapshot.take(tmp_path)) == [
        "added mnist/a.gz.verified",
        "removed b.zip",
        "changed mnist/",
        "changed mnist/a.gz",
    ]


def test_the_hub_gives_each_learner_the_mirror_their_own_data_folder_and_their_copy_of_helpers(monkeypatch):
    monkeypatch.setenv("COURSE_MIRROR", "/srv/class/mirror")
    config = Config()
    exec(hub.CONFIG.read_text(), {"get_config": lambda: config, "__file__": str(hub.CONFIG)})
    environment = config.Spawner.environment
    spawner = types.SimpleNamespace(home_dir="/home/ada", user=types.SimpleNamespace(name="ada"))
    resolved = {name: value(spawner) if callable(value) else value for name, value in environment.items()}
    assert resolved["COURSE_MIRROR"] == "/srv/class/mirror"
    assert resolved["COURSE_DATA_DIR"] == "/home/ada/course-data"
    assert resolved["PYTHONPATH"] == f"/home/ada/{links.TARGET_FOLDER}"
    assert config.SystemdSpawner.readonly_paths == ["/srv/class/mirror"]
    assert config.Spawner.mem_limit and config.Spawner.cpu_limit


def test_the_test_hub_changes_only_login_spawner_addresses_and_services(tmp_path):
    text = hub.hub_config(tmp_path, 8001, 8002, 8003, "secret")
    assert text.lstrip().startswith(f"load_subconfig({str(hub.CONFIG)!r})")
    assert "127.0.0.1:8001" in text and '"dummy"' in text and '"simple"' in text
    assert "0.0.0.0" not in text and "c.Spawner.environment = {**c.Spawner.environment," in text


def test_a_missing_proxy_is_named_with_how_to_install_it(monkeypatch):
    monkeypatch.setattr(hub, "PROXY", Path("/nowhere/node_modules/.bin/configurable-http-proxy"))
    assert any("npm ci" in line for line in hub.missing_prerequisites())


def test_the_sizing_section_is_written_from_the_stored_measurements():
    record = json.loads(sizing.MEASURED.read_text(encoding="utf-8"))
    assert [run["learners"] for run in record["runs"] if run["mode"] == "quick"] == [2, 4, 8]
    assert sizing.section(record) in sizing.DOCUMENT.read_text(encoding="utf-8"), (
        "run: python -m tools.classroom.sizing"
    )


def test_the_limits_leave_a_quarter_of_headroom_rounded_up_to_half_a_gigabyte():
    quick = {"mode": "quick", "peak_kernel_mb_max": 1500, "peak_kernel_unique_mb_mean": 1200, "peak_server_mb_max": 100}
    need = sizing.per_learner({"runs": [quick]})
    assert need["limit_gb"] == 2.0  # (1500 + 100) MB x 1.25 = 2000 MB, under 2048
    assert need["guarantee_gb"] == 1.5  # 1300 MB, rounded up to 1.5 GB
    full = {**quick, "mode": "full", "peak_kernel_mb_max": 1700, "peak_kernel_unique_mb_mean": 1690}
    need = sizing.per_learner({"runs": [quick, full]})
    assert need["limit_gb"] == 2.5  # 1800 MB x 1.25 = 2250 MB
    assert need["unique_mb"] == 1400  # quick mode's 1200 MB, and the 200 MB full mode adds


def test_the_configurations_use_the_limits_the_measurements_imply(monkeypatch):
    need = sizing.per_learner(json.loads(sizing.MEASURED.read_text(encoding="utf-8")))
    guarantee, limit = f"{need['guarantee_gb']:g}G", f"{need['limit_gb']:g}G"
    config = Config()
    exec(hub.CONFIG.read_text(), {"get_config": lambda: config, "__file__": str(hub.CONFIG)})
    assert (config.Spawner.mem_guarantee, config.Spawner.mem_limit) == (guarantee, limit)
    values = (hub.CONFIG.parent / "values.yaml").read_text(encoding="utf-8")
    assert f"  memory:\n    guarantee: {guarantee}\n    limit: {limit}\n" in values
