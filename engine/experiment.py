"""`python -m engine.experiment reverse|sort|rotate|recall [--seconds S] [--seed N] [--json]`.

The pages' live trainings, outside the app. A task (reverse, sort, rotate) races a tiny Transformer
against a GRU encoder-decoder with attention for S training seconds each and prints
{"transformer": {"accuracy", "seconds_to_90", "steps_per_s"}, "gru": {...}, "diagonal_attention"}.
`recall` trains an Elman RNN and a GRU on delayed recall at every distance k and prints
{"k": [...], "elman": {"accuracy": [...], "grad_norm": [...]}, "gated": {...}}, largest k last.
Progress goes to stderr; the JSON (or a table without --json) to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys

from engine.rnn import recall
from engine.translator import race, toy


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine.experiment", description=__doc__)
    parser.add_argument("task", choices=[*toy.TASKS, "recall"])
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


def _table(out: dict) -> str:
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
    if args.task != "recall" and not toy.SHORTEST <= args.lo <= args.hi <= toy.LONGEST:
        parser.error(f"--lo and --hi must satisfy {toy.SHORTEST} <= lo <= hi <= {toy.LONGEST}")
    out = _recall(args) if args.task == "recall" else _race(args)
    print(json.dumps(out) if args.json else _table(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
