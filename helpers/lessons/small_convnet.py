"""The small convnet notebook 08 trains on 64 x 64 cats-vs-dogs photos (PyTorch) and its training recipe; 08a
reuses both, and 09 builds its networks from the same convolution-batch norm-ReLU block."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from .training import History, fit


class Scale(nn.Module):
    """uint8 pixels (or floats in [0, 1]) to roughly zero-mean, unit-scale inputs."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float() / 255 if x.dtype == torch.uint8 else x
        return (x - 0.5) / 0.25


def conv_bn_relu(c_in: int, c_out: int, size: int = 3, stride: int = 1, groups: int = 1) -> list[nn.Module]:
    """A convolution without bias (batch norm follows, with its own shift), batch normalisation and ReLU.

    >>> [type(m).__name__ for m in conv_bn_relu(3, 16)]
    ['Conv2d', 'BatchNorm2d', 'ReLU']
    """
    conv = nn.Conv2d(c_in, c_out, size, stride, padding=size // 2, groups=groups, bias=False)
    return [conv, nn.BatchNorm2d(c_out), nn.ReLU()]


def small_convnet(dropout: float = 0.0, widths: tuple[int, ...] = (16, 32, 64, 128, 256)) -> nn.Sequential:
    """64 x 64 photos -> 2 logits. Dropout (0 = none) sits before the classifier.

    >>> small_convnet()(torch.zeros(2, 3, 64, 64, dtype=torch.uint8)).shape
    torch.Size([2, 2])
    """
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    modules = [Scale(), *conv_bn_relu(3, widths[0], stride=2)]  # 64 -> 32
    for index, (before, after) in enumerate(zip(widths, widths[1:], strict=False)):
        modules += conv_bn_relu(before, after)
        if index < len(widths) - 2:
            modules.append(nn.MaxPool2d(2))  # 32 -> 16 -> 8 -> 4
    modules += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(widths[-1], 2)]
    return nn.Sequential(*modules)


def train_small_convnet(
    train: tuple[torch.Tensor, torch.Tensor],
    validation: tuple[torch.Tensor, torch.Tensor],
    *,
    augment: Callable[[torch.Tensor], torch.Tensor] | None,
    dropout: float,
    epochs: int,
    peak_lr: float = 3e-3,
    batch_size: int = 64,
) -> tuple[nn.Module, History]:
    """Train a fresh small convnet (seeded) on the training photos with AdamW and a one-cycle schedule, on the
    photos' device; measure it on the validation photos after every epoch."""
    torch.manual_seed(0)
    model = small_convnet(dropout).to(train[0].device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=peak_lr, weight_decay=0.05)
    steps = epochs * math.ceil(len(train[0]) / batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=peak_lr, total_steps=steps)
    history = fit(
        model,
        train,
        validation,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        scheduler=scheduler,
        augment=augment,
        progress=False,
    )
    return model, history
