"""The shipped GPT and its fine-tuned classifier meet the figures they report."""

import math

import pytest

from engine.gpt import finetune as gpt_finetune
from engine.gpt.sample import sample
from engine.gpt.score import score_text
from engine.gpt.train import evaluate_gpt, load_gpt


@pytest.fixture(scope="module")
def shipped_gpt():
    return load_gpt()


def test_the_gpt_reaches_its_target_on_the_held_out_scenes(shipped_gpt):
    trained, meta = shipped_gpt
    metrics = evaluate_gpt(trained)  # recomputed here, every character of the test scenes
    assert metrics["nats_per_char"] <= 1.45
    assert metrics["bits_per_char"] == pytest.approx(meta["metrics"]["bits_per_char"], abs=2e-3)
    assert metrics["bits_per_char"] == pytest.approx(metrics["nats_per_char"] / math.log(2), abs=1e-3)
    assert metrics["unigram_bits_per_char"] > metrics["bits_per_char"] + 1.5


def test_gpt_samples_look_like_verse(shipped_gpt):
    trained, _ = shipped_gpt
    text = "".join(c for c, _ in sample(trained, "", 600, 0.7, seed=0))
    words = text.split()
    assert len(words) > 60
    assert sum(w.strip(".,;:!?'-").isalpha() for w in words) / len(words) > 0.8  # real-looking words
    lines = [len(line) for line in text.splitlines() if line.strip()]
    assert len(lines) >= 8 and sorted(lines)[len(lines) // 2] < 70  # short lines, as in a play's verse


def test_the_gpt_prefers_english_to_its_own_shuffle(shipped_gpt):
    trained, _ = shipped_gpt
    text = "I pray you, sir, what news from the king?"
    real = score_text(trained, text).bits_per_char
    shuffled = score_text(trained, "".join(sorted(text))).bits_per_char
    assert real < 3.0 < shuffled


def test_the_fine_tuned_classifier_meets_its_recorded_accuracy():
    trained, meta = gpt_finetune.load()
    metrics = gpt_finetune.evaluate(trained)
    assert metrics["accuracy"] == pytest.approx(meta["metrics"]["accuracy"], abs=1e-3)
    assert metrics["accuracy"] > 0.7
    history, cfg = meta["history"], meta["config"]
    sizes = len(cfg["sizes"].split(","))
    assert len(history["accuracy"]) == sizes * cfg["seeds"] * 2
