"""A small CNN for scikit-learn's 8x8 digits, and its fully convolutional twin (FCN).

The classifier sees one 8x8 window and answers one of ten digits or "background". Its dense head,
rewritten as convolutions with the same weights, slides over a picture of any size and answers at
every position: a score map, from which digits are found.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from engine.common import corpora
from engine.common.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from engine.common.inputs import InputError, decode_text

NAME = "digits"
REBUILD = "python -m engine.train digits"
CLASS_NAMES = [str(d) for d in range(10)] + ["background"]
BACKGROUND = 10
WINDOW = 8  # the classifier's input is WINDOW x WINDOW pixels
STRIDE = 1  # the FCN's score map steps one pixel: no pooling, so every window is scored


@dataclass(frozen=True)
class DigitsConfig:
    """Architecture and training recipe; saved with the checkpoint."""

    channels1: int = 16  # kernels of the first 3x3 convolution
    channels2: int = 32  # kernels of the second 3x3 convolution
    hidden: int = 64  # units of the dense hidden layer (a 4x4 convolution in the FCN)
    epochs: int = 80  # passes over the training digits, each with fresh shifts and negatives
    batch_size: int = 128  # windows per optimiser step
    lr: float = 3e-3  # AdamW learning rate, cosine-decayed to zero
    weight_decay: float = 1e-4  # AdamW weight decay
    background_fraction: float = 0.4  # share of each batch that is a "background" window
    test_fraction: float = 0.2  # held-out share of the 1,797 digits (stratified, seed 0)
    seed: int = 0  # seeds the split, the initialisation and the augmentation


class DigitsCNN(nn.Module):
    """conv3x3 -> ReLU -> conv3x3 -> ReLU -> flatten -> dense -> ReLU -> dense.

    The convolutions are unpadded ("valid"), so the classifier's answer depends only on the 8x8
    pixels it is shown. That is what makes its convolutionized twin exact at every window.
    """

    def __init__(self, cfg: DigitsConfig) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, cfg.channels1, 3),  # (B, C1, 6, 6)
            nn.ReLU(),
            nn.Conv2d(cfg.channels1, cfg.channels2, 3),  # (B, C2, 4, 4)
            nn.ReLU(),
        )
        self.hidden = nn.Linear(cfg.channels2 * 4 * 4, cfg.hidden)
        self.out = nn.Linear(cfg.hidden, len(CLASS_NAMES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 8, 8) images -> (B, 11) logits."""
        h = self.features(x).flatten(1)  # (B, C2*4*4)
        return self.out(F.relu(self.hidden(h)))


