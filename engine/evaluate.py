"""`python -m engine.evaluate NAME [--data PATH] [--per-sentence] [--curve] [--json]`: metrics of a shipped model.

Without --data: on the held-out split. With --data: on the user's file, which is read as bytes
and validated; a bad file exits with status 2 and one line saying what is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.common.checkpoint import CheckpointError
from engine.common.corpora import CorpusError
from engine.common.inputs import MAX_UPLOAD_BYTES, InputError
from engine.gpt.curve import curve_summary
from engine.registry import MODELS

MAX_FOLDER_FILES = 1000


def _read_folder(path: Path) -> dict[str, bytes]:
    """{file name: bytes} of the folder's visible regular files (not recursive), in name order."""
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise InputError("{path}: the folder holds no files.", key="translator.errors.no_files", path=path)
    if len(files) > MAX_FOLDER_FILES:
        raise InputError(
            "{path}: {n} files; the limit is {limit}.",
            key="translator.errors.too_many_files",
            path=path,
            n=len(files),
            limit=MAX_FOLDER_FILES,
        )
    return {p.name: _read_data(p) for p in files}


def _read_data(path: Path, folders: bool = False) -> bytes | dict[str, bytes]:
    """The file's bytes, refusing what is not a readable regular file of allowed size."""
    if not path.exists():
        raise InputError("{path}: no such file.", key="translator.errors.no_such_file", path=path)
    if folders and path.is_dir():
        return _read_folder(path)
    if not path.is_file():
        raise InputError("{path}: not a regular file.", key="translator.errors.not_a_file", path=path)
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES // 2**20
        raise InputError(
            "{path}: larger than the {mb} MB limit.", key="translator.errors.too_large", path=path, mb=limit
        )
    try:
        return path.read_bytes()
    except OSError as err:
        reason = err.strerror
        raise InputError(
            "{path}: cannot be read ({reason}).", key="translator.errors.unreadable", path=path, reason=reason
        ) from None


def _print_curve(spec, args: argparse.Namespace) -> int:
    """The recorded curve of the sentiment classifier (engine.gpt.curve.curve_summary), without scoring anything."""
    try:
        summary = curve_summary(spec.load(args.checkpoint)[1])
    except CheckpointError as err:
        print("error: " + " ".join(str(err).split()), file=sys.stderr)
        return 2
    print(json.dumps(summary) if args.json else "\n".join(f"{k}: {v}" for k, v in summary.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Print one JSON object (with --json) or one line per metric."""
    formats = "; ".join(f"{name}: {spec.data_format}" for name, spec in MODELS.items())
    parser = argparse.ArgumentParser(prog="python -m engine.evaluate", description=__doc__)
    parser.add_argument("name", choices=sorted(MODELS))
    parser.add_argument("--data", type=Path, help=f"evaluate on this file instead ({formats})")
    parser.add_argument("--checkpoint", type=Path, help="weights file (default assets/NAME.safetensors)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--per-sentence",
        action="store_true",
        help="translators: add rows (source, references, hypothesis, chrf, exact)",
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="translators, density, gpt: write the test figures into the checkpoint's meta",
    )
    parser.add_argument(
        "--curve",
        action="store_true",
        help="gpt_sentiment: the recorded label-count curve, tf-idf, zero-shot and accuracy (no scoring)",
    )
    args = parser.parse_args(argv)
    spec = MODELS[args.name]
    if args.curve:
        if args.name not in ("gpt_sentiment", "gpt_finetune"):
            parser.error(f"--curve is for gpt_sentiment, not {args.name}")
        return _print_curve(spec, args)
    if args.per_sentence and not spec.per_sentence:
        parser.error(f"--per-sentence is for the translators, not {args.name}")
    if args.record and spec.record is None:
        parser.error(f"--record is for the translators, density and gpt, not {args.name}")
    if args.record:
        print(json.dumps(spec.record(args.checkpoint)))
        return 0
    try:
        data = _read_data(args.data, spec.folders) if args.data is not None else None
        model, _ = spec.load(args.checkpoint)
        metrics = spec.evaluate(model, data, per_sentence=True) if args.per_sentence else spec.evaluate(model, data)
    except (InputError, CheckpointError, CorpusError) as err:
        print("error: " + " ".join(str(err).split()), file=sys.stderr)  # always one line
        return 2
    if args.json:
        print(json.dumps(metrics))
    else:
        for key, value in metrics.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
