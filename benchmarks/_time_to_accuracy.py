"""What the MNIST benchmarks share: the data on the device, the timed loop, the start-up breakdown, the summary.

The definition of the measurement lives here, so every recipe is timed the same way:

- the training images and the evaluation images are float tensors on the device, standardised with
  :data:`helpers.mnist.MEAN` and :data:`helpers.mnist.STD`; a batch is an index slice of them;
- the clock runs for everything training does (shuffling, forward, backward, optimizer and schedule steps)
  and is read only after the device has finished its queued work;
- the accuracy is checked ``evals_per_epoch`` times per epoch with the course's
  :func:`helpers.lessons.training.evaluate`; the clock is paused while it runs;
- the result is the training time at the first check that reaches the target; the run then finishes that
  epoch (or the schedule, if it ends first) and stops;
- everything before training (imports, device start, reading MNIST, building tensors and the model, a few
  warm-up steps on a throw-away copy of the model and random inputs) is reported as the start-up breakdown.

The scripts that use it are ``lenet_mnist_time_to_accuracy`` (the course's recipe) and
``pytorch_mnist_example_baseline`` (PyTorch's own MNIST example, for comparison).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from helpers.env import THREADS_ENV, describe_torch_device, import_torch, torch_device
from helpers.lessons.lenet import images_to_tensor
from helpers.lessons.training import evaluate, validation_split
from helpers.mnist import MEAN, STD, load_mnist

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so wall-clock times measure finished work."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


@dataclass
class Recipe:
    """A model and how it is trained: everything the timed loop needs, and the settings the summary reports."""

    name: str
    model: nn.Module
    optimizer: torch.optim.Optimizer
    batch_size: int
    epochs: int
    loss: Loss = F.cross_entropy
    step_scheduler: torch.optim.lr_scheduler.LRScheduler | None = None  # stepped after every batch
    epoch_scheduler: torch.optim.lr_scheduler.LRScheduler | None = None  # stepped after every epoch
    eval_batch_size: int = 1000
    amp: bool = False  # bfloat16 autocast for the forward pass
    channels_last: bool = False  # the images (and the model) in NHWC memory format
    eval_model: nn.Module | None = None  # what evaluate runs, if not ``model`` (the uncompiled original)
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class MnistTensors:
    """Training and evaluation data on the device, and what the evaluation set is."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    eval_x: torch.Tensor
    eval_y: torch.Tensor
    evaluated_on: str


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """The options every MNIST benchmark takes: device, threads, target, seed, sizes and evaluation."""
    parser.add_argument("--device", default=None, help="cpu, cuda or mps (default: the best available)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default: every core)")
    parser.add_argument("--target", type=float, default=0.99, help="accuracy to reach (default 0.99)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--evals-per-epoch", type=int, default=4, help="how often the target is checked")
    parser.add_argument("--warmup-steps", type=int, default=2, help="untimed steps on a throw-away model first")
    parser.add_argument("--train-size", type=int, default=None, help="train on fewer images (smoke test)")
    parser.add_argument("--test-size", type=int, default=None, help="check on fewer test images (smoke test)")
    parser.add_argument(
        "--holdout",
        type=float,
        default=None,
        help="check the target on this fraction of the training images (stratified, seed 0) instead of the "
        "test set: for choosing settings without looking at the test set",
    )


