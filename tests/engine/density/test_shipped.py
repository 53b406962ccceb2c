"""The shipped density model meets the figures it reports."""

import pytest
import torch

from engine.common.metrics import bits_per_dim
from engine.density import explain, train
from engine.density.data import load_levels
from engine.density.model import pixel_log_probs


def test_the_density_model_beats_the_independent_baseline_clearly():
    trained, meta = train.load()
    metrics = explain.evaluate(trained)
    assert metrics["bits_per_dim"] == pytest.approx(meta["metrics"]["bits_per_dim"], abs=1e-3)
    assert metrics["bits_per_dim"] < metrics["baseline_bits_per_dim"] - 0.15
    x = load_levels()["test"].images
    noise = torch.randint(0, 17, x.shape, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        digits_bpd = bits_per_dim(pixel_log_probs(trained.made, x))
        noise_bpd = bits_per_dim(pixel_log_probs(trained.made, noise))
    assert float(digits_bpd.max()) < float(noise_bpd.min())  # every test digit beats every noise image


def test_the_representation_study_in_the_meta_is_what_the_probes_give_again():
    trained, meta = train.load()
    study = meta["history"]["representation"]
    again = train.probe_accuracies(trained.made, load_levels())
    assert again["probe_accuracy_features"] == pytest.approx(study["probe_accuracy_features"], abs=1e-4)
    assert again["probe_accuracy_pixels"] == pytest.approx(study["probe_accuracy_pixels"], abs=1e-4)
    assert study["map_labels"] == load_levels()["test"].labels.tolist()
