"""`python -m engine.experiment` as a user runs it: one JSON object in the shapes the README gives."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from engine import experiment
from engine.translator import race, steps, toy

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine.experiment", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def run_main(capsys, *args: str) -> subprocess.CompletedProcess:
    """The same through main() in this process: its status (argparse's exit status too) and output."""
    try:
        status = experiment.main(list(args))
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["engine.experiment", *args], status, out, err)


def test_the_race_prints_one_json_object():
    # a real process, as a user runs it
    done = run("reverse", "--seconds", "0.5", "--lo", "2", "--hi", "5", "--seed", "2", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"transformer", "gru", "diagonal_attention"}
    for name in ("transformer", "gru"):
        assert set(out[name]) == {"accuracy", "seconds_to_90", "steps_to_90", "steps_per_s"}
        assert 0 <= out[name]["accuracy"] <= 1 and out[name]["steps_per_s"] > 0
        assert out[name]["seconds_to_90"] is None or 0 <= out[name]["seconds_to_90"] <= 0.5 + 1
    assert 0 <= out["diagonal_attention"] <= 1
    assert "transformer" in done.stderr and "accuracy" in done.stderr  # progress goes to stderr


def test_recall_prints_one_entry_per_distance_largest_last(capsys):
    done = run_main(capsys, "recall", "--seconds", "0.05", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["k"] == sorted(out["k"]) and out["k"][0] == 1 and out["k"][-1] >= 25
    for kind in ("elman", "gated"):
        assert set(out[kind]) == {"accuracy", "grad_norm"}
        assert len(out[kind]["accuracy"]) == len(out[kind]["grad_norm"]) == len(out["k"])
        assert all(0 <= a <= 1 for a in out[kind]["accuracy"])
        assert all(g > 0 and math.isfinite(g) for g in out[kind]["grad_norm"])


def test_without_json_a_table_is_printed(capsys):
    done = run_main(capsys, "recall", "--seconds", "0.05")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split()[0] == "k" and "elman" in done.stdout and "gated" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reverse", "--seconds", "61"], "at most 60"),
        (["recall", "--seconds", "0"], "above 0"),
        (["sort", "--lo", "9", "--hi", "4"], "--lo and --hi"),
        (["reverse", "--hi", "31"], "--lo and --hi"),
        (["rotate", "--lo", "1"], "--lo and --hi"),
        (["steps", "--repeats", "0"], "--repeats"),
        (["steps", "--repeats", "51"], "--repeats"),
        (["shuffle"], "invalid choice"),
    ],
)
def test_bad_arguments_get_a_message_not_a_traceback(capsys, args, message):
    done = run_main(capsys, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("task", list(toy.TASKS))
@pytest.mark.parametrize("lengths", [(toy.SHORTEST, toy.SHORTEST), (toy.LONGEST, toy.LONGEST)], ids=["2-2", "30-30"])
def test_the_race_runs_at_both_ends_of_the_lengths(capsys, task, lengths):
    lo, hi = (str(n) for n in lengths)
    done = run_main(capsys, task, "--seconds", "0.2", "--lo", lo, "--hi", hi, "--json")
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == {"transformer", "gru", "diagonal_attention"}


def test_the_longest_budget_is_accepted(capsys, monkeypatch):
    """--seconds 60 (the most) reaches the race with 60 s; the race itself is not run here."""
    asked = []

    def run(self, *_args):
        asked.append(self.cfg)
        raise SystemExit(0)

    monkeypatch.setattr(race.Race, "run", run)
    done = run_main(capsys, "sort", "--seconds", "60", "--lo", "2", "--hi", "30")
    assert done.returncode == 0, done.stderr
    assert [(c.task, c.seconds, c.lo, c.hi) for c in asked] == [("sort", 60.0, 2, 30)]


def test_steps_prints_the_step_time_of_each_model_at_each_length(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(steps, "STEP_TIMES", tmp_path / "steps.json")
    done = run_main(capsys, "steps", "--repeats", "1", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"lengths", "transformer_ms", "gru_ms"}
    assert out["lengths"] == list(range(4, 31, 2))
    for name in ("transformer", "gru"):
        assert len(out[f"{name}_ms"]) == len(out["lengths"]) and all(ms > 0 for ms in out[f"{name}_ms"])
    assert "length  30" in done.stderr  # progress goes to stderr
    assert not (tmp_path / "steps.json").exists()  # written only when asked


def test_steps_record_writes_what_it_printed_with_the_command(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(steps, "STEP_TIMES", tmp_path / "steps.json")
    monkeypatch.setattr(steps, "STEP_LENGTHS", (3, 7))
    done = run_main(capsys, "steps", "--repeats", "2", "--record")
    assert done.returncode == 0, done.stderr
    recorded = steps.recorded_step_times(tmp_path / "steps.json")
    assert recorded["command"] == "python -m engine.experiment steps --record --repeats 2"
    assert recorded["lengths"] == [3, 7] and recorded["repeats"] == 2 and recorded["threads"] == 1
    table = done.stdout.splitlines()  # without --json: a table, one row per model
    assert table[0].split() == ["length", "3", "7"]
    for name, line in zip(("transformer", "gru"), table[1:], strict=True):
        assert [float(x) for x in line.split()[2:]] == pytest.approx(recorded[f"{name}_ms"], abs=0.05)
