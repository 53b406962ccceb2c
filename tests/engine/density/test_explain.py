"""The density page's numbers and frames, against direct forward passes and hand counts."""

import math

import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from engine.density import explain
from engine.density.data import load_levels
from engine.density.model import MADE, DensityConfig, PixelHistogram, Trained


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(1)
    made = MADE(DensityConfig(hidden=48, layers=1, dropout=0.0))
    counts = torch.randint(0, 50, (64, 17)).double()
    return Trained(made, PixelHistogram(counts, 0.5)).eval().requires_grad_(False)


def test_an_images_score_and_pixel_table_are_a_direct_forward_pass(trained):
    x = load_levels()["test"].images[3]
    scored = explain.score(trained, x)
    direct = F.log_softmax(trained.made(x[None]), -1)[0, torch.arange(64), x]
    smoothed = trained.baseline.counts + 0.5
    independent = torch.log(smoothed[torch.arange(64), x] / smoothed.sum(-1))
    assert scored.log_p == pytest.approx(float(direct.sum()), abs=1e-4)
    assert scored.bits_per_dim == pytest.approx(float(-direct.sum() / (64 * math.log(2))), abs=1e-5)
    assert scored.baseline_bits_per_dim == pytest.approx(float(-independent.sum() / (64 * math.log(2))), abs=1e-6)
    table = explain.pixel_table(scored)
    assert list(table.columns) == ["pixel", "row", "column", "level", "nll_bits", "baseline_nll_bits"]
    assert table.loc[19, "row"] == 2 and table.loc[19, "column"] == 3 and table.loc[19, "level"] == int(x[19])
    assert table["nll_bits"].to_numpy() == pytest.approx((-direct / math.log(2)).numpy(), abs=1e-5)
    assert table["baseline_nll_bits"].to_numpy() == pytest.approx((-independent / math.log(2)).numpy(), abs=1e-6)


def test_reference_scores_hold_every_digit_and_as_many_noise_images(trained):
    digits = load_levels()["test"].images[:30]
    frame = explain.reference_scores(trained, digits)
    assert frame["group"].value_counts().to_dict() == {explain.DIGITS: 30, explain.NOISE: 30}
    first = F.log_softmax(trained.made(digits[:1]), -1)[0, torch.arange(64), digits[0]].sum()
    assert frame.loc[0, "bits per dim"] == pytest.approx(float(-first / (64 * math.log(2))), abs=1e-5)
    noise = explain.noise_images(30, 0)
    assert int(noise.min()) >= 0 and int(noise.max()) <= 16 and not torch.equal(noise, explain.noise_images(30, 1))


def test_the_share_of_digits_beaten_and_their_median_are_hand_counts():
    reference = pd.DataFrame(
        {"group": [explain.DIGITS] * 4 + [explain.NOISE], "bits per dim": [1.0, 2.0, 3.0, 4.0, 0.1]}
    )
    assert explain.share_beaten(reference, 2.5) == 0.5  # 3.0 and 4.0 cost more; the noise row is not a digit
    assert explain.median_digit(reference) == 2.5


def test_the_frames_of_samples_and_of_the_study_keep_every_number():
    images = torch.arange(128).view(2, 64) % 17
    table = explain.samples_table(images)
    assert list(table.columns) == [f"p{i}" for i in range(64)] and table.to_numpy().tolist() == images.tolist()
    study = {
        "map_x": [0.5, 1.5],
        "map_y": [2.0, -1.0],
        "map_labels": [3, 7],
        "probe_accuracy_features": 0.8,
        "probe_accuracy_pixels": 0.9,
    }
    assert explain.feature_table(study).to_dict("list") == {"x": [0.5, 1.5], "y": [2.0, -1.0], "digit": ["3", "7"]}
    assert explain.probe_table(study).to_dict("list") == {
        "input": ["the model's hidden features", "raw pixels"],
        "accuracy": [0.8, 0.9],
    }
