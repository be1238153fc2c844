"""Data augmentation on whole batches, as notebook 08 teaches it (PyTorch): AlexNet's PCA colour noise, and random
geometry and colour drawn for every image of a batch in one call on the batch's device. Appendix 08a reuses it."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def rgb_principal_components(images: np.ndarray, max_pixels: int = 400_000, seed: int = 0):
    """Eigenvalues (descending) and eigenvectors (columns) of the RGB covariance of uint8 images (N, H, W, 3).

    >>> values, vectors = rgb_principal_components(np.random.default_rng(0).integers(0, 256, (4, 8, 8, 3)))
    >>> values.shape, vectors.shape
    ((3,), (3, 3))
    """
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"expected images of shape (N, H, W, 3), got {images.shape}")
    pixels = images.reshape(-1, 3)
    if len(pixels) > max_pixels:  # a random subset estimates a 3 x 3 covariance to 3 digits
        pixels = pixels[np.random.default_rng(seed).choice(len(pixels), max_pixels, replace=False)]
    covariance = np.cov(pixels.astype(np.float64).T / 255.0)
    values, vectors = np.linalg.eigh(covariance)  # eigh: symmetric matrix, ascending order
    order = np.argsort(values)[::-1]
    vectors = vectors[:, order] * np.sign(vectors[:, order].sum(0))  # sign convention: components point "up"
    return values[order], vectors


class PCAColour(nn.Module):
    """AlexNet's colour augmentation for uint8 images (3, H, W) or batches (N, 3, H, W).

    Adds P @ (alpha * eigenvalues), alpha ~ N(0, sigma^2) per image, to every pixel (in [0, 1] units).

    >>> PCAColour(np.ones(3), np.eye(3), sigma=0.0)(torch.zeros(3, 4, 4, dtype=torch.uint8)).sum().item()
    0
    """

    def __init__(self, eigenvalues: np.ndarray, eigenvectors: np.ndarray, sigma: float = 0.1):
        super().__init__()
        if np.shape(eigenvalues) != (3,) or np.shape(eigenvectors) != (3, 3):
            raise ValueError(
                f"need 3 eigenvalues and a 3 x 3 eigenvector matrix, got {np.shape(eigenvalues)}, "
                f"{np.shape(eigenvectors)}"
            )
        if sigma < 0:
            raise ValueError(f"sigma must be >= 0, got {sigma}")
        self.eigenvalues = torch.as_tensor(eigenvalues, dtype=torch.float32)
        self.eigenvectors = torch.as_tensor(eigenvectors, dtype=torch.float32)
        self.sigma = sigma

    def offsets(self, count: int) -> torch.Tensor:
        """``count`` random RGB offsets (count, 3): the columns of P weighted by alpha_i * lambda_i."""
        alpha = torch.randn(count, 3) * self.sigma
        return (alpha * self.eigenvalues) @ self.eigenvectors.T

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        batch = images if images.ndim == 4 else images[None]
        if batch.ndim != 4 or batch.shape[1] != 3:
            raise ValueError(f"expected (3, H, W) or (N, 3, H, W) images, got shape {tuple(images.shape)}")
        scale = 255.0 if batch.dtype == torch.uint8 else 1.0
        shifted = batch.float() + self.offsets(len(batch)).to(batch.device)[:, :, None, None] * scale
        shifted = shifted.clamp(0, scale)
        shifted = shifted.round().to(torch.uint8) if batch.dtype == torch.uint8 else shifted
        return shifted if images.ndim == 4 else shifted[0]


def uniform(n: int, limit: float, device: torch.device) -> torch.Tensor:
    """``n`` values drawn uniformly from [-limit, limit]."""
    return (torch.rand(n, device=device) * 2 - 1) * limit


def random_geometry(
    x: torch.Tensor, flip: bool, rotation: float, shear: float, zoom: float, stretch: float, shift: float
):
    """Resample each image of a float batch (N, 3, H, W) with its own random affine map, in one grid_sample call."""
    n, device = len(x), x.device
    # affine_grid maps each *output* pixel to where it is read in the input (coordinates -1..1),
    # so the matrix is the inverse transformation: rotate, shear, then divide by the zoom (and mirror).
    angle, slant = torch.deg2rad(uniform(n, rotation, device)), torch.tan(torch.deg2rad(uniform(n, shear, device)))
    scale, aspect = 1 + uniform(n, zoom, device), 1 + uniform(n, stretch, device)
    mirror = torch.where(torch.rand(n, device=device) < 0.5, -1.0, 1.0) if flip else torch.ones(n, device=device)
    cos, sin = torch.cos(angle), torch.sin(angle)
    one, zero = torch.ones(n, device=device), torch.zeros(n, device=device)
    rotate = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)
    skew = torch.stack([torch.stack([one, slant], -1), torch.stack([zero, one], -1)], -2)
    resize = torch.diag_embed(torch.stack([mirror / (scale * aspect), aspect / scale], -1))
    offset = torch.stack([uniform(n, 2 * shift, device), uniform(n, 2 * shift, device)], -1)[..., None]  # 2 units wide
    theta = torch.cat([rotate @ skew @ resize, offset], -1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, padding_mode="reflection", align_corners=False)


def random_colour(x: torch.Tensor, brightness: float, contrast: float, saturation: float, pca: PCAColour | None):
    """Per image: saturation (mix with grey), contrast (around the mean), brightness (multiply), PCA colour."""
    n, device = len(x), x.device
    grey = (x * torch.tensor([0.299, 0.587, 0.114], device=device)[:, None, None]).sum(1, keepdim=True)
    x = grey + (x - grey) * (1 + uniform(n, saturation, device))[:, None, None, None]
    mean = x.mean((1, 2, 3), keepdim=True)
    x = mean + (x - mean) * (1 + uniform(n, contrast, device))[:, None, None, None]
    x = x * (1 + uniform(n, brightness, device))[:, None, None, None]
    if pca is not None:
        x = x + pca.offsets(n).to(device)[:, :, None, None]
    return x


def augment_batch(
    images: torch.Tensor,
    rgb_components: tuple[np.ndarray, np.ndarray],
    *,
    flip: bool = True,
    rotation: float = 15.0,
    shear: float = 8.0,
    zoom: float = 0.2,
    stretch: float = 0.1,
    shift: float = 0.1,
    brightness: float = 0.2,
    contrast: float = 0.2,
    saturation: float = 0.2,
    pca_sigma: float = 0.1,
) -> torch.Tensor:
    """Randomly transform each image of a batch (N, 3, H, W) on its device; returns floats in [0, 1].

    ``rgb_components`` are the training photos' (eigenvalues, eigenvectors) that PCA colour noise follows.
    Angles are in degrees; zoom, stretch, shift and the colour strengths are fractions (0 switches them off).

    >>> augment_batch(torch.zeros(4, 3, 32, 32, dtype=torch.uint8), (np.ones(3), np.eye(3))).shape
    torch.Size([4, 3, 32, 32])
    """
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"expected a batch of RGB images (N, 3, H, W), got shape {tuple(images.shape)}")
    if min(rotation, shear, zoom, stretch, shift, brightness, contrast, saturation, pca_sigma) < 0 or zoom >= 1:
        raise ValueError("strengths must be >= 0 (and zoom < 1)")
    x = images.float() / 255 if images.dtype == torch.uint8 else images.float()
    x = random_geometry(x, flip, rotation, shear, zoom, stretch, shift)
    pca = PCAColour(*rgb_components, sigma=pca_sigma) if pca_sigma > 0 else None
    return random_colour(x, brightness, contrast, saturation, pca).clamp(0, 1)
