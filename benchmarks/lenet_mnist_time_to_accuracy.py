"""Time-to-accuracy of the modern LeNet on MNIST (PyTorch): how long until the test accuracy first reaches 99.0%.

The whole dataset is one tensor on the device and batches are index slices (no Python data
pipeline); the optimizer is Adam with a one-cycle learning-rate schedule. Training time is
measured with the device synchronised; the test evaluations that check for the target are
not counted (``benchmarks/_time_to_accuracy.py`` defines the measurement). Run from the
repository root:

    python -m benchmarks.lenet_mnist_time_to_accuracy                    # best device here, its defaults
    python -m benchmarks.lenet_mnist_time_to_accuracy --device cpu --threads 2
    python -m benchmarks.lenet_mnist_time_to_accuracy --baseline         # and PyTorch's example, same process
    python -m benchmarks.lenet_mnist_time_to_accuracy --train-size 3000 --epochs 1 --target 0.5   # smoke test
    python -m benchmarks.lenet_mnist_time_to_accuracy --profile --batch-size 128   # where a step's time goes

It prints one line per evaluation and a final JSON summary (record it in benchmarks/README.md);
it exits with status 1 if the target was not reached.
"""

from __future__ import annotations

import argparse
import sys
import time

CLOCK_STARTED = time.perf_counter()  # before torch and the helpers are imported: start-up includes them

import torch  # noqa: E402

TORCH_IMPORTED = time.perf_counter()

from benchmarks import _time_to_accuracy as tta  # noqa: E402
from benchmarks.pytorch_mnist_example_baseline import run_baseline  # noqa: E402
from helpers.lessons.lenet import modern_lenet  # noqa: E402

# The recipe's defaults per kind of device: batch size, peak learning rate, length of the one-cycle schedule in
# epochs, bfloat16 autocast. They were chosen on a holdout of the training set (--holdout), not on the test set;
# benchmarks/README.md shows how. On a GPU a step costs about the same whatever the batch, so there are fewer,
# larger batches with a higher rate.
DEFAULTS = {
    "cpu": {"batch_size": 64, "max_lr": 6e-3, "epochs": 3, "amp": False},
    "cuda": {"batch_size": 512, "max_lr": 2e-2, "epochs": 4, "amp": True},
    "mps": {"batch_size": 512, "max_lr": 2e-2, "epochs": 4, "amp": False},
}


def course_recipe(args: argparse.Namespace, device: torch.device, train_images: int) -> tta.Recipe:
    """The modern LeNet with Adam and a one-cycle schedule over ``args.epochs`` epochs of ``train_images``."""
    model = modern_lenet().to(device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    # One fused kernel for all parameters on a GPU; on the CPU the default (foreach) implementation.
    optimizer = torch.optim.Adam(model.parameters(), lr=args.max_lr, fused=device.type == "cuda" or None)
    steps_per_epoch = -(-train_images // args.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.max_lr, total_steps=args.epochs * steps_per_epoch, pct_start=args.warmup_fraction
    )
    recipe = tta.Recipe(
        name="course-lenet",
        model=model,
        optimizer=optimizer,
        batch_size=args.batch_size,
        epochs=args.epochs,
        step_scheduler=scheduler,
        amp=args.amp,
        channels_last=args.channels_last,
        settings={
            "optimizer": f"Adam, one-cycle to {args.max_lr:g} (warm-up {args.warmup_fraction:g} of the steps)",
            "max_lr": args.max_lr,
            "compile": args.compile,
        },
    )
    if args.compile:
        recipe.model, recipe.eval_model = torch.compile(model), model  # they share the parameters
    return recipe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    tta.add_common_options(parser)
    parser.add_argument("--epochs", type=int, default=None, help="length of the one-cycle schedule")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--max-lr", type=float, default=None, help="peak learning rate of the one-cycle schedule")
    parser.add_argument("--warmup-fraction", type=float, default=0.25, help="share of the steps that warm up")
    parser.add_argument("--amp", action=argparse.BooleanOptionalAction, default=None, help="bfloat16 autocast")
    parser.add_argument(
        "--channels-last", action=argparse.BooleanOptionalAction, default=True, help="NHWC memory format"
    )
    parser.add_argument("--compile", action="store_true", help="torch.compile the model (compiling is timed)")
    parser.add_argument("--baseline", action="store_true", help="then time PyTorch's MNIST example in this process")
    parser.add_argument("--baseline-epochs", type=int, default=None, help="at most this many epochs for it")
    parser.add_argument(
        "--profile", action="store_true", help="instead of training to the target, time the phases of 200 steps"
    )
    args = parser.parse_args(argv)
    tta.check_common_options(parser, args)
    if not 0 < args.warmup_fraction < 1:
        parser.error(f"--warmup-fraction must be between 0 and 1, got {args.warmup_fraction}")

    startup = tta.Startup(CLOCK_STARTED)
    startup.lap("import_torch", TORCH_IMPORTED)
    startup.lap("import_helpers")
    device = tta.start_device(args)
    startup.lap("device_init")
    for name, value in DEFAULTS.get(device.type, DEFAULTS["cpu"]).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    data = tta.load_tensors(args, device, startup)

    tta.warm_up(lambda: course_recipe(args, device, len(data.train_x)), data, device, args.warmup_steps)
    startup.lap("warmup")
    torch.manual_seed(args.seed)
    recipe = course_recipe(args, device, len(data.train_x))
    startup.lap("model")
    if args.profile:
        tta.print_summary(tta.profile_steps(recipe, data, device))
        return 0
    summary = tta.train_and_summarize(recipe, data, device, args, startup)
    reached = summary["target_reached"]

    if args.baseline:
        baseline = run_baseline(args, data, device, tta.Startup(time.perf_counter()), args.baseline_epochs)
        summary["baseline"] = baseline
        if reached and baseline["target_reached"]:
            summary["baseline_to_course_ratio"] = round(baseline["seconds_to_target"] / summary["seconds_to_target"], 1)
        reached = reached and baseline["target_reached"]
    summary["process_seconds"] = round(startup.since_start(), 2)
    tta.print_summary(summary)
    return 0 if reached else 1


if __name__ == "__main__":
    sys.exit(main())
