"""The image grid accepts the layouts the notebooks use and refuses the rest."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.plotting import show_images  # noqa: E402


def test_grid_shape_and_titles():
    images = [np.zeros((5, 5)), np.ones((5, 5, 3)), torch.rand(3, 5, 5), torch.rand(1, 5, 5)]
    fig = show_images(images, titles=list("abcd"), ncols=3)
    assert len(fig.axes) == 6
    assert [ax.get_title() for ax in fig.axes[:4]] == list("abcd")


def test_mismatched_titles_and_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="titles"):
        show_images([np.zeros((5, 5))], titles=["a", "b"])
    with pytest.raises(ValueError, match="shape"):
        show_images([np.zeros((2, 5, 5, 3))])
    with pytest.raises(ValueError, match="at least one"):
        show_images([])
