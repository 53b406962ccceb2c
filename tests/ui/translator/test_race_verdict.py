"""The race's verdict names the model that reached 90% first and the effect that decided it, from the
run's own numbers: steps per second against steps needed."""

import pytest

from engine.translator.race import RaceConfig, RaceResult
from ui.text import t_in
from ui.translator.race import verdict


def result(t: dict, g: dict) -> RaceResult:
    """A finished race with these summaries (seconds_to_90, steps_to_90, steps_per_s, steps)."""
    base = {"accuracy": 0.95, "seconds": 30.0, "params": 1}
    summary = {"transformer": {**base, **t}, "gru": {**base, **g}}
    return RaceResult(RaceConfig().__dict__, "abc", [], [], summary, 0.5, 0)


def model(to_90, steps_to_90, per_s, steps=1000):
    return {"seconds_to_90": to_90, "steps_to_90": steps_to_90, "steps_per_s": per_s, "steps": steps}


def test_fewer_steps_beat_faster_steps_and_the_figures_are_the_runs():
    # reversal at 16 to 29 letters: the Transformer steps 2.9x faster but needs 5.2x the steps
    said = verdict(result(model(36.5, 1460, 40.0), model(18.7, 280, 14.0)))
    assert said.startswith("The GRU reached 90% first: after 18.7 s of training, the other after 36.5 s.")
    assert "ran 40 steps per second, the GRU 14 (2.9x more)" in said
    assert "it needed 1,460 steps to reach 90%, the GRU 280 (5.2x more)" in said
    assert said.endswith("needing fewer steps outweighed slower steps.")
    assert "recurrence won" not in said


def test_faster_steps_beat_more_steps():
    said = verdict(result(model(10.0, 600, 60.0), model(20.0, 300, 15.0)))
    assert said.startswith("The Transformer reached 90% first")
    assert "(4.0x more)" in said and "(2.0x more)" in said
    assert said.endswith("faster steps outweighed needing more of them.")


@pytest.mark.parametrize(
    ("t", "g", "ending"),
    [
        (model(5.0, 100, 20.0), model(20.0, 200, 10.0), "both favour the Transformer."),
        (model(20.0, 400, 10.0), model(5.0, 100, 20.0), "both favour the GRU."),
    ],
)
def test_when_both_effects_agree_it_says_so(t, g, ending):
    assert verdict(result(t, g)).endswith(ending)


def test_a_tie_is_called_a_tie_within_one_evaluation():
    said = verdict(result(model(6.2, 300, 50.0), model(5.6, 100, 17.0)))
    assert said.startswith("A tie: both reached 90% within one evaluation of each other (6.2 s and 5.6 s).")
    assert said.endswith("the two effects cancelled out.")


def test_when_only_one_reached_it_says_whether_the_other_ran_enough_steps():
    more = verdict(result(model(None, None, 40.0, steps=1200), model(18.7, 280, 14.0, steps=420)))
    assert more.startswith("Only the GRU reached 90% (18.7 s of training).")
    assert more.endswith("the other ran 1,200 steps, more than the 280 the GRU needed: fewer steps needed won.")
    fewer = verdict(result(model(8.0, 900, 40.0, steps=1200), model(None, None, 10.0, steps=300)))
    assert fewer.endswith("the other ran only 300 steps, fewer than the 900 the Transformer needed: faster steps won.")


def test_neither_reached_and_a_run_stopped_before_any_step():
    said = verdict(result(model(None, None, 0.0, steps=0), model(None, None, 0.0, steps=0)))
    assert said.startswith("Neither model reached 90% in this budget")
    assert "(no ratio)" in said


def test_the_verdict_in_korean_keeps_the_runs_figures(monkeypatch):
    import ui.text

    monkeypatch.setattr(ui.text, "current_lang", lambda: "ko")
    said = verdict(result(model(36.5, 1460, 40.0), model(18.7, 280, 14.0)))
    # the run's figures, the winner and the reason, in the table's Korean (its wording is the table's to change)
    assert said.startswith(t_in("ko", "translator.verdict.first", won="GRU", first=18.7, second=36.5))
    assert said.endswith(t_in("ko", "translator.verdict.fewer_won"))
    for figure in ("초당 40", "14스텝", "2.9배", "1,460스텝", "280스텝", "5.2배"):
        assert figure in said, figure
    assert not any(word in said for word in ("Transformer", "faster", "fewer", "steps"))
