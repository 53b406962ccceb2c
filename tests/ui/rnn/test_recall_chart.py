"""The recall section's charts and summary sentence, from hand-made rows."""

import numpy as np
import pandas as pd
import pytest

from engine.rnn.recall import RecallResult
from ui.rnn import recall as ui

ROWS = [
    {"model": "elman", "k": 1, "accuracy": 1.0, "grad_norm": 0.4, "steps": 100},
    {"model": "gated", "k": 1, "accuracy": 1.0, "grad_norm": 0.5, "steps": 80},
    {"model": "elman", "k": 10, "accuracy": 0.85, "grad_norm": 0.004, "steps": 90},
    {"model": "gated", "k": 10, "accuracy": 0.95, "grad_norm": 0.1, "steps": 70},
    {"model": "elman", "k": 30, "accuracy": 0.12, "grad_norm": 0.0004, "steps": 60},
    {"model": "gated", "k": 30, "accuracy": 0.8, "grad_norm": 0.05, "steps": 50},
]


@pytest.mark.parametrize("measure", ["accuracy", "grad_norm"])
def test_the_chart_draws_each_cells_numbers_against_k(measure):
    fig = ui.recall_chart(pd.DataFrame(ROWS), measure, [1, 10, 30])
    by_name = {trace.name: trace for trace in fig.data}
    for kind, label in ui.names().items():
        mine = [r for r in ROWS if r["model"] == kind]
        assert list(by_name[label].x) == [r["k"] for r in mine]
        assert list(by_name[label].y) == [r[measure] for r in mine]
        assert list(np.asarray(by_name[label].customdata).ravel()) == [r["steps"] for r in mine]
    assert fig.layout.xaxis.title.text == "k: distractors between the symbol and the question"
    assert fig.layout.yaxis.type == ("log" if measure == "grad_norm" else None)


def test_falls_off_is_the_first_distance_below_90_percent():
    result = RecallResult({}, ROWS)
    assert ui.falls_off(result) == 10
    assert ui.falls_off(result, "gated") == 30
    assert ui.falls_off(result, "gated", 0.5) is None


def test_the_summary_is_computed_from_the_run():
    text = ui.summary(RecallResult({}, ROWS))
    assert text.startswith("The Elman RNN first fell below 90% at k = 10; the GRU first did at k = 30.")
    assert "shrank 1,000-fold for the Elman cell and 10-fold for the GRU" in text
    assert "never fell below 90%" in ui.summary(RecallResult({}, ROWS[:2]))
    assert ui.summary(RecallResult({}, [])) == "The run stopped before the first distance finished."
