"""Time-to-accuracy of the modern LeNet on MNIST (PyTorch): how long until the test accuracy first reaches 99.0%.

The whole dataset is one tensor on the device and batches are index slices (no Python data
pipeline), the optimizer is Adam with a one-cycle learning-rate schedule. Training time is
measured with the device synchronised; the test evaluations that check for the target are
not counted. Run from the repository root:

    python -m benchmarks.lenet_mnist_time_to_accuracy                 # best device here
    python -m benchmarks.lenet_mnist_time_to_accuracy --device cpu --threads 2
    python -m benchmarks.lenet_mnist_time_to_accuracy --device cuda --batch-size 512 --amp

It prints one line per evaluation and a final JSON summary (add it to benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time

import torch
from torch.nn import functional as F

from helpers.env import describe_torch_device, import_torch, torch_device
from helpers.lessons.lenet import images_to_tensor, modern_lenet
from helpers.mnist import load_mnist

MEAN, STD = 0.1307, 0.3081  # MNIST training-pixel statistics (notebook 06 measures them)


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so wall-clock times measure finished work."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


@torch.no_grad()
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 5000) -> float:
    """Test accuracy in eval mode (not timed)."""
    model.eval()
    correct = sum(
        (model(x[i : i + batch_size]).argmax(1) == y[i : i + batch_size]).sum().item()
        for i in range(0, len(x), batch_size)
    )
    model.train()
    return correct / len(x)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="cpu, cuda or mps (default: the best available)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--epochs", type=int, default=6, help="length of the one-cycle schedule")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--max-lr", type=float, default=4e-3)
    parser.add_argument("--evals-per-epoch", type=int, default=4, help="how often to check the target")
    parser.add_argument("--amp", action="store_true", help="bfloat16 autocast (GPU)")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=60_000, help="fewer images for a smoke test")
    args = parser.parse_args(argv)
    if not 0 < args.target < 1 or args.epochs < 1 or args.batch_size < 1 or args.evals_per_epoch < 1:
        parser.error("need 0 < target < 1 and positive epochs, batch size and evals per epoch")
    if args.threads:
        os.environ["COURSE_THREADS"] = str(args.threads)  # read by helpers.env, which sets torch's threads
    import_torch()
    device = torch.device(args.device) if args.device else torch_device()
    torch.manual_seed(args.seed)

    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    x = images_to_tensor(train_images[: args.train_size], device, MEAN, STD)
    y = torch.as_tensor(train_labels[: args.train_size], dtype=torch.long, device=device)
    test_x = images_to_tensor(test_images, device, MEAN, STD)
    test_y = torch.as_tensor(test_labels, dtype=torch.long, device=device)

    model = modern_lenet().to(device)
    step_model = torch.compile(model) if args.compile else model
    steps_per_epoch = math.ceil(len(x) / args.batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.max_lr)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.max_lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.25
    )
    check_every = math.ceil(steps_per_epoch / args.evals_per_epoch)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.amp)

    trained_seconds, images_seen, reached_at, step = 0.0, 0, None, 0
    history = []
    for _ in range(args.epochs):
        order = torch.randperm(len(x), device=device)
        synchronize(device)
        started = time.perf_counter()
        for start in range(0, len(x), args.batch_size):
            index = order[start : start + args.batch_size]
            with autocast:
                loss = F.cross_entropy(step_model(x[index]), y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
            images_seen += len(index)
            if step % check_every == 0 or start + args.batch_size >= len(x):
                synchronize(device)
                trained_seconds += time.perf_counter() - started
                test_accuracy = accuracy(model, test_x, test_y)
                history.append((round(step / steps_per_epoch, 3), round(trained_seconds, 3), test_accuracy))
                print(
                    f"epoch {step / steps_per_epoch:5.2f}  trained {trained_seconds:7.2f} s  "
                    f"test accuracy {test_accuracy:.4f}",
                    flush=True,
                )
                if reached_at is None and test_accuracy >= args.target:
                    reached_at = (trained_seconds, step / steps_per_epoch)
                synchronize(device)
                started = time.perf_counter()
        if reached_at is not None:
            break

    summary = {
        "device": describe_torch_device(device),
        "machine": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads",
        "torch": torch.__version__,
        "batch_size": args.batch_size,
        "schedule_epochs": args.epochs,
        "amp": args.amp,
        "compile": args.compile,
        "target": args.target,
        "seconds_to_target": None if reached_at is None else round(reached_at[0], 2),
        "epochs_to_target": None if reached_at is None else round(reached_at[1], 2),
        "images_per_second": round(images_seen / trained_seconds),
        "final_test_accuracy": history[-1][2],
    }
    print(json.dumps(summary))
    return 0 if reached_at is not None else 1


if __name__ == "__main__":
    sys.exit(main())
