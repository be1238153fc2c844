"""Time-to-accuracy of PyTorch's own MNIST example (its baseline network and recipe), for comparison.

The network and recipe of the example in the pytorch/examples repository (``mnist/main.py``): two 3x3
convolutions with 32 and 64 channels, max pooling, dropout 0.25, a dense layer of 128, dropout 0.5 and a
dense layer of 10 with log-softmax, trained with the negative log-likelihood loss, Adadelta at learning
rate 1.0, the rate multiplied by 0.7 after every epoch, batches of 64, evaluated in batches of 1000, inputs
standardised with 0.1307 and 0.3081. It is timed exactly like the course's recipe (see
``benchmarks/_time_to_accuracy.py``): the same in-memory batches, the same checks, the same target. The
example's own data loader is not used, so the comparison is between the two networks and their recipes.

    python -m benchmarks.pytorch_mnist_example_baseline --device cpu --threads 2
    python -m benchmarks.pytorch_mnist_example_baseline --train-size 3000 --epochs 1 --test-size 1000  # smoke

``python -m benchmarks.lenet_mnist_time_to_accuracy --baseline`` runs the course's recipe and this one in
one process and reports how many times longer this one takes.
"""

from __future__ import annotations

import argparse
import sys
import time

CLOCK_STARTED = time.perf_counter()  # before torch and the helpers are imported: start-up includes them

import torch  # noqa: E402

TORCH_IMPORTED = time.perf_counter()

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from benchmarks import _time_to_accuracy as tta  # noqa: E402

EPOCHS = 14  # the example's default; the run stops at the end of the epoch that reaches the target
BATCH_SIZE = 64
TEST_BATCH_SIZE = 1000
LEARNING_RATE = 1.0
GAMMA = 0.7


def pytorch_example_net() -> nn.Sequential:
    """The network of PyTorch's MNIST example: 1,199,882 parameters, log-probabilities out.

    >>> model = pytorch_example_net()
    >>> model(torch.zeros(2, 1, 28, 28)).shape, sum(p.numel() for p in model.parameters())
    (torch.Size([2, 10]), 1199882)
    """
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3),  # 32 x 26 x 26
        nn.ReLU(),
        nn.Conv2d(32, 64, kernel_size=3),  # 64 x 24 x 24
        nn.ReLU(),
        nn.MaxPool2d(2),  # 64 x 12 x 12
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(9216, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
        nn.LogSoftmax(dim=1),
    )


def pytorch_example_recipe(device: torch.device, epochs: int | None = None) -> tta.Recipe:
    """The example's network on ``device`` with its optimizer, schedule, loss and batch sizes.

    The course's ``evaluate`` scores it with cross-entropy, which on log-probabilities is the example's
    negative log-likelihood (log-softmax leaves log-probabilities unchanged); the accuracy is the same.
    """
    model = pytorch_example_net().to(device)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=LEARNING_RATE)
    return tta.Recipe(
        name="pytorch-example",
        model=model,
        optimizer=optimizer,
        batch_size=BATCH_SIZE,
        epochs=epochs or EPOCHS,
        loss=F.nll_loss,
        epoch_scheduler=torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=GAMMA),
        eval_batch_size=TEST_BATCH_SIZE,
        settings={"optimizer": f"Adadelta lr {LEARNING_RATE}, StepLR gamma {GAMMA} per epoch"},
    )


def run_baseline(
    args: argparse.Namespace,
    data: tta.MnistTensors,
    device: torch.device,
    startup: tta.Startup,
    epochs: int | None = None,
) -> dict:
    """Warm up, seed, train the example to the target and return its summary (used by both scripts)."""
    tta.warm_up(lambda: pytorch_example_recipe(device, epochs), data, device, args.warmup_steps)
    startup.lap("warmup")
    torch.manual_seed(args.seed)
    recipe = pytorch_example_recipe(device, epochs)
    startup.lap("model")
    return tta.train_and_summarize(recipe, data, device, args, startup)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    tta.add_common_options(parser)
    parser.add_argument("--epochs", type=int, default=None, help=f"at most this many epochs (default {EPOCHS})")
    args = parser.parse_args(argv)
    tta.check_common_options(parser, args)

    startup = tta.Startup(CLOCK_STARTED)
    startup.lap("import_torch", TORCH_IMPORTED)
    startup.lap("import_helpers")
    device = tta.start_device(args)
    startup.lap("device_init")
    data = tta.load_tensors(args, device, startup)
    summary = run_baseline(args, data, device, startup, args.epochs)
    summary["process_seconds"] = round(startup.since_start(), 2)
    tta.print_summary(summary)
    return 0 if summary["target_reached"] else 1


if __name__ == "__main__":
    sys.exit(main())
