"""The live race: training lowers the loss, greedy decoding equals a direct forward pass, the clocks and
the alignment score measure what they say."""

import time
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.translator import race, steps, toy
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
    ticks = iter(range(10**9))
    with pytest.MonkeyPatch.context() as patch:  # each step costs 10 ms of clock, however busy the machine
        patch.setattr(race.time, "perf_counter", lambda: next(ticks) * 0.01)
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
    assert set(out["gru"]) == {"accuracy", "seconds_to_90", "steps_to_90", "steps_per_s"}
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


@pytest.mark.parametrize("task", list(toy.TASKS))
@pytest.mark.parametrize(("lo", "hi"), [(toy.SHORTEST, toy.SHORTEST), (toy.LONGEST, toy.LONGEST)])
def test_a_race_runs_at_both_ends_of_the_lengths(task, lo, hi):
    """The shortest and the longest strings the page and the CLI allow, for every task: the untrained
    Transformer decodes the validation set for the answer's whole width without running off its positions."""
    cfg = race.RaceConfig(task=task, lo=lo, hi=hi, batch=8, width=16, n_eval=20, seconds=0.05, seed=1)
    r = race.Race(cfg)
    widths = []  # of what the decoder reads at each call while evaluating (greedy: 1, 2, 3, ...)
    decode = r.runners[0].model.decode

    def recorded(tgt, enc, *args, **kwargs):
        if torch.is_inference_mode_enabled():
            widths.append(tgt.shape[1])
        return decode(tgt, enc, *args, **kwargs)

    r.runners[0].model.decode = recorded
    result = r.run()
    assert all(0.0 <= result.summary[n]["accuracy"] <= 1.0 for n in race.NAMES)
    # a whole greedy decoding: every step up to the longest answer and its EOS
    whole = list(range(1, hi + 2))
    assert any(widths[i : i + len(whole)] == whole for i in range(len(widths))), widths
    assert len(result.probe) == min(max(lo, 12), hi)


def test_the_longest_budget_is_accepted_and_one_more_second_is_not():
    assert race.Race(race.RaceConfig(seconds=race.MAX_SECONDS, n_eval=4)).cfg.seconds == race.MAX_SECONDS
    with pytest.raises(ValueError, match="seconds"):
        race.Race(race.RaceConfig(seconds=race.MAX_SECONDS + 1))


def test_steps_to_is_the_step_of_the_first_evaluation_at_the_target():
    rows = [{"step": 0, "accuracy": 0.0}, {"step": 40, "accuracy": 0.95}, {"step": 80, "accuracy": 0.5}]
    assert race.steps_to(rows) == 40
    assert race.steps_to(rows, 0.99) is None


def test_the_summary_gives_the_steps_each_model_needed():
    result = race.Race(SMALL).run()
    for name in race.NAMES:
        rows = [r for r in result.rows if r["model"] == name]
        first = next((r for r in rows if r["accuracy"] >= race.TARGET), None)
        assert result.summary[name]["steps_to_90"] == (None if first is None else first["step"])
        assert result.as_json()[name]["steps_to_90"] == result.summary[name]["steps_to_90"]


def test_sequential_steps_are_counted_by_hand():
    # "abcd" reversed: the GRU encoder reads a, b, c, d, EOS (5 steps), its decoder writes d, c, b, a, EOS (5)
    assert steps.sequential_steps("gru", 4) == 10
    assert steps.sequential_steps("gru", 30) == 62
    # the Transformer: one encoder layer, then one decoder layer, whatever the length
    assert steps.sequential_steps("transformer", 4) == steps.sequential_steps("transformer", 30) == 2
    assert steps.sequential_steps("transformer", 9, layers=3) == 6


def counting(monkeypatch, threads: set[int]) -> dict[str, int]:
    """Forward passes of each model `build` makes from now on, counted by a hook that also notes the
    number of threads torch had at each."""
    calls: dict[str, int] = {}
    build = race.build

    def hook(name):
        calls[name] += 1
        threads.add(torch.get_num_threads())

    def counted(name, cfg):
        model = build(name, cfg)
        calls[name] = 0
        model.register_forward_hook(lambda *_: hook(name))
        return model

    monkeypatch.setattr(steps, "build", counted)
    return calls


def test_step_times_time_every_length_and_model_for_the_steps_asked(monkeypatch):
    seen: set[int] = set()
    calls = counting(monkeypatch, seen)
    emitted = []
    threads = torch.get_num_threads()
    cfg = steps.StepConfig(lengths=(2, 5, 9), batch=4, repeats=3)
    measured = steps.step_times(cfg, emitted.append)
    assert calls == {"transformer": 3 * (3 + 1), "gru": 3 * (3 + 1)}  # one untimed warm-up step per length
    # the caller's threads, untouched: the live child and the CLI set one; a server's are never changed per run
    assert seen == {threads} and torch.get_num_threads() == threads
    assert emitted == measured.rows and not measured.stopped
    assert [(r["length"], r["model"]) for r in measured.rows] == [(n, m) for n in (2, 5, 9) for m in race.NAMES]
    assert all(r["steps"] == 3 and r["ms"] > 0 for r in measured.rows)
    out = measured.as_json()
    assert set(out) == {"lengths", "transformer_ms", "gru_ms"}
    assert out["lengths"] == [2, 5, 9] and len(out["transformer_ms"]) == len(out["gru_ms"]) == 3
    assert out["gru_ms"] == [r["ms"] for r in measured.rows if r["model"] == "gru"]


def test_step_times_stop_when_asked_and_keep_only_lengths_both_models_finished():
    asked = iter([False, True])
    measured = steps.step_times(steps.StepConfig(lengths=(2, 3, 4), batch=2, repeats=1), None, lambda: next(asked))
    assert measured.stopped and [r["length"] for r in measured.rows] == [2, 2]
    half = steps.StepTimes([*measured.rows, {"length": 3, "model": "transformer", "ms": 1.0, "steps": 1}])
    assert half.as_json()["lengths"] == [2]


def test_the_recorded_step_times_have_the_measurement_shape():
    recorded = steps.recorded_step_times()
    assert recorded is not None, "record them: python -m engine.experiment steps --record"
    assert recorded["command"].startswith("python -m engine.experiment steps --record")
    assert recorded["lengths"] == list(steps.STEP_LENGTHS) and recorded["batch"] == race.RaceConfig.batch
    assert recorded["threads"] == 1
    for name in race.NAMES:
        assert len(recorded[f"{name}_ms"]) == len(recorded["lengths"]) and min(recorded[f"{name}_ms"]) > 0