def check_common_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not 0 < args.target < 1:
        parser.error(f"--target must be between 0 and 1, got {args.target}")
    if args.evals_per_epoch < 1 or args.warmup_steps < 0:
        parser.error("--evals-per-epoch must be positive and --warmup-steps not negative")
    for name in ("threads", "train_size", "test_size", "epochs", "batch_size"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be positive, got {value}")
    if args.holdout is not None and not 0 < args.holdout < 1:
        parser.error(f"--holdout must be a fraction between 0 and 1, got {args.holdout}")


class Startup:
    """Seconds spent before training, phase by phase, from a clock started before torch was imported."""

    def __init__(self, clock_started: float) -> None:
        self.clock_started = clock_started
        self.phases: dict[str, float] = {}
        self._mark = clock_started

    def lap(self, phase: str, now: float | None = None) -> None:
        """Charge the time from the previous lap to now (or to the clock reading ``now``) to ``phase``."""
        now = time.perf_counter() if now is None else now
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._mark
        self._mark = now

    def since_start(self) -> float:
        return time.perf_counter() - self.clock_started


def start_device(args: argparse.Namespace) -> torch.device:
    """Apply the thread setting and start the device (the CUDA context, on a GPU) with one tiny operation."""
    if args.threads:
        os.environ[THREADS_ENV] = str(args.threads)  # read by helpers.env, which sets torch's threads
    import_torch()
    device = torch.device(args.device) if args.device else torch_device()
    torch.zeros(1, device=device).add_(1)
    synchronize(device)
    return device


def load_tensors(args: argparse.Namespace, device: torch.device, startup: Startup) -> MnistTensors:
    """MNIST as standardised tensors on ``device``: reading the files and building tensors are timed apart."""
    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    if args.holdout is not None:
        kept, held_out = validation_split(train_labels, args.holdout, seed=0)
        eval_images, eval_labels = train_images[held_out], train_labels[held_out]
        train_images, train_labels = train_images[kept], train_labels[kept]
        evaluated_on = f"holdout ({len(held_out)} training images)"
    else:
        eval_images, eval_labels = test_images[: args.test_size], test_labels[: args.test_size]
        evaluated_on = f"test ({len(eval_images)} images)"
    train_images, train_labels = train_images[: args.train_size], train_labels[: args.train_size]
    startup.lap("data_loading")

    def to_device(images, labels) -> tuple[torch.Tensor, torch.Tensor]:
        # uint8 to the device first (a quarter of the bytes), then scaled and standardised there.
        pixels = torch.from_numpy(images).to(device)
        return images_to_tensor(pixels, device, MEAN, STD), torch.from_numpy(labels).to(device, torch.long)

    tensors = MnistTensors(*to_device(train_images, train_labels), *to_device(eval_images, eval_labels), evaluated_on)
    synchronize(device)
    startup.lap("tensors")
    return tensors


def warm_up(build: Callable[[], Recipe], data: MnistTensors, device: torch.device, steps: int) -> None:
    """A few training steps of a throw-away recipe on random inputs, so that library start-up costs (oneDNN
    primitives, CUDA kernels loaded on first use, cuDNN and cuBLAS handles) are not charged to training.
    Nothing learned here reaches the timed run, which is built afresh after re-seeding."""
    if steps == 0:
        return
    recipe = build()
    shape = (recipe.batch_size, *data.train_x.shape[1:])
    memory_format = torch.channels_last if recipe.channels_last else torch.contiguous_format
    for _ in range(steps):
        inputs = torch.randn(shape, device=device).contiguous(memory_format=memory_format)
        target = torch.randint(0, 10, shape[:1], device=device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=recipe.amp):
            loss = recipe.loss(recipe.model(inputs), target)
        recipe.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        recipe.optimizer.step()
    synchronize(device)


def train_to_target(recipe: Recipe, data: MnistTensors, device: torch.device, target: float, evals_per_epoch: int):
    """Train ``recipe`` until the epoch in which the accuracy first reaches ``target`` ends (or the schedule does).

    Returns a dict: seconds and epochs to the target (None if missed), training seconds and images,
    evaluation seconds, and one ``(epochs, trained seconds, accuracy)`` record per check.
    """
    x = data.train_x.contiguous(memory_format=torch.channels_last) if recipe.channels_last else data.train_x
    y = data.train_y
    model, optimizer, batch_size = recipe.model, recipe.optimizer, recipe.batch_size
    steps_per_epoch = math.ceil(len(x) / batch_size)
    checks = {math.ceil(k * steps_per_epoch / evals_per_epoch) for k in range(1, evals_per_epoch + 1)}
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=recipe.amp)

    trained, evaluating, images, reached = 0.0, 0.0, 0, None
    history: list[tuple[float, float, float]] = []
    model.train()
    synchronize(device)
    started = time.perf_counter()
    for epoch in range(recipe.epochs):
        order = torch.randperm(len(x), device=device)
        for step, start in enumerate(range(0, len(x), batch_size), start=1):
            index = order[start : start + batch_size]
            with autocast:
                loss = recipe.loss(model(x[index]), y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if recipe.step_scheduler is not None:
                recipe.step_scheduler.step()
            images += len(index)
            if step in checks:
                synchronize(device)
                paused = time.perf_counter()
                trained += paused - started
                scored = recipe.eval_model or model
                _, accuracy = evaluate(scored, data.eval_x, data.eval_y, batch_size=recipe.eval_batch_size)
                epochs_done = epoch + step / steps_per_epoch
                history.append((round(epochs_done, 3), round(trained, 3), accuracy))
                print(
                    f"{recipe.name}: epoch {epochs_done:5.2f}  trained {trained:7.2f} s  accuracy {accuracy:.4f}",
                    flush=True,
                )
                if reached is None and accuracy >= target:
                    reached = (trained, epochs_done)
                started = time.perf_counter()
                evaluating += started - paused
        if recipe.epoch_scheduler is not None:
            recipe.epoch_scheduler.step()
        if reached is not None:
            break
    synchronize(device)
    trained += time.perf_counter() - started
    return {
        "reached": reached,
        "train_seconds": trained,
        "images": images,
        "evaluation_seconds": evaluating,
        "history": history,
    }


def profile_steps(recipe: Recipe, data: MnistTensors, device: torch.device, steps: int = 200) -> dict[str, Any]:
    """Where a training step's time goes: milliseconds per step for each phase (the device is synchronised
    between phases, which a real run does not do), and the seconds one evaluation of the evaluation set takes."""
    x = data.train_x.contiguous(memory_format=torch.channels_last) if recipe.channels_last else data.train_x
    model, optimizer, batch_size = recipe.model, recipe.optimizer, recipe.batch_size
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=recipe.amp)
    phases = dict.fromkeys(("batch", "forward", "backward", "optimizer"), 0.0)
    order = torch.randperm(len(x), device=device)
    model.train()
    for step in range(steps + 5):  # the first five are not counted
        start = step * batch_size % max(1, len(x) - batch_size + 1)
        marks = [time.perf_counter()]
        index = order[start : start + batch_size]
        inputs, target = x[index], data.train_y[index]
        synchronize(device)
        marks.append(time.perf_counter())
        with autocast:
            loss = recipe.loss(model(inputs), target)
        synchronize(device)
        marks.append(time.perf_counter())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        synchronize(device)
        marks.append(time.perf_counter())
        optimizer.step()
        if recipe.step_scheduler is not None:
            recipe.step_scheduler.step()
        synchronize(device)
        marks.append(time.perf_counter())
        if step >= 5:
            for phase, begin, end in zip(phases, marks[:-1], marks[1:], strict=True):
                phases[phase] += end - begin
    per_step = {phase: round(1000 * seconds / steps, 3) for phase, seconds in phases.items()}
    total = sum(phases.values())
    started = time.perf_counter()
    evaluate(recipe.eval_model or model, data.eval_x, data.eval_y, batch_size=recipe.eval_batch_size)
    return {
        "recipe": recipe.name,
        "device": describe_torch_device(device),
        "torch_threads": torch.get_num_threads(),
        "load_average": load_average(),
        "batch_size": batch_size,
        "amp": recipe.amp,
        "channels_last": recipe.channels_last,
        "ms_per_step": {**per_step, "total": round(1000 * total / steps, 3)},
        "images_per_second": round(steps * batch_size / total),
        "evaluation_seconds": round(time.perf_counter() - started, 3),
        "evaluated_images": len(data.eval_x),
    }


