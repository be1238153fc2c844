"""The course's figure style, the image grid, the classifier plots every notebook uses, and compact figures.

Figures are drawn at 100 dpi, readable on today's screens and in slides. To keep notebooks small they are
stored as a lossless palette PNG when they have at most 256 colours (plots, diagrams: most figures) and as a
JPEG otherwise (photos), see :func:`figure_bytes`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

COURSE_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (6.0, 3.6),
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.grid": False,
    "image.cmap": "gray",
}
JPEG_QUALITY = 85
PALETTE_COLOURS = 256
# A plot, not a photo: its FLAT_COLOURS most common colours cover at least FLAT_SHARE of its pixels.
FLAT_COLOURS, FLAT_SHARE = 32, 0.85


def use_course_style() -> None:
    """Readable figures at 100 dpi, stored compactly in notebooks (see :func:`figure_bytes`)."""
    mpl.rcParams.update(COURSE_STYLE)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    # The inline backend registers its own PNG formatter when pyplot first needs a backend: let it, then
    # replace it with ours (a first figure makes pyplot load the backend).
    plt.close(plt.figure())
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(plt.Figure, lambda fig: _figure_as(fig, "png"))
    formatters["image/jpeg"].for_type(plt.Figure, lambda fig: _figure_as(fig, "jpeg"))


def figure_bytes(fig: plt.Figure) -> tuple[str, bytes]:
    """('png', palette PNG bytes) for a plot or diagram, ('jpeg', JPEG bytes) for a figure that is mostly photos.

    A figure whose pixels are mostly a few flat colours (white paper, lines, text, cells) becomes a PNG with a
    256-colour palette: exact when it has at most 256 colours, else the anti-aliased edges are rounded to the
    nearest palette colour, which the eye does not see. Photos and smooth images become JPEGs.

    >>> fig, ax = plt.subplots(figsize=(2, 1)); _ = ax.plot([0, 1])
    >>> figure_bytes(fig)[0]
    'png'
    """
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    picture = Image.open(buffer).convert("RGB")
    rgb = np.asarray(picture)
    colours, inverse, counts = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True, return_counts=True)
    out = io.BytesIO()
    if len(colours) <= PALETTE_COLOURS:
        image = Image.fromarray(inverse.reshape(rgb.shape[:2]).astype(np.uint8), mode="P")
        image.putpalette(colours.astype(np.uint8).ravel().tolist())
        image.save(out, format="png", optimize=True)
        return "png", out.getvalue()
    if np.sort(counts)[-FLAT_COLOURS:].sum() >= FLAT_SHARE * counts.sum():
        palette = picture.quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        palette.save(out, format="png", optimize=True)
        return "png", out.getvalue()
    picture.save(out, format="jpeg", quality=JPEG_QUALITY, optimize=True)
    return "jpeg", out.getvalue()


_last_rendered: dict[int, tuple[str, bytes]] = {}


def _figure_as(fig: plt.Figure, kind: str) -> bytes | None:
    """IPython display formatter: the figure's bytes if :func:`figure_bytes` picks ``kind`` for it, else None."""
    key = id(fig)
    if key not in _last_rendered:  # both formatters ask about the same figure: draw it once
        _last_rendered.clear()
        _last_rendered[key] = figure_bytes(fig)
    chosen, data = _last_rendered[key]
    if kind == "jpeg":
        _last_rendered.clear()  # the jpeg formatter runs after the png one: the next display starts afresh
    return data if chosen == kind else None


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
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
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


def show_transform_rows(image: Any, transforms: dict[str, Any], samples: int = 6, size: float = 0.95) -> plt.Figure:
    """One row per random transformation: ``image`` (3xHxW or HxWx3), then ``samples`` outcomes of that
    transformation, each a new random draw; returns the figure.

    >>> fig = show_transform_rows(np.zeros((8, 8, 3)), {"none": lambda image: image}, samples=2)
    """
    if not transforms:
        raise ValueError("show_transform_rows needs at least one transformation")
    fig, axes = plt.subplots(
        len(transforms), samples + 1, figsize=(size * (samples + 1) + 1.1, size * len(transforms)), squeeze=False
    )
    for row, (name, transform) in zip(axes, transforms.items(), strict=True):
        outcomes = [image] + [transform(image) for _ in range(samples)]
        for ax, outcome in zip(row, outcomes, strict=True):
            ax.imshow(_as_image(outcome))
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
    axes[0, 0].set_title("original", fontsize=8)
    fig.tight_layout(pad=0.3)
    return fig


