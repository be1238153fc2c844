"""Classification losses written from scratch in NumPy (notebook 05): the multiclass SVM loss, the lecture's
binary hinge loss, and the softmax (cross-entropy) loss computed stably with log-sum-exp.
"""

from __future__ import annotations

import numpy as np


def svm_loss(scores: np.ndarray, label: int, margin: float = 1.0) -> float:
    """Multiclass SVM loss of one example: the sum over the wrong classes j of max(0, s_j - s_label + margin).

    >>> round(svm_loss(np.array([3.2, 5.1, -1.7]), 0), 6)
    2.9
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or not 0 <= label < len(scores):
        raise ValueError(f"expected a vector of scores and a label in [0, {len(scores)}), got {scores.shape}, {label}")
    margins = np.maximum(0, scores - scores[label] + margin)
    margins[label] = 0  # the correct class is not compared with itself
    return float(margins.sum())


def binary_hinge_loss(targets: np.ndarray, outputs: np.ndarray) -> float:
    """The binary hinge loss summed over examples, sum_i max(0, 1 - t_i y_i), with targets t_i of +1 or -1.

    >>> binary_hinge_loss(np.array([1, -1]), np.array([2.0, 0.5]))
    1.5
    """
    targets, outputs = np.asarray(targets, dtype=float), np.asarray(outputs, dtype=float)
    if targets.shape != outputs.shape or not np.isin(targets, (-1, 1)).all():
        raise ValueError(f"expected targets of +1 or -1, one per output, got {targets.tolist()}")
    return float(np.maximum(0, 1 - targets * outputs).sum())


def log_sum_exp(scores: np.ndarray) -> float:
    """log(sum_j exp(s_j)), computed as m + log(sum_j exp(s_j - m)) with m the largest score, so that no
    exponential overflows (every exp(s_j - m) is at most 1) and the largest term is exactly 1.

    >>> round(log_sum_exp(np.array([1000.0, 1000.0])), 4)
    1000.6931
    """
    largest = np.max(scores)
    return float(largest + np.log(np.sum(np.exp(scores - largest))))


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities exp(s_k) / sum_j exp(s_j), with the largest score subtracted first (changes nothing)."""
    exponentials = np.exp(scores - np.max(scores))
    return exponentials / exponentials.sum()


def softmax_loss(scores: np.ndarray, label: int) -> float:
    """Cross-entropy of one example, -log P(label) = log_sum_exp(s) - s_label: finite for any score gap,
    where -log(softmax(s)[label]) becomes inf once P(label) underflows to 0.

    >>> softmax_loss(np.array([0.0, 1000.0]), 0)
    1000.0
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or not 0 <= label < len(scores):
        raise ValueError(f"expected a vector of scores and a label in [0, {len(scores)}), got {scores.shape}, {label}")
    return log_sum_exp(scores) - float(scores[label])
