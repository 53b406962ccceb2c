"""Training, saving and evaluating the digits CNN (digits_model.py) on windows cut from small scenes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from engine.common import corpora
from engine.common.checkpoint import load_trained, save_trained
from engine.common.inputs import InputError, decode_text, parse_lines
from engine.common.training import History, optimiser_step
from engine.convolution.digits_model import (
    BACKGROUND,
    CLASS_NAMES,
    FEATURE_SIDE,
    KERNEL,
    WINDOW,
    DigitsCNN,
    DigitsConfig,
    DigitsFCN,
)

# The model's names, re-exported: the registry, the CLI and the page know this module only.
__all__ = [
    "BACKGROUND",
    "CLASS_NAMES",
    "FEATURE_SIDE",
    "KERNEL",
    "WINDOW",
    "DigitsCNN",
    "DigitsConfig",
    "DigitsFCN",
]  # re-exported

NAME = "digits"
REBUILD = "python -m engine.train digits"
NEAR_GAP = (1, 5)  # blank pixels between a scene's digit and its neighbour: at least 1, fewer than 5
FAR_SHIFT = (3, 7)  # a background window is 3 to 6 pixels off the digit
MAX_LEVEL = 16  # optdigits pixels are 0..16


@dataclass(frozen=True)
class Trained:
    """The shipped classifier, its convolutionized twin (same weights) and the checkpoint's meta."""

    cnn: DigitsCNN
    fcn: DigitsFCN
    meta: dict


@dataclass(frozen=True)
class HeldOut:
    """Held-out digits: images (N, 8, 8) in [0, 1] and labels (N,), never seen in training."""

    images: torch.Tensor
    labels: torch.Tensor


