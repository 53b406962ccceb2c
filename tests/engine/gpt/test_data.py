"""The GPT's pre-training text: no sentence the sentiment classifier is tested on is ever read."""

import torch

from engine.common import corpora
from engine.common.charvocab import CharVocab
from engine.gpt import data


def test_pretraining_never_reads_a_sentiment_test_sentence():
    shakespeare, modern = data.pretraining_text(0.35)
    assert modern == data.modern_text("train") and modern
    tested = [s for s, _ in corpora.movie_review_split("test")]
    assert len(tested) > 1000
    lines = set(modern.splitlines())
    assert not lines & set(tested)
    assert not [s for s in tested if s in modern or s in shakespeare]  # not even inside a longer line
    assert data.pretraining_text(0.0)[1] == ""


def test_windows_are_runs_of_the_ids_one_longer_than_asked():
    ids = torch.arange(100)
    batch = data.windows(ids, 5, 8, torch.Generator().manual_seed(0))
    assert batch.shape == (5, 9)
    assert torch.equal(batch[:, 1:] - batch[:, :-1], torch.ones(5, 8, dtype=torch.long))  # consecutive ids


def test_unigram_probabilities_are_add_one_counts():
    vocab = CharVocab.from_text("aab")
    probs = data.unigram_log_probs(vocab, "aab").exp()
    counts = {c: "aab".count(c) + 1 for c in vocab.chars}  # by hand: add one to every character's count
    total = sum(counts.values())
    assert torch.allclose(probs, torch.tensor([counts[c] / total for c in vocab.chars]), atol=1e-6)
