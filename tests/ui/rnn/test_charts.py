"""Every chart builder of ui/rnn/charts.py, checked on the Figure: numbers, axis titles, hover text."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from engine.common.charvocab import CharVocab
from engine.rnn import charlm, sentiment, tagger
from engine.rnn import explain as unroll
from engine.rnn.text import UPOS, tokenize
from ui.rnn import charts

CELLS = pd.DataFrame(
    [(1, "<b>x", "P(pos) 0.40", "unused"), (2, "good", "P(pos) 0.55", "unused"), (3, "!", "P(pos) 0.90", "used")],
    columns=["step", "word", "output", "shown"],
)
TENSORS = pd.DataFrame(
    [("W_xh", (4, 6), 24, "in"), ("W_hh", (4, 4), 16, "rec"), ("b", (4,), 4, "bias")],
    columns=["tensor", "shape", "parameters", "role"],
)


@pytest.fixture(scope="module")
def models():
    return tagger.load()[0], sentiment.load()[0]


def test_unrolled_network_draws_each_tensor_once_wired_to_every_step():
    fig = charts.unrolled_network(CELLS, TENSORS, 2)
    squares = [t for t in fig.data if t.mode == "markers+text"]
    assert [t.name for t in squares] == ["W_xh", "W_hh", "b"]
    assert (
        squares[1].hovertemplate == "W_hh: one tensor of shape (4, 4) (16 numbers), used at all 3 steps<extra></extra>"
    )
    wires = [t for t in fig.data if t.mode == "lines" and t.line.width == 1]
    assert len(wires) == 3
    # one wire per step from the tensor (x = -1.2) to the left edge of each cell
    assert [x for x in wires[0].x if x is not None] == pytest.approx([-1.2, -0.28, -1.2, 0.72, -1.2, 1.72])
    (recurrence,) = [t for t in fig.data if t.mode == "lines" and t.line.width == 2]
    assert [x for x in recurrence.x if x is not None] == pytest.approx([0.28, 0.72, 1.28, 1.72])  # h1->h2, h2->h3
    boxes = fig.layout.shapes
    assert len(boxes) == 3 and [b.line.width for b in boxes] == [1, 3, 1]  # step 2 is the active one
    texts = [a.text for a in fig.layout.annotations if a.text]
    assert "‹b›x" in texts and "<b>x" not in texts  # a typed tag is shown, not rendered
    assert "<b>good</b>" in texts and "<b>P(pos) 0.55</b>" in texts
    colours = {a.text: a.font.color for a in fig.layout.annotations if a.text and a.text.startswith("P(pos)")}
    assert colours == {"P(pos) 0.40": "#aaa", "P(pos) 0.90": "#222"}  # only the last output is used
    assert not fig.layout.xaxis.visible and fig.layout.height == 260


def test_hidden_heatmap_leaves_later_steps_blank():
    hidden = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])
    frame = unroll.hidden_frame(hidden, ["a<", "b"])
    fig = charts.hidden_heatmap(frame, 1, "title")
    z = np.array(fig.data[0].z, dtype=float)
    np.testing.assert_allclose(z[:, 0], [0.1, -0.2, 0.3])
    assert np.isnan(z[:, 1]).all()
    assert list(fig.data[0].x) == ["1·a‹", "2·b"]
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("step · word", "hidden unit")
    assert fig.data[0].hovertemplate.startswith("step · word: %{x}<br>hidden unit: %{y}<br>h: %{z}")
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-1, 1)


def test_vector_strip_is_symmetric_about_zero():
    values = np.array([0.5, -2.0, 1.0])
    fig = charts.vector_strip(values, "x_1")
    np.testing.assert_allclose(np.array(fig.data[0].z, dtype=float), values[None, :])
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-2.0, 2.0)
    assert fig.layout.xaxis.title.text == "component" and fig.layout.title.text == "x_1"
    assert fig.data[0].hovertemplate.startswith("component: %{x}")


def test_step_line_labels_each_point_by_step_and_word():
    frame = pd.DataFrame({"step": [1, 2], "word": ["<i>", "b"], "v": [0.2, 0.7]})
    fig = charts.step_line(frame, "v", "t", "value", log_y=True, reference=0.5)
    assert list(fig.data[0].x) == ["1·‹i›", "2·b"] and list(fig.data[0].y) == [0.2, 0.7]
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("step · word", "value")
    assert fig.layout.yaxis.type == "log" and fig.layout.shapes[0].y0 == 0.5
    assert fig.data[0].hovertemplate == "step · word=%{x}<br>value=%{y}<extra></extra>"


def test_next_char_bars_name_invisible_characters():
    frame = pd.DataFrame({"char": [" ", "\n", "<"], "prob": [0.5, 0.3, 0.2]})
    fig = charts.next_char_bars(frame, "t")
    assert list(fig.data[0].y) == ["␣ space", "⏎ newline", "‹"] and list(fig.data[0].x) == [0.5, 0.3, 0.2]
    assert fig.layout.xaxis.title.text == "probability" and tuple(fig.layout.xaxis.range) == (0, 1)
    assert fig.data[0].hovertemplate == "probability=%{x}<br>=%{y}<extra></extra>"


def test_parameters_chart_shows_both_counts():
    frame = pd.DataFrame(
        {"length": [1, 1, 10, 10], "model": ["rnn", "dense", "rnn", "dense"], "parameters": [9, 5, 9, 50]}
    )
    fig = charts.parameters_chart(frame, 10)
    by_name = {t.name: list(t.y) for t in fig.data}
    assert by_name == {"rnn": [9, 9], "dense": [5, 50]}
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("words", "parameters")
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.type != "log"


# --- each download's frame is the chart's data ------------------------------------------------------


def test_two_heads_download_is_the_p_positive_curve(models):
    words = tokenize("A slow start, then a great ending.")
    frame = unroll.two_heads_frame(*models, words)
    fig = charts.p_positive_chart(frame)
    assert list(fig.data[0].y) == list(frame["p_positive"])
    assert list(fig.data[0].x) == [f"{s}·{w}" for s, w in zip(frame["step"], frame["word"], strict=True)]
    assert fig.layout.shapes[0].y0 == 0.5
    # reference: the sentiment model's softmax at each step, and the tagger's argmax, from a direct forward pass
    model, encoder = models[1].model, models[1].encoder
    direct = torch.softmax(model(encoder([words])).logits[0], -1)[:, 1]
    np.testing.assert_allclose(frame["p_positive"], direct.detach().numpy(), atol=1e-6)
    logits = models[0].model(models[0].encoder([words])).logits[0]
    assert list(frame["tag"]) == [UPOS[int(i)] for i in logits.argmax(-1)]


def test_memory_download_is_both_charts(models):
    trained = models[1]
    words = tokenize("I did not like this film at all")
    frame = unroll.memory_frame(trained.model, trained.encoder, words, 2, None, 1.3)
    changes, grads = charts.memory_charts(frame, 1.3)
    after = frame.dropna(subset=["hidden_change"])
    assert list(changes.data[0].y) == pytest.approx(list(after["hidden_change"]))
    assert len(after) == len(words) - 3 and frame["hidden_change"].iloc[:3].isna().all()
    assert list(grads.data[0].y) == pytest.approx(list(frame["grad_norm"]))
    assert grads.layout.title.text == "|∂ log p(last output) / ∂h_t| (W_hh × 1.3)"
    last = frame.iloc[-1:]
    none, _ = charts.memory_charts(last.assign(hidden_change=math.nan), 1.0)
    assert none is None


def test_next_char_download_is_both_bar_charts():
    vocab = CharVocab.from_text("abcabd ")
    markov = charlm.BigramModel(vocab, charlm.bigram_counts(vocab.encode("abcabd abc"), len(vocab)), 0.1)
    torch.manual_seed(0)
    rnn = charlm.CharTrained(charlm.CharRNN(len(vocab), charlm.CharRNNConfig(d_embed=4, hidden=8)).eval(), vocab)
    frame = charlm.next_char_frame(markov, rnn, "ab")
    bigram, latent = charts.next_char_charts(frame, "ab")
    top = frame.sort_values("prob_bigram", ascending=False).head(charts.TOP_CHARS)
    assert list(bigram.data[0].x) == pytest.approx(list(top["prob_bigram"]))
    assert sorted(latent.data[0].x, reverse=True) == pytest.approx(sorted(frame["prob_rnn"], reverse=True))
    # reference: after "b" the counts are b->c twice, b->d once (add-0.1 smoothing over V characters)
    v = len(vocab)
    expected_c = (2 + 0.1) / (3 + 0.1 * v)
    assert frame.set_index("char").loc["c", "prob_bigram"] == pytest.approx(expected_c)
    assert bigram.layout.title.text == "Markov (bigram): sees only 'b'"
    # reference for the RNN column: a direct forward pass over the prefix
    logits, _ = rnn.model(vocab.encode("ab").unsqueeze(0))
    direct = torch.softmax(logits[0, -1], -1).detach()
    for row in frame.itertuples():
        assert row.prob_rnn == pytest.approx(float(direct[vocab.chars.index(row.char)]), abs=1e-6)
