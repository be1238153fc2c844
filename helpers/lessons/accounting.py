"""Account for a PyTorch model layer by layer: output shapes, parameters, multiply-accumulates, memory.

:func:`account` runs one forward pass with a hook on every leaf module (a module with no
children) and returns one :class:`LayerRow` per call: the output shape, the parameters the
module owns, its multiply-accumulates (MACs) and the memory its output takes. Totals and a
printable table come with it.

Conventions, chosen to match the papers and PyTorch's own counter:

- MACs are counted for convolutions and fully connected layers only, the layers that hold
  almost all the work; pooling, normalisation and activations count 0 here, as they do in
  ``torch.utils.flop_counter.FlopCounterMode``. One MAC is one multiply and one add, so
  ``FlopCounterMode`` reports FLOPs = 2 x MACs. The ResNet paper's "FLOPs" are MACs.
- Activation memory is the size of each output in bytes (float32: 4 bytes a value). The
  memory total leaves out element-wise layers (ReLU, dropout, flatten, ...) whose output
  usually overwrites or views their input, as the lecture's VGG16 table does.

The model may live on the ``meta`` device: shapes and counts come out without allocating
or computing anything, which makes even VGG16 instant to account for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from .training import evaluation_mode

# Layers whose output is the input changed in place or merely re-viewed: their outputs are
# listed but not added to the memory total (the lecture counts a CONV+ReLU pair once).
ELEMENTWISE = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.ELU,
    nn.GELU,
    nn.SiLU,
    nn.Sigmoid,
    nn.Tanh,
    nn.Hardswish,
    nn.Hardsigmoid,
    nn.Dropout,
    nn.Dropout2d,
    nn.Flatten,
    nn.Identity,
)
CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)


@dataclass(frozen=True)
class LayerRow:
    """One call of one leaf module: what it produced and what it cost (per input example)."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    macs: int
    activation_bytes: int
    elementwise: bool

    @property
    def activations(self) -> int:
        """Number of output values."""
        return math.prod(self.output_shape)


@dataclass
class Accounting:
    """Per-layer rows and totals for one model and one input shape (batch of 1)."""

    input_shape: tuple[int, ...]
    rows: list[LayerRow] = field(default_factory=list)
    bytes_per_value: int = 4

    @property
    def params(self) -> int:
        """Parameters owned by the leaf modules (each module counted once)."""
        return sum(row.params for row in self.rows)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one forward pass (convolutions and linear layers)."""
        return sum(row.macs for row in self.rows)

    @property
    def flops(self) -> int:
        """FLOPs as PyTorch's FlopCounterMode counts them: 2 x MACs."""
        return 2 * self.macs

    @property
    def input_bytes(self) -> int:
        """Memory of the input itself."""
        return math.prod(self.input_shape) * self.bytes_per_value

    @property
    def activation_bytes(self) -> int:
        """Forward activation memory: the input plus every output that is not element-wise."""
        return self.input_bytes + sum(row.activation_bytes for row in self.rows if not row.elementwise)

    def table(self, kinds: tuple[str, ...] | None = None, skip_elementwise: bool = True) -> str:
        """The rows as text: name, type, output shape, parameters, MACs, memory.

        ``kinds`` keeps only rows of those module types (e.g. ``("Conv2d", "Linear")``).

        >>> print(account(nn.Conv2d(3, 8, 3), (3, 32, 32)).table())   # doctest: +SKIP
        """
        header = f"{'layer':<22}{'type':<18}{'output':>16}{'params':>14}{'MACs':>16}{'memory':>12}"
        lines = [header, "-" * len(header)]
        for row in self.rows:
            if (skip_elementwise and row.elementwise) or (kinds is not None and row.kind not in kinds):
                continue
            shape = "x".join(str(size) for size in row.output_shape)
            lines.append(
                f"{row.name[:21]:<22}{row.kind[:17]:<18}{shape:>16}{row.params:>14,}{row.macs:>16,}"
                f"{format_bytes(row.activation_bytes):>12}"
            )
        lines.append("-" * len(header))
        lines.append(
            f"{'total':<40}{'':>16}{self.params:>14,}{self.macs:>16,}{format_bytes(self.activation_bytes):>12}"
        )
        return "\n".join(lines)


def format_bytes(count: int) -> str:
    """Bytes in decimal units, as the lectures write them.

    >>> format_bytes(1_500_000)
    '1.50 MB'
    """
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if count >= size:
            return f"{count / size:.2f} {unit}"
    return f"{count} B"


