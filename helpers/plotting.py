"""The course's figure style and the image grid every notebook uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

COURSE_STYLE = {
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "figure.figsize": (6.0, 3.6),
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.grid": False,
    "image.cmap": "gray",
}


def use_course_style() -> None:
    """Small, readable figures at modest dpi (keeps notebooks light)."""
    mpl.rcParams.update(COURSE_STYLE)


def _as_image(image: Any) -> np.ndarray:
    array = np.asarray(image.detach().cpu() if hasattr(image, "detach") else image)
    if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
        array = np.moveaxis(array, 0, -1)  # channels-first (torch) to channels-last
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] != 3):
        raise ValueError(f"expected an HxW, HxWx3 or 3xHxW image, got shape {array.shape}")
    return array


def show_images(
    images: Sequence[Any],
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    size: float = 1.3,
    cmap: str = "gray",
    suptitle: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> plt.Figure:
    """Show images in a grid with optional titles; returns the figure.

    Accepts NumPy arrays or tensors, grayscale (HxW) or colour (HxWx3 or 3xHxW).

    >>> fig = show_images([np.eye(5), np.ones((5, 5))], titles=["eye", "ones"])
    """
    if len(images) == 0:
        raise ValueError("show_images needs at least one image")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + (0.3 if suptitle else 0)), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= len(images):
            continue
        ax.imshow(_as_image(images[index]), cmap=cmap, vmin=vmin, vmax=vmax)
        if titles is not None:
            ax.set_title(titles[index], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig
