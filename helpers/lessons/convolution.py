"""Reference 2-D convolution in NumPy: the arithmetic, the operation and its parameter count.

Notebooks 01-03 teach these functions line by line (they show this source with
:func:`helpers.show_source`); later notebooks reuse them. They favour clarity over speed
and follow PyTorch's conventions: images are ``(C, H, W)`` (or ``(H, W)`` for one channel)
and a filter bank is ``(K, C, f_h, f_w)``. Like every deep-learning library,
:func:`conv2d` computes a *cross-correlation* (the kernel is not flipped);
:func:`convolve2d` is the textbook convolution (kernel flipped).

The tests compare every function here with ``torch.nn.functional`` and ``tf.nn`` / Keras.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, int]


def _pair(value: int | Pair, name: str) -> Pair:
    """``3 -> (3, 3)``; ``(3, 5)`` stays; anything else is a clear error."""
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int | np.integer) for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def as_float(array: np.ndarray) -> np.ndarray:
    """``array`` as a NumPy array of floats: integers become float32 (or float64 for wide ones), floats stay.

    >>> as_float(np.array([200, 100], np.uint8)) * 2
    array([400., 200.], dtype=float32)
    """
    array = np.asarray(array)
    return array.astype(np.result_type(array.dtype, np.float32), copy=False)


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1, dilation: int = 1, exact: bool = False) -> int:
    """Output length along one axis: ``floor((n + 2p - d(f-1) - 1) / s) + 1``.

    With ``dilation=1`` this is the lectures' ``floor((n + 2p - f) / s) + 1``. The floor means a
    window that would stick out past the (padded) input is simply not computed, which is what
    PyTorch and Keras do. ``exact=True`` refuses strides that do not tile the input exactly.

    >>> conv_output_size(6, 3)               # valid: n - f + 1
    4
    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size(7, 3, stride=3)     # (7 - 3) / 3 + 1 = 2.33: the last column is dropped
    2
    """
    checks = (("n", n, 1), ("f", f, 1), ("padding", padding, 0), ("stride", stride, 1), ("dilation", dilation, 1))
    for name, value, low in checks:
        if not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    span = dilation * (f - 1) + 1  # how many input pixels one dilated kernel covers
    if span > n + 2 * padding:
        raise ValueError(
            f"kernel covers {span} pixels but the padded input has only {n + 2 * padding} (n={n}, p={padding})"
        )
    steps, remainder = divmod(n + 2 * padding - span, stride)
    if exact and remainder:
        raise ValueError(
            f"stride {stride} does not fit: (n + 2p - f) / s + 1 = ({n} + {2 * padding} - {span}) / {stride} + 1 "
            f"= {(n + 2 * padding - span) / stride + 1:.2f} is not an integer"
        )
    return steps + 1


def same_padding(n: int, f: int, stride: int = 1, dilation: int = 1) -> Pair:
    """(before, after) zero padding of Keras/TensorFlow ``padding='same'``: output = ceil(n / s).

    For stride 1 and an odd kernel this is ``p = (f - 1) / 2`` on both sides; otherwise the extra
    pixel goes after (bottom/right).

    >>> same_padding(6, 3)
    (1, 1)
    >>> same_padding(7, 3, stride=2)   # 4 windows span s(out - 1) + f = 2*3 + 3 = 9 pixels: one each side
    (1, 1)
    >>> same_padding(8, 3, stride=2)   # 4 windows span 9 pixels, one more than 8: it goes after
    (0, 1)
    """
    span = dilation * (f - 1) + 1
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def pad2d(image: np.ndarray, padding: int | Pair | tuple[int, int, int, int]) -> np.ndarray:
    """Zero-pad the last two axes. ``padding``: p, (p_h, p_w) or (top, bottom, left, right).

    >>> pad2d(np.ones((2, 2)), 1).shape
    (4, 4)
    """
    pads = (padding,) * 4 if isinstance(padding, int | np.integer) else tuple(padding)
    if len(pads) == 2:
        pads = (pads[0], pads[0], pads[1], pads[1])
    if len(pads) != 4 or any(not isinstance(p, int | np.integer) or p < 0 for p in pads):
        raise ValueError(f"padding must be p, (p_h, p_w) or (top, bottom, left, right) with p >= 0, got {padding!r}")
    image = np.asarray(image)
    top, bottom, left, right = pads
    return np.pad(image, [(0, 0)] * (image.ndim - 2) + [(top, bottom), (left, right)])


def conv2d(
    image: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray | float | None = None,
    stride: int | Pair = 1,
    padding: int | Pair | tuple[int, int, int, int] = 0,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """A convolutional layer's forward pass (cross-correlation), from scratch.

    - ``image`` ``(H, W)`` with ``weights`` ``(f_h, f_w)``: one channel, one filter -> ``(H', W')``;
    - ``image`` ``(C, H, W)`` with ``weights`` ``(K, C, f_h, f_w)``: K filters -> ``(K, H', W')``.

    Every output pixel is the sum, over all channels and kernel positions, of kernel weight times the
    input pixel under it, plus the filter's bias.

    >>> conv2d(np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2))
    array([[19., 25.],
           [37., 43.]])
    """
    # Integer inputs would overflow (a uint8 product wraps around at 256): compute in floating point.
    image, weights = (as_float(array) for array in (image, weights))
    single_map = image.ndim == 2
    if single_map:
        if weights.ndim != 2:
            raise ValueError(f"a 2-D (H, W) image needs a 2-D (f_h, f_w) kernel, got kernel shape {weights.shape}")
        image, weights = image[None], weights[None, None]
    if image.ndim != 3 or weights.ndim != 4:
        raise ValueError(
            f"expected image (C, H, W) and weights (K, C, f_h, f_w), got {image.shape} and {weights.shape}"
        )
    if weights.shape[1] != image.shape[0]:
        raise ValueError(f"the filters span {weights.shape[1]} channels but the image has {image.shape[0]}")
    (s_h, s_w), (d_h, d_w) = _pair(stride, "stride"), _pair(dilation, "dilation")
    padded = pad2d(image, padding)
    f_h, f_w = weights.shape[2:]
    # Checks the sizes (kernel larger than input -> ValueError) before any work is done.
    out_h = conv_output_size(padded.shape[1], f_h, stride=s_h, dilation=d_h)
    out_w = conv_output_size(padded.shape[2], f_w, stride=s_w, dilation=d_w)
    # Every window the (dilated) kernel can cover, then keep every s-th window and every d-th pixel in it:
    # windows[c, i, j] is the f_h x f_w patch of channel c that output pixel (i, j) sees.
    span_h, span_w = d_h * (f_h - 1) + 1, d_w * (f_w - 1) + 1
    windows = sliding_window_view(padded, (span_h, span_w), axis=(1, 2))[:, ::s_h, ::s_w, ::d_h, ::d_w]
    windows = windows[:, :out_h, :out_w]
    # Multiply each patch by each filter and sum over channels and kernel positions.
    out = np.einsum("cijuv,kcuv->kij", windows, weights, optimize=True)
    if bias is not None:
        out = out + np.broadcast_to(np.asarray(bias, dtype=out.dtype), (weights.shape[0],))[:, None, None]
    return out[0] if single_map else out


def convolve2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """True 2-D convolution ('valid'): flip the kernel in both axes, then cross-correlate.

    Same as ``scipy.signal.convolve2d(image, kernel, mode="valid")``.

    >>> convolve2d(np.arange(9.0).reshape(3, 3), np.arange(4.0).reshape(2, 2))
    array([[ 5., 11.],
           [23., 29.]])
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 2:
        raise ValueError(f"convolve2d takes a 2-D kernel, got shape {kernel.shape}")
    return conv2d(image, kernel[::-1, ::-1])


def conv_param_count(in_channels: int, out_channels: int, kernel_size: int | Pair, bias: bool = True) -> int:
    """Learnable parameters of a conv layer: ``K * (f_h * f_w * C + 1)`` with biases.

    >>> conv_param_count(3, 10, 3)   # ten 3x3x3 filters: 10 * (27 + 1)
    280
    >>> conv_param_count(3, 10, 3, bias=False)
    270
    """
    f_h, f_w = _pair(kernel_size, "kernel_size")
    if min(in_channels, out_channels, f_h, f_w) < 1:
        raise ValueError("channels and kernel sizes must be >= 1")
    return out_channels * (f_h * f_w * in_channels + int(bias))
