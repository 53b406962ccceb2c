"""An explicit density model of 8x8 digits: p(x) = prod_i p(x_i | x_<i), exact and normalised.

scikit-learn's digits have 64 pixels with 17 grey levels (0..16), so each pixel is one of 17
categories and an autoregressive model over them gives exact log-likelihoods. The model is a MADE
(Germain et al., 2015): an MLP whose weight masks let the output for pixel i see only pixels
before it in raster order, plus a masked direct connection from inputs to outputs. The baseline
models every pixel independently (a histogram per pixel). Both report bits per dimension
(-log2 p(x) / 64) on the digits model's held-out split.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

SIDE = 8  # pixels per row and per column
PIXELS = SIDE * SIDE  # pixels per image, drawn in raster order
LEVELS = 17  # grey levels 0..16 of scikit-learn's digits


@dataclass(frozen=True)
class DensityConfig:
    """Sizes and recipe of the MADE; saved with the checkpoint."""

    hidden: int = 512  # units per hidden layer
    layers: int = 2  # hidden layers
    epochs: int = 80  # passes over the training digits (the best validation epoch is kept)
    batch_size: int = 64  # digits per step
    lr: float = 1e-3  # peak learning rate (AdamW, cosine decay)
    weight_decay: float = 1e-3  # AdamW weight decay
    dropout: float = 0.2  # on hidden units, in training only
    shift: int = 0  # training digits are moved by up to this many pixels each way (zeros fill in)
    seed: int = 0  # initialisation, validation split and batch order


class MaskedLinear(nn.Linear):
    """A linear layer whose weight is multiplied by a fixed 0/1 mask."""

    def __init__(self, mask: torch.Tensor, bias: bool = True) -> None:
        super().__init__(mask.shape[1], mask.shape[0], bias=bias)
        self.register_buffer("mask", mask.float(), persistent=False)  # rebuilt from the config, never saved

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


class MADE(nn.Module):
    """One-hot pixels in, 64 x 17 logits out; the output for pixel i depends only on pixels < i."""

    def __init__(self, cfg: DensityConfig) -> None:
        super().__init__()
        pixel_of_input = torch.arange(PIXELS).repeat_interleave(LEVELS)  # (1088,) pixel index of each input
        degree = torch.arange(cfg.hidden) % (PIXELS - 1)  # hidden unit k may see pixels 0..degree[k], every layer
        masks = [degree[:, None] >= pixel_of_input[None, :]] + [degree[:, None] >= degree[None, :]] * (cfg.layers - 1)
        self.hidden = nn.ModuleList(MaskedLinear(m) for m in masks)
        self.out = MaskedLinear(pixel_of_input[:, None] > degree[None, :])
        self.direct = MaskedLinear(pixel_of_input[:, None] > pixel_of_input[None, :], bias=False)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, features: bool = False):
        """(B, 64) levels -> (B, 64, 17) logits (and the hidden activations, if asked for)."""
        one_hot = F.one_hot(x, LEVELS).float().flatten(1)  # (B, 64 * 17)
        h, hiddens = one_hot, []
        for layer in self.hidden:
            h = self.dropout(F.relu(layer(h)))
            hiddens.append(h)
        logits = (self.out(h) + self.direct(one_hot)).view(-1, PIXELS, LEVELS)  # (B, 64, 17)
        return (logits, hiddens) if features else logits


def pixel_log_probs(model: MADE, x: torch.Tensor) -> torch.Tensor:
    """(B, 64) natural-log p(x_i | x_<i) of every pixel."""
    return F.log_softmax(model(x), -1).gather(-1, x.unsqueeze(-1)).squeeze(-1)


class PixelHistogram(nn.Module):
    """The baseline: every pixel drawn on its own from its training histogram (add-k smoothed)."""

    def __init__(self, counts: torch.Tensor, k: float) -> None:
        super().__init__()
        self.register_buffer("counts", counts.double())  # (64, 17) training counts, saved
        self.k = k

    @property
    def log_probs(self) -> torch.Tensor:
        """(64, 17) natural-log probability of each level at each pixel."""
        smoothed = self.counts + self.k
        return torch.log(smoothed / smoothed.sum(-1, keepdim=True))

    def pixel_log_probs(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 64) natural-log p(x_i) of every pixel, each on its own."""
        return self.log_probs[torch.arange(PIXELS), x]


class Trained(nn.Module):
    """The MADE and its independent-pixel baseline, saved and loaded together."""

    def __init__(self, made: MADE, baseline: PixelHistogram) -> None:
        super().__init__()
        self.made, self.baseline = made, baseline
