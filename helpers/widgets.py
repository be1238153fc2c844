"""Animations and interactive controls for the notebooks, so a cell shows the idea and one call.

- :func:`animation` turns a matplotlib figure and a frame-drawing function into an animated PNG: it plays in
  JupyterLab, on GitHub, in Colab, in the slides and in nbconvert's HTML with no JavaScript and no kernel.
- :func:`sliders` and :func:`kernel_editor` build ipywidgets controls. Widgets need a running kernel: where
  there is none (GitHub, slides, a PDF) the stored notebook shows one line instead, and the notebook shows a
  static example next to each widget.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np


def animation(fig: plt.Figure, draw_frame: Callable[[int], Any], frames: int, interval_ms: int = 600) -> Any:
    """An animated PNG of ``frames`` frames: ``draw_frame(i)`` updates ``fig`` for frame ``i``; loops forever.

    >>> fig, ax = plt.subplots(figsize=(1, 1))
    >>> dot, = ax.plot([0], [0], "o")
    >>> movie = animation(fig, lambda i: dot.set_data([i], [i]), frames=3)
    >>> movie.data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from IPython.display import Image
    from PIL import Image as PILImage

    if frames < 1 or interval_ms < 1:
        raise ValueError(f"need at least one frame and a positive interval, got {frames} and {interval_ms}")
    pictures = []
    for index in range(frames):
        draw_frame(index)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", facecolor="white")
        pictures.append(PILImage.open(buffer).convert("RGB"))
    plt.close(fig)
    out = io.BytesIO()
    pictures[0].save(out, format="png", save_all=True, append_images=pictures[1:], duration=interval_ms, loop=0)
    return Image(data=out.getvalue(), format="png")


def sliders(function: Callable[..., Any], **ranges: tuple) -> None:
    """Call ``function`` with the values of one slider per keyword, again whenever a slider is released.

    Each range is ``(minimum, maximum, step, start)``; integers give integer sliders. Other keyword values
    (booleans, strings) are passed as fixed arguments or checkboxes by ipywidgets' ``interact``.

    >>> sliders(draw, n=(1, 12, 1, 7), f=(1, 7, 1, 3))   # doctest: +SKIP
    """
    import ipywidgets

    controls = {}
    for name, spec in ranges.items():
        if not isinstance(spec, tuple):
            controls[name] = spec
            continue
        if len(spec) != 4:
            raise ValueError(f"{name}: a range is (minimum, maximum, step, start), got {spec!r}")
        low, high, step, start = spec
        kind = ipywidgets.IntSlider if all(isinstance(v, int) for v in spec) else ipywidgets.FloatSlider
        controls[name] = kind(value=start, min=low, max=high, step=step, continuous_update=False, description=name)
    ipywidgets.interact(function, **controls)  # displays the controls and the first drawing


def kernel_editor(presets: Mapping[str, np.ndarray], draw: Callable[[np.ndarray], Any], start: str) -> Any:
    """A preset menu and a 3x3 grid of numbers; ``draw(kernel)`` runs (into an output area) after every change."""
    import ipywidgets

    if start not in presets:
        raise ValueError(f"start must be one of the presets {list(presets)}, got {start!r}")
    preset = ipywidgets.Dropdown(options=list(presets), value=start, description="preset")
    entries = [ipywidgets.FloatText(layout=ipywidgets.Layout(width="70px")) for _ in range(9)]
    grid = ipywidgets.GridBox(entries, layout=ipywidgets.Layout(grid_template_columns="repeat(3, 75px)"))
    picture = ipywidgets.Output()
    loading = {"preset": False}

    def redraw(_: Any = None) -> None:
        if loading["preset"]:  # one redraw per preset, not one per number it changes
            return
        with picture:
            picture.clear_output(wait=True)
            draw(np.array([entry.value for entry in entries], dtype=np.float32).reshape(3, 3))
            plt.show()

    def load_preset(_: Any = None) -> None:
        loading["preset"] = True
        for entry, value in zip(entries, np.asarray(presets[preset.value]).ravel(), strict=True):
            entry.value = round(float(value), 3)
        loading["preset"] = False
        redraw()

    preset.observe(load_preset, names="value")
    for entry in entries:
        entry.observe(redraw, names="value")
    load_preset()
    return ipywidgets.VBox([ipywidgets.HBox([preset, grid]), picture])
