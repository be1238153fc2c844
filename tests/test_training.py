"""The in-memory training loop learns a tiny problem and rejects inputs that do not fit together."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from helpers.lessons import training
from helpers.lessons.lenet import images_to_tensor, modern_lenet


def separable_problem(n: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Two Gaussian blobs: a linear model gets them nearly all right."""
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(n) % 2
    points = torch.randn(n, 2, generator=generator) * 0.5 + (labels.float() * 4 - 2).unsqueeze(1)
    return points, labels


def test_fit_learns_a_separable_problem():
    torch.manual_seed(0)
    x, y = separable_problem()
    model = nn.Linear(2, 2)
    history = training.fit(
        model,
        (x, y),
        (x, y),
        epochs=5,
        batch_size=32,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.5),
        progress=False,
    )
    assert len(history.loss) == 5 and history.loss[-1] < history.loss[0]
    assert history.validation_accuracy[-1] >= 0.97
    assert history.train_seconds > 0
    loss, accuracy = training.evaluate(model, x, y, batch_size=50)
    assert accuracy == pytest.approx(history.validation_accuracy[-1])
    assert training.predict(model, x, batch_size=7).shape == (len(x), 2)


def test_fit_steps_the_scheduler_every_batch():
    x, y = separable_problem(64)
    model = nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=2 * 4)
    training.fit(
        model, (x, y), (x, y), epochs=2, batch_size=16, optimizer=optimizer, scheduler=scheduler, progress=False
    )
    assert scheduler.last_epoch == 8


def test_fit_and_evaluate_reject_bad_input():
    x, y = separable_problem(16)
    model = nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="labels"):
        training.fit(model, (x, y[:-1]), (x, y), epochs=1, batch_size=4, optimizer=optimizer, progress=False)
    with pytest.raises(ValueError, match="positive"):
        training.fit(model, (x, y), (x, y), epochs=0, batch_size=4, optimizer=optimizer, progress=False)
    with pytest.raises(ValueError, match="positive"):
        training.fit(model, (x, y), (x, y), epochs=1, batch_size=0, optimizer=optimizer, progress=False)
    with pytest.raises(ValueError, match="labels"):
        training.evaluate(model, x[:0], y[:0])


def test_modern_lenet_shapes_and_parameters():
    model = modern_lenet()
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert sum(p.numel() for p in model.parameters()) == 61_706
    assert modern_lenet(num_classes=5).output.out_features == 5
    with pytest.raises(ValueError):
        modern_lenet(num_classes=1)


def test_images_to_tensor_scales_and_checks_shape():
    x = images_to_tensor(torch.full((2, 4, 4), 255, dtype=torch.uint8), mean=0.5, std=0.5)
    assert x.shape == (2, 1, 4, 4) and torch.allclose(x, torch.ones_like(x))
    with pytest.raises(ValueError, match="N, H, W"):
        images_to_tensor(torch.zeros(4, 4, dtype=torch.uint8))
    with pytest.raises(ValueError, match="N >= 1"):
        images_to_tensor(torch.zeros(0, 4, 4, dtype=torch.uint8))
    with pytest.raises(ValueError, match="uint8"):
        images_to_tensor(torch.rand(2, 4, 4))
    with pytest.raises(ValueError, match="std"):
        images_to_tensor(torch.zeros(2, 4, 4, dtype=torch.uint8), std=0)


def test_fit_without_validation_and_the_one_cycle_recipe():
    torch.manual_seed(0)
    x, y = separable_problem()
    model = nn.Linear(2, 2)
    history = training.fit_one_cycle(model, (x, y), epochs=4, batch_size=32, max_lr=0.1, progress=False)
    assert len(history.loss) == 4 and history.loss[-1] < history.loss[0] / 2
    assert history.validation_accuracy == [] and history.accuracy[-1] >= 0.97


def test_evaluation_mode_restores_the_previous_mode():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    for before in (True, False):
        model.train(before)
        with training.evaluation_mode(model):
            assert not model.training
        assert model.training is before
    model.train()
    with pytest.raises(RuntimeError), training.evaluation_mode(model):
        raise RuntimeError("an error inside the block")
    assert model.training


def test_validation_split_holds_out_each_class_and_never_overlaps():
    labels = np.repeat(np.arange(10), 100)
    train, validation = training.validation_split(labels, fraction=0.1, seed=0)
    assert len(validation) == 100 and np.bincount(labels[validation]).tolist() == [10] * 10
    assert len(np.intersect1d(train, validation)) == 0 and len(train) + len(validation) == len(labels)
    again, _ = training.validation_split(labels, fraction=0.1, seed=0)
    other, _ = training.validation_split(labels, fraction=0.1, seed=1)
    assert np.array_equal(train, again) and not np.array_equal(train, other)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="fraction"):
            training.validation_split(labels, fraction=bad)
    with pytest.raises(ValueError, match="too few"):
        training.validation_split(np.array([0, 1, 1]), fraction=0.5)
