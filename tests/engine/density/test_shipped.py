"""The shipped density model meets the figures it reports."""

import pytest
import torch

from engine.common.metrics import bits_per_dim
from engine.density import model as density


def test_the_density_model_beats_the_independent_baseline_clearly():
    trained, meta = density.load()
    metrics = density.evaluate(trained)
    assert metrics["bits_per_dim"] == pytest.approx(meta["metrics"]["bits_per_dim"], abs=1e-3)
    assert metrics["bits_per_dim"] < metrics["baseline_bits_per_dim"] - 0.15
    x = density.load_levels()["test"][0]
    noise = torch.randint(0, 17, x.shape, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        digits_bpd = bits_per_dim(density.pixel_log_probs(trained.made, x))
        noise_bpd = bits_per_dim(density.pixel_log_probs(trained.made, noise))
    assert float(digits_bpd.max()) < float(noise_bpd.min())  # every test digit beats every noise image
