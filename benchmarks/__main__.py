"""`python -m benchmarks [--quick] [--json PATH]`: print a table of measurements and write JSON rows.

Nothing here passes or fails; absolute times on a shared 2-core machine are noisy, so each row
carries a baseline measured in the same run and the ratio between them.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import torch

from benchmarks import convolution, density, generative, pages, peers, serve, translation
from benchmarks.harness import Row

SUITES = [convolution.run, generative.run, density.run, peers.run, translation.run, pages.run, serve.run]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def markdown_table(rows: list[dict]) -> str:
    """The rows as the README shows them."""
    lines = ["| name | value | unit | baseline | ratio | note |", "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        note = r["note"].replace("|", "/")
        lines.append(
            f"| `{r['name']}` | {_number(r['value'])} | {r['unit']} | {_number(r['baseline'])} | {ratio} | {note} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (under two minutes)")
    parser.add_argument("--json", type=Path, help="write the rows here as a JSON list")
    parser.add_argument("--markdown", type=Path, help="only print the rows of this JSON file as a Markdown table")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown_table(json.loads(args.markdown.read_text())))
        return 0
    rows: list[Row] = []
    for suite in SUITES:
        for row in suite(args.quick):
            rows.append(row)
            print(
                f"{row.name:<36} {row.value:>12.3f} {row.unit:<10} "
                f"{'' if row.ratio is None else f'x{row.ratio:.2f}':>8}  {row.note}",
                flush=True,
            )
    machine = f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}"
    print(f"({machine})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([r.as_dict() for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
