"""The shared word-RNN loop, the one base config, and save/load round trips through engine.common.checkpoint."""

from dataclasses import asdict, fields

import pytest
import torch

from engine.common.charvocab import CharVocab
from engine.rnn import charlm, sentiment, tagger
from engine.rnn.text import UPOS
from engine.rnn.train import WordRNNConfig, train_word_rnn

DET, NOUN, VERB = (UPOS.index(t) for t in ("DET", "NOUN", "VERB"))
NOUNS, VERBS = ["cat", "dog", "bird", "fox"], ["runs", "sleeps", "sings", "waits"]
ITEMS = [(["the", n, v], [DET, NOUN, VERB]) for n in NOUNS for v in VERBS]
SMALL = tagger.TaggerConfig(d_word=8, d_suffix=4, hidden=16, min_count=1, epochs=4, batch_size=4, lr=3e-2)


@pytest.fixture(scope="module")
def trained():
    return train_word_rnn(SMALL, ITEMS, ITEMS, len(UPOS), tagger._loss, tagger.accuracy)


def test_both_configs_share_one_base_and_keep_their_shipped_defaults():
    for config, module in ((tagger.TaggerConfig, tagger), (sentiment.SentimentConfig, sentiment)):
        assert issubclass(config, WordRNNConfig)
        assert {f.name for f in fields(WordRNNConfig)} <= {f.name for f in fields(config)}
        _, meta = module.load()
        assert asdict(config()) == meta["config"]  # the shipped checkpoints were trained with the defaults


def test_loop_records_the_saved_history_format_and_keeps_the_best_epoch(trained):
    model, history = trained
    assert list(history) == ["epoch", "train_loss", "val_metric", "seconds"]
    assert history["epoch"] == [1, 2, 3, 4]
    assert history["seconds"] == sorted(history["seconds"])
    best = max(history["val_metric"])
    assert round(tagger.accuracy(model.model, model.encoder, ITEMS), 5) == best
    assert best == 1.0  # 16 three-word sentences of one pattern are learnt in four epochs


def test_tagger_round_trip(trained, tmp_path):
    model, history = trained
    path = tagger.save(model, SMALL, history, {"accuracy": 1.0}, tmp_path / "t.safetensors")
    loaded, meta = tagger.load(path)
    assert meta["name"] == "tagger" and meta["tags"] == UPOS and meta["history"] == history
    assert loaded.meta is meta and not any(p.requires_grad for p in loaded.model.parameters())
    words = ["the", "fox", "waits"]
    before, after = tagger.tag(model, words), tagger.tag(loaded, words)
    assert [t for _, t, _ in after] == [t for _, t, _ in before] == ["DET", "NOUN", "VERB"]
    assert [p for _, _, p in after] == pytest.approx([p for _, _, p in before])


def test_char_rnn_round_trip(tmp_path):
    torch.manual_seed(0)
    vocab = CharVocab.from_text("hello world")
    cfg = charlm.CharRNNConfig(d_embed=4, hidden=8)
    original = charlm.CharTrained(charlm.CharRNN(len(vocab), cfg).eval(), vocab)
    path = charlm.save_char_rnn(original, cfg, {"step": [1]}, {"bits_per_char": 3.0}, tmp_path / "c.safetensors")
    loaded, meta = charlm.load_char_rnn(path)
    assert meta["name"] == "char_rnn" and loaded.vocab == vocab
    torch.testing.assert_close(charlm.char_rnn_next_probs(loaded, "hell"), charlm.char_rnn_next_probs(original, "hell"))


def test_markov_round_trip(tmp_path):
    vocab = CharVocab.from_text("abracadabra")
    model = charlm.BigramModel(vocab, charlm.bigram_counts(vocab.encode("abracadabra"), len(vocab)), 0.1)
    path = charlm.save_markov(model, charlm.MarkovConfig(), {"k": [0.1]}, {}, tmp_path / "m.safetensors")
    loaded, meta = charlm.load_markov(path)
    assert meta["name"] == "markov" and loaded.k == 0.1
    torch.testing.assert_close(loaded.log_probs, model.log_probs)
