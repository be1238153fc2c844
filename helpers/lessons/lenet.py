"""The modern LeNet used by notebooks 06 and 07 and by the LeNet benchmark.

LeNet-5's layout (Y. LeCun et al., 1998) with today's parts: ReLU instead of scaled tanh,
max pooling instead of trainable subsampling, a full C3 instead of the partial connection table,
and a plain linear output trained with softmax cross-entropy instead of Gaussian RBF units.
Notebook 06 builds the 1998 original next to it and explains each difference.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch
from torch import nn


def modern_lenet(num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """LeNet-5's layout with ReLU, max pooling and a full C3, for 28x28 inputs.

    C1 pads by 2, so its maps are 28x28 like those the paper's C1 makes from its 32x32 input.
    The frame differs from the paper's: the padding adds zeros to standardised pixels, which is
    the mean pixel (a faint grey), not the blank background around the paper's digits. The layers
    keep the paper's names, so ``model.c1`` is the first convolution. ``num_classes`` only
    changes the output layer.

    >>> model = modern_lenet()
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> sum(p.numel() for p in model.parameters())
    61706
    """
    if num_classes < 2 or in_channels < 1:
        raise ValueError(f"need num_classes >= 2 and in_channels >= 1, got {num_classes} and {in_channels}")
    return nn.Sequential(
        OrderedDict(
            c1=nn.Conv2d(in_channels, 6, kernel_size=5, padding=2),  # 6 x 28 x 28
            relu1=nn.ReLU(),
            s2=nn.MaxPool2d(2),  # 6 x 14 x 14
            c3=nn.Conv2d(6, 16, kernel_size=5),  # 16 x 10 x 10, every map sees all six S2 maps
            relu3=nn.ReLU(),
            s4=nn.MaxPool2d(2),  # 16 x 5 x 5
            flatten=nn.Flatten(),
            c5=nn.Linear(16 * 5 * 5, 120),  # a 5x5 convolution over a 5x5 input is a dense layer
            relu5=nn.ReLU(),
            f6=nn.Linear(120, 84),
            relu6=nn.ReLU(),
            output=nn.Linear(84, num_classes),
        )
    )


def images_to_tensor(images, device: torch.device | str = "cpu", mean: float = 0.0, std: float = 1.0) -> torch.Tensor:
    """uint8 images (N, H, W) to a float tensor (N, 1, H, W) on ``device``: scaled to [0, 1], then standardised.

    The whole set goes to the device once; training then slices batches out of it.

    >>> import numpy as np
    >>> images_to_tensor(np.full((2, 28, 28), 255, np.uint8)).shape
    torch.Size([2, 1, 28, 28])
    """
    array = torch.as_tensor(images)
    if array.ndim != 3 or array.shape[0] == 0:
        raise ValueError(f"expected images shaped (N, H, W) with N >= 1, got {tuple(array.shape)}")
    if array.dtype != torch.uint8:
        raise ValueError(f"expected uint8 pixels (0..255), got {array.dtype}: scaling by 255 would be wrong")
    if std <= 0:
        raise ValueError(f"std must be positive, got {std}")
    x = array.to(device=device, dtype=torch.float32).unsqueeze(1) / 255.0
    return (x - mean) / std


def images_to_array(images, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """uint8 images (N, H, W) to float32 (N, H, W, 1), channels last as Keras wants them: the same scaling and
    standardising as :func:`images_to_tensor`.

    >>> images_to_array(np.full((2, 28, 28), 255, np.uint8), mean=0.5, std=0.5)[0, 0, 0]
    array([1.], dtype=float32)
    """
    array = np.asarray(images)
    if array.ndim != 3 or array.shape[0] == 0:
        raise ValueError(f"expected images shaped (N, H, W) with N >= 1, got {array.shape}")
    if array.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels (0..255), got {array.dtype}: scaling by 255 would be wrong")
    if std <= 0:
        raise ValueError(f"std must be positive, got {std}")
    return ((array / 255.0 - mean) / std).astype("float32")[..., None]
