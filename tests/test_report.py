"""Notebook 00's environment report: every section, and where data and weights would come from."""

from __future__ import annotations

import pytest

from helpers import data, pretrained, report


def test_the_report_has_every_section_and_no_machine_paths(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    sections = report.environment_report(keras=False)
    assert list(sections) == [
        "system",
        "packages",
        "devices",
        "data (cache / mirror / download)",
        "pretrained weights",
        "folders",
    ]
    assert set(sections["packages"]) == set(report.PACKAGES)
    assert sections["devices"]["torch"].startswith(("cpu (", "cuda (", "mps"))
    assert set(sections["data (cache / mirror / download)"].values()) == {"download"}
    text = str(sections)
    assert str(tmp_path) not in text and "/" not in sections["system"]["operating system"], "no machine paths"
    assert sections["folders"]["data cache"] == f"the folder in {data.DATA_DIR_ENV}"


def test_dataset_availability_reports_the_weakest_file(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setenv(data.DATA_DIR_ENV, str(cache))
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    (cache / "mnist").mkdir(parents=True)
    (cache / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"x")
    assert report.dataset_availability()["mnist"] == "download"  # one of four files cached: not all there yet
    for name in data.load_registry()["files"]:
        if name.startswith("mnist/"):
            (cache / name).write_bytes(b"x")
    assert report.dataset_availability()["mnist"] == "cache"


def test_keras_weights_already_in_keras_cache_are_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    key = "MobileNet alpha=0.25 (Keras, ImageNet, no top)"
    assert report.pretrained_availability()[key] == "download"
    target = pretrained.keras_home() / "models" / pretrained.KERAS_MOBILENET_FILE.rsplit("/", 1)[1]
    target.parent.mkdir(parents=True)
    target.write_bytes(b"x")
    assert report.pretrained_availability()[key] == "keras cache"


def test_print_report_aligns_sections(capsys):
    report.print_report({"system": {"python": "3.11", "compute threads": "2"}})
    assert capsys.readouterr().out.splitlines() == ["system", "  python           3.11", "  compute threads  2"]


@pytest.mark.parametrize("missing", ["numpy", "no-such-package-xyz"])
def test_package_versions_names_missing_packages(monkeypatch, missing):
    monkeypatch.setattr(report, "PACKAGES", (missing,))
    version = report.package_versions()[missing]
    assert version == "not installed" if missing.startswith("no-such") else version[0].isdigit()
