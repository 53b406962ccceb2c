"""The two live sections in AppTest with a tiny budget: start, watch, results; a second visitor is refused.

The config classes the pages build are swapped for the same classes with a budget of a fraction of a
second, so each run finishes in a few seconds; everything else (the slot, the child process, the
charts, the tables) is what a visitor gets.
"""

import time

import pandas as pd
import pytest

from engine.rnn.recall import RecallConfig
from engine.translator.race import RaceConfig
from tests.pages.conftest import charts, texts
from ui import live
from ui.rnn import recall as recall_ui
from ui.translator import race as race_ui

TRANSFORMER, RNN = "pages/transformer.py", "pages/rnn.py"


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(race_ui, "RaceConfig", lambda **kw: RaceConfig(**{**kw, "seconds": 0.6, "n_eval": 30}))
    monkeypatch.setattr(recall_ui, "RecallConfig", lambda **kw: RecallConfig(**{**kw, "ks": (1, 6), "seconds": 0.2}))
    yield
    current = live.slot().current
    if current is not None:
        current.stop()
        current.wait(30)


def finish(at, key: str):
    """Wait for this session's run, then rerun the page as the polling fragment would."""
    run = at.session_state[key]
    assert run.wait(120), "the live run did not end"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return run


def test_the_race_starts_shows_progress_and_ends_with_its_numbers(run_page, tiny):
    at = run_page(TRANSFORMER, {"task": "rotate", "lo": "3", "hi": "6"})
    assert at.radio(key="race.task").value == "rotate" and at.slider(key="race.lengths").value == (3, 6)
    at.button(key="race.run.go").click().run()
    assert not at.exception
    run = at.session_state[race_ui.KEY]
    assert run.config.task == "rotate" and (run.config.lo, run.config.hi) == (3, 6)
    run = finish(at, race_ui.KEY)
    assert run.error is None and run.result is not None
    result = run.result
    titles = [c["title"] for c in charts(at)]
    assert {"Accuracy while training", "Loss while training"} <= set(titles)
    assert any(t.startswith(f"Transformer cross-attention on '{result.probe}'") for t in titles)
    accuracy = next(c for c in charts(at) if c["title"] == "Accuracy while training")
    drawn = sorted(y for trace in accuracy["data"] for y in trace["y"])
    assert drawn == pytest.approx(sorted(r["accuracy"] for r in result.rows))
    shown = next(d.value for d in at.dataframe if "steps per second" in d.value.columns)
    assert shown["steps"].tolist() == [result.summary[n]["steps"] for n in ("transformer", "gru")]
    assert f"**{race_ui.verdict(result)}**" in texts(at)
    assert f"{result.diagonal_attention:.0%}" in texts(at)
    frame = at.slider(key="race.frame")
    assert frame.max == len(result.frames)
    frame.set_value(1).run()
    first = next(c for c in charts(at) if c["title"].startswith("Transformer cross-attention"))
    assert "after 0 steps" in first["title"]
    assert [b.proto.label for b in at.get("download_button")][-2:] == ["Every evaluation (CSV)", "Summary (CSV)"]


def test_recall_starts_and_ends_with_a_row_per_cell_and_distance(run_page, tiny):
    at = run_page(RNN)
    at.button(key="recall.run.go").click().run()
    assert not at.exception
    run = finish(at, recall_ui.KEY)
    assert run.error is None
    rows = pd.DataFrame(run.result.rows)
    pairs = sorted(zip(rows["model"], rows["k"], strict=True))
    assert pairs == [("elman", 1), ("elman", 6), ("gated", 1), ("gated", 6)]
    accuracy = next(c for c in charts(at) if c["title"] == "Recall accuracy by distance")
    assert sorted(y for trace in accuracy["data"] for y in trace["y"]) == pytest.approx(sorted(rows["accuracy"]))
    assert f"**{recall_ui.summary(run.result)}**" in texts(at)
    table = next(d.value for d in at.dataframe if "k" in d.value.columns)
    assert table["k"].tolist() == [1, 6]


def waits(config, emit, should_stop):
    while not should_stop():
        time.sleep(0.05)


def test_a_second_visitor_is_told_to_wait_and_the_first_run_is_untouched(run_page, tiny):
    other = live.slot().start("another visitor", 30, waits)
    assert other is not None
    try:
        for page, key in ((TRANSFORMER, race_ui.KEY), (RNN, recall_ui.KEY)):
            at = run_page(page)
            at.button(key=f"{key}.go").click().run()
            assert not at.exception
            warnings = [w.value for w in at.warning]
            assert any(w.startswith("Another visitor's live training is running") for w in warnings), warnings
            assert key not in at.session_state
            assert live.slot().current is other and not other.done
    finally:
        other.stop()
        assert other.wait(10)


def test_the_stop_button_ends_the_run_and_the_page_says_so(run_page, monkeypatch):
    monkeypatch.setattr(recall_ui, "RecallConfig", lambda **kw: RecallConfig(**{**kw, "ks": (1, 2, 3), "seconds": 5.0}))
    at = run_page(RNN)
    at.button(key="recall.run.go").click().run()
    assert at.button(key="recall.run.go").disabled  # no second start from the same page while it runs
    at.button(key="recall.run.stop").click().run()
    run = finish(at, recall_ui.KEY)
    assert run.result.stopped and run.elapsed() < 20  # its budget was 30 s of training
    assert any(i.value.startswith("Stopped after") for i in at.info)
