"""A small, fast PyTorch training loop for datasets that fit in memory, and its curves.

The whole dataset lives as tensors on the device and batches are index slices, so no Python
data pipeline sits between the model and the GPU (or the CPU's vector units). Notebook 06
builds this loop step by step; later notebooks reuse it from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import torch
from matplotlib.ticker import MaxNLocator
from torch import nn
from tqdm.auto import tqdm

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass
class History:
    """Per-epoch metrics of one training run."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def train_seconds(self) -> float:
        return sum(self.seconds)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> tuple[float, float]:
    """Mean cross-entropy loss and accuracy of ``model`` on (x, y), in eval mode."""
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"need as many labels as inputs (and at least one), got {len(x)} and {len(y)}")
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        logits = model(x[start : start + batch_size])
        target = y[start : start + batch_size]
        total_loss += nn.functional.cross_entropy(logits, target, reduction="sum").item()
        correct += (logits.argmax(1) == target).sum().item()
    model.train(was_training)
    return total_loss / len(x), correct / len(x)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits for every input, computed in eval mode in batches."""
    was_training = model.training
    model.eval()
    logits = torch.cat([model(x[start : start + batch_size]) for start in range(0, len(x), batch_size)])
    model.train(was_training)
    return logits


def fit(
    model: nn.Module,
    train: Batch,
    val: Batch,
    *,
    epochs: int,
    batch_size: int,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    progress: bool = True,
) -> History:
    """Train with cross-entropy for ``epochs`` epochs; evaluate on ``val`` after each.

    ``train`` and ``val`` are (inputs, integer labels) already on the model's device.
    ``scheduler`` is stepped after every batch (OneCycleLR and friends). ``augment`` maps a
    batch of inputs to an augmented batch on the device.

    >>> history = fit(model, (x, y), (vx, vy), epochs=3, batch_size=128,
    ...               optimizer=torch.optim.Adam(model.parameters()))   # doctest: +SKIP
    """
    x, y = train
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"need as many labels as inputs (and at least one), got {len(x)} and {len(y)}")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs} and {batch_size}")
    history = History()
    bar = tqdm(range(epochs), desc="epochs", disable=not progress)
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
        val_loss, val_accuracy = evaluate(model, *val)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
        bar.set_postfix(loss=f"{history.loss[-1]:.3f}", val_acc=f"{val_accuracy:.4f}")
    return history


def plot_history(histories: dict[str, History], title: str = "") -> plt.Figure:
    """Loss and accuracy curves (training solid, validation dashed) for one or more runs."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(8, 3))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (name, history), colour in zip(histories.items(), colours, strict=False):
        epochs = range(1, len(history.loss) + 1)
        loss_ax.plot(epochs, history.loss, color=colour, label=f"{name} train")
        loss_ax.plot(epochs, history.val_loss, "--", color=colour, label=f"{name} val")
        acc_ax.plot(epochs, history.accuracy, color=colour, label=f"{name} train")
        acc_ax.plot(epochs, history.val_accuracy, "--", color=colour, label=f"{name} val")
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    for ax in (loss_ax, acc_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    acc_ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
