"""`python -m engine.experiment reverse|sort|rotate|recall|steps [--seconds S] [--seed N] [--json]`.

The pages' live trainings, outside the app. A task (reverse, sort, rotate) races a tiny Transformer
against a GRU encoder-decoder with attention for S training seconds each and prints
{"transformer": {"accuracy", "seconds_to_90", "steps_per_s"}, "gru": {...}, "diagonal_attention"}.
`recall` trains an Elman RNN and a GRU on delayed recall at every distance k and prints
{"k": [...], "elman": {"accuracy": [...], "grad_norm": [...]}, "gated": {...}}, largest k last.
`steps` times one training step (forward, backward, Adam; one thread, batch 64) of the race's two models
at string lengths 4 to 30 and prints {"lengths": [...], "transformer_ms": [...], "gru_ms": [...]};
with --record it also writes them, with the command, to assets/race_step_times.json for the page.
Everything runs on one thread. Progress goes to stderr; the JSON (or a table without --json) to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

import torch

from engine.rnn import recall
from engine.translator import race, steps, toy


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine.experiment", description=__doc__)
    parser.add_argument("task", choices=[*toy.TASKS, "recall", "steps"])
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help=f"training seconds per model (race: default {race.RaceConfig.seconds:g}, at most {race.MAX_SECONDS:g}; "
        f"recall: per model and k, default {recall.RecallConfig.seconds:g}, at most {recall.MAX_SECONDS:g})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--lo", type=int, default=race.RaceConfig.lo, help="shortest string (race; default %(default)s)"
    )
    parser.add_argument("--hi", type=int, default=race.RaceConfig.hi, help="longest string (race; default %(default)s)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=steps.StepConfig.repeats,
        help="steps: timed steps per model and length, median kept (default %(default)s, at most 50)",
    )
    parser.add_argument("--record", action="store_true", help=f"steps: also write {steps.STEP_TIMES.name} in assets/")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _race(args: argparse.Namespace) -> dict:
    seconds = race.RaceConfig.seconds if args.seconds is None else args.seconds
    cfg = race.RaceConfig(task=args.task, lo=args.lo, hi=args.hi, seconds=seconds, seed=args.seed)

    def report(name: str, row: dict, _frame: dict | None) -> None:
        print(
            f"{name:12s} {row['seconds']:6.1f} s  step {row['step']:5d}  accuracy {row['accuracy']:.3f}",
            file=sys.stderr,
        )

    return race.Race(cfg).run(report).as_json()


def _recall(args: argparse.Namespace) -> dict:
    seconds = recall.RecallConfig.seconds if args.seconds is None else args.seconds
    cfg = recall.RecallConfig(seconds=seconds, seed=args.seed)

    def report(row: dict) -> None:
        print(
            f"{row['model']:6s} k={row['k']:3d}  accuracy {row['accuracy']:.3f}  steps {row['steps']}", file=sys.stderr
        )

    return recall.RecallRace(cfg).run(report).as_json()


def _steps(args: argparse.Namespace) -> dict:
    cfg = steps.StepConfig(lengths=steps.STEP_LENGTHS, repeats=args.repeats, seed=args.seed)

    def report(row: dict) -> None:
        print(f"{row['model']:12s} length {row['length']:3d}  {row['ms']:7.2f} ms", file=sys.stderr)

    out = steps.step_times(cfg, report).as_json()
    if args.record:
        command = "python -m engine.experiment steps --record" + (f" --seed {args.seed}" if args.seed else "")
        command += "" if args.repeats == steps.StepConfig.repeats else f" --repeats {args.repeats}"
        settings = {**asdict(cfg), "threads": torch.get_num_threads(), "torch": torch.__version__}  # main() set one
        steps.STEP_TIMES.write_text(json.dumps({"command": command, **settings, **out}, indent=2) + "\n")
    return out


def _table(out: dict) -> str:
    if "lengths" in out:
        lines = ["length        " + " ".join(f"{n:>7d}" for n in out["lengths"])]
        for name in race.NAMES:
            lines.append(f"{name + ' ms':13s} " + " ".join(f"{ms:7.1f}" for ms in out[f"{name}_ms"]))
        return "\n".join(lines)
    if "k" in out:
        lines = ["k      " + " ".join(f"{k:>8d}" for k in out["k"])]
        for kind in recall.KINDS:
            lines.append(f"{kind:6s} " + " ".join(f"{a:8.2f}" for a in out[kind]["accuracy"]))
        return "\n".join(lines)
    lines = [
        f"{name:12s} accuracy {v['accuracy']:.3f}  to 90%: {v['seconds_to_90']}  steps/s {v['steps_per_s']:.1f}"
        for name, v in out.items()
        if name in race.NAMES
    ]
    return "\n".join([*lines, f"diagonal attention {out['diagonal_attention']:.3f}"])


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    limit = recall.MAX_SECONDS if args.task == "recall" else race.MAX_SECONDS
    if args.seconds is not None and not 0 < args.seconds <= limit:
        parser.error(f"--seconds must be above 0 and at most {limit:g} for {args.task}")
    if args.task in toy.TASKS and not toy.SHORTEST <= args.lo <= args.hi <= toy.LONGEST:
        parser.error(f"--lo and --hi must satisfy {toy.SHORTEST} <= lo <= hi <= {toy.LONGEST}")
    if not 1 <= args.repeats <= 50:
        parser.error("--repeats must be between 1 and 50")
    # One thread, as the page's live child (ui/live_child.py): the figures printed here are the page's, and
    # two threads on a busy machine spend their time waiting for each other.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        out = {"recall": _recall, "steps": _steps}.get(args.task, _race)(args)
    finally:
        torch.set_num_threads(threads)  # main() may be called inside a larger program (the tests)
    print(json.dumps(out) if args.json else _table(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
