"""Dropout and batch normalisation written from scratch in NumPy (notebook 05), checked there against PyTorch
and Keras. Both refuse settings where the arithmetic would divide by zero and return NaN.
"""

from __future__ import annotations

import numpy as np


def inverted_dropout(x: np.ndarray, keep: float, training: bool, rng: np.random.Generator | None) -> np.ndarray:
    """Training: keep each value with probability ``keep`` and scale the kept ones by 1/keep. Evaluation: identity.

    >>> inverted_dropout(np.ones(4), keep=0.5, training=True, rng=np.random.default_rng(0)).tolist()
    [0.0, 2.0, 2.0, 2.0]
    """
    if not 0 < keep <= 1:
        raise ValueError(f"keep is the probability of keeping a value and must be in (0, 1], got {keep}")
    if not training:
        return x
    mask = rng.random(x.shape) < keep
    return x * mask / keep


class BatchNorm2dFromScratch:
    """Batch normalisation for (N, C, H, W) arrays: the lesson's lines are the algorithm.

    ``momentum`` is PyTorch's (the weight of the new batch in the running averages); ``unbiased_running_var``
    chooses PyTorch's running variance (divide by m - 1) or Keras's (divide by m).
    """

    def __init__(self, channels: int, momentum: float = 0.1, eps: float = 1e-5, unbiased_running_var: bool = True):
        self.gamma, self.beta = np.ones(channels), np.zeros(channels)  # learned scale and shift
        self.running_mean, self.running_var = np.zeros(channels), np.ones(channels)
        self.momentum, self.eps, self.unbiased = momentum, eps, unbiased_running_var
        self.training = True

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 4 or x.shape[1] != len(self.gamma):
            raise ValueError(f"expected (N, {len(self.gamma)}, H, W), got shape {x.shape}")
        if self.training:
            m = x.size // x.shape[1]  # values per channel: N * H * W
            if m < 2:  # one value has no spread: its variance is 0 and the unbiased estimate 0 / 0
                raise ValueError(f"training needs more than one value per channel, got input of shape {x.shape}")
            mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))  # biased: divides by m
            var_estimate = var * m / (m - 1) if self.unbiased else var
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var_estimate
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + self.eps)
        return self.gamma[None, :, None, None] * x_hat + self.beta[None, :, None, None]
