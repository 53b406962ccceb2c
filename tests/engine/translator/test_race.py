"""The live race: training lowers the loss, greedy decoding equals a direct forward pass, the clocks and
the alignment score measure what they say."""

import time
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.translator import race, toy
from engine.translator.transformer import Transformer

SMALL = race.RaceConfig(lo=2, hi=6, batch=32, width=32, n_eval=40, seconds=1.0, seed=3)


def direct_greedy(model, src: torch.Tensor, max_len: int) -> list[str]:
    """Greedy decoding with no cache and no step function: the whole forward pass on the prefix each time."""
    written = torch.full((src.shape[0], 1), toy.BOS)
    with torch.no_grad():
        for _ in range(max_len):
            out = model(src, written)
            logits = out.logits if isinstance(model, Transformer) else out[0]
            written = torch.cat([written, logits[:, -1].argmax(-1, keepdim=True)], 1)
    return [toy.text(row[1:]) for row in written.tolist()]


@pytest.fixture(scope="module")
def trained():
    """Both models after 150 steps each on reversal (seeded), with the losses they recorded."""
    r = race.Race(replace(SMALL, seconds=60.0))  # a long budget: the learning rate has not decayed yet
    for runner in r.runners:
        for _ in range(150):
            r.step(runner)
    return r


@pytest.mark.parametrize("name", race.NAMES)
def test_a_few_hundred_steps_lower_the_loss(trained, name):
    runner = next(x for x in trained.runners if x.name == name)
    first, last = np.mean(runner.losses[:10]), np.mean(runner.losses[-10:])
    assert first > 3.0  # ln(29) = 3.37 or more at the start: the letters are not yet told apart
    assert last < 0.5 * first, (first, last)
    # the recorded loss is the cross-entropy of the model's own logits, not a number of its own making
    batch = toy.batch_of("reverse", ["abc", "hello"])
    with torch.no_grad():
        logits = race.logits_of(runner.model.eval(), batch)
        want = F.cross_entropy(logits.reshape(-1, toy.VOCAB), batch.tgt_out.reshape(-1), ignore_index=toy.PAD)
        assert float(race.loss_of(runner.model, batch)) == pytest.approx(float(want))


@pytest.mark.parametrize("name", race.NAMES)
def test_greedy_decoding_equals_a_direct_forward_pass(trained, name):
    model = next(x for x in trained.runners if x.name == name).model.eval()
    strings = toy.random_strings(24, 2, 6, torch.Generator().manual_seed(7))
    src = toy.batch_of("reverse", strings).src
    fast = race.greedy(model, src, 9)
    slow = direct_greedy(model, src, 9)
    assert fast == slow
    assert len(set(fast)) > len(strings) // 2  # what it writes depends on what it reads: a real comparison
    acc = race.sequence_accuracy(model, "reverse", toy.batch_of("reverse", strings))
    assert acc == pytest.approx(np.mean([w == toy.solve("reverse", s) for w, s in zip(slow, strings, strict=True)]))


def test_alignment_scores_the_weight_on_the_position_the_task_reads():
    strings = ["abc"]  # reversal reads positions 2, 1, 0
    sharp = np.zeros((3, 4))
    sharp[[0, 1, 2], [2, 1, 0]] = 1.0
    uniform = np.full((3, 4), 0.25)
    wrong = np.zeros((3, 4))
    wrong[[0, 1, 2], [0, 1, 2]] = 1.0  # the diagonal: right for a copy, wrong for a reversal (middle only)
    weights = np.stack([sharp, uniform, wrong])[:, None]  # (layers, B, T, S)
    assert race.alignment("reverse", weights, strings).tolist() == pytest.approx([1.0, 0.25, 1 / 3])
    reversal = np.zeros((1, 1, 5, 5))
    reversal[0, 0, [0, 1, 2, 3], [3, 2, 1, 0]] = 1.0  # "abcd" reversed; rotate reads 3, 0, 1, 2 instead
    assert race.alignment("reverse", reversal, ["abcd"]).tolist() == [1.0]
    assert race.alignment("rotate", reversal, ["abcd"]).tolist() == [0.5]  # right at outputs 0 and 2 only
    rotation = np.zeros((1, 1, 5, 5))
    rotation[0, 0, [0, 1, 2, 3], [3, 0, 1, 2]] = 1.0  # not symmetric: rows are outputs, columns the letters read
    assert race.alignment("rotate", rotation, ["abcd"]).tolist() == [1.0]
    assert race.alignment("rotate", rotation.transpose(0, 1, 3, 2), ["abcd"]).tolist() == [0.0]


