"""The shipped GPT, its fine-tuned classifier and the density model meet the figures they report."""

import math

import pytest
import torch

from engine import density, gpt, gpt_finetune


@pytest.fixture(scope="module")
def shipped_gpt():
    return gpt.load_gpt()


def test_the_gpt_reaches_its_target_on_the_held_out_scenes(shipped_gpt):
    trained, meta = shipped_gpt
    metrics = gpt.evaluate_gpt(trained)  # recomputed here, every character of the test scenes
    assert metrics["nats_per_char"] <= 1.45
    assert metrics["bits_per_char"] == pytest.approx(meta["metrics"]["bits_per_char"], abs=2e-3)
    assert metrics["bits_per_char"] == pytest.approx(metrics["nats_per_char"] / math.log(2), abs=1e-3)
    assert metrics["unigram_bits_per_char"] > metrics["bits_per_char"] + 1.5


def test_gpt_samples_look_like_verse(shipped_gpt):
    trained, _ = shipped_gpt
    text = "".join(c for c, _ in gpt.sample(trained, "", 600, 0.7, seed=0))
    words = text.split()
    assert len(words) > 60
    assert sum(w.strip(".,;:!?'-").isalpha() for w in words) / len(words) > 0.8  # real-looking words
    lines = [len(line) for line in text.splitlines() if line.strip()]
    assert len(lines) >= 8 and sorted(lines)[len(lines) // 2] < 70  # short lines, as in a play's verse


def test_the_gpt_prefers_english_to_its_own_shuffle(shipped_gpt):
    trained, _ = shipped_gpt
    text = "I pray you, sir, what news from the king?"
    real = gpt.score_text(trained, text).bits_per_char
    shuffled = gpt.score_text(trained, "".join(sorted(text))).bits_per_char
    assert real < 3.0 < shuffled


def test_the_fine_tuned_classifier_meets_its_recorded_accuracy():
    trained, meta = gpt_finetune.load()
    metrics = gpt_finetune.evaluate(trained)
    assert metrics["accuracy"] == pytest.approx(meta["metrics"]["accuracy"], abs=1e-3)
    assert metrics["accuracy"] > 0.7
    history, cfg = meta["history"], meta["config"]
    sizes = len(cfg["sizes"].split(","))
    assert len(history["accuracy"]) == sizes * cfg["seeds"] * 2


def test_the_density_model_beats_the_independent_baseline_clearly():
    trained, meta = density.load()
    metrics = density.evaluate(trained)
    assert metrics["bits_per_dim"] == pytest.approx(meta["metrics"]["bits_per_dim"], abs=1e-3)
    assert metrics["bits_per_dim"] < metrics["baseline_bits_per_dim"] - 0.15
    x = density.load_levels()["test"][0]
    noise = torch.randint(0, 17, x.shape, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        digits_bpd = density.bits_per_dim(density.pixel_log_probs(trained.made, x))
        noise_bpd = density.bits_per_dim(density.pixel_log_probs(trained.made, noise))
    assert float(digits_bpd.max()) < float(noise_bpd.min())  # every test digit beats every noise image
