"""A small, fast PyTorch training loop for datasets that fit in memory, its curves, and the validation split.

The whole dataset lives as tensors on the device and batches are index slices, so no Python
data pipeline sits between the model and the GPU (or the CPU's vector units). Notebook 06
builds this loop step by step; later notebooks reuse it from here. Notebook 05 explains the
method it serves: choices are made on a validation split carved from the training data, and the
test set is evaluated once, at the end.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.ticker import MaxNLocator
from torch import nn
from tqdm.auto import tqdm

from ..env import progress_bars

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass
class History:
    """Per-epoch metrics of one training run (validation metrics stay empty when there is no validation data)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)
    validation_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def train_seconds(self) -> float:
        return sum(self.seconds)


def validation_split(labels: np.ndarray, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation) that hold out ``fraction`` of every class, drawn at random with ``seed``.

    Both index arrays are sorted, so a subset keeps the data's own order.

    >>> labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> train, validation = validation_split(labels, fraction=0.25)
    >>> len(train), len(validation), labels[validation].tolist()
    (6, 2, [0, 1])
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"expected a non-empty vector of labels, got shape {labels.shape}")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    rng = np.random.default_rng(seed)
    held_out = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        count = max(1, round(fraction * len(members)))
        if count >= len(members):
            raise ValueError(f"class {label} has {len(members)} examples: too few to hold out {fraction:.0%}")
        held_out.append(rng.choice(members, size=count, replace=False))
    validation = np.sort(np.concatenate(held_out))
    return np.setdiff1d(np.arange(len(labels)), validation), validation


@contextlib.contextmanager
def evaluation_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Switch ``model`` to eval mode (dropout off, batch norm's running statistics) and back to what it was."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> tuple[float, float]:
    """Mean cross-entropy loss and accuracy of ``model`` on (x, y), in eval mode."""
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"need as many labels as inputs (and at least one), got {len(x)} and {len(y)}")
    total_loss, correct = 0.0, 0
    with evaluation_mode(model):
        for start in range(0, len(x), batch_size):
            logits = model(x[start : start + batch_size]).float()
            target = y[start : start + batch_size]
            total_loss += nn.functional.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(1) == target).sum().item()
    return total_loss / len(x), correct / len(x)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits for every input, computed in eval mode in batches."""
    with evaluation_mode(model):
        return torch.cat([model(x[start : start + batch_size]).float() for start in range(0, len(x), batch_size)])


def fit(
    model: nn.Module,
    train: Batch,
    validation: Batch | None = None,
    *,
    epochs: int,
    batch_size: int,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    progress: bool = True,
) -> History:
    """Train with cross-entropy for ``epochs`` epochs; evaluate on ``validation`` (if given) after each.

    ``train`` and ``validation`` are (inputs, integer labels) already on the model's device.
    ``scheduler`` is stepped after every batch (OneCycleLR and friends). ``augment`` maps a
    batch of inputs to an augmented batch on the device. On a CUDA GPU the forward pass runs in
    bfloat16 (autocast), which is faster and changes nothing the course measures.

    >>> history = fit(model, (x, y), (vx, vy), epochs=3, batch_size=128,
    ...               optimizer=torch.optim.Adam(model.parameters()))   # doctest: +SKIP
    """
    x, y = train
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"need as many labels as inputs (and at least one), got {len(x)} and {len(y)}")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs} and {batch_size}")
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=x.device.type == "cuda")
    history = History()
    bar = tqdm(range(epochs), desc="epochs", disable=not (progress and progress_bars()))
    for _ in bar:
        started = time.perf_counter()
        model.train()
        order = torch.randperm(len(x), device=x.device)
        total_loss = torch.zeros((), device=x.device)
        correct = torch.zeros((), device=x.device, dtype=torch.long)
        for start in range(0, len(x), batch_size):
            index = order[start : start + batch_size]
            inputs, target = x[index], y[index]
            if augment is not None:
                inputs = augment(inputs)
            with autocast:
                logits = model(inputs)
                loss = nn.functional.cross_entropy(logits, target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            # Accumulate on the device: a .item() per batch would wait for the GPU every step.
            total_loss += loss.detach() * len(index)
            correct += (logits.argmax(1) == target).sum()
        history.loss.append(total_loss.item() / len(x))
        history.accuracy.append(correct.item() / len(x))
        history.seconds.append(time.perf_counter() - started)
        shown = {"loss": f"{history.loss[-1]:.3f}"}
        if validation is not None:
            validation_loss, validation_accuracy = evaluate(model, *validation)
            history.validation_loss.append(validation_loss)
            history.validation_accuracy.append(validation_accuracy)
            shown["validation accuracy"] = f"{validation_accuracy:.4f}"
        bar.set_postfix(shown)
    return history


def fit_one_cycle(
    model: nn.Module,
    train: Batch,
    validation: Batch | None = None,
    *,
    epochs: int,
    batch_size: int = 128,
    max_lr: float = 3e-3,
    weight_decay: float = 0.0,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    progress: bool = True,
) -> History:
    """:func:`fit` with the course's usual recipe: AdamW and a one-cycle learning rate peaking at ``max_lr``.

    The rate warms up over the first quarter of the steps, then decays to almost zero (notebook 05 shows why).
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=max_lr, weight_decay=weight_decay)
    steps = epochs * math.ceil(len(train[0]) / batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=steps, pct_start=0.25)
    return fit(
        model,
        train,
        validation,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        scheduler=scheduler,
        augment=augment,
        progress=progress,
    )


def plot_history(histories: dict[str, History], title: str = "") -> plt.Figure:
    """Loss and accuracy curves (training solid, validation dashed) for one or more runs."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(8, 3))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (name, history), colour in zip(histories.items(), colours, strict=False):
        epochs = range(1, len(history.loss) + 1)
        loss_ax.plot(epochs, history.loss, color=colour, label=f"{name}, training")
        acc_ax.plot(epochs, history.accuracy, color=colour, label=f"{name}, training")
        if history.validation_loss:
            loss_ax.plot(epochs, history.validation_loss, "--", color=colour, label=f"{name}, validation")
            acc_ax.plot(epochs, history.validation_accuracy, "--", color=colour, label=f"{name}, validation")
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    for ax in (loss_ax, acc_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    acc_ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
