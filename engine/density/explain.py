"""What the density page shows, as numbers and tidy frames: scores of images, per-pixel surprise, the study."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from engine.common.inputs import InputError, load_image
from engine.common.metrics import bits_per_dim
from engine.density.data import Prepared, load_levels, prepare
from engine.density.model import LEVELS, PIXELS, SIDE, Trained, pixel_log_probs

DIGITS, NOISE = "test digits", "uniform noise"  # the groups of reference_scores
PROBE_INPUTS = {"features": "the model's hidden features", "pixels": "raw pixels"}


def noise_images(n: int, seed: int) -> torch.Tensor:
    """(n, 64) images whose every pixel is a uniformly random level."""
    return torch.randint(0, LEVELS, (n, PIXELS), generator=torch.Generator().manual_seed(seed))


def reference_scores(trained: Trained, digits: torch.Tensor) -> pd.DataFrame:
    """Columns group, bits per dim, baseline bits per dim: every test digit and as many noise images."""
    rows = []
    for group, data in ((DIGITS, digits), (NOISE, noise_images(len(digits), 0))):
        with torch.inference_mode():
            made = bits_per_dim(pixel_log_probs(trained.made, data))
        base = bits_per_dim(trained.baseline.pixel_log_probs(data))
        rows.append(pd.DataFrame({"group": group, "bits per dim": made.numpy(), "baseline bits per dim": base.numpy()}))
    return pd.concat(rows, ignore_index=True)


@dataclass(frozen=True)
class Score:
    """One image under both models: (64,) natural-log probabilities of its pixels."""

    levels: torch.Tensor  # (64,) the image scored
    log_probs: torch.Tensor  # (64,) log p(x_i | x_<i) under the MADE
    baseline_log_probs: torch.Tensor  # (64,) log p(x_i) under the independent baseline

    @property
    def log_p(self) -> float:
        """log p(x) in nats."""
        return float(self.log_probs.sum())

    @property
    def bits_per_dim(self) -> float:
        return float(bits_per_dim(self.log_probs))

    @property
    def baseline_bits_per_dim(self) -> float:
        return float(bits_per_dim(self.baseline_log_probs))


def score(trained: Trained, levels: torch.Tensor) -> Score:
    """One forward pass of each model over a (64,) image."""
    with torch.inference_mode():
        lp = pixel_log_probs(trained.made, levels[None])[0]
    return Score(levels, lp, trained.baseline.pixel_log_probs(levels[None])[0])


def pixel_table(scored: Score) -> pd.DataFrame:
    """Columns pixel, row, column, level, nll_bits, baseline_nll_bits: the cost of every pixel."""
    return pd.DataFrame(
        {
            "pixel": range(PIXELS),
            "row": np.arange(PIXELS) // SIDE,
            "column": np.arange(PIXELS) % SIDE,
            "level": scored.levels.numpy(),
            "nll_bits": (-scored.log_probs / math.log(2)).numpy(),
            "baseline_nll_bits": (-scored.baseline_log_probs / math.log(2)).numpy(),
        }
    )


def share_beaten(reference: pd.DataFrame, bpd: float) -> float:
    """The fraction of test digits that cost more bits per dimension than `bpd`."""
    return float((reference[reference["group"] == DIGITS]["bits per dim"] > bpd).mean())


def median_digit(reference: pd.DataFrame) -> float:
    """The median bits per dimension of the test digits."""
    return float(reference[reference["group"] == DIGITS]["bits per dim"].median())


def samples_table(images: torch.Tensor) -> pd.DataFrame:
    """One row per sample, columns p0..p63: the grey level of each pixel."""
    return pd.DataFrame(images.numpy(), columns=[f"p{i}" for i in range(PIXELS)])


def feature_table(study: dict) -> pd.DataFrame:
    """Columns x, y, digit: the test digits' t-SNE map recorded at training time."""
    return pd.DataFrame({"x": study["map_x"], "y": study["map_y"], "digit": [str(d) for d in study["map_labels"]]})


def probe_table(study: dict) -> pd.DataFrame:
    """Columns input, accuracy: the two linear probes recorded at training time."""
    return pd.DataFrame(
        {"input": list(PROBE_INPUTS.values()), "accuracy": [study[f"probe_accuracy_{k}"] for k in PROBE_INPUTS]}
    )


def image_bits_per_dim(trained: Trained, data: bytes) -> tuple[Prepared, torch.Tensor]:
    """Validated image bytes -> the preprocessing and (64,) per-pixel log-probabilities."""
    prepared = prepare(load_image(data))
    with torch.inference_mode():
        return prepared, pixel_log_probs(trained.made, prepared.levels[None])[0]


def held_out_scores(trained: Trained) -> dict:
    """Mean test bits per dimension of both models."""
    x = load_levels()["test"].images
    with torch.inference_mode():
        made = bits_per_dim(pixel_log_probs(trained.made, x))
    base = bits_per_dim(trained.baseline.pixel_log_probs(x))
    return {
        "bits_per_dim": round(float(made.mean()), 4),
        "baseline_bits_per_dim": round(float(base.mean()), 4),
        "n": len(x),
    }


def evaluate(trained: Trained, data: bytes | dict[str, bytes] | None = None) -> dict:
    """Test bits per dimension of both models, or per image for an image file or a folder's files."""
    if data is None:
        return held_out_scores(trained)
    files = data if isinstance(data, dict) else {"image": data}
    rows = []
    for name, content in files.items():
        try:
            _, lp = image_bits_per_dim(trained, content)
            rows.append({"name": name, "bits_per_dim": round(float(bits_per_dim(lp)), 4)})
        except InputError as err:
            if not isinstance(data, dict):
                raise
            rows.append({"name": name, "error": str(err)})
    if not any("bits_per_dim" in r for r in rows):
        raise InputError("No file in the folder is a readable image.")
    return {"images": rows, "n": len(rows)}
