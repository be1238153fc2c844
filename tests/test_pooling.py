"""The NumPy reference pooling agrees with PyTorch and TensorFlow/Keras, and rejects bad input clearly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.env import import_tensorflow, import_torch
from helpers.lessons.pooling import avg_pool2d, l2_pool2d, max_pool2d, pool2d, pool_output_size

torch = import_torch()  # torch before TensorFlow, always (the reverse order can crash)
tf = import_tensorflow()
import keras  # noqa: E402

F = torch.nn.functional
SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def pool_cases(draw: st.DrawFn) -> dict:
    """A random pooling: channels, window, stride (overlapping or not), a non-square image."""
    size = draw(st.integers(1, 4))
    return {
        "size": size,
        "stride": draw(st.integers(1, 4)),
        "shape": (draw(st.integers(1, 3)), draw(st.integers(size, 11)), draw(st.integers(size, 11))),
        "seed": draw(st.integers(0, 2**16)),
    }


def random_image(case: dict) -> np.ndarray:
    return np.random.default_rng(case["seed"]).normal(size=case["shape"])


@SETTINGS
@given(pool_cases())
def test_pooling_matches_torch_functional(case: dict) -> None:
    image = random_image(case)
    x, size, stride = torch.from_numpy(image)[None], case["size"], case["stride"]
    np.testing.assert_allclose(max_pool2d(image, size, stride), F.max_pool2d(x, size, stride)[0].numpy())
    np.testing.assert_allclose(avg_pool2d(image, size, stride), F.avg_pool2d(x, size, stride)[0].numpy())
    np.testing.assert_allclose(l2_pool2d(image, size, stride), F.lp_pool2d(x, 2, size, stride)[0].numpy())


@SETTINGS
@given(pool_cases())
def test_pooling_matches_tf_nn(case: dict) -> None:
    image = random_image(case)
    x = np.moveaxis(image, 0, -1)[None]  # TensorFlow is channels-last: (N, H, W, C)
    size, stride = case["size"], case["stride"]

    def tf_pool(function, values):
        return np.moveaxis(function(values, size, stride, "VALID").numpy()[0], -1, 0)

    np.testing.assert_allclose(max_pool2d(image, size, stride), tf_pool(tf.nn.max_pool2d, x))
    np.testing.assert_allclose(avg_pool2d(image, size, stride), tf_pool(tf.nn.avg_pool2d, x))
    # L2 pooling is sqrt(window size * mean of squares); TensorFlow has no L2 pool of its own.
    np.testing.assert_allclose(l2_pool2d(image, size, stride), np.sqrt(size * size * tf_pool(tf.nn.avg_pool2d, x**2)))


@pytest.mark.parametrize("n", [4, 5, 7, 13, 55])
@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 2), (3, 1), (2, None), (3, 3)])
def test_pool_output_size_and_zero_parameters_match_keras_and_torch(n: int, size: int, stride: int | None) -> None:
    expected = pool_output_size(n, size, stride)
    layer = keras.layers.MaxPooling2D(size, strides=stride)
    assert layer.compute_output_shape((1, n, n, 4))[1:3] == (expected, expected)
    assert layer.count_params() == 0
    torch_layer = torch.nn.MaxPool2d(size, stride)
    assert torch_layer(torch.zeros(1, 4, n, n)).shape[-2:] == (expected, expected)
    assert len(list(torch_layer.parameters())) == 0


def test_worked_examples() -> None:
    image = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]])
    np.testing.assert_array_equal(max_pool2d(image, 2), [[9, 2], [6, 3]])
    np.testing.assert_array_equal(avg_pool2d(image, 2), [[3.75, 1.25], [3.75, 2.0]])
    assert max_pool2d(np.zeros((2, 5, 5)), 3, stride=1).shape == (2, 3, 3)  # the 5x5x2, f=3, s=1 example
    assert pool_output_size(55, 3, 2) == 27  # AlexNet's POOL1


def test_pool2d_keeps_integer_dtype_for_max() -> None:
    assert pool2d(np.arange(16, dtype=np.uint8).reshape(4, 4), 2).dtype == np.uint8


def test_l2_pool2d_does_not_overflow_on_uint8() -> None:
    np.testing.assert_allclose(l2_pool2d(np.full((2, 2), 200, np.uint8), 2), [[400.0]])


@pytest.mark.parametrize(
    ("shape", "kwargs", "message"),
    [
        ((3, 3), {"size": 4}, "kernel covers 4 pixels"),
        ((8, 2), {"size": 3}, "kernel covers 3 pixels"),
        ((1, 1, 4, 4), {"size": 2}, r"expected an \(H, W\) or \(C, H, W\)"),
        ((4,), {"size": 2}, r"expected an \(H, W\) or \(C, H, W\)"),
        ((4, 4), {"size": 2, "mode": "median"}, "mode must be one of"),
        ((4, 4), {"size": 0}, "f must be"),
        ((4, 4), {"size": 2, "stride": 0}, "stride must be"),
    ],
)
def test_pool2d_rejects_bad_input(shape: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pool2d(np.zeros(shape), **kwargs)
