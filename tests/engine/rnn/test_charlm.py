"""The bigram Markov model and the character RNN: probabilities, likelihoods and shipped quality."""

import math

import pytest
import torch
import torch.nn.functional as F

from engine.common import corpora
from engine.common.charvocab import CharVocab
from engine.common.metrics import bits_per_char
from engine.rnn import charlm
from engine.rnn.charlm import CharRNN, CharRNNConfig


def test_bigram_rows_are_distributions_and_match_counts_by_hand():
    vocab = CharVocab.from_text("abba")
    ids = vocab.encode("abba")
    counts = charlm.bigram_counts(ids, len(vocab))
    model = charlm.BigramModel(vocab, counts, k=0.5)
    torch.testing.assert_close(model.log_probs.exp().sum(1), torch.ones(len(vocab), dtype=torch.float64))
    a, b = vocab.chars.index("a"), vocab.chars.index("b")
    # "abba": after a comes b once; after b come b and a once each; V = 3 with UNKNOWN
    assert model.log_probs[a, b].exp().item() == pytest.approx((1 + 0.5) / (1 + 1.5))
    assert model.log_probs[b, b].exp().item() == pytest.approx((1 + 0.5) / (2 + 1.5))
    expected = -(math.log2(1.5 / 2.5) + math.log2(1.5 / 3.5) + math.log2(1.5 / 3.5)) / 3
    assert bits_per_char(model.log_likelihoods(ids)) == pytest.approx(expected)


def test_markov_sees_only_the_last_character(markov):
    model, _ = markov
    torch.testing.assert_close(model.next_char_probs("To be or not to b"), model.next_char_probs("xyzb"))


def test_char_rnn_depends_on_more_than_the_last_character(char_rnn):
    trained, _ = char_rnn
    assert not torch.allclose(
        charlm.char_rnn_next_probs(trained, "To be or not to b"), charlm.char_rnn_next_probs(trained, "xyzb")
    )


def test_shipped_models_meet_their_recorded_bits_per_char(markov, char_rnn):
    for (model, meta), evaluate in ((markov, charlm.evaluate_markov), (char_rnn, charlm.evaluate_char_rnn)):
        measured = evaluate(model)
        assert measured["bits_per_char"] == pytest.approx(meta["metrics"]["bits_per_char"], abs=1e-3)
    assert char_rnn[1]["metrics"]["bits_per_char"] < markov[1]["metrics"]["bits_per_char"] - 0.8


def test_streamed_likelihood_equals_one_pass(char_rnn):
    model, vocab = char_rnn[0].model, char_rnn[0].vocab
    ids = vocab.encode(corpora.shakespeare_text("test")[:700])
    logits, _ = model(ids[:-1].unsqueeze(0))
    direct = F.log_softmax(logits[0], -1).gather(-1, ids[1:, None]).squeeze(-1)
    streamed = charlm.char_rnn_log_likelihoods(model, ids, streams=1, chunk=64)
    torch.testing.assert_close(streamed, direct, atol=1e-5, rtol=1e-5)


def test_evaluate_on_user_text(markov, char_rnn, tmp_path):
    text = "Now is the winter of our discontent\nMade glorious summer by this sun of York;\n" * 3
    for (model, _), evaluate in ((markov, charlm.evaluate_markov), (char_rnn, charlm.evaluate_char_rnn)):
        result = evaluate(model, text.encode())
        assert 0.5 < result["bits_per_char"] < 6 and result["n_chars"] > 100


def test_char_rnn_overfits_a_short_text():
    torch.manual_seed(0)
    vocab = CharVocab.from_text("hello world ")
    model = CharRNN(len(vocab), CharRNNConfig(hidden=32, d_embed=8))
    ids = vocab.encode("hello world " * 4).unsqueeze(0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(150):
        logits, _ = model(ids[:, :-1])
        loss = F.cross_entropy(logits[0], ids[0, 1:])
        first = first or loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert first == pytest.approx(math.log(len(vocab)), abs=0.5)
    assert loss.item() < 0.2


def test_markdown_to_plain_keeps_speech_and_drops_markup():
    md = "# Play\n\n## SCENE I. A heath.\n\n_Thunder. Enter Witches_\n\n**First Witch**  \nWhen shall we meet?  \n"
    ((title, text),) = corpora.markdown_to_plain(md)
    assert title == "SCENE I. A heath."
    assert text == "Thunder. Enter Witches\n\nFIRST WITCH:\nWhen shall we meet?\n"