class DigitsFCN(nn.Module):
    """The same network with its dense layers as convolutions: any (B, 1, H, W) -> score map."""

    def __init__(self, cnn: DigitsCNN) -> None:
        super().__init__()
        self.features = cnn.features
        c2 = cnn.features[2].out_channels
        self.hidden = nn.Conv2d(c2, cnn.hidden.out_features, 4)
        self.out = nn.Conv2d(cnn.hidden.out_features, len(CLASS_NAMES), 1)
        with torch.no_grad():
            self.hidden.weight.copy_(cnn.hidden.weight.view(-1, c2, 4, 4))  # (hidden, C2, 4, 4)
            self.hidden.bias.copy_(cnn.hidden.bias)
            self.out.weight.copy_(cnn.out.weight[:, :, None, None])  # (11, hidden, 1, 1)
            self.out.bias.copy_(cnn.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> (B, 11, H - 7, W - 7) logits, one per 8x8 window."""
        return self.out(F.relu(self.hidden(self.features(x))))


def load_split(cfg: DigitsConfig) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x_train, y_train, x_test, y_test): images (N, 8, 8) in [0, 1], labels (N,)."""
    return corpora.small_digits_split(cfg.test_fraction)


def _place(canvas: torch.Tensor, digits: torch.Tensor, top: torch.Tensor, left: torch.Tensor) -> None:
    """Add digits[i] into canvas[i] at (top[i], left[i]) (max, so neighbours never sum above 1)."""
    for i in range(len(digits)):
        t, lft = int(top[i]), int(left[i])
        region = canvas[i, t : t + WINDOW, lft : lft + WINDOW]
        torch.maximum(region, digits[i], out=region)


def training_windows(
    images: torch.Tensor, labels: torch.Tensor, n: int, background_fraction: float, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """n 8x8 windows cut from small scenes like the ones the FCN slides over, and their labels.

    A digit window holds a digit shifted by at most one pixel, perhaps with a neighbour's edge
    showing. A background window holds a digit shifted three to six pixels away, a blank or a
    faint noise patch: what the score map sees between and beside digits.
    """
    size, centre = 5 * WINDOW, 2 * WINDOW  # scene side; top-left of the centred digit
    pick = torch.randint(len(images), (n,), generator=gen)
    is_background = torch.rand(n, generator=gen) < background_fraction
    shift = torch.randint(-1, 2, (n, 2), generator=gen)  # (dy, dx) of the window
    sign = torch.randint(0, 2, (n,), generator=gen) * 2 - 1
    far = torch.randint(3, 7, (n,), generator=gen) * sign
    axis = torch.randint(0, 2, (n,), generator=gen)
    shift[is_background, axis[is_background]] = far[is_background]
    scene = torch.zeros(n, size, size)
    _place(scene, images[pick], torch.full((n,), centre), torch.full((n,), centre))
    # Half the scenes get a neighbour on a random side, one to four pixels of gap away, but never
    # on the side a background window moved towards (it would become the centred digit).
    side_axis = torch.randint(0, 2, (n,), generator=gen)
    side_sign = torch.randint(0, 2, (n,), generator=gen) * 2 - 1
    toward = is_background & (side_axis == axis) & (side_sign == sign)
    has_near = (torch.rand(n, generator=gen) < 0.5) & ~toward
    offset = side_sign * (WINDOW + torch.randint(1, 5, (n,), generator=gen))
    near_top = centre + torch.where(side_axis == 0, offset, 0)
    near_left = centre + torch.where(side_axis == 1, offset, 0)
    idx = has_near.nonzero().flatten()
    near = torch.randint(len(images), (len(idx),), generator=gen)
    sub = scene[idx]
    _place(sub, images[near], near_top[idx], near_left[idx])
    scene[idx] = sub
    rows = (centre + shift[:, :1]) + torch.arange(WINDOW)  # (n, 8)
    cols = (centre + shift[:, 1:]) + torch.arange(WINDOW)
    windows = scene[torch.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    blank = is_background & (torch.rand(n, generator=gen) < 0.25)
    noise = torch.rand(n, WINDOW, WINDOW, generator=gen) * torch.rand(n, 1, 1, generator=gen) * 0.3
    windows[blank] = noise[blank]
    y = torch.where(is_background, BACKGROUND, labels[pick])
    return windows.unsqueeze(1), y


def train(cfg: DigitsConfig, progress: Callable[[int, int, dict], None] | None = None) -> tuple[DigitsCNN, dict]:
    """Train from scratch; return the model and a history of loss and test accuracy per epoch."""
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    x_tr, y_tr, x_te, y_te = load_split(cfg)
    model = DigitsCNN(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    n_per_epoch = int(len(x_tr) / (1 - cfg.background_fraction))
    steps_per_epoch = max(1, n_per_epoch // cfg.batch_size)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.epochs * steps_per_epoch)
    history: dict[str, list[float]] = {"epoch": [], "train_loss": [], "test_accuracy": [], "seconds": []}
    start = time.perf_counter()
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        xb_all, yb_all = training_windows(x_tr, y_tr, steps_per_epoch * cfg.batch_size, cfg.background_fraction, gen)
        total = 0.0
        for step in range(steps_per_epoch):
            sl = slice(step * cfg.batch_size, (step + 1) * cfg.batch_size)
            loss = F.cross_entropy(model(xb_all[sl]), yb_all[sl])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        acc = accuracy(model, x_te, y_te)
        for key, value in (
            ("epoch", epoch),
            ("train_loss", total / steps_per_epoch),
            ("test_accuracy", acc),
            ("seconds", time.perf_counter() - start),
        ):
            history[key].append(round(float(value), 5))
        if progress:
            progress(epoch, cfg.epochs, {"loss": history["train_loss"][-1], "test_acc": acc})
    model.eval()
    return model, history


@torch.inference_mode()
def predict(model: DigitsCNN, images: torch.Tensor) -> torch.Tensor:
    """(N, 8, 8) images -> (N, 11) class probabilities."""
    return F.softmax(model(images.unsqueeze(1)), dim=-1)


def accuracy(model: DigitsCNN, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of images whose most likely class is the true digit ("background" counts as wrong)."""
    was_training = model.training
    model.eval()
    acc = float((predict(model, images).argmax(-1) == labels).float().mean())
    model.train(was_training)
    return acc


def save(model: DigitsCNN, cfg: DigitsConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """Write the checkpoint (weights + config/history/metrics) atomically."""
    path = path or checkpoint_path(NAME)
    meta = {"name": NAME, "config": asdict(cfg), "classes": CLASS_NAMES, "history": history, "metrics": metrics}
    save_checkpoint(path, model.state_dict(), meta)
    return path


def load(path: Path | None = None) -> tuple[DigitsCNN, dict]:
    """The trained classifier (eval mode, frozen) and its meta; CheckpointError if unusable."""
    tensors, meta = load_checkpoint(path or checkpoint_path(NAME), REBUILD)
    model = DigitsCNN(DigitsConfig(**meta["config"]))
    model.load_state_dict(tensors)
    model.eval().requires_grad_(False)
    return model, meta


def compose_canvas(
    images: torch.Tensor, labels: torch.Tensor, n_digits: int, seed: int, height: int = 24
) -> tuple[np.ndarray, pd.DataFrame]:
    """A black strip with n_digits held-out digits at random gaps and heights.

    Returns the (height, width) image in [0, 1] and the truth: label, top, left of each digit.
    """
    rng = np.random.default_rng(seed)
    choice = rng.choice(len(images), n_digits, replace=False)
    gaps = rng.integers(2, 7, n_digits + 1)
    width = int(gaps.sum() + n_digits * WINDOW)
    canvas = np.zeros((height, width), dtype=np.float32)
    rows, left = [], int(gaps[0])
    for i, idx in enumerate(choice):
        top = int(rng.integers(0, height - WINDOW + 1))
        window = canvas[top : top + WINDOW, left : left + WINDOW]
        np.maximum(window, images[idx].numpy(), out=window)
        rows.append((int(labels[idx]), top, left))
        left += WINDOW + int(gaps[i + 1])
    return canvas, pd.DataFrame(rows, columns=["label", "top", "left"])


@torch.inference_mode()
def score_map(fcn: DigitsFCN, image: np.ndarray) -> np.ndarray:
    """(11, rows, cols) class probabilities for the 8x8 window at (STRIDE*row, STRIDE*col)."""
    if min(image.shape) < WINDOW:
        raise ValueError(f"the image must be at least {WINDOW}x{WINDOW} pixels")
    x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None, None]
    return F.softmax(fcn(x)[0], dim=0).numpy()


def score_map_frame(probs: np.ndarray) -> pd.DataFrame:
    """Long form of a score map: row, col, top, left, class, prob."""
    k, rows, cols = probs.shape
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    frames = [
        pd.DataFrame(
            {
                "row": r.ravel(),
                "col": c.ravel(),
                "top": STRIDE * r.ravel(),
                "left": STRIDE * c.ravel(),
                "class": CLASS_NAMES[i],
                "prob": probs[i].ravel(),
            }
        )
        for i in range(k)
    ]
    return pd.concat(frames, ignore_index=True)


def find_digits(probs: np.ndarray, threshold: float = 0.5, min_distance: int = 5) -> pd.DataFrame:
    """Greedy non-maximum suppression on the best digit probability per window.

    Returns label, prob, top, left (pixels) of each found digit, left to right.
    """
    digit_probs = probs[:BACKGROUND]
    best = digit_probs.max(0)
    label = digit_probs.argmax(0)
    taken = np.zeros_like(best, dtype=bool)
    found = []
    for flat in np.argsort(-best, axis=None):
        r, c = np.unravel_index(flat, best.shape)
        if best[r, c] < threshold:
            break
        if taken[
            max(0, r - min_distance + 1) : r + min_distance, max(0, c - min_distance + 1) : c + min_distance
        ].any():
            continue
        taken[r, c] = True
        found.append((CLASS_NAMES[label[r, c]], float(best[r, c]), STRIDE * int(r), STRIDE * int(c)))
    frame = pd.DataFrame(found, columns=["label", "prob", "top", "left"])
    return frame.sort_values("left", ignore_index=True)


def parse_optdigits(text: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows of 64 pixel values 0-16 then the label 0-9, comma-separated (UCI optdigits format)."""
    images, labels = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) != 65:
            raise InputError(
                f"Line {number}: expected 65 comma-separated numbers (64 pixels, 1 label), got {len(fields)}."
            )
        try:
            values = [int(f) for f in fields]
        except ValueError:
            raise InputError(f"Line {number}: every field must be a whole number.") from None
        if not all(0 <= v <= 16 for v in values[:64]) or not 0 <= values[64] <= 9:
            raise InputError(f"Line {number}: pixels must be 0-16 and the label 0-9.")
        images.append(values[:64])
        labels.append(values[64])
    if not images:
        raise InputError("The file has no data rows.")
    x = torch.tensor(images, dtype=torch.float32).view(-1, WINDOW, WINDOW) / 16.0
    return x, torch.tensor(labels)


def evaluate(model: DigitsCNN, data: bytes | None = None) -> dict:
    """Accuracy on the held-out split, or on a user's optdigits-format CSV."""
    if data is None:
        _, _, x, y = load_split(DigitsConfig())
    else:
        x, y = parse_optdigits(decode_text(data, "data file"))
    return {"accuracy": round(accuracy(model, x, y), 4), "n": len(y)}
