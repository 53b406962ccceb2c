"""The translator's charts checked as Figure objects: the numbers drawn, the axis titles, the hover text."""

import numpy as np
import pandas as pd
import pytest

from engine.translator import explain
from engine.translator.train import TRANSFORMER
from ui.charts import plain
from ui.translator import charts

SENTENCE = "The book is on the table."


@pytest.fixture(scope="module")
def shipped():
    return TRANSFORMER.load()


@pytest.fixture(scope="module")
def result(shipped):
    return explain.trace(shipped[0], SENTENCE)


def test_attention_heatmap_draws_one_head_with_labelled_axes(result):
    frame = explain.head_of(explain.attention_of(result, "cross"), 1, 2)
    fig = charts.attention_heatmap(frame, "cross", "German (decoder input)", "English (encoder)")
    np.testing.assert_allclose(np.asarray(fig.data[0].z, dtype=float), result.cross[1][2], atol=1e-6)
    assert list(fig.data[0].x) == [f"{i}:{plain(t)}" for i, t in enumerate(result.source)]
    assert list(fig.data[0].y) == [f"{i}:{plain(t)}" for i, t in enumerate(result.target)]
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("English (encoder)", "German (decoder input)")
    assert fig.data[0].hovertemplate == (
        "English (encoder): %{x}<br>German (decoder input): %{y}<br>weight: %{z}<extra></extra>"
    )
    assert fig.layout.title.text == "cross"


def test_mean_of_heads_is_the_mean_of_the_weights(result):
    frame = explain.head_of(explain.attention_of(result, "encoder"), 0, -1)
    fig = charts.attention_heatmap(frame, "t", "q", "k")
    np.testing.assert_allclose(np.asarray(fig.data[0].z, dtype=float), result.encoder[0].mean(0), atol=1e-6)
    np.testing.assert_allclose(np.asarray(fig.data[0].z, dtype=float).sum(1), 1.0, atol=1e-5)


def test_probability_bars_show_the_top_pieces_in_order(shipped, result):
    top = explain.top_next(shipped[0].tokenizer, result.next_probs[0])
    order = np.argsort(-result.next_probs[0])[: explain.TOP_K]  # the reference: numpy's own ranking
    fig = charts.probability_bars(top, "token", "Top")
    np.testing.assert_allclose(np.asarray(fig.data[0].x, dtype=float), result.next_probs[0][order], atol=1e-7)
    assert list(fig.data[0].y) == [plain(shipped[0].tokenizer.id_to_token(int(i))) for i in order]
    assert fig.layout.xaxis.title.text == "probability" and list(fig.layout.xaxis.range) == [0, 1]
    assert fig.layout.yaxis.autorange == "reversed"
    assert fig.data[0].hovertemplate == "probability=%{x}<br>=%{y}<extra></extra>"


def test_cross_row_bars_are_the_last_layer_mean_row(result):
    row = explain.cross_row(explain.attention_of(result, "cross"), 2, 1)
    fig = charts.probability_bars(row, "label", "row")
    np.testing.assert_allclose(np.asarray(fig.data[0].x, dtype=float), result.cross[2][:, 1].mean(0), atol=1e-6)
    assert list(fig.data[0].y) == [f"{i}:{plain(t)}" for i, t in enumerate(result.source)]


def test_positional_heatmap_draws_sines_and_cosines():
    fig = charts.positional_heatmap(explain.positional_frame(6, 8))
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (6, 8)
    assert z[3, 0] == pytest.approx(np.sin(3)) and z[3, 1] == pytest.approx(np.cos(3))
    assert z[5, 2] == pytest.approx(np.sin(5 / 10000 ** (2 / 8)))
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("dimension", "position")
    assert fig.data[0].hovertemplate == "dimension: %{x}<br>position: %{y}<br>value: %{z}<extra></extra>"


def test_offset_chart_averages_by_distance():
    frame = pd.DataFrame({"query_pos": [0, 0, 1, 1], "key_pos": [0, 1, 0, 1], "weight": [0.2, 0.8, 0.6, 0.4]})
    fig = charts.offset_chart(explain.offsets(frame), "t")
    # By hand: offset -1 -> 0.6, offset 0 -> (0.2 + 0.4) / 2, offset 1 -> 0.8.
    assert list(fig.data[0].x) == [-1, 0, 1]
    np.testing.assert_allclose(np.asarray(fig.data[0].y, dtype=float), [0.6, 0.3, 0.8])
    assert fig.layout.xaxis.title.text == "key position − query position"
    assert fig.data[0].hovertemplate == "key position − query position=%{x}<br>mean attention=%{y}<extra></extra>"


def test_curves_draw_each_history(shipped):
    history = shipped[1]["history"]
    frame = explain.training_curves(
        {"Transformer": history, "Other": {k: v[:2] for k, v in history.items() if isinstance(v, list)}}
    )
    fig = charts.curves(frame, "val_chrf", "chrF", "chrF")
    lines = {trace.name: trace for trace in fig.data}
    assert list(lines["Transformer"].x) == history["cpu_seconds"]
    assert list(lines["Transformer"].y) == history["val_chrf"]
    assert list(lines["Other"].y) == history["val_chrf"][:2]
    x_title = "CPU seconds of training (one thread)"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == (x_title, "chrF")
    assert lines["Transformer"].hovertemplate == f"model=Transformer<br>{x_title}=%{{x}}<br>chrF=%{{y}}<extra></extra>"
