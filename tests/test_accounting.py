"""Tests for helpers.lessons.accounting: hand-checkable layers, the papers' totals, PyTorch's own counters."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from helpers.lessons.accounting import Accounting, account, check_against_torch, format_bytes, layer_macs, torch_flops


def lecture_alexnet() -> nn.Sequential:
    """The single-tower AlexNet of the lecture's table (227x227 input)."""
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), nn.MaxPool2d(3, 2), nn.LocalResponseNorm(5),
        nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.LocalResponseNorm(5),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(), nn.Linear(6 * 6 * 256, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("f", "c", "k", "n", "stride", "padding"),
    [(3, 1, 1, 5, 1, 0), (11, 3, 96, 227, 4, 0), (5, 4, 7, 9, 2, 2), (1, 16, 8, 6, 1, 0)],
)
def test_single_conv_matches_the_formulas(f: int, c: int, k: int, n: int, stride: int, padding: int) -> None:
    out = (n + 2 * padding - f) // stride + 1
    result = account(nn.Conv2d(c, k, f, stride=stride, padding=padding), (c, n, n))
    (row,) = result.rows
    assert row.output_shape == (k, out, out)
    assert row.params == result.params == (f * f * c + 1) * k
    assert row.macs == result.macs == out * out * k * f * f * c
    assert row.activation_bytes == out * out * k * 4
    assert result.activation_bytes == (c * n * n + k * out * out) * 4


def test_linear_grouped_and_depthwise_convolutions() -> None:
    assert layer_macs(nn.Linear(10, 3), (torch.zeros(1, 10),), torch.zeros(1, 3)) == 30
    depthwise = account(nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), (8, 10, 10))
    assert depthwise.params == 3 * 3 * 8 and depthwise.macs == 10 * 10 * 8 * 3 * 3
    grouped = account(nn.Conv2d(8, 4, 1, groups=2), (8, 5, 5))
    assert grouped.macs == 5 * 5 * 4 * (8 // 2)


def test_elementwise_layers_are_listed_but_not_added_to_memory() -> None:
    result = account(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten()), (1, 4, 4))
    assert [row.kind for row in result.rows] == ["Conv2d", "ReLU", "Flatten"]
    assert result.activation_bytes == (16 + 2 * 2 * 2) * 4
    assert "ReLU" not in result.table() and "ReLU" in result.table(skip_elementwise=False)


def test_a_module_called_twice_gets_two_rows_and_its_parameters_once() -> None:
    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(2, 2, 3, padding=1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv(self.conv(x))

    result = account(Twice(), (2, 5, 5))
    assert len(result.rows) == 2 and result.rows[1].name.endswith("(again)")
    assert result.params == (3 * 3 * 2 + 1) * 2
    assert result.macs == 2 * 5 * 5 * 2 * 3 * 3 * 2


def test_lecture_alexnet_shapes_and_parameters() -> None:
    result = account(lecture_alexnet(), (3, 227, 227))
    convs = [row for row in result.rows if row.kind == "Conv2d"]
    assert convs[0].output_shape == (96, 55, 55) and convs[0].params == 34_944  # "35K"
    pools = [row for row in result.rows if row.kind == "MaxPool2d"]
    assert [pool.output_shape for pool in pools] == [(96, 27, 27), (256, 13, 13), (256, 6, 6)]
    assert all(pool.params == 0 for pool in pools)
    assert result.params == 62_378_344  # about the paper's 60 million


def test_vgg16_totals_match_the_lecture_table() -> None:
    from torchvision.models import vgg16

    with torch.device("meta"):
        model = vgg16(weights=None)
    result = account(model, (3, 224, 224))
    assert result.params == 138_357_544
    biases = sum(p.numel() for name, p in model.named_parameters() if "bias" in name)
    assert result.params - biases == 138_344_128  # the table's "weights" column leaves biases out
    # The table's memory column: the input and every conv, max-pool and fc output (values, not bytes).
    # torchvision's extra AdaptiveAvgPool2d (a no-op at 224x224) is not in the table.
    counted = [row for row in result.rows if row.kind in ("Conv2d", "MaxPool2d", "Linear")]
    assert 3 * 224 * 224 + sum(row.activations for row in counted) == 15_237_608


def test_agrees_with_flop_counter_mode_and_parameter_sum() -> None:
    from torchvision.models import resnet18

    with torch.device("meta"):
        model = resnet18(weights=None)
    result = account(model, (3, 224, 224))
    check_against_torch(model, result)
    assert torch_flops(model, (3, 224, 224)) == 2 * result.macs == result.flops
    assert round(result.macs / 1e9, 1) == 1.8  # the ResNet paper's 1.8 x 10^9 "FLOPs" (multiply-adds)


def test_check_against_torch_reports_a_mismatch() -> None:
    model = nn.Conv2d(1, 1, 3)
    wrong = Accounting((1, 5, 5), account(model, (1, 5, 5)).rows[:0])
    with pytest.raises(ValueError, match="parameters"):
        check_against_torch(model, wrong)


@pytest.mark.parametrize("shape", [(), (0, 5, 5), (3, -1, 4), (3.0, 5, 5)])
def test_bad_input_shapes_are_refused(shape: tuple) -> None:
    with pytest.raises(ValueError, match="input_shape"):
        account(nn.Conv2d(3, 4, 3), shape)


def test_a_non_module_is_refused() -> None:
    with pytest.raises(ValueError, match="nn.Module"):
        account(lambda x: x, (3, 5, 5))  # type: ignore[arg-type]


def test_format_bytes_uses_decimal_units() -> None:
    assert format_bytes(999) == "999 B"
    assert format_bytes(61_050_784) == "61.05 MB"


@pytest.mark.parametrize("training", [True, False])
def test_measuring_leaves_the_model_in_the_mode_it_found(training):
    model = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5)).train(training)
    account(model, (4,))
    torch_flops(model, (4,))
    assert model.training is training and model[1].training is training
