"""Transfer learning with EfficientNet-Lite0, as notebooks 10-13 teach it: feed it photos, run part of it,
take its CNN codes, and put a classifier trained on them back on top.

EfficientNet-Lite was trained on pixels scaled as ``(x - 127.5) / 127.5`` (the TensorFlow Lite models'
convention: inputs in [-1, 1]), not with the per-channel ImageNet mean and standard deviation;
:func:`efficientnet_input` applies it. Keras's MobileNet uses the same [-1, 1] scaling.

* run part of EfficientNet-Lite0: :func:`efficientnet_input`, :func:`forward_blocks` (stem, blocks
  ``start..stop-1``, head convolution);
* CNN codes: :func:`cnn_codes` (any uint8 photos) and :func:`cats_dogs_codes`, the one source of the
  cats-vs-dogs codes that notebooks 11, 12 and 13 share (computed once per model, cached in ``build/cnn_codes/``
  through :func:`helpers.derived.derived_arrays`);
* a whole classifier again: :func:`with_classifier` puts a linear layer trained on the codes back on
  top of the backbone, so photos go in and class scores come out.

>>> codes = cats_dogs_codes("train")               # doctest: +SKIP
>>> codes["head"].shape, codes["labels"].shape     # doctest: +SKIP
((2000, 1280), (2000,))
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..course import REPO_ROOT
from ..data import file_record
from ..derived import derived_arrays
from ..env import progress_bars, torch_device
from ..pretrained import load_efficientnet_lite0, model_sha256
from .training import evaluation_mode

PIXEL_CENTER = 127.5  # EfficientNet-Lite input scaling: (pixel - 127.5) / 127.5 lies in [-1, 1]


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
    from .. import cats_and_dogs

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
