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

from benchmarks import convolution, generative, pages
from benchmarks.harness import Row

SUITES = [convolution.run, generative.run, pages.run]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (under two minutes)")
    parser.add_argument("--json", type=Path, help="write the rows here as a JSON list")
    args = parser.parse_args(argv)
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
