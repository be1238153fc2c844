"""Notebook 05's from-scratch losses, dropout and batch norm: they agree with PyTorch, stay finite where the naive
formulas overflow, and refuse settings that would divide by zero with a clear error instead of NaN."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from helpers.lessons.losses import binary_hinge_loss, log_sum_exp, softmax, softmax_loss, svm_loss
from helpers.lessons.regularisation import BatchNorm2dFromScratch, inverted_dropout


def test_svm_loss_gives_the_lectures_numbers():
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    assert [svm_loss(s, label) for s, label in zip(scores, range(3), strict=True)] == pytest.approx([2.9, 0, 12.9])
    with pytest.raises(ValueError, match="label"):
        svm_loss(scores[0], 3)


def test_binary_hinge_loss_sums_over_examples_and_wants_plus_or_minus_one():
    assert binary_hinge_loss(np.array([1, -1, -1]), np.full(3, 0.5)) == pytest.approx(3.5)
    with pytest.raises(ValueError, match="-1"):
        binary_hinge_loss(np.array([1, 0, 0]), np.full(3, 0.5))


@pytest.mark.parametrize("gap", [0.0, 3.0, 100.0, 800.0, 1e5])
def test_softmax_loss_matches_pytorch_at_any_score_gap(gap):
    scores = np.array([0.0, gap, -gap / 2])
    expected = F.cross_entropy(torch.tensor(scores)[None], torch.tensor([0])).item()
    assert np.isfinite(softmax_loss(scores, 0))
    assert softmax_loss(scores, 0) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert softmax(scores).sum() == pytest.approx(1.0)


def test_log_sum_exp_does_not_overflow():
    assert log_sum_exp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2))
    assert log_sum_exp(np.array([-1000.0])) == pytest.approx(-1000.0)


def test_inverted_dropout_keeps_the_mean_and_refuses_keep_zero():
    out = inverted_dropout(np.ones(100_000), keep=0.8, training=True, rng=np.random.default_rng(0))
    assert set(np.unique(out)) == {0.0, 1.25} and out.mean() == pytest.approx(1.0, abs=0.01)
    for keep in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="keep"):
            inverted_dropout(np.ones(3), keep=keep, training=True, rng=np.random.default_rng(0))


def test_batch_norm_matches_pytorch_and_refuses_one_value_per_channel():
    batch = np.random.default_rng(0).normal(2.0, 3.0, size=(4, 3, 2, 2))
    ours, theirs = BatchNorm2dFromScratch(3), torch.nn.BatchNorm2d(3, dtype=torch.float64)
    assert np.allclose(ours(batch), theirs(torch.from_numpy(batch)).detach().numpy())
    assert np.allclose(ours.running_var, theirs.running_var.numpy())
    with pytest.raises(ValueError, match="more than one value per channel"):
        ours(batch[:1, :, :1, :1])
    ours.training = False  # evaluation uses the running averages: one value is fine
    assert np.isfinite(ours(batch[:1, :, :1, :1])).all()
    with pytest.raises(ValueError, match="expected"):
        ours(batch[:, :2])
