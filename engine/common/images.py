"""Turning any picture into what the 8x8-digit models expect: grey, light strokes on black, in [0, 1]."""

from __future__ import annotations

import numpy as np
from PIL import Image


def to_grey(image: Image.Image) -> np.ndarray:
    """(H, W) float array in [0, 1] from an L or RGB image."""
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def strokes_on_black(grey: np.ndarray) -> np.ndarray:
    """Invert dark-on-light pictures (judged by the border) and stretch contrast to [0, 1]."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if np.median(border) > 0.5:
        grey = 1.0 - grey
    low, high = np.percentile(grey, 5), grey.max()
    if high - low < 1e-6:
        return np.zeros_like(grey)
    return np.clip((grey - low) / (high - low), 0.0, 1.0).astype(np.float32)


def resize_to_height(grey: np.ndarray, height: int, max_width: int = 512) -> np.ndarray:
    """Area-average resize to `height` rows, keeping the aspect ratio (width capped)."""
    h, w = grey.shape
    width = int(np.clip(round(w * height / h), 1, max_width))
    image = Image.fromarray((grey * 255).astype(np.uint8))
    resized = image.resize((width, height), Image.Resampling.BOX if height < h else Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32) / 255.0
