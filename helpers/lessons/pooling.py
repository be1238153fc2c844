"""Reference 2-D pooling in NumPy: max, average and L2 pooling, and their output size.

Notebook 04 teaches these functions (it shows this source with :func:`helpers.show_source`).
Pooling slides an ``f x f`` window over each channel on its own, with stride ``s`` (by default
``s = f``, non-overlapping windows), and summarises the window:

- max:     the largest value in the window;
- average: the mean of the window;
- L2:      the square root of the sum of squares in the window.

There is nothing to learn: a pooling layer has zero parameters. Images are ``(H, W)`` or
``(C, H, W)`` as in PyTorch; no padding (as the lectures say, it is rarely used for pooling).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .convolution import as_float, conv_output_size

POOLS = {
    "max": lambda windows: windows.max(axis=(-2, -1)),
    "avg": lambda windows: windows.mean(axis=(-2, -1)),
    "l2": lambda windows: np.sqrt((as_float(windows) ** 2).sum(axis=(-2, -1))),  # uint8 squares would wrap around
}


def pool_output_size(n: int, f: int, stride: int | None = None) -> int:
    """Output length along one axis: ``floor((n - f) / s) + 1`` (``s`` defaults to ``f``).

    >>> pool_output_size(4, 2)             # 2x2 windows, stride 2
    2
    >>> pool_output_size(55, 3, stride=2)  # AlexNet's overlapping pooling
    27
    """
    return conv_output_size(n, f, stride=f if stride is None else stride)


def pool2d(image: np.ndarray, size: int, stride: int | None = None, mode: str = "max") -> np.ndarray:
    """Pool each channel of ``image`` ((H, W) or (C, H, W)) with ``size x size`` windows.

    ``mode`` is ``"max"``, ``"avg"`` or ``"l2"``; ``stride`` defaults to ``size``.

    >>> pool2d(np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]), 2)
    array([[9, 2],
           [6, 3]])
    """
    if mode not in POOLS:
        raise ValueError(f"mode must be one of {sorted(POOLS)}, got {mode!r}")
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"expected an (H, W) or (C, H, W) array, got shape {image.shape}")
    stride = size if stride is None else stride
    # Checks both axes (window larger than the input, bad sizes) before any work is done.
    out_h = pool_output_size(image.shape[-2], size, stride)
    out_w = pool_output_size(image.shape[-1], size, stride)
    windows = sliding_window_view(image, (size, size), axis=(-2, -1))[..., ::stride, ::stride, :, :]
    return POOLS[mode](windows[..., :out_h, :out_w, :, :])


def max_pool2d(image: np.ndarray, size: int, stride: int | None = None) -> np.ndarray:
    """Max pooling: :func:`pool2d` with ``mode="max"``.

    >>> max_pool2d(np.arange(16).reshape(4, 4), 2)
    array([[ 5,  7],
           [13, 15]])
    """
    return pool2d(image, size, stride, "max")


def avg_pool2d(image: np.ndarray, size: int, stride: int | None = None) -> np.ndarray:
    """Average pooling: :func:`pool2d` with ``mode="avg"``.

    >>> avg_pool2d(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    return pool2d(image, size, stride, "avg")


def l2_pool2d(image: np.ndarray, size: int, stride: int | None = None) -> np.ndarray:
    """L2 pooling: :func:`pool2d` with ``mode="l2"``.

    >>> l2_pool2d(np.full((2, 2), 3.0), 2)   # sqrt(4 * 9)
    array([[6.]])
    """
    return pool2d(image, size, stride, "l2")
