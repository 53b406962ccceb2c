"""The live race's charts, from hand-made rows and results (the verdict: test_race_verdict.py)."""

import numpy as np
import pandas as pd
import pytest

from ui.translator import race_charts as charts

ROWS = pd.DataFrame(
    [
        {"model": "transformer", "step": 0, "seconds": 0.0, "loss": 3.3, "accuracy": 0.0},
        {"model": "gru", "step": 0, "seconds": 0.0, "loss": 3.4, "accuracy": 0.0},
        {"model": "transformer", "step": 60, "seconds": 1.1, "loss": 1.2, "accuracy": 0.45},
        {"model": "gru", "step": 30, "seconds": 1.2, "loss": 2.0, "accuracy": 0.05},
    ]
)

MEASURES = {"accuracy": "held-out strings right (greedy)", "loss": "training loss (nats per letter)"}


@pytest.mark.parametrize("measure", ["accuracy", "loss"])
def test_curves_draw_each_models_own_numbers(measure):
    fig = charts.curves(ROWS, measure, 30)
    by_name = {trace.name: trace for trace in fig.data}
    assert set(by_name) == {"Transformer", "GRU + attention"}
    for name, label in charts.NAMES.items():
        mine = ROWS[ROWS["model"] == name]
        assert list(by_name[label].x) == mine["seconds"].tolist()
        assert list(by_name[label].y) == mine[measure].tolist()
        assert list(np.asarray(by_name[label].customdata).ravel()) == mine["step"].tolist()  # hover: the step
    assert fig.layout.xaxis.title.text == "training seconds (each model's own steps)"
    assert fig.layout.yaxis.title.text == MEASURES[measure]
    assert list(fig.layout.xaxis.range) == pytest.approx([0, 30.6])


def test_attention_frame_labels_rows_with_the_answer_and_columns_with_the_input():
    weights = np.arange(16, dtype=float).reshape(4, 4) / 16
    fig = charts.attention_frame(weights, "abc", "cba", "t")
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), weights)
    assert list(fig.data[0].x) == ["0:a", "1:b", "2:c", "3:end"]
    assert list(fig.data[0].y) == ["0:c", "1:b", "2:a", "3:end"]
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == (
        "letter read (the input)",
        "letter written (the answer)",
    )


def summary(t_to, g_to, t_speed=50.0, g_speed=30.0):
    def one(to, speed):
        steps_to = None if to is None else round(to * speed)
        return {
            "accuracy": 1.0,
            "seconds_to_90": to,
            "steps_to_90": steps_to,
            "steps_per_s": speed,
            "steps": 100,
            "seconds": 30,
            "params": 9,
        }

    return {"transformer": one(t_to, t_speed), "gru": one(g_to, g_speed)}


def test_summary_frame_has_one_row_per_model():
    frame = charts.summary_frame(summary(5.0, None))
    assert frame["model"].tolist() == ["Transformer", "GRU + attention"]
    assert frame["seconds to 90%"].tolist()[0] == 5.0 and pd.isna(frame["seconds to 90%"].tolist()[1])
    assert frame["steps to 90%"].tolist()[0] == 250 and pd.isna(frame["steps to 90%"].tolist()[1])
    assert frame["steps per second"].tolist() == [50.0, 30.0]


def test_step_times_and_sequential_steps_draw_each_models_numbers():
    times = pd.DataFrame(
        [
            {"length": n, "model": m, "ms": ms}
            for m, k in (("transformer", 1.0), ("gru", 3.0))
            for n, ms in ((4, k), (8, 2 * k))
        ]
    )
    fig = charts.step_times(times, "t")
    drawn = {t.name: (list(t.x), list(t.y)) for t in fig.data}
    assert drawn == {"Transformer": ([4, 8], [1.0, 2.0]), "GRU + attention": ([4, 8], [3.0, 6.0])}
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == (
        "letters per string",
        "CPU ms per step (one thread)",
    )
    waits = pd.DataFrame(
        [{"length": 4, "model": "gru", "steps": 10}, {"length": 4, "model": "transformer", "steps": 2}]
    )
    assert {t.name: list(t.y) for t in charts.sequential(waits).data} == {"GRU + attention": [10], "Transformer": [2]}
    assert charts.sequential(waits).layout.yaxis.title.text == "sequential steps (forward pass)"
    curves = pd.DataFrame(
        {
            "cpu_seconds": [1.0, 2.0],
            "val_chrf": [30.0, 20.0],
            "model": ["Transformer", "GRU + attention"],
            "step": [5, 5],
        }
    )
    assert {t.name: list(t.y) for t in charts.training_chrf(curves).data} == {
        "Transformer": [30.0],
        "GRU + attention": [20.0],
    }
