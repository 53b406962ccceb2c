"""A dense layer on a flattened (C, H, W) map and the H x W convolution that is the same layer.

`nn.Linear(C*H*W, K)` has K weight rows of length C*H*W. Reshaping each row to (C, H, W) gives K
kernels of an `nn.Conv2d(C, K, (H, W))`, so on a C x H x W input both compute the same K numbers.
On a larger input the convolution keeps sliding and returns a grid of K-vectors: a score map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import torch
from torch import nn


@dataclass(frozen=True)
class LayerShape:
    """Input map and output size of the dense layer; the notes' example is the default."""

    height: int = 4  # H of the input map
    width: int = 4  # W of the input map
    channels: int = 16  # C of the input map
    outputs: int = 10  # K, the dense layer's output units = the convolution's kernels


def dense_layer(shape: LayerShape, seed: int) -> nn.Linear:
    """A randomly initialised dense layer on the flattened map (PyTorch's default init, seeded)."""
    # Its own generator, never the process-wide one (sessions run side by side). The draws are those of
    # nn.Linear.reset_parameters, so the numbers equal `torch.manual_seed(seed); nn.Linear(...)`.
    fan_in = shape.channels * shape.height * shape.width
    gen = torch.Generator().manual_seed(seed)
    layer = nn.Linear(fan_in, shape.outputs, device="meta").to_empty(device="cpu")  # no draw from the global RNG
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
        bound = 1 / math.sqrt(fan_in)
        nn.init.uniform_(layer.bias, -bound, bound, generator=gen)
    return layer


def convolutionize(layer: nn.Linear, shape: LayerShape) -> nn.Conv2d:
    """The Conv2d with each weight row of `layer` reshaped to one (C, H, W) kernel."""
    # Built on "meta" and filled below: its own random init would draw from the process-wide generator.
    conv = nn.Conv2d(shape.channels, shape.outputs, (shape.height, shape.width), device="meta").to_empty(device="cpu")
    with torch.no_grad():
        # (K, C*H*W) -> (K, C, H, W): the same order in which flatten() reads a (C, H, W) map.
        conv.weight.copy_(layer.weight.view(shape.outputs, shape.channels, shape.height, shape.width))
        conv.bias.copy_(layer.bias)
    return conv


def parameter_table(dense: nn.Linear, conv: nn.Conv2d) -> pd.DataFrame:
    """Weights and biases counted from each module's own parameters: layer, weights, biases, total."""
    rows = []
    for name, module in (("dense (nn.Linear)", dense), ("convolution (nn.Conv2d)", conv)):
        weights = module.weight.numel()
        biases = module.bias.numel() if module.bias is not None else 0
        total = sum(p.numel() for p in module.parameters())
        shape = "x".join(str(s) for s in module.weight.shape)
        rows.append((name, shape, weights, biases, total))
    return pd.DataFrame(rows, columns=["layer", "weight_shape", "weights", "biases", "total"])


@torch.inference_mode()
def compare_outputs(dense: nn.Linear, conv: nn.Conv2d, x: torch.Tensor) -> tuple[pd.DataFrame, float]:
    """Both layers on one (C, H, W) input: per-output values and their max absolute difference."""
    dense_out = dense(x.flatten())  # (K,)
    conv_out = conv(x.unsqueeze(0))[0, :, 0, 0]  # (1, K, 1, 1) -> (K,)
    diff = (dense_out - conv_out).abs()
    frame = pd.DataFrame(
        {
            "output": range(len(dense_out)),
            "dense": dense_out.double().numpy(),
            "convolution": conv_out.double().numpy(),
            "abs_difference": diff.double().numpy(),
        }
    )
    return frame, float(diff.max())


def score_grid_shape(shape: LayerShape, in_height: int, in_width: int) -> tuple[int, int, int]:
    """(K, rows, cols) the convolution returns on a C x in_height x in_width input."""
    return shape.outputs, in_height - shape.height + 1, in_width - shape.width + 1


@torch.inference_mode()
def score_grid(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """The convolutionized layer on a larger (C, H', W') input: (K, H'-H+1, W'-W+1)."""
    return conv(x.unsqueeze(0))[0]


@torch.inference_mode()
def dense_on_windows(dense: nn.Linear, shape: LayerShape, x: torch.Tensor) -> torch.Tensor:
    """The dense layer applied to every H x W window of x separately: what the score grid equals."""
    windows = x.unfold(1, shape.height, 1).unfold(2, shape.width, 1)  # (C, rows, cols, H, W)
    windows = windows.permute(1, 2, 0, 3, 4).flatten(2)  # (rows, cols, C*H*W)
    return dense(windows).permute(2, 0, 1)  # (K, rows, cols)


def score_grid_frame(grid: torch.Tensor) -> pd.DataFrame:
    """Long form of a (K, rows, cols) score grid: unit, window_row, window_col, output."""
    k, rows, cols = grid.shape
    return pd.DataFrame(
        [(u, r, c, float(grid[u, r, c])) for u in range(k) for r in range(rows) for c in range(cols)],
        columns=["unit", "window_row", "window_col", "output"],
    )