def machine_description() -> str:
    """The CPU's model name and core count (and the GPU's name, when there is one)."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            name = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), name)
    except OSError:
        pass
    description = f"{name}, {os.cpu_count()} cores"
    if torch.cuda.is_available():
        description += f", {torch.cuda.get_device_name()}"
    return description


def load_average() -> float | None:
    """The 1-minute load average (other work on the machine makes CPU timings invalid), where the OS has one."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def train_and_summarize(
    recipe: Recipe, data: MnistTensors, device: torch.device, args: argparse.Namespace, startup: Startup
) -> dict[str, Any]:
    """Run :func:`train_to_target` and return the JSON summary of the run, its start-up breakdown included."""
    load_before = load_average()
    run = train_to_target(recipe, data, device, args.target, args.evals_per_epoch)
    reached, history = run["reached"], run["history"]
    return {
        "recipe": recipe.name,
        "device": describe_torch_device(device),
        "machine": machine_description(),
        "torch_threads": torch.get_num_threads(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "torch": torch.__version__,
        "seed": args.seed,
        **recipe.settings,
        "batch_size": recipe.batch_size,
        "schedule_epochs": recipe.epochs,
        "amp": recipe.amp,
        "channels_last": recipe.channels_last,
        "train_images": len(data.train_x),
        "evaluated_on": data.evaluated_on,
        "target": args.target,
        "target_reached": reached is not None,
        "seconds_to_target": None if reached is None else round(reached[0], 2),
        "epochs_to_target": None if reached is None else round(reached[1], 2),
        "train_seconds": round(run["train_seconds"], 2),
        "images_per_second": round(run["images"] / run["train_seconds"]),
        "final_accuracy": history[-1][2] if history else None,
        "evaluations": len(history),
        "evaluation_seconds": round(run["evaluation_seconds"], 2),
        "startup_seconds": {phase: round(seconds, 3) for phase, seconds in startup.phases.items()},
    }


def print_summary(summary: dict[str, Any]) -> None:
    """The summary as one JSON line: the last line a benchmark prints."""
    print(json.dumps(summary), flush=True)
