"""Charts are checked as Figure objects: the numbers drawn are the numbers given, with their axes and hover text."""

import numpy as np
import pandas as pd
import torch

from engine.convolution import conv1d, convolutionize, detect
from ui import charts as shared_charts
from ui.convolution import charts


def test_window_chart_colours_the_window_and_padding():
    x = np.arange(5.0) * 10
    frame = conv1d.window_frame(x, position=0, k=3, stride=1, padding=1)
    fig = charts.window_chart(frame)
    by_role = {trace.name: list(trace.x) for trace in fig.data}
    assert by_role["in window"] == [-1, 0, 1]
    assert by_role["padding"] == [5]
    assert by_role["input"] == [2, 3, 4]
    window = next(t for t in fig.data if t.name == "in window")
    assert list(window.y) == [0.0, 0.0, 10.0]  # a padding zero, then x[0], x[1]
    assert [int(c[0]) for c in window.customdata] == [0, 1, 2]  # the taps, shown on hover
    assert "tap=%{customdata[0]}" in window.hovertemplate and "value=%{y}" in window.hovertemplate
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("index", "value")


def test_output_chart_hides_future_positions_and_fixes_the_axis():
    values = np.array([3.0, -2.0, 5.0, 1.0])
    fig = charts.output_chart(values, position=1)
    by_status = {trace.name: (list(trace.x), list(trace.y)) for trace in fig.data}
    assert by_status["computed"] == ([0], [3.0])
    assert by_status["this step"] == ([1], [-2.0])
    assert by_status["not yet"] == ([2, 3], [0.0, 0.0])
    low, high = fig.layout.yaxis.range
    assert low < -2.0 and high > 5.0
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("position", "output")
    assert "output=%{y}" in fig.data[0].hovertemplate


def test_matrix_heatmap_shows_the_matrix_and_outlines_a_row():
    matrix = conv1d.toeplitz_matrix(6, np.array([1.0, -1.0]))
    fig = charts.matrix_heatmap(matrix, "t", highlight_row=2)
    np.testing.assert_array_equal(np.array(fig.data[0].z), matrix)
    (shape,) = fig.layout.shapes
    assert (shape.y0, shape.y1) == (1.5, 2.5)
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("input index", "output position")
    assert fig.layout.coloraxis.colorbar.title.text == "weight"
    assert fig.data[0].hovertemplate.startswith("input index: %{x}<br>output position: %{y}<br>weight: %{z}")
    np.testing.assert_array_equal(np.array(charts.matrix_heatmap(pd.DataFrame(matrix), "t").data[0].z), matrix)


def test_parameter_chart_has_one_line_per_layer():
    frame = conv1d.parameter_counts([8, 64], k=3)
    fig = shared_charts.parameter_chart(frame, 8)
    assert len(fig.data) == 2
    dense = next(t for t in fig.data if t.name.startswith("dense"))
    assert list(dense.y) == [8 * 6, 64 * 62]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "input length n"


def test_parameter_chart_axis_spans_the_data_and_no_more():
    lengths = [4, 8, 16, 32, 64, 128, 256, 512, 1024]  # the page's lengths, n = 16 among them
    fig = shared_charts.parameter_chart(conv1d.parameter_counts(lengths, k=3), 16)
    assert fig.layout.xaxis.type == "log"
    low, high = fig.layout.xaxis.range  # log10 units on a log axis
    drawn = [v for trace in fig.data for v in trace.x]
    assert 10**low <= min(drawn) and max(drawn) <= 10**high  # every point inside the axis
    span = np.log10(1024) - np.log10(4)
    assert (high - low) <= 1.1 * span  # empty margins under 10% of the axis: no decades of blank
    (label,) = fig.layout.annotations
    assert label.text == "now: 16" and label.x == np.log10(16)  # log10 on a log axis, not 16 = 10^16
    assert fig.layout.shapes[0].x0 == 16  # a shape takes the value itself
    assert low <= label.x <= high
    above = shared_charts.parameter_chart(conv1d.parameter_counts(lengths, k=3), 16, legend_above=True)
    assert above.layout.legend.orientation == "h" and above.layout.legend.y > 1  # over the plot, not beside it


def test_parameter_chart_on_a_linear_axis_keeps_the_value():
    frame = pd.DataFrame({"length": [1, 2, 3] * 2, "parameters": [5, 5, 5, 3, 6, 9], "model": ["a"] * 3 + ["b"] * 3})
    fig = shared_charts.parameter_chart(frame, 2, x="length", y="parameters", color="model", log_x=False)
    assert fig.layout.xaxis.type != "log" and fig.layout.xaxis.range is None
    assert fig.layout.annotations[0].x == 2 and fig.layout.shapes[0].x0 == 2


