"""1-D convolution written out: sliding one kernel, its dense (Toeplitz) twin, and parameter counts.

Like `torch.nn.functional.conv1d`, "convolution" here is cross-correlation: the kernel is not flipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KERNEL_PRESETS: dict[str, list[float]] = {
    "smoothing (mean of 3)": [1 / 3, 1 / 3, 1 / 3],
    "edge (difference)": [-1.0, 0.0, 1.0],
    "identity": [0.0, 1.0, 0.0],
    "gaussian": [0.25, 0.5, 0.25],
    "second derivative": [1.0, -2.0, 1.0],
}


def output_length(n: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """floor((n + 2p - d(k-1) - 1) / s) + 1, the length PyTorch's conv1d returns (0 if none fits)."""
    span = n + 2 * padding - dilation * (k - 1) - 1
    return span // stride + 1 if span >= 0 else 0


def window_indices(position: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Input indices read by output `position`; negative or >= n means a padding zero."""
    return position * stride - padding + dilation * np.arange(k)


def toeplitz_matrix(n: int, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """The (out_len, n) matrix M with M @ x equal to the convolution of x (padding reads zeros)."""
    kernel = np.asarray(kernel, dtype=np.float64)
    m = output_length(n, len(kernel), stride, padding, dilation)
    matrix = np.zeros((m, n))
    for i in range(m):
        for j, idx in enumerate(window_indices(i, len(kernel), stride, padding, dilation)):
            if 0 <= idx < n:
                matrix[i, idx] += kernel[j]
    return matrix


def conv1d(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Slide `kernel` over `x`: one multiply-add window per output position."""
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    padded = np.concatenate([np.zeros(padding), x, np.zeros(padding)])
    m = output_length(len(x), len(kernel), stride, padding, dilation)
    out = np.empty(m)
    for i in range(m):
        window = padded[window_indices(i, len(kernel), stride, 0, dilation)]
        out[i] = float(window @ kernel)
    return out


def sliding_frame(
    x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1
) -> pd.DataFrame:
    """One row per (output position, kernel tap): columns position, tap, input_index, input, weight, output."""
    x = np.asarray(x, dtype=np.float64)
    out = conv1d(x, kernel, stride, padding, dilation)
    rows = []
    for i, y in enumerate(out):
        for j, idx in enumerate(window_indices(i, len(kernel), stride, padding, dilation)):
            value = float(x[idx]) if 0 <= idx < len(x) else 0.0
            rows.append((i, j, int(idx), value, float(kernel[j]), float(y)))
    columns = ["position", "tap", "input_index", "input", "weight", "output"]
    return pd.DataFrame(rows, columns=columns)


def parameter_counts(lengths: list[int], k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> pd.DataFrame:
    """Weights of a dense layer vs a convolution giving the same output length, per input length.

    Columns: input_length, output_length, layer, weights. The dense layer needs a weight for every
    (output, input) pair; the convolution reuses its k weights at every position.
    """
    rows = []
    for n in lengths:
        m = output_length(n, k, stride, padding, dilation)
        rows.append((n, m, "dense (one weight row per output)", n * m))
        rows.append((n, m, "convolution (one shared kernel)", k))
    return pd.DataFrame(rows, columns=["input_length", "output_length", "layer", "weights"])


def generated_signal(n: int, seed: int) -> np.ndarray:
    """A reproducible test signal: a slow wave, one step and a little noise, rounded to 2 decimals."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    wave = np.sin(2 * np.pi * t / max(n / rng.uniform(1.0, 2.5), 2.0) + rng.uniform(0, np.pi))
    step = np.where(t >= rng.integers(n // 3, max(n // 3 + 1, 2 * n // 3)), 1.0, 0.0)
    return np.round(wave + step + 0.2 * rng.standard_normal(n), 2)


def window_frame(
    x: np.ndarray, position: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> pd.DataFrame:
    """The padded input as rows index, value, role ("input", "padding", "in window"), tap (or -1)."""
    n = len(x)
    taps = {int(idx): j for j, idx in enumerate(window_indices(position, k, stride, padding, dilation))}
    rows = []
    for idx in range(-padding, n + padding):
        inside = 0 <= idx < n
        role = "in window" if idx in taps else ("input" if inside else "padding")
        rows.append((idx, float(x[idx]) if inside else 0.0, role, taps.get(idx, -1)))
    return pd.DataFrame(rows, columns=["index", "value", "role", "tap"])
