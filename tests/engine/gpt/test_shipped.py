"""The shipped GPT and its fine-tuned classifier meet the figures they report."""

import math
import random

import pytest

from engine.common import corpora
from engine.gpt import finetune as gpt_finetune
from engine.gpt.data import START
from engine.gpt.sample import sample
from engine.gpt.score import rescore_batches, score_text
from engine.gpt.train import load_gpt


@pytest.fixture(scope="module")
def shipped_gpt():
    return load_gpt()


def test_the_gpt_reaches_its_target_on_the_held_out_scenes(shipped_gpt):
    """The recorded total of every batch of scoring windows adds up to the figure; 14 batches are scored again."""
    trained, meta = shipped_gpt
    recorded = meta["metrics"]
    ids = trained.vocab.encode(START + corpora.shakespeare_text("test"))
    totals = recorded["batch_nats"]
    assert len(ids) - 1 == recorded["n_chars"]
    nats = -math.fsum(totals) / recorded["n_chars"]
    assert nats <= 1.45
    assert nats == pytest.approx(recorded["nats_per_char"], abs=2e-4)
    assert recorded["bits_per_char"] == pytest.approx(nats / math.log(2), abs=2e-4)
    which = [0, len(totals) - 1, *sorted(random.Random(0).sample(range(1, len(totals) - 1), 12))]
    again = rescore_batches(trained.model, ids, which)  # direct forward passes over those windows
    assert again == pytest.approx([totals[b] for b in which], abs=2e-3)
    assert recorded["unigram_bits_per_char"] > recorded["bits_per_char"] + 1.5


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
    sizes = len(cfg["sizes"].split(","))  # every size but "all" has `seeds` rows of each of the four ways
    assert len(history["accuracy"]) == (sizes - 1) * cfg["seeds"] * 4 + 4
