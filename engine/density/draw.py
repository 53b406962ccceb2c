"""Drawing digits from the PixelCNN pixel by pixel, each layer's work done once per pixel.

A plain sampler runs the whole network over the whole image 784 times. Because every convolution
in `engine.density.pixelcnn` is causal along the axis it slides on, the output of layer l at pixel
(r, c) needs only outputs of layer l - 1 that are already known: the horizontal stack's at
(r, c - k//2 .. c), the vertical stack's pre-gate map at row r - 1. So the sampler keeps every
layer's outputs in caches, computes the horizontal stack at one pixel per step and the vertical
stack at one row per finished row: one forward pass's worth of arithmetic for a whole sample, and
the same numbers as `PixelCNN.forward` (a test compares them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from engine.common.inputs import InputError
from engine.density.pixelcnn import NONE, SIDE, GatedLayer, PixelCNN


@dataclass(frozen=True)
class Drawing:
    """Finished samples and the probability each pixel was drawn with."""

    images: torch.Tensor  # (N, 1, 28, 28) binary pixels (uint8)
    p_one: torch.Tensor  # (N, 784): p(pixel i = 1 | the pixels before it), at the temperature used
    labels: torch.Tensor  # (N,) the label each sample was drawn under (NONE: any digit)


def _window(t: torch.Tensor, start: int, stop: int, dim: int) -> torch.Tensor:
    """t[start:stop] along `dim`, with zeros for the part of the range before index 0."""
    piece = t.narrow(dim, max(start, 0), stop - max(start, 0))
    if start >= 0:
        return piece
    pad = [0, 0] * (t.dim() - dim - 1) + [-start, 0]
    return F.pad(piece, pad)


class Caches:
    """Every layer's outputs so far, for a batch being drawn, channels last so one pixel's are contiguous."""

    def __init__(self, model: PixelCNN, n: int, labels: torch.Tensor) -> None:
        c, side = model.cfg.channels, SIDE
        self.x = torch.zeros(n, side, side, 1)  # inputs as the network sees them (-1/1; 0 where unknown)
        self.v = [torch.zeros(n, side, side, c) for _ in model.stack]  # gated vertical features
        self.pre = [torch.zeros(n, side, side, 2 * c) for _ in model.stack]  # vertical pre-gate maps
        self.h = [torch.zeros(n, side, side, c) for _ in model.stack]  # horizontal features
        self.v_bias = [layer.v_label(labels)[:, :, None, None] for layer in model.stack]
        self.h_bias = [layer.h_label(labels) for layer in model.stack]
        self.linear = [
            {name: _as_linear(getattr(layer, name)) for name in ("h_conv", "v_to_h", "h_out")} for layer in model.stack
        ]


def _as_linear(conv: torch.nn.Conv2d) -> tuple[torch.Tensor, torch.Tensor]:
    """A convolution's weight as a matrix over its flattened (row, column, channel) window, and its bias."""
    return conv.weight.permute(0, 2, 3, 1).flatten(1), conv.bias


def _horizontal_at(layer: GatedLayer, i: int, caches: Caches, r: int, c: int) -> None:
    """Layer i's horizontal features at pixel (r, c), from cached features to its left and above.

    At one pixel each convolution is a matrix product over its window (much faster than conv2d here).
    """
    k, mats = layer.k, caches.linear[i]
    row = (caches.x if i == 0 else caches.h[i - 1])[:, r]  # (N, 28, C)
    left = c - k // 2 - (1 if layer.first else 0)  # the first layer reads the input shifted right by one pixel
    window = _window(row, left, left + k // 2 + 1, 1)
    pre = F.linear(window.flatten(1), *mats["h_conv"]) + caches.h_bias[i]
    # the row above the image is zeros, for which only the bias is left
    above = F.linear(caches.pre[i][:, r - 1, c], *mats["v_to_h"]) if r > 0 else mats["v_to_h"][1]
    pre = pre + above
    out = F.linear(layer.gate(pre), *mats["h_out"])
    caches.h[i][:, r, c] = out if layer.first else row[:, c] + out


def _vertical_row(layer: GatedLayer, i: int, caches: Caches, r: int) -> None:
    """Layer i's vertical pre-gate map and features along row r, once the row's pixels are known."""
    k = layer.k
    rows = _window(caches.x if i == 0 else caches.v[i - 1], r - k // 2, r + 1, 1)  # (N, k//2 + 1, 28, C)
    pre = layer.v_conv(F.pad(rows.permute(0, 3, 1, 2), (k // 2, k // 2))) + caches.v_bias[i]
    caches.pre[i][:, r] = pre[:, :, 0].transpose(1, 2)
    caches.v[i][:, r] = layer.gate(pre)[:, :, 0].transpose(1, 2)


@torch.inference_mode()
def draw(
    model: PixelCNN,
    n: int,
    temperature: float = 1.0,
    seed: int = 0,
    label: int | torch.Tensor = NONE,
    on_row: Callable[[int, torch.Tensor], None] | None = None,
) -> Drawing:
    """Draw n images in raster order under `label` (NONE: any digit; or one label per image);
    `on_row(r, images)` after each row."""
    if temperature <= 0:
        raise InputError("Temperature must be above 0.", key="density.errors.temperature")
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    labels = label.long() if isinstance(label, torch.Tensor) else torch.full((n,), label, dtype=torch.long)
    caches = Caches(model, n, labels)
    p_one = torch.zeros(n, SIDE, SIDE)
    (w1, b1), (w2, b2) = _as_linear(model.head[1]), _as_linear(model.head[3])
    head = lambda h: F.linear(F.relu(F.linear(F.relu(h), w1, b1)), w2, b2).squeeze(1)  # noqa: E731
    images = lambda: (caches.x[..., 0] > 0).to(torch.uint8)[:, None]  # noqa: E731
    for r in range(SIDE):
        for c in range(SIDE):
            for i, layer in enumerate(model.stack):
                _horizontal_at(layer, i, caches, r, c)
            p = torch.sigmoid(head(caches.h[-1][:, r, c]) / temperature)
            p_one[:, r, c] = p
            caches.x[:, r, c, 0] = (torch.rand(n, generator=gen) < p).float() * 2 - 1
        for i, layer in enumerate(model.stack):
            _vertical_row(layer, i, caches, r)
        if on_row is not None:
            on_row(r, images())
    return Drawing(images(), p_one.flatten(1), labels)
