"""The live race's charts and verdict, from hand-made rows and results."""

import numpy as np
import pandas as pd
import pytest

from engine.translator.race import RaceResult
from ui.translator import race_charts as charts
from ui.translator.race import verdict

ROWS = pd.DataFrame(
    [
        {"model": "transformer", "step": 0, "seconds": 0.0, "loss": 3.3, "accuracy": 0.0},
        {"model": "gru", "step": 0, "seconds": 0.0, "loss": 3.4, "accuracy": 0.0},
        {"model": "transformer", "step": 60, "seconds": 1.1, "loss": 1.2, "accuracy": 0.45},
        {"model": "gru", "step": 30, "seconds": 1.2, "loss": 2.0, "accuracy": 0.05},
    ]
)


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
    assert fig.layout.yaxis.title.text == charts.MEASURES[measure]
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
        return {"accuracy": 1.0, "seconds_to_90": to, "steps_per_s": speed, "steps": 100, "seconds": 30, "params": 9}

    return {"transformer": one(t_to, t_speed), "gru": one(g_to, g_speed)}


def result_of(summary_):
    return RaceResult({}, "abc", [], [], summary_, 0.9, 0)


@pytest.mark.parametrize(
    ("t_to", "g_to", "starts"),
    [
        (5.0, 8.0, "The Transformer reached 90% after 5.0 s of training, the GRU after 8.0 s."),
        (5.0, None, "The Transformer reached 90% after 5.0 s of training, the GRU never did."),
        (9.0, 4.0, "The GRU reached 90% after 4.0 s of training, the Transformer after 9.0 s: here recurrence won."),
        (None, 4.0, "The GRU reached 90% after 4.0 s of training, the Transformer never did: here recurrence won."),
        (None, None, "Neither model reached 90% in this budget"),
    ],
)
def test_the_verdict_says_who_reached_90_first(t_to, g_to, starts):
    assert verdict(result_of(summary(t_to, g_to))).startswith(starts)


def test_the_verdict_compares_the_measured_speeds():
    assert "It ran 50 steps per second against the GRU's 30: " in verdict(result_of(summary(1.0, 2.0)))
    slower = verdict(result_of(summary(1.0, 2.0, t_speed=20.0)))
    assert "It ran 20 steps per second against the GRU's 30, so on this machine" in slower


def test_summary_frame_has_one_row_per_model():
    frame = charts.summary_frame(summary(5.0, None))
    assert frame["model"].tolist() == ["Transformer", "GRU + attention"]
    assert frame["seconds to 90%"].tolist()[0] == 5.0 and pd.isna(frame["seconds to 90%"].tolist()[1])
    assert frame["steps per second"].tolist() == [50.0, 30.0]
