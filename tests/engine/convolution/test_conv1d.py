"""The written-out 1-D convolution against torch.nn.functional.conv1d, and its counts by hand."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.convolution import conv1d

SETTINGS = list(itertools.product([1, 2, 3], [0, 1, 2], [1, 2]))  # stride, padding, dilation


def torch_conv1d(x, kernel, stride, padding, dilation):
    xt = torch.tensor(x, dtype=torch.float64).view(1, 1, -1)
    kt = torch.tensor(kernel, dtype=torch.float64).view(1, 1, -1)
    return F.conv1d(xt, kt, stride=stride, padding=padding, dilation=dilation).view(-1).numpy()


@pytest.mark.parametrize(("stride", "padding", "dilation"), SETTINGS)
def test_conv1d_matches_torch(stride, padding, dilation):
    rng = np.random.default_rng(stride * 100 + padding * 10 + dilation)
    x, kernel = rng.normal(size=13), rng.normal(size=3)
    expected = torch_conv1d(x, kernel, stride, padding, dilation)
    np.testing.assert_allclose(conv1d.conv1d(x, kernel, stride, padding, dilation), expected, atol=1e-12)
    assert conv1d.output_length(13, 3, stride, padding, dilation) == len(expected)


@pytest.mark.parametrize(("stride", "padding", "dilation"), SETTINGS)
def test_toeplitz_product_matches_torch(stride, padding, dilation):
    rng = np.random.default_rng(7)
    x, kernel = rng.normal(size=11), rng.normal(size=4)
    matrix = conv1d.toeplitz_matrix(11, kernel, stride, padding, dilation)
    np.testing.assert_allclose(matrix @ x, torch_conv1d(x, kernel, stride, padding, dilation), atol=1e-12)


def test_output_length_zero_when_kernel_does_not_fit():
    assert conv1d.output_length(4, 3, dilation=3) == 0  # span 7 > 4
    with pytest.raises(RuntimeError):
        torch_conv1d(np.zeros(4), np.ones(3), 1, 0, 3)


def test_parameter_counts_by_hand():
    frame = conv1d.parameter_counts([10, 100], k=3)
    dense = frame[frame["layer"].str.startswith("dense")].set_index("input_length")["weights"]
    conv = frame[frame["layer"].str.startswith("convolution")].set_index("input_length")["weights"]
    assert dense[10] == 10 * 8 and dense[100] == 100 * 98  # n inputs x (n - 2) outputs
    assert conv[10] == 3 and conv[100] == 3


def test_window_frame_marks_the_kernel_taps():
    x = np.arange(6, dtype=float)
    frame = conv1d.window_frame(x, position=1, k=3, stride=2, padding=1, dilation=1)
    window = frame[frame["role"] == "in window"]
    assert list(window["index"]) == [1, 2, 3]  # 1*2 - 1 + [0, 1, 2]
    assert list(frame[frame["role"] == "padding"]["index"]) == [-1, 6]
    assert len(frame) == 6 + 2


def test_sliding_frame_rows_sum_to_outputs():
    rng = np.random.default_rng(3)
    x, kernel = rng.normal(size=9), rng.normal(size=3)
    frame = conv1d.sliding_frame(x, kernel, stride=2, padding=1)
    sums = (frame["input"] * frame["weight"]).groupby(frame["position"]).sum()
    np.testing.assert_allclose(sums.to_numpy(), torch_conv1d(x, kernel, 2, 1, 1), atol=1e-12)


def test_generated_signal_is_reproducible():
    np.testing.assert_array_equal(conv1d.generated_signal(20, 5), conv1d.generated_signal(20, 5))
    assert not np.array_equal(conv1d.generated_signal(20, 5), conv1d.generated_signal(20, 6))