def test_cross_attention_rows_sum_to_one(trained):
    model = trained.runners[0].model.eval()
    weights = race.cross_attention(model, trained.probe)
    assert weights.shape == (SMALL.layers, 1, len(trained.probe.strings[0]) + 1, len(trained.probe.strings[0]) + 1)
    assert weights.sum(-1) == pytest.approx(np.ones(weights.shape[:-1]), abs=1e-5)


def test_seconds_to_is_the_first_evaluation_at_the_target():
    rows = [{"seconds": 0.0, "accuracy": 0.0}, {"seconds": 1.0, "accuracy": 0.92}, {"seconds": 2.0, "accuracy": 0.89}]
    assert race.seconds_to(rows) == 1.0
    assert race.seconds_to([{"seconds": 0.5, "accuracy": 0.9}]) == 0.5  # "at or above"
    assert race.seconds_to(rows, 0.95) is None


def test_a_run_gives_each_model_its_budget_and_records_what_it_measured():
    events = []
    start = time.perf_counter()
    result = race.Race(SMALL).run(lambda *event: events.append(event))
    wall = time.perf_counter() - start
    assert not result.stopped
    # the clocks count only training steps: together they are less than the run's wall time (which adds
    # the evaluations), and each stops within a step or so of its budget
    assert sum(result.summary[n]["seconds"] for n in race.NAMES) < wall
    for name in race.NAMES:
        s = result.summary[name]
        rows = [r for r in result.rows if r["model"] == name]
        assert s["seconds"] >= SMALL.seconds and s["steps"] == rows[-1]["step"] > 0
        assert s["steps_per_s"] == pytest.approx(s["steps"] / s["seconds"])
        assert rows[0]["step"] == 0 and [r["step"] for r in rows] == sorted(r["step"] for r in rows)
        assert s["accuracy"] == rows[-1]["accuracy"]
    key = lambda r: (r["model"], r["step"])  # noqa: E731
    assert sorted((row for _, row, _ in events), key=key) == sorted(result.rows, key=key)  # every row was reported
    assert len(result.frames) == sum(r["model"] == "transformer" for r in result.rows)
    assert all(f["attention"].shape[0] == SMALL.layers for f in result.frames)
    out = result.as_json()
    assert set(out) == {"transformer", "gru", "diagonal_attention"}
    assert set(out["gru"]) == {"accuracy", "seconds_to_90", "steps_per_s"}
    assert 0.0 <= out["diagonal_attention"] <= 1.0


def test_a_run_ends_when_asked_and_says_so():
    asked = iter([False, False, True])
    result = race.Race(SMALL).run(should_stop=lambda: next(asked, True))
    assert result.stopped
    assert sum(result.summary[name]["steps"] for name in race.NAMES) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [({"task": "shuffle"}, "unknown task"), ({"seconds": 0.0}, "seconds"), ({"seconds": 61.0}, "seconds")],
)
def test_bad_settings_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        race.Race(race.RaceConfig(**change))


def test_each_clock_counts_its_own_steps_only(monkeypatch):
    """With a clock that moves 10 ms per reading, each step costs exactly 10 ms: a 1 s budget is 100 steps
    each, whatever the evaluations (which read no clock) cost."""
    ticks = iter(range(10**9))
    monkeypatch.setattr(race.time, "perf_counter", lambda: next(ticks) * 0.01)
    result = race.Race(SMALL).run()
    for name in race.NAMES:
        assert result.summary[name]["steps"] in (100, 101), result.summary[name]
        assert result.summary[name]["seconds"] == pytest.approx(0.01 * result.summary[name]["steps"])
