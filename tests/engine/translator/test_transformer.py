"""The Transformer against torch.nn.functional, its decoding against itself, BLEU against a hand count."""

import math

import pytest
import torch
import torch.nn.functional as F

from engine.common import metrics
from engine.common.inputs import InputError
from engine.translator import decode, gru
from engine.translator import transformer as tf
from engine.translator.data import bpe, ding
from engine.translator.data.batches import pad
from engine.translator.data.pairs import parse_pairs_tsv
from engine.translator.train import TRANSFORMER

SMALL = tf.TransformerConfig(vocab_size=50, d_model=32, n_head=4, d_ff=64, n_encoder=2, n_decoder=2, dropout=0.0)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return tf.Transformer(SMALL).eval()


def test_attention_matches_scaled_dot_product_attention():
    torch.manual_seed(1)
    attn = tf.MultiHeadAttention(SMALL).eval()
    x, memory = torch.randn(2, 5, 32), torch.randn(2, 7, 32)
    mask = torch.ones(2, 1, 1, 7, dtype=torch.bool)
    mask[1, ..., 5:] = False
    out, weights = attn(x, memory, mask)
    q, k, v = attn.split(attn.q(x)), attn.split(attn.k(memory)), attn.split(attn.v(memory))
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, attn.o(expected.transpose(1, 2).reshape(2, 5, 32)), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4, 5))
    assert weights[1, ..., 5:].abs().max() == 0


def test_every_attention_row_sums_to_one_and_the_decoder_is_causal(model):
    src, tgt = torch.randint(4, 50, (2, 6)), torch.randint(4, 50, (2, 5))
    enc = model.encode(src)
    dec = model.decode(tgt, enc)
    for weights in [*enc.attention, *dec.self_attention, *dec.cross_attention]:
        torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1]))
    for weights in dec.self_attention:
        assert torch.triu(weights, diagonal=1).abs().max() == 0
    # Changing a later target token changes no earlier output.
    changed = tgt.clone()
    changed[:, 3] = (changed[:, 3] + 1) % 50
    torch.testing.assert_close(model.decode(changed, enc).logits[:, :3], dec.logits[:, :3])


def test_initial_loss_is_about_ln_vocab(model):
    src, tgt = torch.randint(4, 50, (8, 6)), torch.randint(4, 50, (8, 6))
    logits = model(src, tgt[:, :-1]).logits
    loss = F.cross_entropy(logits.flatten(0, 1), tgt[:, 1:].flatten())
    # Tied embeddings of scale d^-0.5 give logits of about unit spread: loss near ln V (+ spread^2 / 2).
    assert 0.5 < logits.std().item() < 2.0
    assert math.log(50) - 0.2 < loss.item() < math.log(50) + logits.var().item() / 2 + 0.5


