"""The NumPy reference convolution agrees with PyTorch and TensorFlow/Keras, and rejects bad input clearly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.env import import_tensorflow, import_torch
from helpers.lessons.convolution import conv2d, conv_output_size, conv_param_count, convolve2d, pad2d, same_padding

torch = import_torch()  # torch before TensorFlow, always (the reverse order can crash)
tf = import_tensorflow()
import keras  # noqa: E402

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def conv_cases(draw: st.DrawFn) -> dict:
    """A random layer: channels, filters, non-square image and kernel, stride, padding, dilation."""
    case = {
        "channels": draw(st.integers(1, 3)),
        "filters": draw(st.integers(1, 3)),
        "kernel": (draw(st.integers(1, 4)), draw(st.integers(1, 4))),
        "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "padding": (draw(st.integers(0, 2)), draw(st.integers(0, 2))),
        "dilation": (draw(st.integers(1, 2)), draw(st.integers(1, 2))),
        "seed": draw(st.integers(0, 2**16)),
    }
    spans = [d * (f - 1) + 1 for d, f in zip(case["dilation"], case["kernel"], strict=True)]
    smallest = [max(span - 2 * p, 1) for span, p in zip(spans, case["padding"], strict=True)]
    case["size"] = tuple(draw(st.integers(low, 12)) for low in smallest)
    return case


def random_layer(case: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(case["seed"])
    image = rng.normal(size=(case["channels"], *case["size"]))
    weights = rng.normal(size=(case["filters"], case["channels"], *case["kernel"]))
    bias = rng.normal(size=case["filters"])
    return image, weights, bias


@SETTINGS
@given(conv_cases())
def test_conv2d_matches_torch_functional_conv2d(case: dict) -> None:
    image, weights, bias = random_layer(case)
    ours = conv2d(image, weights, bias, stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    theirs = torch.nn.functional.conv2d(
        torch.from_numpy(image)[None],
        torch.from_numpy(weights),
        torch.from_numpy(bias),
        stride=case["stride"],
        padding=case["padding"],
        dilation=case["dilation"],
    )[0].numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


@SETTINGS
@given(conv_cases())
def test_conv2d_matches_tf_nn_conv2d_with_explicit_padding(case: dict) -> None:
    image, weights, bias = random_layer(case)
    if max(case["stride"]) > 1 and max(case["dilation"]) > 1:
        case["dilation"] = (1, 1)  # tf.nn.conv2d on the CPU does not combine strides and dilations
    ours = conv2d(image, weights, bias, stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    (p_h, p_w) = case["padding"]
    theirs = (
        tf.nn.conv2d(
            np.moveaxis(image, 0, -1)[None],  # TensorFlow is channels-last: (N, H, W, C)
            np.transpose(weights, (2, 3, 1, 0)),  # and its filters are (f_h, f_w, C, K)
            strides=case["stride"],
            padding=[[0, 0], [p_h, p_h], [p_w, p_w], [0, 0]],
            dilations=case["dilation"],
        ).numpy()[0]
        + bias
    )
    np.testing.assert_allclose(ours, np.moveaxis(theirs, -1, 0), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("size", [5, 6, 7, 8])
@pytest.mark.parametrize("kernel", [1, 2, 3, 4])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv2d_with_keras_same_padding_matches_keras_conv2d(size: int, kernel: int, stride: int) -> None:
    rng = np.random.default_rng(size * 100 + kernel * 10 + stride)
    image = rng.normal(size=(size, size + 1, 2)).astype("float32")  # channels-last for Keras
    layer = keras.layers.Conv2D(3, kernel, strides=stride, padding="same")
    expected = layer(image[None]).numpy()[0]
    kernel_tf, bias = (w.numpy() for w in layer.weights)
    pads = same_padding(size, kernel, stride) + same_padding(size + 1, kernel, stride)
    ours = conv2d(np.moveaxis(image, -1, 0), np.transpose(kernel_tf, (3, 2, 0, 1)), bias, stride=stride, padding=pads)
    np.testing.assert_allclose(np.moveaxis(ours, 0, -1), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("n", [5, 6, 7, 9, 12])
@pytest.mark.parametrize("f", [1, 2, 3, 5])
@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv_output_size_matches_torch_conv2d_layer_shape(n: int, f: int, padding: int, stride: int) -> None:
    if f > n + 2 * padding:
        pytest.skip("kernel larger than the padded input (tested below)")
    layer = torch.nn.Conv2d(1, 1, f, stride=stride, padding=padding)
    out = layer(torch.zeros(1, 1, n, n + 1))
    assert out.shape[-2:] == (conv_output_size(n, f, padding, stride), conv_output_size(n + 1, f, padding, stride))


@pytest.mark.parametrize("n", [5, 7, 9, 12])
@pytest.mark.parametrize("f", [1, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_output_size_matches_keras_conv2d_layer_shape(n: int, f: int, stride: int, padding: str) -> None:
    if padding == "valid" and f > n:
        pytest.skip("kernel larger than the input")
    layer = keras.layers.Conv2D(1, f, strides=stride, padding=padding)
    shape = layer.compute_output_shape((1, n, n, 1))
    before, after = same_padding(n, f, stride) if padding == "same" else (0, 0)
    expected = conv_output_size(n + before + after, f, 0, stride)
    assert shape[1:3] == (expected, expected)
    if padding == "same":
        assert expected == -(-n // stride)  # 'same' in Keras means ceil(n / s), whatever the stride


@given(st.integers(1, 3), st.integers(1, 8), st.integers(1, 5), st.booleans())
@settings(max_examples=20, deadline=None)
def test_conv_param_count_matches_torch_and_keras(channels: int, filters: int, kernel: int, bias: bool) -> None:
    torch_layer = torch.nn.Conv2d(channels, filters, kernel, bias=bias)
    keras_layer = keras.layers.Conv2D(filters, kernel, use_bias=bias)
    keras_layer.build((None, 8, 8, channels))
    expected = conv_param_count(channels, filters, kernel, bias=bias)
    assert sum(p.numel() for p in torch_layer.parameters()) == expected
    assert keras_layer.count_params() == expected


def test_worked_examples_from_the_lectures() -> None:
    vertical_edge = np.array([[1, 0, -1]] * 3)
    image = np.array(
        [
            [3, 0, 1, 2, 7, 4],
            [1, 5, 8, 9, 3, 1],
            [2, 7, 2, 5, 1, 3],
            [0, 1, 3, 1, 7, 8],
            [4, 2, 1, 6, 2, 8],
            [2, 4, 5, 2, 3, 9],
        ]
    )
    expected = [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]
    np.testing.assert_array_equal(conv2d(image, vertical_edge), expected)
    step = np.array([[10, 10, 10, 0, 0, 0]] * 6)
    np.testing.assert_array_equal(conv2d(step, vertical_edge), [[0, 30, 30, 0]] * 4)
    assert conv_output_size(7, 3, stride=3) == 2
    assert conv_param_count(3, 10, 3) == 280 and conv_param_count(3, 6, 5) == 456


def test_conv2d_does_not_overflow_on_integer_inputs() -> None:
    image, kernel = np.full((3, 3), 200, np.uint8), np.full((2, 2), 2, np.uint8)
    np.testing.assert_array_equal(conv2d(image, kernel), np.full((2, 2), 1600.0))


def test_convolve2d_is_flipped_cross_correlation_like_scipy() -> None:
    from scipy.signal import convolve2d as scipy_convolve2d

    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(convolve2d(image, kernel), scipy_convolve2d(image, kernel, mode="valid"))


def test_pad2d_pads_only_the_last_two_axes() -> None:
    assert pad2d(np.ones((3, 4, 5)), (1, 2)).shape == (3, 6, 9)
    assert pad2d(np.ones((4, 5)), (0, 1, 2, 3)).shape == (5, 10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 3, "f": 5}, "kernel covers 5 pixels"),
        ({"n": 3, "f": 3, "dilation": 2}, "kernel covers 5 pixels"),
        ({"n": 7, "f": 3, "stride": 3, "exact": True}, "does not fit"),
        ({"n": 7, "f": 3, "stride": 0}, "stride must be"),
        ({"n": 7, "f": 0}, "f must be"),
        ({"n": 7, "f": 3, "padding": -1}, "padding must be"),
        ({"n": 7.0, "f": 3}, "n must be"),
    ],
)
def test_conv_output_size_rejects_bad_sizes(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conv_output_size(**kwargs)


@pytest.mark.parametrize(
    ("image_shape", "weights_shape", "message"),
    [
        ((3, 3), (5, 5), "kernel covers 5 pixels"),
        ((4, 4), (1, 1, 3, 3), "needs a 2-D"),
        ((2, 5, 5), (4, 3, 3, 3), "span 3 channels but the image has 2"),
        ((1, 1, 5, 5), (1, 1, 3, 3), r"expected image \(C, H, W\)"),
        ((5,), (3, 3), r"expected image \(C, H, W\)"),
    ],
)
def test_conv2d_rejects_bad_shapes(image_shape: tuple, weights_shape: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conv2d(np.zeros(image_shape), np.zeros(weights_shape))


def test_bad_stride_padding_and_kernel_arguments_raise() -> None:
    with pytest.raises(ValueError, match="stride must be an int or a pair"):
        conv2d(np.zeros((5, 5)), np.zeros((3, 3)), stride=(1, 2, 3))
    with pytest.raises(ValueError, match="padding must be"):
        pad2d(np.zeros((5, 5)), -1)
    with pytest.raises(ValueError, match="2-D kernel"):
        convolve2d(np.zeros((5, 5)), np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match="must be >= 1"):
        conv_param_count(0, 3, 3)
