"""The shipped PixelCNN: a grid of 16 samples with the cached sampler against the plain one, and scoring one image."""

from __future__ import annotations

import torch

from benchmarks.harness import Row, interleaved_best, median_ms, time_calls
from engine.common.checkpoint import CheckpointError
from engine.density import explain
from engine.density.draw import draw
from engine.density.pixelcnn import NONE, PIXELS, SIDE, PixelCNN, any_digit
from engine.density.train import load

GRID = 16  # samples in the page's grid


@torch.inference_mode()
def plain_draw(model: PixelCNN, n: int, pixels: int, seed: int = 0) -> torch.Tensor:
    """The textbook sampler: the whole network over the whole image for each of the first `pixels` pixels."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, 1, SIDE, SIDE, dtype=torch.uint8)
    labels = any_digit(n)
    for i in range(pixels):
        r, c = divmod(i, SIDE)
        p = torch.sigmoid(model(x, labels)[:, 0, r, c])
        x[:, 0, r, c] = (torch.rand(n, generator=gen) < p).to(torch.uint8)
    return x


def run(quick: bool) -> list[Row]:
    try:
        trained, _ = load()
    except CheckpointError as err:
        return [Row("density_grid_s", 0.0, "skipped", note=str(err))]
    model = trained.pixelcnn
    drawing = draw(model, GRID, explain.TEMPERATURE, 0, NONE)
    if drawing.images.shape != (GRID, 1, SIDE, SIDE):  # the timed call draws what the note says
        raise RuntimeError(f"drew {tuple(drawing.images.shape)}")
    pixels = 28 if quick else 112  # the plain sampler is timed on the first rows and scaled to the image
    best = interleaved_best(
        {
            "cached": lambda: draw(model, GRID, explain.TEMPERATURE, 0, NONE),
            "plain": lambda: plain_draw(model, GRID, pixels),
        },
        1 if quick else 2,
    )
    plain = best["plain"] * PIXELS / pixels
    image = trained.test.images[0]
    scoring = median_ms(time_calls(lambda: explain.score(trained, image), 5 if quick else 20))
    return [
        Row(
            "density_grid_s",
            best["cached"],
            "s",
            plain,
            plain / best["cached"],
            f"{GRID} samples of {SIDE}x{SIDE}, every layer cached; baseline runs the whole network per pixel "
            f"(timed on {pixels} pixels, scaled to {PIXELS})",
        ),
        Row("density_score_ms", scoring, "ms", note="log p(x) of one 28x28 image: one forward pass and the baseline"),
    ]
