"""`python -m engine.sample density --n N --seed S [--temperature T] [--digit D] --out DIR`.

Draws N digits from the shipped PixelCNN and writes them as 28x28 greyscale PNG files (white strokes
on black, like the training digits), then prints one JSON line: the files, and what the judge (the
classifier trained on real digits only) reads in each, with its probability.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PIL import Image

from engine.common.checkpoint import CheckpointError
from engine.common.inputs import InputError
from engine.density import explain, judge
from engine.density.draw import draw
from engine.density.pixelcnn import CLASSES, NONE
from engine.density.train import load

MAX_SAMPLES = 1000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine.sample", description=__doc__)
    parser.add_argument("name", choices=["density"])
    parser.add_argument("--n", type=int, default=16, help=f"samples to draw, 1..{MAX_SAMPLES} (default 16)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--temperature", type=float, default=explain.TEMPERATURE, help="(default %(default)s)")
    parser.add_argument("--digit", type=int, default=None, help="draw this digit, p(x | y) (default: any digit, p(x))")
    parser.add_argument("--checkpoint", type=Path, help="weights file (default assets/density.safetensors)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files (created if missing)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not 1 <= args.n <= MAX_SAMPLES:
        parser.error(f"--n must be between 1 and {MAX_SAMPLES}")
    if args.digit is not None and not 0 <= args.digit < CLASSES:
        parser.error("--digit must be between 0 and 9")
    try:
        trained, _ = load(args.checkpoint)
        drawing = draw(
            trained.pixelcnn, args.n, args.temperature, args.seed, NONE if args.digit is None else args.digit
        )
    except (CheckpointError, InputError) as err:
        print("error: " + " ".join(str(err).split()), file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    files = []
    for i, image in enumerate(drawing.images):
        path = args.out / f"sample-{i:03d}.png"
        Image.fromarray(image[0].numpy() * 255).save(path)
        files.append(path.name)
    digits, probs = judge.verdicts(trained.judge, drawing.images)
    line = {
        "n": args.n,
        "seed": args.seed,
        "temperature": args.temperature,
        "digit": args.digit,
        "files": files,
        "labels": digits.tolist(),
        "probabilities": [round(float(p), 4) for p in probs],
        "recognised": judge.recognisable(probs),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