def test_overfits_one_batch():
    torch.manual_seed(0)
    model = tf.Transformer(SMALL)
    batch = [([5, 6, 7, 2], [8, 9, 2]), ([10, 11, 2], [12, 13, 14, 2])]
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(150):
        loss = TRANSFORMER.loss(model, batch, label_smoothing=0.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.05
    model.eval()
    assert decode.greedy_transformer(model, pad([s for s, _ in batch])) == [[8, 9, 2], [12, 13, 14, 2]]


def test_cached_decoding_equals_uncached(model):
    src = torch.randint(4, 50, (3, 7))
    assert decode.greedy_transformer(model, src, 12, use_cache=True) == decode.greedy_transformer(
        model, src, 12, use_cache=False
    )


def test_beam_width_one_equals_greedy(model):
    for seed in range(3):
        src = torch.randint(4, 50, (1, 6), generator=torch.Generator().manual_seed(seed))
        best = decode.beam_search(model, src, width=1, alpha=0.0, max_new=12)[0]
        assert best.tokens == decode.greedy_transformer(model, src, 12)[0]


def test_beam_scores_are_sums_of_log_probabilities(model):
    src = torch.randint(4, 50, (1, 6))
    for hyp in decode.beam_search(model, src, width=3, alpha=0.6, max_new=8):
        tgt = torch.tensor([[bpe.BOS, *hyp.tokens]])
        logp = F.log_softmax(model.decode(tgt[:, :-1], model.encode(src)).logits[0], -1)
        total = logp.gather(-1, tgt[0, 1:, None]).sum().item()
        assert hyp.log_prob == pytest.approx(total, abs=1e-4)
        assert hyp.score == pytest.approx(total / decode.length_penalty(len(hyp.tokens), 0.6), abs=1e-4)


def test_bleu_matches_a_hand_count():
    # 1- to 4-gram precisions 5/6, 4/5, 3/4, 2/3; equal lengths, so no brevity penalty.
    expected = 100 * (5 / 6 * 4 / 5 * 3 / 4 * 2 / 3) ** 0.25
    assert metrics.bleu(["a b c d e f"], ["a b c d e g"]) == pytest.approx(expected, abs=1e-6)
    assert metrics.bleu(["Das ist gut ."], ["Das ist gut ."]) == pytest.approx(100)


def test_sinusoids_by_hand():
    table = tf.sinusoids(10, 8)
    assert table[3, 0].item() == pytest.approx(math.sin(3))
    assert table[3, 1].item() == pytest.approx(math.cos(3))
    assert table[5, 2].item() == pytest.approx(math.sin(5 / 10000 ** (2 / 8)))


def test_gru_attention_is_a_distribution():
    torch.manual_seed(0)
    model = gru.GRUTranslator(gru.GRUConfig(vocab_size=50, d_embed=16, hidden=16)).eval()
    src = torch.tensor([[5, 6, 7, 2, 0, 0], [8, 9, 10, 11, 12, 2]])
    logits, attention = model(src, torch.tensor([[1, 4], [1, 5]]))
    assert logits.shape == (2, 2, 50)
    torch.testing.assert_close(attention.sum(-1), torch.ones(2, 2))
    assert attention[0, :, 4:].abs().max() == 0  # padding gets no attention


def test_bpe_round_trip():
    texts = ["The book is on the table.", "Das Buch ist auf dem Tisch, oder?"] * 20
    tokenizer = bpe.train_bpe(texts, 120)
    for text in ["The book is on the table.", "Das Buch ist auf dem Tisch, oder?"]:
        assert bpe.decode(tokenizer, bpe.encode(tokenizer, text, 64)) == text


def test_ding_cleaning():
    assert ding.clean("How many rooms does the flat/apartment have?") == "How many rooms does the flat have?"
    assert ding.clean("Aalsuppe {f} [cook.]") == "Aalsuppe"
    assert ding.clean("He really took the biscuit / the cake .") is None
    assert ding.clean("to remind sb. of sth.") is None
    assert ding.clean("Wait and see…") is None  # a Unicode ellipsis: cut short
    assert ding.clean("  ein  [ugs.]  Tag ;") == "ein Tag"
    for line in ("ausgehen (abends) {vi} :: to go  out (in the evening)", "ausgehen {vi} :: to go out (at night)"):
        assert ding._pairs_of_line(line) == [("go out", "ausgehen", "phrase")]
    assert ding._pairs_of_line("Abend (Tageszeit) {m} :: evening") == [("evening", "Abend", "phrase")]
    line = "Abfall verstreuen {vt} | Bitte verstreuen Sie keinen Abfall! :: to litter | Please do not litter!"
    assert ding._pairs_of_line(line) == [
        ("litter", "Abfall verstreuen", "phrase"),
        ("Please do not litter!", "Bitte verstreuen Sie keinen Abfall!", "sentence"),
    ]


@pytest.mark.parametrize(("text", "reason"), [("hello\n", "Line 1"), ("a\tb\n\tc\n", "Line 2"), ("\n", "no sentence")])
def test_pairs_tsv_errors(text, reason):
    with pytest.raises(InputError, match=reason):
        parse_pairs_tsv(text)
