"""The GPT page's charts as Figure objects: the numbers drawn are the numbers given, with axes and hover text."""

import math

import numpy as np
import pandas as pd
import pytest

from ui.gpt import charts


def test_candidates_chart_ranks_the_characters_and_colours_their_status():
    frame = pd.DataFrame(
        {
            "char": ["e", " ", "\n"],
            "probability": [0.5, 0.3, 0.1],
            "probability after top-k/top-p": [0.625, 0.375, 0.0],
            "status": ["drawn", "kept", "cut away"],
        }
    )
    fig = charts.candidates_chart(frame, "Candidates")
    bars = {trace.name: (list(trace.x), list(trace.y)) for trace in fig.data}
    assert bars == {"drawn": (["1. e"], [0.5]), "kept": (["2. ␣"], [0.3]), "cut away": (["3. ↵"], [0.1])}
    assert [t.marker.color for t in fig.data] == [charts.STATUS_COLOURS[t.name] for t in fig.data]
    assert list(fig.layout.xaxis.categoryarray) == ["1. e", "2. ␣", "3. ↵"]
    assert fig.layout.xaxis.title.text == "candidate (rank. character)"
    assert (fig.layout.yaxis.title.text, tuple(fig.layout.yaxis.range)) == ("probability", (0, 1))
    assert "probability=%{y}" in fig.data[0].hovertemplate
    assert fig.layout.title.text == "Candidates"


def test_attention_bars_draw_every_position_with_its_character_on_hover():
    frame = pd.DataFrame({"position": [0, 1, 2], "char": ["\n", "a", " "], "attention": [0.2, 0.5, 0.3]})
    fig = charts.attention_bars(frame, "Layer 1")
    (bars,) = fig.data
    assert list(bars.x) == [0, 1, 2] and list(bars.y) == pytest.approx([0.2, 0.5, 0.3])
    assert [c[0] for c in bars.customdata] == ["↵", "a", "␣"]
    assert "char=%{customdata[0]}" in bars.hovertemplate
    assert list(fig.layout.xaxis.ticktext) == ["↵", "a", "␣"]
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("position", "attention")


def test_surprisal_grid_puts_each_character_in_its_cell_with_bits_and_probability_on_hover():
    frame = pd.DataFrame({"char": list("ab\ncd"), "surprisal_bits": [1.0, 2.0, 3.0, 0.5, 4.0]})
    fig = charts.surprisal_grid(frame, width=2)
    (heat,) = fig.data
    z = np.array(heat.z, dtype=float)
    assert z.shape == (3, 2)
    assert z[:2].tolist() == [[1.0, 2.0], [3.0, 0.5]] and z[2, 0] == 4.0 and math.isnan(z[2, 1])
    assert np.array(heat.text).tolist() == [["a", "b"], ["↵", "c"], ["d", ""]]
    assert np.array(heat.customdata)[0, 1] == "#1: b — 2.00 bits (p = 0.250)"
    assert heat.zmin == 0 and heat.zmax == 8.0 and heat.colorbar.title.text == "bits"


def test_bpc_bars_draw_one_bar_per_row_grouped_by_colour():
    frame = pd.DataFrame(
        {
            "model": ["unigram", "unigram", "GPT (attention)", "GPT (attention)"],
            "text": ["held", "yours"] * 2,
            "bits per char": [4.8, 5.0, 1.9, 2.5],
        }
    )
    fig = charts.bpc_bars(frame, "model", "Ladder", color="text")
    by_text = {t.name: dict(zip(t.y, t.x, strict=True)) for t in fig.data}
    gpt = "GPT (attention)"
    assert by_text == {"held": {"unigram": 4.8, gpt: 1.9}, "yours": {"unigram": 5.0, gpt: 2.5}}
    shown = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext, strict=True))
    assert shown[gpt] == "GPT<br>(attention)"  # the bracket on a second line, so a phone keeps the label whole
    assert fig.layout.xaxis.title.text.startswith("bits/char") and fig.layout.yaxis.title.text == ""
    assert fig.layout.legend.orientation == "h"  # above the bars, not beside them
    assert fig.data[0].texttemplate == "%{x:.2f}" and fig.layout.barmode == "group"


def test_finetune_curve_draws_means_and_a_min_max_band_per_start():
    frame = pd.DataFrame(
        {
            "labels": [50, 100, 50, 100],
            "start": ["pretrained", "pretrained", "scratch", "scratch"],
            "mean": [0.6, 0.7, 0.5, 0.55],
            "min": [0.55, 0.65, 0.48, 0.5],
            "max": [0.65, 0.75, 0.52, 0.6],
        }
    )
    fig = charts.finetune_curve(frame, 0.58)
    lines = {t.name: (list(t.x), list(t.y)) for t in fig.data if t.mode == "lines+markers"}
    assert lines == {"pre-trained, fine-tuned": ([50, 100], [0.6, 0.7]), "from scratch": ([50, 100], [0.5, 0.55])}
    band = fig.data[0]
    assert list(band.x) == [50, 100, 100, 50] and list(band.y) == [0.65, 0.75, 0.65, 0.55]
    assert fig.data[1].hovertemplate == "%{x} labels: %{y:.3f}<extra>pre-trained, fine-tuned</extra>"
    (zero_shot,) = fig.layout.shapes  # the dashed zero-shot line, at its accuracy
    assert (zero_shot.y0, zero_shot.y1) == (0.58, 0.58) and fig.layout.annotations[0].text.endswith("58.0%")
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.title.text == "labelled training sentences"
    assert list(fig.layout.xaxis.ticktext) == ["50", "100"]
    assert fig.layout.yaxis.title.text == "test accuracy"


def test_loss_curve_converts_nats_to_bits():
    fig = charts.loss_curve([math.log(2) * 3, math.log(2) * 2], total=10)
    (line,) = fig.data
    assert list(line.x) == [1, 2] and list(line.y) == pytest.approx([3.0, 2.0])
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("step", "bits per char")
    assert tuple(fig.layout.xaxis.range) == (0, 10)
    assert "step=%{x}" in line.hovertemplate
