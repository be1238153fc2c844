"""Animated PNGs that play without JavaScript, and the widget builders' checks."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from helpers import widgets  # noqa: E402


def test_animation_is_a_looping_animated_png_with_every_frame():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set(xlim=(0, 4), ylim=(0, 4))
    (dot,) = ax.plot([0], [0], "o")
    movie = widgets.animation(fig, lambda i: dot.set_data([i], [i]), frames=4, interval_ms=300)
    picture = Image.open(io.BytesIO(movie.data))
    assert picture.format == "PNG" and picture.n_frames == 4 and picture.info.get("loop") == 0
    frames = []
    for index in range(4):
        picture.seek(index)
        frames.append(np.asarray(picture.convert("RGB")))
    assert not np.array_equal(frames[0], frames[3]), "the frames should differ: the dot moves"


def test_animation_and_controls_refuse_nonsense():
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="at least one frame"):
        widgets.animation(fig, lambda i: None, frames=0)
    with pytest.raises(ValueError, match="minimum, maximum, step, start"):
        widgets.sliders(lambda n: n, n=(1, 5))
    with pytest.raises(ValueError, match="presets"):
        widgets.kernel_editor({"identity": np.eye(3)}, lambda kernel: None, start="blur")


def test_kernel_editor_draws_each_preset_once():
    drawn = []
    presets = {"identity": np.eye(3), "ones": np.ones((3, 3))}
    editor = widgets.kernel_editor(presets, drawn.append, start="identity")
    dropdown = editor.children[0].children[0]
    dropdown.value = "ones"
    assert len(drawn) == 2 and np.array_equal(drawn[-1], np.ones((3, 3)))