def load_split(cfg: DigitsConfig) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x_train, y_train, x_test, y_test): images (N, 8, 8) in [0, 1], labels (N,)."""
    return corpora.small_digits_split(cfg.test_fraction)


def held_out(cfg: DigitsConfig | None = None) -> HeldOut:
    """The test split of `cfg` (default: the shipped recipe)."""
    _, _, x, y = load_split(cfg or DigitsConfig())
    return HeldOut(x, y)


def _place(canvas: torch.Tensor, digits: torch.Tensor, top: torch.Tensor, left: torch.Tensor) -> None:
    """Add digits[i] into canvas[i] at (top[i], left[i]) (max, so neighbours never sum above 1)."""
    for i in range(len(digits)):
        t, lft = int(top[i]), int(left[i])
        region = canvas[i, t : t + WINDOW, lft : lft + WINDOW]
        torch.maximum(region, digits[i], out=region)


def _add_neighbours(scene: torch.Tensor, images: torch.Tensor, avoid: torch.Tensor, gen: torch.Generator) -> None:
    """Give half the scenes a neighbour on a random side, never on a side where `avoid` (n, 2) says no.

    avoid[i] = (axis, sign) of the side a background window moved towards (it would become the
    centred digit), or (-1, 0) for none.
    """
    n, centre = len(scene), 2 * WINDOW
    side_axis = torch.randint(0, 2, (n,), generator=gen)
    side_sign = torch.randint(0, 2, (n,), generator=gen) * 2 - 1
    toward = (side_axis == avoid[:, 0]) & (side_sign == avoid[:, 1])
    has_near = (torch.rand(n, generator=gen) < 0.5) & ~toward
    offset = side_sign * (WINDOW + torch.randint(*NEAR_GAP, (n,), generator=gen))
    near_top = centre + torch.where(side_axis == 0, offset, 0)
    near_left = centre + torch.where(side_axis == 1, offset, 0)
    idx = has_near.nonzero().flatten()
    near = torch.randint(len(images), (len(idx),), generator=gen)
    sub = scene[idx]
    _place(sub, images[near], near_top[idx], near_left[idx])
    scene[idx] = sub


def training_windows(
    images: torch.Tensor, labels: torch.Tensor, n: int, background_fraction: float, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """n 8x8 windows cut from small scenes like the ones the FCN slides over, and their labels.

    A digit window holds a digit shifted by at most one pixel. A background window holds a digit
    shifted three to six pixels away (perhaps with a neighbour's edge showing), a blank or a faint
    noise patch: what the score map sees between and beside digits.
    """
    size, centre = 5 * WINDOW, 2 * WINDOW  # scene side; top-left of the centred digit
    pick = torch.randint(len(images), (n,), generator=gen)
    is_background = torch.rand(n, generator=gen) < background_fraction
    shift = torch.randint(-1, 2, (n, 2), generator=gen)  # (dy, dx) of the window
    sign = torch.randint(0, 2, (n,), generator=gen) * 2 - 1
    far = torch.randint(*FAR_SHIFT, (n,), generator=gen) * sign
    axis = torch.randint(0, 2, (n,), generator=gen)
    shift[is_background, axis[is_background]] = far[is_background]
    scene = torch.zeros(n, size, size)
    _place(scene, images[pick], torch.full((n,), centre), torch.full((n,), centre))
    avoid = torch.where(is_background[:, None], torch.stack([axis, sign], 1), torch.tensor([-1, 0]))
    _add_neighbours(scene, images, avoid, gen)
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
    history = History("epoch", "train_loss", "test_accuracy")
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        xb_all, yb_all = training_windows(x_tr, y_tr, steps_per_epoch * cfg.batch_size, cfg.background_fraction, gen)
        total = 0.0
        for step in range(steps_per_epoch):
            sl = slice(step * cfg.batch_size, (step + 1) * cfg.batch_size)
            total += optimiser_step(F.cross_entropy(model(xb_all[sl]), yb_all[sl]), opt, sched)
        acc = accuracy(model, x_te, y_te)
        history.record(epoch=epoch, train_loss=total / steps_per_epoch, test_accuracy=acc)
        if progress:
            progress(epoch, cfg.epochs, {"loss": history.last("train_loss"), "test_acc": acc})
    model.eval()
    return model, history.as_dict()


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
    meta = {"config": asdict(cfg), "classes": CLASS_NAMES, "history": history, "metrics": metrics}
    return save_trained(NAME, model.state_dict(), meta, path)


def load(path: Path | None = None) -> tuple[DigitsCNN, dict]:
    """The trained classifier (eval mode, frozen) and its meta; CheckpointError if unusable."""
    return load_trained(NAME, REBUILD, lambda meta: DigitsCNN(DigitsConfig(**meta["config"])), path)


def load_both(path: Path | None = None) -> Trained:
    """The trained classifier and its convolutionized twin, both frozen, with the meta."""
    cnn, meta = load(path)
    return Trained(cnn, DigitsFCN(cnn).eval().requires_grad_(False), meta)


def _optdigits_row(number: int, line: str) -> list[int]:
    """One optdigits line as 65 whole numbers, checked."""
    fields = [f.strip() for f in line.split(",")]
    if len(fields) != WINDOW * WINDOW + 1:
        raise InputError(
            "Line {number}: expected 65 comma-separated numbers (64 pixels, 1 label), got {count}.",
            key="convolution.errors.optdigits_fields",
            number=number,
            count=len(fields),
        )
    try:
        values = [int(f) for f in fields]
    except ValueError:
        whole = "Line {number}: every field must be a whole number."
        raise InputError(whole, key="convolution.errors.optdigits_whole", number=number) from None
    if not all(0 <= v <= MAX_LEVEL for v in values[:-1]) or not 0 <= values[-1] <= 9:
        levels = "Line {number}: pixels must be 0-16 and the label 0-9."
        raise InputError(levels, key="convolution.errors.optdigits_range", number=number)
    return values


def parse_optdigits(text: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows of 64 pixel values 0-16 then the label 0-9, comma-separated (UCI optdigits format)."""
    values = torch.tensor(parse_lines(text, _optdigits_row, "The file has no data rows."))
    x = values[:, :-1].float().view(-1, WINDOW, WINDOW) / MAX_LEVEL
    return x, values[:, -1]


def evaluate(model: DigitsCNN, data: bytes | None = None) -> dict:
    """Accuracy on the held-out split, or on a user's optdigits-format CSV."""
    if data is None:
        _, _, x, y = load_split(DigitsConfig())
    else:
        x, y = parse_optdigits(decode_text(data, "data file"))
    return {"accuracy": round(accuracy(model, x, y), 4), "n": len(y)}