def test_compare_outputs_chart_groups_both_layers():
    frame = pd.DataFrame({"output": [0, 1], "dense": [0.5, -1.0], "convolution": [0.5, -1.0]})
    fig = charts.compare_outputs_chart(frame)
    assert sorted(t.name for t in fig.data) == ["convolution", "dense"]
    assert all(list(t.y) == [0.5, -1.0] for t in fig.data)
    assert fig.layout.barmode == "group"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("output", "value")
    assert fig.data[0].hovertemplate.startswith("layer=")


def test_image_with_boxes_draws_one_box_per_digit():
    boxes = pd.DataFrame({"label": ["3", "7"], "prob": [0.9, 0.8], "top": [1, 2], "left": [0, 10]})
    image = np.random.default_rng(1).random((12, 20))
    fig = charts.image_with_boxes(image, boxes, 8, "t")
    assert len(fig.layout.shapes) == 2
    assert [a.text for a in fig.layout.annotations] == ["3", "7"]
    assert fig.layout.shapes[1].x0 == 9.5
    assert (fig.layout.shapes[1].x1, fig.layout.shapes[1].y0, fig.layout.shapes[1].y1) == (17.5, 1.5, 9.5)
    np.testing.assert_allclose(np.array(fig.data[0].z), image)


def test_score_map_heatmap_pivots_to_the_grid():
    probs = np.random.default_rng(0).dirichlet(np.ones(11), size=(3, 4)).transpose(2, 0, 1)
    frame = detect.score_map_frame(probs)
    fig = charts.score_map_heatmap(frame[frame["class"] == "7"], "t")
    np.testing.assert_allclose(np.array(fig.data[0].z), probs[7])
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("score-map column", "score-map row")
    assert fig.data[0].hovertemplate.startswith("score-map column: %{x}<br>score-map row: %{y}<br>probability")


def test_score_grid_heatmap_draws_one_unit():
    grid = torch.arange(2 * 3 * 4, dtype=torch.float32).view(2, 3, 4) - 10  # unit u, row r, col c
    frame = convolutionize.score_grid_frame(grid)
    fig = charts.score_grid_heatmap(frame, 1, "t")
    np.testing.assert_array_equal(np.array(fig.data[0].z), grid[1].numpy())
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("window column", "window row")
    assert fig.layout.coloraxis.colorbar.title.text == "output"
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-13.0, 13.0)  # centred on zero


def test_user_text_cannot_become_markup_in_a_chart():
    assert shared_charts.plain('<a href="javascript:x">hi</a> & </s>') == '‹a href="javascript:x"›hi‹/a› ＆ ‹/s›'
    from ui.rnn import charts as rnn_charts

    frame = pd.DataFrame({"step": [1, 2], "word": ["<b>bold", "</s>"], "v": [0.1, 0.2]})
    fig = rnn_charts.step_line(frame, "v", "t", "v")
    assert all("<" not in label for label in fig.data[0].x)


def test_image_with_boxes_marks_wrong_unsure_and_missed_digits():
    boxes = pd.DataFrame(
        {
            "label": ["4", "4", "7", "2"],
            "prob": [0.99, 0.995, 0.97, 0.6],
            "top": [0, 0, 0, 0],
            "left": [0, 10, 20, 30],
            "placed": ["4", "9", "", "2"],
            "verdict": ["right", "misread", "extra", "unsure"],
        }
    )
    missed = pd.DataFrame({"label": [5], "top": [2], "left": [40]})
    fig = charts.image_with_boxes(np.zeros((12, 50)), boxes, 8, "t", missed)
    assert [a.text for a in fig.layout.annotations] == ["4", "4≠9", "7✗", "2?", "5 missed"]
    colours = [s.line.color for s in fig.layout.shapes]
    assert colours[1] == colours[2] != colours[0]  # both wrong readings share one colour, not the right one's
    assert len({colours[0], colours[1], colours[3], colours[4]}) == 4  # right, wrong, unsure, missed differ
    assert [a.font.color for a in fig.layout.annotations] == colours  # each label in its box's colour
    assert [s.line.dash for s in fig.layout.shapes] == ["solid"] * 4 + ["dash"]
    assert fig.layout.shapes[4].x0 == 39.5
