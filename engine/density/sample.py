"""Drawing digits from the MADE, one pixel at a time in raster order."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from engine.common.inputs import InputError
from engine.density.model import LEVELS, MADE, PIXELS


@dataclass(frozen=True)
class Drawing:
    """Finished samples, and how the first one came about."""

    images: torch.Tensor  # (N, 64) finished samples
    partial: torch.Tensor  # (64, 64): row i = the first sample after pixel i was drawn (-1: not yet)
    probs: torch.Tensor  # (64, 17): the distribution pixel i was drawn from (first sample)


@torch.inference_mode()
def sample(model: MADE, n: int, temperature: float = 1.0, seed: int = 0) -> Drawing:
    """Draw n images pixel by pixel in raster order; the first one is recorded step by step."""
    if temperature <= 0:
        raise InputError("Temperature must be above 0.")
    gen = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, PIXELS, dtype=torch.long)
    partial = torch.full((PIXELS, PIXELS), -1, dtype=torch.long)
    probs = torch.zeros(PIXELS, LEVELS)
    for i in range(PIXELS):
        p = F.softmax(model(x)[:, i] / temperature, -1)  # (n, 17)
        x[:, i] = torch.multinomial(p, 1, generator=gen).squeeze(1)
        probs[i] = p[0]
        partial[i, : i + 1] = x[0, : i + 1]
    return Drawing(x, partial, probs)
