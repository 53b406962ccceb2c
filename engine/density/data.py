"""What the density model reads: the digits as 17-level pixels, and any image made digit-like."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from engine.common import corpora
from engine.common.images import strokes_on_black, to_grey
from engine.density.model import LEVELS, PIXELS, SIDE

VAL_FRACTION = 0.1  # of the classifier's training digits, held out to pick the epoch
INK = 0.25  # grey above this counts as content when cropping


@dataclass(frozen=True)
class Split:
    """One split of the digits: (N, 64) grey levels 0..16 and (N,) labels."""

    images: torch.Tensor
    labels: torch.Tensor


def load_levels() -> dict[str, Split]:
    """{'train', 'val', 'test'} splits of the digits as grey levels.

    Test is the digits classifier's held-out split; val is a fixed tenth of its training digits.
    """
    x_tr, y_tr, x_te, y_te = corpora.small_digits_split()
    levels = lambda x: (x * 16).round().long().view(len(x), PIXELS)  # noqa: E731
    order = torch.randperm(len(x_tr), generator=torch.Generator().manual_seed(0))
    n_val = round(len(x_tr) * VAL_FRACTION)
    val, train = order[:n_val], order[n_val:]
    return {
        "train": Split(levels(x_tr)[train], y_tr[train]),
        "val": Split(levels(x_tr)[val], y_tr[val]),
        "test": Split(levels(x_te), y_te),
    }


def shifted(x: torch.Tensor, most: int, gen: torch.Generator) -> torch.Tensor:
    """(N, 64) images each moved by a random (dy, dx) in [-most, most]^2, zeros filling the gap."""
    if most == 0:
        return x
    images = x.view(-1, SIDE, SIDE)
    padded = F.pad(images, (most, most, most, most))
    dy, dx = torch.randint(0, 2 * most + 1, (2, len(x)), generator=gen)
    out = torch.stack([padded[i, dy[i] : dy[i] + SIDE, dx[i] : dx[i] + SIDE] for i in range(len(x))])
    return out.reshape(len(x), PIXELS)


@dataclass(frozen=True)
class Prepared:
    """Each step from a picture to what the model reads."""

    grey: np.ndarray  # (H, W) in [0, 1], light strokes on black
    crop: tuple[int, int, int, int]  # (top, bottom, left, right) of the content box in grey
    square: np.ndarray  # the content, padded to a square
    levels: torch.Tensor  # (64,) grey levels 0..16 after resizing to 8x8


def content_box(grey: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) around the pixels brighter than INK; the whole image if there are none."""
    ink = np.argwhere(grey > INK)
    if not len(ink):
        return 0, grey.shape[0], 0, grey.shape[1]
    (top, left), (bottom, right) = ink.min(0), ink.max(0) + 1
    return int(top), int(bottom), int(left), int(right)


def squared(content: np.ndarray) -> np.ndarray:
    """`content` centred on a black square as wide as its longer side."""
    side = max(content.shape)
    square = np.zeros((side, side), dtype=np.float32)
    r, c = (side - content.shape[0]) // 2, (side - content.shape[1]) // 2
    square[r : r + content.shape[0], c : c + content.shape[1]] = content
    return square


def prepare(image: Image.Image) -> Prepared:
    """Greyscale, strokes made light on dark, cropped to content, squared, 8x8, 17 levels."""
    grey = strokes_on_black(to_grey(image))
    top, bottom, left, right = content_box(grey)
    square = squared(grey[top:bottom, left:right])
    small = Image.fromarray((square * 255).astype(np.uint8)).resize((SIDE, SIDE), Image.Resampling.BOX)
    values = np.asarray(small, dtype=np.float32) / 255.0
    if values.max() > 0:
        values = values / values.max()  # the digits' strokes reach level 16
    levels = torch.from_numpy(np.rint(values * (LEVELS - 1)).astype(np.int64)).flatten()
    return Prepared(grey, (top, bottom, left, right), square, levels)


def cat_photo() -> bytes | None:
    """Chelsea the cat, from the data folder inside the scikit-image wheel (nothing downloaded)."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "chelsea.png"
    return path.read_bytes() if path.is_file() else None
