"""The page's judge of samples: a small digit classifier trained on the real training digits only.

It never sees a sample. Its verdict on a sample is its most probable digit and that probability;
a sample counts as recognisable when that probability is at least RECOGNISED and the sample has ink.
A softmax always names some digit, even for an empty square (the trained judge reads a blank as a 1
at 0.20), so a (nearly) blank image reads as "no digit" and a verdict under CLEAR as "no clear digit".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.common.training import optimiser_step
from engine.density.data import Split, shifted

RECOGNISED = 0.8  # the classifier's probability at or above which a sample reads as a digit
CLEAR = 0.5  # below this probability the judge's most probable digit is not named
FAINT = 10  # images with fewer pixels on read as blank (the least-inked of the 56,960 training digits has 15)
NO_DIGIT, NO_CLEAR_DIGIT, DIGIT = "no digit", "no clear digit", "digit"  # what a verdict can say


@dataclass(frozen=True)
class JudgeConfig:
    epochs: int = 12
    batch_size: int = 64
    lr: float = 2e-3
    shift: int = 2
    seed: int = 0


class Judge(nn.Module):
    """(B, 1, 28, 28) binary pixels -> (B, 10) logits: two conv-pool blocks and two dense layers."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 64, 3, padding=1)
        self.fc1, self.fc2 = nn.Linear(64 * 7 * 7, 128), nn.Linear(128, 10)
        self.dropout = nn.Dropout(0.3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.max_pool2d(F.relu(self.conv1(x.float() * 2 - 1)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return self.fc2(self.dropout(F.relu(self.fc1(h.flatten(1)))))


def fit_judge(train: Split, cfg: JudgeConfig = JudgeConfig(), progress: Callable | None = None) -> Judge:
    """AdamW with cosine decay over `cfg.epochs` passes of shifted training digits."""
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    judge = Judge()
    opt = torch.optim.AdamW(judge.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.epochs * math.ceil(len(train.images) / cfg.batch_size))
    for epoch in range(cfg.epochs):
        judge.train()
        order = torch.randperm(len(train.images), generator=gen)
        for i in range(0, len(order), cfg.batch_size):
            batch = order[i : i + cfg.batch_size]
            x = shifted(train.images[batch], cfg.shift, gen)
            optimiser_step(F.cross_entropy(judge(x), train.labels[batch]), opt, sched)
        if progress:
            progress(epoch + 1, cfg.epochs, {})
    return judge.eval().requires_grad_(False)


@torch.inference_mode()
def verdicts(judge: Judge, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(N,) the digit the judge reads in each image and (N,) its probability."""
    p = F.softmax(judge.eval()(images), -1)
    best = p.max(-1)
    return best.indices.numpy(), best.values.numpy()


def accuracy(judge: Judge, split: Split) -> float:
    """The share of `split` the judge labels correctly."""
    digits, _ = verdicts(judge, split.images)
    return float((digits == split.labels.numpy()).mean())


def ink(images: torch.Tensor) -> np.ndarray:
    """(N,) the number of pixels on in each (N, 1, 28, 28) image."""
    return images.flatten(1).sum(1).numpy().astype(int)


def readings(pixels_on: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """(N,) what each verdict says: NO_DIGIT for a (nearly) blank image, NO_CLEAR_DIGIT under CLEAR, else DIGIT."""
    pixels_on, probabilities = np.asarray(pixels_on), np.asarray(probabilities)
    return np.where(pixels_on < FAINT, NO_DIGIT, np.where(probabilities < CLEAR, NO_CLEAR_DIGIT, DIGIT))


def recognised(pixels_on: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """(N,) whether each verdict counts: a digit read with probability at least RECOGNISED."""
    return (readings(pixels_on, probabilities) == DIGIT) & (np.asarray(probabilities) >= RECOGNISED)


def recognisable(probabilities: np.ndarray, pixels_on: np.ndarray | None = None) -> float:
    """The share of verdicts at or above RECOGNISED (of images with ink, when `pixels_on` is given)."""
    probabilities = np.asarray(probabilities)
    if pixels_on is None:
        return float((probabilities >= RECOGNISED).mean())
    return float(recognised(pixels_on, probabilities).mean())
