"""A dense layer and its convolutionized twin: same parameter counts, same outputs."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from engine.convolution.convolutionize import (
    LayerShape,
    compare_outputs,
    convolutionize,
    dense_layer,
    dense_on_windows,
    parameter_table,
    score_grid,
    score_grid_frame,
    score_grid_shape,
)

SHAPES = [LayerShape(), LayerShape(1, 1, 1, 1), LayerShape(3, 5, 2, 7), LayerShape(8, 2, 64, 32)]


@pytest.mark.parametrize("shape", SHAPES)
def test_parameter_counts_equal_hand_count(shape):
    dense = dense_layer(shape, seed=0)
    table = parameter_table(dense, convolutionize(dense, shape)).set_index("layer")
    hand = shape.height * shape.width * shape.channels * shape.outputs
    assert list(table["weights"]) == [hand, hand]
    assert list(table["biases"]) == [shape.outputs, shape.outputs]
    assert list(table["total"]) == [hand + shape.outputs] * 2


def test_notes_example_is_2560_weights():
    dense = dense_layer(LayerShape(4, 4, 16, 10), seed=0)
    assert dense.weight.numel() == 4 * 4 * 16 * 10 == 2560


@pytest.mark.parametrize("shape", SHAPES)
def test_outputs_match(shape):
    dense = dense_layer(shape, seed=1)
    conv = convolutionize(dense, shape)
    x = torch.randn(shape.channels, shape.height, shape.width)
    frame, max_diff = compare_outputs(dense, conv, x)
    reference = F.linear(x.flatten(), dense.weight, dense.bias)
    torch.testing.assert_close(torch.tensor(frame["convolution"].to_numpy(), dtype=torch.float32), reference)
    assert max_diff < 1e-4


def test_larger_input_gives_a_grid_of_dense_answers():
    shape = LayerShape(3, 2, 4, 5)
    dense = dense_layer(shape, seed=2)
    conv = convolutionize(dense, shape)
    x = torch.randn(4, 7, 6)
    grid = score_grid(conv, x)
    assert tuple(grid.shape) == score_grid_shape(shape, 7, 6) == (5, 5, 5)
    torch.testing.assert_close(grid, dense_on_windows(dense, shape, x), atol=1e-5, rtol=1e-5)
    # One cell by hand: the dense layer on the window whose top-left is (2, 3).
    window = x[:, 2:5, 3:5].flatten()
    torch.testing.assert_close(grid[:, 2, 3], F.linear(window, dense.weight, dense.bias), atol=1e-5, rtol=1e-5)


def test_dense_layer_is_seeded_and_leaves_global_rng_alone():
    state = torch.random.get_rng_state()
    a, b = dense_layer(LayerShape(), 3), dense_layer(LayerShape(), 3)
    assert torch.equal(a.weight, b.weight)
    assert torch.equal(state, torch.random.get_rng_state())


@pytest.mark.parametrize("seed", [0, 3])
def test_dense_layer_draws_what_torch_manual_seed_would(seed):
    shape = LayerShape(3, 2, 5, 4)
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        reference = nn.Linear(3 * 2 * 5, 4)  # PyTorch's own default init from the global generator
    finally:
        torch.random.set_rng_state(state)
    layer = dense_layer(shape, seed)
    assert torch.equal(layer.weight, reference.weight) and torch.equal(layer.bias, reference.bias)


def test_convolutionize_leaves_global_rng_alone():
    shape = LayerShape()
    dense = dense_layer(shape, 0)
    state = torch.random.get_rng_state()
    convolutionize(dense, shape)
    assert torch.equal(state, torch.random.get_rng_state())


def test_score_grid_frame_lists_every_cell():
    grid = torch.randn(3, 2, 4, generator=torch.Generator().manual_seed(0))
    frame = score_grid_frame(grid)
    assert list(frame.columns) == ["unit", "window_row", "window_col", "output"] and len(frame) == 3 * 2 * 4
    for row in frame.itertuples():
        assert row.output == pytest.approx(float(grid[row.unit, row.window_row, row.window_col]))
