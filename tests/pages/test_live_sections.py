"""The two live sections in AppTest with a tiny budget: start, watch, results; a second visitor is refused.

The config classes the pages build are swapped for the same classes with a budget of a fraction of a
second, so each run finishes in a few seconds; everything else (the slot, the child process, the
charts, the tables) is what a visitor gets.
"""

import time

import pandas as pd
import pytest

from engine.rnn.recall import RecallConfig
from engine.translator import steps
from engine.translator.race import RaceConfig
from engine.translator.steps import StepConfig
from tests.pages.conftest import charts, texts
from ui import live
from ui.rnn import recall as recall_ui
from ui.translator import parallel as parallel_ui
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


@pytest.mark.parametrize(
    ("task", "lengths", "seconds"),
    [("sort", (2, 2), 5), ("rotate", (30, 30), 60), ("reverse", (2, 30), 60)],
    ids=["shortest-least", "longest-most", "widest"],
)
def test_the_race_runs_at_both_ends_of_its_controls(run_page, monkeypatch, task, lengths, seconds):
    """The page's slider ends reach the race as set, and the race (given a fraction of a second) ends
    without an error: the longest strings once overran the Transformer's position table."""
    asked = []

    def tiny(**kw):
        asked.append(kw)
        return RaceConfig(**{**kw, "seconds": 0.3, "n_eval": 20})

    monkeypatch.setattr(race_ui, "RaceConfig", tiny)
    at = run_page(TRANSFORMER)
    at.radio(key="race.task").set_value(task)
    at.slider(key="race.lengths").set_value(lengths)
    at.slider(key="race.seconds").set_value(seconds).run()
    at.button(key="race.run.go").click().run()
    assert not at.exception
    run = finish(at, race_ui.KEY)
    assert run.error is None and run.result is not None
    assert (asked[-1]["task"], asked[-1]["lo"], asked[-1]["hi"], asked[-1]["seconds"]) == (task, *lengths, seconds)
    assert (run.config.lo, run.config.hi) == lengths
    assert f"**{race_ui.verdict(run.result)}**" in texts(at)


def trace(chart: dict, name: str) -> dict:
    return next(t for t in chart["data"] if t["name"] == name)


def test_the_step_times_are_drawn_as_recorded_then_measured_live(run_page, monkeypatch):
    monkeypatch.setattr(parallel_ui, "LIVE", StepConfig(lengths=(4, 9), batch=8, repeats=1))
    at = run_page(TRANSFORMER)
    recorded = steps.recorded_step_times()
    drawn = {c["title"]: c for c in charts(at)}
    times = drawn["One training step, recorded"]
    for name, label in (("transformer", "Transformer"), ("gru", "GRU + attention")):
        assert list(trace(times, label)["x"]) == recorded["lengths"]
        assert list(trace(times, label)["y"]) == pytest.approx(recorded[f"{name}_ms"])
    waits = drawn["Steps that wait for the one before"]
    assert list(trace(waits, "GRU + attention")["y"]) == [2 * n + 2 for n in recorded["lengths"]]  # by hand
    assert set(trace(waits, "Transformer")["y"]) == {2}  # one encoder and one decoder layer
    shown = "\n".join(c.value for c in at.caption)
    first, last = (recorded["gru_ms"][i] / recorded["transformer_ms"][i] for i in (0, -1))
    assert f"{first:.1f}x a Transformer step at 4 letters and {last:.1f}x at 30" in shown
    assert recorded["command"] in shown
    at.button(key="race.steps.go").click().run()
    assert not at.exception
    run = finish(at, parallel_ui.KEY)
    assert run.error is None and [r["steps"] for r in run.result.rows] == [1, 1, 1, 1]
    mine = next(c for c in charts(at) if c["title"] == "One training step, this server")
    for name, label in (("transformer", "Transformer"), ("gru", "GRU + attention")):
        assert list(trace(mine, label)["x"]) == [4, 9]
        want = [r["ms"] for r in run.result.rows if r["model"] == name]
        assert list(trace(mine, label)["y"]) == pytest.approx(want)
    assert "Step times (CSV)" in [b.proto.label for b in at.get("download_button")]