def layer_macs(module: nn.Module, inputs: tuple[Any, ...], output: torch.Tensor) -> int:
    """Multiply-accumulates of one call of ``module`` for a batch of one.

    A convolution does (C_in / groups) x k_h x k_w MACs for every output value; a linear
    layer does ``in_features`` MACs for every output value. Everything else counts 0.

    >>> layer_macs(nn.Linear(4, 3), (torch.zeros(1, 4),), torch.zeros(1, 3))
    12
    """
    if isinstance(module, CONV_TYPES):
        per_output = (module.in_channels // module.groups) * math.prod(module.kernel_size)
        return output[0].numel() * per_output
    if isinstance(module, nn.Linear):
        return output[0].numel() * module.in_features
    return 0


def account(model: nn.Module, input_shape: tuple[int, ...], dtype: torch.dtype = torch.float32) -> Accounting:
    """Run ``model`` once on zeros of ``input_shape`` (no batch axis) and account for every leaf module.

    The input is made on the model's device (``meta`` works and computes nothing). The model
    is put in eval mode for the pass and restored afterwards. Modules called several times
    (a shared ReLU) give one row per call, with their parameters counted on the first call.

    >>> acc = account(nn.Conv2d(3, 96, 11, stride=4), (3, 227, 227))
    >>> acc.rows[0].output_shape, acc.params, acc.macs
    ((96, 55, 55), 34944, 105415200)
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not input_shape or any(not isinstance(size, int) or size < 1 for size in input_shape):
        raise ValueError(
            f"input_shape must be positive integers without the batch axis, e.g. (3, 224, 224); got {input_shape!r}"
        )
    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    accounting = Accounting(tuple(input_shape), bytes_per_value=torch.empty((), dtype=dtype).element_size())
    names = {module: name or type(module).__name__ for name, module in model.named_modules()}
    seen: set[int] = set()

    def record(module: nn.Module, inputs: tuple[Any, ...], output: Any) -> None:
        if not isinstance(output, torch.Tensor):
            raise ValueError(f"{names[module]} returned {type(output).__name__}; account() needs tensor outputs")
        first_call = id(module) not in seen
        seen.add(id(module))
        params = sum(p.numel() for p in module.parameters(recurse=False)) if first_call else 0
        name = names[module] if first_call else f"{names[module]} (again)"
        accounting.rows.append(
            LayerRow(
                name=name,
                kind=type(module).__name__,
                output_shape=tuple(output.shape[1:]),
                params=params,
                macs=layer_macs(module, inputs, output),
                activation_bytes=output[0].numel() * output.element_size(),
                elementwise=isinstance(module, ELEMENTWISE),
            )
        )

    leaves = [module for module in model.modules() if not list(module.children())]
    handles = [leaf.register_forward_hook(record) for leaf in leaves]
    try:
        with evaluation_mode(model), torch.no_grad():
            model(torch.zeros((1, *input_shape), dtype=dtype, device=device))
    finally:
        for handle in handles:
            handle.remove()
    # Parameters that belong to a non-leaf module directly (e.g. a class token) are added as a row.
    owned = sum(p.numel() for leaf in leaves for p in leaf.parameters(recurse=False))
    total = sum(p.numel() for p in model.parameters())
    if owned != total:
        accounting.rows.append(LayerRow("(non-leaf parameters)", "Parameter", (), total - owned, 0, 0, True))
    return accounting


def torch_flops(model: nn.Module, input_shape: tuple[int, ...], dtype: torch.dtype = torch.float32) -> int:
    """FLOPs of one forward pass (batch of one) as ``torch.utils.flop_counter.FlopCounterMode`` counts them.

    >>> torch_flops(nn.Linear(4, 3), (4,))
    24
    """
    from torch.utils.flop_counter import FlopCounterMode

    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    with evaluation_mode(model), torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.zeros((1, *input_shape), dtype=dtype, device=device))
    return int(counter.get_total_flops())


def check_against_torch(model: nn.Module, accounting: Accounting) -> None:
    """Raise ``ValueError`` unless the accounting agrees with PyTorch's own counts.

    Parameters must equal ``sum(p.numel() for p in model.parameters())`` and FLOPs must
    equal ``2 * macs`` from ``FlopCounterMode`` (the model must only do work in conv and
    linear layers that the counter sees, which holds for the classic convnets).

    >>> model = nn.Conv2d(1, 2, 3)
    >>> check_against_torch(model, account(model, (1, 5, 5)))
    """
    params = sum(p.numel() for p in model.parameters())
    if accounting.params != params:
        raise ValueError(f"accounting has {accounting.params:,} parameters, the model has {params:,}")
    flops = torch_flops(model, accounting.input_shape)
    if accounting.flops != flops:
        raise ValueError(f"accounting says {accounting.flops:,} FLOPs (2 x MACs), FlopCounterMode says {flops:,}")


def keras_layer_rows(model: Any) -> list[tuple[str, str, tuple[int, ...], int]]:
    """(name, type, output shape without batch, ``count_params()``) for every layer of a built Keras model.

    >>> rows = keras_layer_rows(keras.applications.VGG16(weights=None))   # doctest: +SKIP
    >>> rows[1]                                                            # doctest: +SKIP
    ('block1_conv1', 'Conv2D', (224, 224, 64), 1792)
    """
    if not hasattr(model, "layers") or not hasattr(model, "count_params"):
        raise ValueError(f"expected a built Keras model, got {type(model).__name__}")
    rows = []
    for layer in model.layers:
        shape = tuple(layer.output.shape[1:])
        rows.append((layer.name, type(layer).__name__, shape, layer.count_params()))
    return rows
