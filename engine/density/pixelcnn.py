"""A gated PixelCNN of binarised 28x28 digits: p(x | y) = prod_i p(x_i | x_<i, y), exact and normalised.

van den Oord et al. (2016), "Conditional Image Generation with PixelCNN Decoders": two stacks of
gated convolutions. The vertical stack sees the rows above a pixel (its kernels reach up only and
its output is shifted down one row before the horizontal stack reads it), the horizontal stack sees
the pixels to the left in the same row (its kernels reach left only; the first one's input is
shifted right one pixel), so pixel i's Bernoulli logit depends on pixels < i in raster order and on
nothing later: no blind spot, no self-dependence. Every layer adds a learned bias for the label
y in 0..9 or for NONE, "any digit": trained with the label hidden half the time, one network gives
both the unconditional p(x) (the page's main model) and p(x | y).

Every convolution is causal along the axis it slides on, so the sampler in `engine.density.draw`
can compute each layer's output once per pixel, from cached outputs, and get the same numbers as
`forward` on the whole image.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

SIDE = 28  # pixels per row and per column
PIXELS = SIDE * SIDE  # pixels per image, drawn in raster order
CLASSES = 10  # digit labels 0..9
NONE = CLASSES  # the label "any digit": the unconditional model


@dataclass(frozen=True)
class PixelCNNConfig:
    """Sizes and recipe of the gated PixelCNN; saved with the checkpoint."""

    channels: int = 48  # feature maps per stack
    layers: int = 12  # gated layers after the first
    first_kernel: int = 7  # width of the first layer's kernels (odd)
    kernel: int = 3  # width of the other layers' kernels (odd)
    head: int = 96  # hidden units of the per-pixel output head
    steps: int = 100_000  # optimiser steps at most (the time budget ends the shipped run first)
    batch_size: int = 32  # digits per step
    lr: float = 2e-3  # peak learning rate (AdamW, warm-up then cosine decay)
    weight_decay: float = 1e-4
    hide_label: float = 0.5  # the fraction of training digits whose label is replaced by NONE
    shift: int = 0  # training digits are moved by up to this many pixels each way (57,000 digits need no more)
    minutes: float = 75.0  # if above 0, training stops after this many minutes (evaluations excluded; all sittings)
    seed: int = 0
    resume: int = 0  # 1: continue from the last resume file (build/density-resume.pt), optimiser and schedule included


class GatedLayer(nn.Module):
    """One gated layer of both stacks; `k` is the kernel width, `first` marks the layer reading pixels."""

    def __init__(self, c_in: int, c: int, k: int, first: bool) -> None:
        super().__init__()
        self.first, self.k = first, k
        self.v_conv = nn.Conv2d(c_in, 2 * c, (k // 2 + 1, k))  # rows r - k//2 .. r, columns c - k//2 .. c + k//2
        self.h_conv = nn.Conv2d(c_in, 2 * c, (1, k // 2 + 1))  # columns c - k//2 .. c of the same row
        self.v_to_h = nn.Conv2d(2 * c, 2 * c, 1)
        self.h_out = nn.Conv2d(c, c, 1)
        self.v_label = nn.Embedding(CLASSES + 1, 2 * c)
        self.h_label = nn.Embedding(CLASSES + 1, 2 * c)

    @staticmethod
    def gate(a: torch.Tensor) -> torch.Tensor:
        x, y = a.chunk(2, dim=1)
        return torch.tanh(x) * torch.sigmoid(y)

    def vertical(self, v: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(next vertical features, pre-gate vertical map at the same rows) from (B, C, R, W) features."""
        k = self.k
        pre = self.v_conv(F.pad(v, (k // 2, k // 2, k // 2, 0))) + self.v_label(y)[:, :, None, None]
        return self.gate(pre), pre

    def horizontal(self, h: torch.Tensor, v_pre_above: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Next horizontal features from (B, C, R, W) features and the vertical map of the row above each."""
        k = self.k
        if self.first:
            h = F.pad(h, (1, 0))[..., :-1]  # the first layer never sees the pixel it predicts
        pre = self.h_conv(F.pad(h, (k // 2, 0))) + self.v_to_h(v_pre_above) + self.h_label(y)[:, :, None, None]
        out = self.h_out(self.gate(pre))
        return out if self.first else h + out


def shift_down(v: torch.Tensor) -> torch.Tensor:
    """Row r gets row r - 1 (zeros in row 0): what the horizontal stack may read of the vertical one."""
    return F.pad(v, (0, 0, 1, 0))[..., :-1, :]


class PixelCNN(nn.Module):
    """(B, 1, 28, 28) pixels in {0, 1} and (B,) labels (NONE for any digit) -> (B, 1, 28, 28) logits."""

    def __init__(self, cfg: PixelCNNConfig) -> None:
        super().__init__()
        c = cfg.channels
        self.cfg = cfg
        kernels = [cfg.first_kernel] + [cfg.kernel] * cfg.layers
        self.stack = nn.ModuleList(GatedLayer(1 if i == 0 else c, c, k, i == 0) for i, k in enumerate(kernels))
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(c, cfg.head, 1), nn.ReLU(), nn.Conv2d(cfg.head, 1, 1))

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """Pixels {0, 1} as centred inputs {-1, 1}: a 0 pixel is information, not absence."""
        return x.float() * 2 - 1

    def forward(self, x: torch.Tensor, y: torch.Tensor, features: bool = False):
        """Logits of p(x_i = 1 | x_<i, y) for every pixel (and the last horizontal features, if asked for)."""
        v = h = self.inputs(x)
        for layer in self.stack:
            v, pre = layer.vertical(v, y)
            h = layer.horizontal(h, shift_down(pre), y)
        logits = self.head(h)
        return (logits, h) if features else logits


def pixel_log_probs(model: PixelCNN, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(B, 784) natural-log p(x_i | x_<i, y) of every pixel of (B, 1, 28, 28) binary images."""
    logits = model(x, y).flatten(1)
    return -F.binary_cross_entropy_with_logits(logits, x.flatten(1).float(), reduction="none")


def any_digit(n: int) -> torch.Tensor:
    """(n,) labels NONE: score or draw under the unconditional p(x)."""
    return torch.full((n,), NONE, dtype=torch.long)


class IndependentPixels(nn.Module):
    """The baseline: every pixel on its own, p(x_i = 1) its add-k smoothed training frequency."""

    def __init__(self, ones: torch.Tensor, total: int, k: float) -> None:
        super().__init__()
        self.register_buffer("ones", ones.double())  # (784,) training digits with pixel i on, saved
        self.total, self.k = total, k

    def pixel_log_probs(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 784) natural-log p(x_i) of every pixel of (B, 1, 28, 28) binary images."""
        p_one = (self.ones + self.k) / (self.total + 2 * self.k)
        on = x.flatten(1).double()
        return (on * torch.log(p_one) + (1 - on) * torch.log1p(-p_one)).float()
