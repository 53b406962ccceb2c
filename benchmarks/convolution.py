"""The FCN's point, measured: one convolutional pass vs the classifier run on every window."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.harness import Row, median_ms, time_calls
from engine.convolution import conv1d, digits


def run(quick: bool) -> list[Row]:
    repeats = 5 if quick else 20
    cnn, _ = digits.load()
    fcn = digits.DigitsFCN(cnn).eval()
    height, width, side, length = 64, 256, digits.WINDOW, 1024
    image = torch.rand(1, 1, height, width)

    @torch.inference_mode()
    def scan() -> torch.Tensor:
        return fcn(image)

    @torch.inference_mode()
    def every_window() -> torch.Tensor:
        windows = image[0, 0].unfold(0, side, 1).unfold(1, side, 1).reshape(-1, 1, side, side)  # (57*249, 1, 8, 8)
        return cnn(windows)

    scores, per_window = scan(), every_window()
    if scores.shape[-2:].numel() != len(per_window):  # the baseline scores exactly the windows the FCN does
        raise RuntimeError(f"{scores.shape[-2:].numel()} FCN scores against {len(per_window)} windows")
    fcn_ms = median_ms(time_calls(scan, repeats))
    loop_ms = median_ms(time_calls(every_window, repeats))
    x = np.random.default_rng(0).normal(size=length)
    kernel = np.array([0.25, 0.5, 0.25])
    ours_ms = median_ms(time_calls(lambda: conv1d.conv1d(x, kernel), repeats))
    xt, kt = torch.from_numpy(x).view(1, 1, -1), torch.from_numpy(kernel).view(1, 1, -1)
    torch_ms = median_ms(time_calls(lambda: F.conv1d(xt, kt), repeats))
    return [
        Row(
            "fcn_scan_ms",
            fcn_ms,
            "ms",
            loop_ms,
            loop_ms / fcn_ms,
            f"{height}x{width} picture: one FCN pass; baseline: the classifier on all {len(per_window):,} windows "
            "as a batch",
        ),
        Row(
            "conv1d_explained_ms",
            ours_ms,
            "ms",
            torch_ms,
            ours_ms / torch_ms,
            f"the page's written-out loop on {length:,} values; baseline: torch F.conv1d",
        ),
    ]