def draw_padded_grid(ax: plt.Axes, n: int, padding: int, title: str) -> None:
    """A padded n x n input on ``ax``: image cells white, padding grey, thin grid lines (notebook 02's figures).

    >>> fig, ax = plt.subplots()
    >>> draw_padded_grid(ax, 5, 1, "5x5, p=1")
    """
    size_padded = n + 2 * padding
    cells = np.full((size_padded, size_padded), 0.25)
    cells[padding : padding + n, padding : padding + n] = 0
    ax.imshow(cells, cmap="Greys", vmin=0, vmax=1)
    ax.set_xticks(np.arange(-0.5, size_padded), minor=True)
    ax.set_yticks(np.arange(-0.5, size_padded), minor=True)
    ax.grid(which="minor", color="gray", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_title(title)


def bubble_chart(
    points: dict[str, tuple[float, float, float]],
    label_places: dict[str, tuple[float, float, str]],
    *,
    size_scale: float,
    label: Any = None,
    **axes_settings: Any,
) -> plt.Figure:
    """One circle per name at (x, y) with area ``size / size_scale``, labelled ``label(name, size)``; x on a log
    scale. ``label_places`` moves a label (offset in points, alignment) off its neighbours (default: above).

    >>> fig = bubble_chart({"a": (1.0, 2.0, 3.0)}, {}, size_scale=0.1, xlabel="cost")
    """
    label = label or (lambda name, size: name)
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, (x, y, size) in points.items():
        dx, dy, align = label_places.get(name, (0, 13, "center"))
        ax.scatter(x, y, s=size / size_scale, alpha=0.5)
        ax.annotate(
            label(name, size), (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=7, ha=align, va="center"
        )
    ax.set_xscale("log")
    ax.set(**axes_settings)
    return fig


def annotate_cells(ax: plt.Axes, values: np.ndarray, shown: np.ndarray, image: Any, fmt: str = "{}") -> None:
    """Write ``values`` on the cells of an ``imshow`` picture, in black on light cells and white on dark ones."""
    colours = image.cmap(image.norm(shown))
    for (row, col), value in np.ndenumerate(values):
        red, green, blue = colours[row, col, :3]
        light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
        ax.text(col, row, fmt.format(value), ha="center", va="center", fontsize=8, color="black" if light else "white")


def plot_confusion_mistakes(
    true: np.ndarray, predicted: np.ndarray, labels: Sequence[str], title: str = "", size: float = 4.2
) -> tuple[plt.Figure, np.ndarray]:
    """The mistakes of a classifier: a confusion matrix with the (much larger) diagonal left out.

    Row = true class, column = predicted class; each count is written on its cell, readable on any shade.
    Returns the figure and the full confusion matrix.
    """
    true, predicted = np.asarray(true), np.asarray(predicted)
    if true.shape != predicted.shape or true.ndim != 1:
        raise ValueError(f"need two label vectors of the same length, got {true.shape} and {predicted.shape}")
    classes = len(labels)
    matrix = np.zeros((classes, classes), dtype=int)
    np.add.at(matrix, (true, predicted), 1)
    mistakes = matrix - np.diag(np.diag(matrix))
    fig, ax = plt.subplots(figsize=(size, size * 0.9))
    image = ax.imshow(np.log1p(mistakes), cmap="Reds")
    shown = np.where(mistakes > 0, mistakes, 0)
    annotate_cells(ax, np.where(mistakes > 0, mistakes, ""), np.log1p(shown), image)
    ax.set(
        xticks=range(classes),
        yticks=range(classes),
        xticklabels=labels,
        yticklabels=labels,
        xlabel="predicted",
        ylabel="true",
        title=title or f"mistakes: {mistakes.sum():,} of {len(true):,}",
    )
    fig.tight_layout()
    return fig, matrix


def show_confident_mistakes(
    images: np.ndarray,
    true: np.ndarray,
    probabilities: np.ndarray,
    labels: Sequence[str],
    count: int = 12,
    ncols: int = 6,
    size: float = 1.2,
) -> plt.Figure:
    """The wrong answers the classifier was surest of: each image with 'true→predicted probability'."""
    probabilities = np.asarray(probabilities)
    predicted = probabilities.argmax(1)
    wrong = np.flatnonzero(predicted != np.asarray(true))
    if len(wrong) == 0:
        raise ValueError("no mistakes to show")
    worst = wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")][:count]
    titles = [f"{labels[true[i]]}→{labels[predicted[i]]} {probabilities[i, predicted[i]]:.2f}" for i in worst]
    return show_images(
        [images[i] for i in worst],
        titles=titles,
        ncols=ncols,
        size=size,
        suptitle="most confident mistakes: true→predicted, with the predicted probability",
    )
