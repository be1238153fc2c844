"""The environment report of notebook 00: versions, devices, and where data and weights would come from."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import sys
from pathlib import Path

from . import data, env, pretrained

PACKAGES = ("torch", "torchvision", "tensorflow", "keras", "numpy", "matplotlib", "jupyterlab", "nbval", "ipywidgets")


def package_versions() -> dict[str, str]:
    """Installed version of each course package, or 'not installed'."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def dataset_availability() -> dict[str, str]:
    """For each registry dataset: 'cache', 'mirror' or 'download', the weakest of its files."""
    order = ("cache", "mirror", "download")
    registry = data.load_registry()
    status: dict[str, str] = {}
    for path, record in registry["files"].items():
        where = data.availability(path)
        current = status.get(record["dataset"], "cache")
        status[record["dataset"]] = max(current, where, key=order.index)
    return status


def pretrained_availability() -> dict[str, str]:
    """Where each pretrained model's weights would come from."""
    torch_package = pretrained.EFFICIENTNET_LITE0_PACKAGE
    keras_file = pretrained.KERAS_MOBILENET_FILE
    keras_where = (
        "keras cache"
        if (pretrained.keras_home() / "models" / Path(keras_file).name).is_file()
        else data.availability(keras_file)
    )
    return {
        "EfficientNet-Lite0 (PyTorch, ImageNet)": "installed package"
        if importlib.util.find_spec(torch_package)
        else f"missing: pip install {torch_package.replace('_', '-')}",
        "MobileNet alpha=0.25 (Keras, ImageNet, no top)": keras_where,
    }


def folders() -> dict[str, str]:
    """Where data goes and comes from, without machine paths (notebook outputs are shared)."""
    cache = (
        f"the folder in {data.DATA_DIR_ENV}" if os.environ.get(data.DATA_DIR_ENV) else "datasets/ in the course folder"
    )
    mirror = f"the folder in {data.MIRROR_ENV}" if data.mirror_dir() else f"none ({data.MIRROR_ENV} is not set)"
    return {"data cache": cache, "local mirror": mirror}


def environment_report(keras: bool = True) -> dict[str, dict[str, str]]:
    """Every section of the report as nested dicts (printed by :func:`print_report`)."""
    devices = {"torch": env.describe_torch_device(env.torch_device())}
    if keras:
        devices[f"keras ({env.keras_backend()} backend)"] = env.describe_keras_device()
    return {
        "system": {
            "python": sys.version.split()[0],
            "operating system": f"{platform.system()} {platform.machine()}",
            "mode": env.mode_name(),
            "colab": str(env.in_colab()),
            "compute threads": str(env.thread_count()),
        },
        "packages": package_versions(),
        "devices": devices,
        "data (cache / mirror / download)": dataset_availability(),
        "pretrained weights": pretrained_availability(),
        "folders": folders(),
    }


def print_report(report: dict[str, dict[str, str]]) -> None:
    """Print the report as aligned sections."""
    for section, rows in report.items():
        print(section)
        width = max(len(key) for key in rows)
        for key, value in rows.items():
            print(f"  {key:<{width}}  {value}")
