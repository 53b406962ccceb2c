"""`python -m engine.train NAME [--field value ...]`: train a model from scratch and ship it.

Every field of the model's config dataclass is a typed flag. The checkpoint (weights, config,
history, held-out metrics, command and wall-clock time) is written atomically to assets/.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import torch

from engine.registry import MODELS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine.train", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True, metavar="NAME")
    for name, spec in MODELS.items():
        p = sub.add_parser(name, help=(spec.config.__doc__ or "").strip())
        for field in dataclasses.fields(spec.config):
            kind = {"int": int, "float": float, "str": str, "bool": int}.get(str(field.type), str)
            p.add_argument(
                f"--{field.name.replace('_', '-')}", type=kind, default=field.default, help=f"(default {field.default})"
            )
        p.add_argument("--out", type=Path, default=None, help="checkpoint path (default assets/NAME.safetensors)")
    return parser


def _progress(done: int, total: int, info: dict) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = int(width * done / total)
    stats = "  ".join(f"{k} {v:.4f}" for k, v in info.items())
    end = "\n" if done == total else ""
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {stats}", end=end, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Parse flags, train, evaluate on the held-out split, save; print where it went."""
    args = _parser().parse_args(argv)
    spec = MODELS[args.name]
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(spec.config)}
    cfg = spec.config(**values)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    start = time.perf_counter()
    model, history = spec.train(cfg, _progress)
    seconds = time.perf_counter() - start
    metrics = spec.evaluate(model, None)
    command = " ".join(["python -m engine.train", *(argv if argv is not None else sys.argv[1:])])
    metrics.update(
        {
            "train_seconds": round(seconds, 1),
            "command": command,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        }
    )
    path = spec.save(model, cfg, history, metrics, args.out)
    print(f"saved {path.name}: {metrics}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
