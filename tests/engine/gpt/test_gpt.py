"""The character GPT on a tiny random model: causality, cache, sampling filters, sliding windows."""

import hashlib
import math

import pytest
import torch
import torch.nn.functional as F

from engine.common.charvocab import CharVocab
from engine.common.inputs import InputError
from engine.gpt import model as gpt
from engine.gpt.data import START
from engine.gpt.sample import filter_probs, sample
from engine.gpt.score import batch_totals, rescore_batches, score_text, window_log_likelihoods
from engine.gpt.train import adapt, train_gpt

TEXT = "To be, or not to be, that is the question.\nWhether 'tis nobler in the mind to suffer\n"


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    vocab = CharVocab.from_text(TEXT)
    cfg = gpt.GPTConfig(n_layer=2, n_head=2, d_model=32, context=24)
    model = gpt.GPT(len(vocab), cfg).eval()
    with torch.no_grad():  # larger weights than the init, so that attention is not nearly uniform
        for p in model.parameters():
            p.mul_(4)
    return gpt.Trained(model.requires_grad_(False), vocab)


def test_changing_a_future_character_changes_no_earlier_probability(tiny):
    model, vocab = tiny.model, tiny.vocab
    a = vocab.encode(TEXT[:20])
    b = a.clone()
    b[12] = (b[12] + 3) % len(vocab)
    la, lb = model(a[None]).logits[0], model(b[None]).logits[0]
    assert torch.allclose(la[:12], lb[:12], atol=1e-6)
    assert not torch.allclose(la[12:], lb[12:], atol=1e-3)


def test_attention_weights_are_causal_distributions_and_match_the_fused_path(tiny):
    model, vocab = tiny.model, tiny.vocab
    ids = vocab.encode(TEXT[:16])[None]
    explained, fused = model(ids, need_weights=True), model(ids)
    assert torch.allclose(explained.logits, fused.logits, atol=1e-5)
    assert len(explained.attentions) == 2
    for weights in explained.attentions:
        assert weights.shape == (1, 2, 16, 16)
        assert torch.allclose(weights.sum(-1), torch.ones(1, 2, 16), atol=1e-6)
        assert float(weights.triu(1).abs().max()) == 0.0


def test_attention_equals_a_hand_computed_softmax(tiny):
    model, vocab = tiny.model, tiny.vocab
    ids = vocab.encode(TEXT[:10])[None]
    block = model.blocks[0]
    x = block.ln1(model.embed(ids) + model.position(torch.arange(10)))
    q, k, _ = block.attn.qkv(x).split(32, -1)
    q0, k0 = q[0, :, :16], k[0, :, :16]  # head 0
    scores = q0 @ k0.T / math.sqrt(16) + torch.full((10, 10), float("-inf")).triu(1)
    expected = torch.softmax(scores, -1)
    got = model(ids, need_weights=True).attentions[0][0, 0]
    assert torch.allclose(got, expected, atol=1e-5)


def test_cached_steps_give_the_same_logits_as_one_full_pass(tiny):
    model, vocab = tiny.model, tiny.vocab
    ids = vocab.encode(TEXT[:20])[None]
    full = model(ids).logits
    caches = model.new_caches()
    parts = [model(ids[:, :7], caches).logits] + [model(ids[:, t : t + 1], caches).logits for t in range(7, 20)]
    assert torch.allclose(torch.cat(parts, 1), full, atol=1e-5)


def test_cached_sampling_equals_uncached_for_the_same_seed_even_past_the_context(tiny):
    for seed in (0, 1, 7):
        cached = "".join(c for c, _ in sample(tiny, "To be", 60, 1.0, seed=seed))
        uncached = "".join(c for c, _ in sample(tiny, "To be", 60, 1.0, seed=seed, use_cache=False))
        assert cached == uncached
        assert len(cached) == 60
    assert len({"".join(c for c, _ in sample(tiny, "", 30, 1.5, seed=s)) for s in range(5)}) > 1


def test_top_k_one_is_greedy_decoding(tiny):
    model, vocab = tiny.model, tiny.vocab
    text = "".join(c for c, _ in sample(tiny, "The", 10, 1.0, top_k=1, seed=3))
    ids = vocab.encode(START + "The").tolist()
    for _ in range(10):
        logits = model(torch.tensor([ids])).logits[0, -1]
        logits[0] = float("-inf")
        ids.append(int(logits.argmax()))
    assert text == "".join(vocab.chars[i] for i in ids[4:])


def test_filtered_probabilities_sum_to_one_and_keep_the_right_head():
    torch.manual_seed(1)
    probs = torch.softmax(torch.randn(40) * 2, 0)
    ranked = sorted(range(40), key=lambda i: -float(probs[i]))
    for top_k, top_p in ((0, 1.0), (5, 1.0), (0, 0.5), (8, 0.7), (1, 0.9), (0, 0.05)):
        kept, cut = filter_probs(probs, top_k, top_p)
        assert abs(float(kept.sum()) - 1) < 1e-6
        head = ranked[:top_k] if top_k else ranked
        mass, expected = 0.0, []
        for i in head:  # by hand: add characters until the mass reaches top_p
            if mass >= top_p * float(probs[head].sum()) and expected:
                break
            expected.append(i)
            mass += float(probs[i])
        assert sorted(torch.nonzero(kept).flatten().tolist()) == sorted(expected)
        assert abs(cut - (1 - float(probs[expected].sum()))) < 1e-6


def test_sampling_never_draws_a_cut_character(tiny):
    for _, step in sample(tiny, "a", 40, 1.3, top_k=3, top_p=0.8, seed=5, record=True):
        assert step.sampled_from[step.chosen] > 0
        assert int((step.sampled_from > 0).sum()) <= 3
        assert step.chosen != 0  # the unknown stand-in is never written
        assert len(step.attention) == 2 and step.attention[0].shape == (2, len(step.context))


def test_sliding_window_equals_the_direct_likelihood_for_a_short_text(tiny):
    model, vocab = tiny.model, tiny.vocab
    ids = vocab.encode(START + TEXT[:20])
    direct = F.log_softmax(model(ids[None, :-1]).logits[0], -1).gather(-1, ids[1:, None]).squeeze(-1)
    assert torch.allclose(window_log_likelihoods(model, ids), direct, atol=1e-5)


def test_long_texts_condition_every_character_on_the_full_context_with_stride_one(tiny):
    model, vocab = tiny.model, tiny.vocab
    ids = vocab.encode(START + TEXT)
    got = window_log_likelihoods(model, ids, stride=1)
    for t in range(1, len(ids)):
        start = max(0, t - 24)  # the most the model can read: 24 ids before the target
        expected = F.log_softmax(model(ids[None, start:t]).logits[0, -1], -1)[ids[t]]
        assert abs(float(got[t - 1] - expected)) < 1e-5


def test_default_stride_gives_every_character_most_of_the_context(tiny):
    model, vocab = tiny.model, tiny.vocab
    ids = vocab.encode(START + TEXT * 2)
    exact, default = window_log_likelihoods(model, ids, 1), window_log_likelihoods(model, ids)
    assert default.shape == exact.shape and torch.isfinite(default).all()
    assert torch.allclose(default[:24], exact[:24], atol=1e-5)  # the first window is exact


def test_batches_of_windows_add_up_and_each_can_be_scored_again_alone(tiny):
    model, vocab = tiny.model, tiny.vocab
    ids = vocab.encode(START + TEXT * 6)
    lp = window_log_likelihoods(model, ids)
    totals = batch_totals(model, ids, lp, batch=4)
    assert len(totals) > 3 and math.fsum(totals) == pytest.approx(float(lp.double().sum()), abs=1e-4)
    which = [0, 2, len(totals) - 1]
    assert rescore_batches(model, ids, which, batch=4) == pytest.approx([totals[b] for b in which], abs=1e-4)


def test_score_totals_and_rates_agree(tiny):
    score = score_text(tiny, "To be or not\u00e9")
    ll = score.log_likelihoods.double()
    assert len(ll) == len(score.text)
    assert score.total_nats == pytest.approx(float(ll.sum()))
    assert score.bits_per_char == pytest.approx(float(-ll.mean() / math.log(2)))
    assert score.perplexity == pytest.approx(2**score.bits_per_char)
    assert score.known.tolist() == [True] * 12 + [False]
    with pytest.raises(InputError):
        score_text(tiny, "")


def _digest(model):
    return hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in model.parameters())).hexdigest()


def test_adapting_a_copy_learns_the_text_and_leaves_the_shared_model_alone(tiny):
    before = _digest(tiny.model)
    text = "abcabcabd " * 80
    adapted = adapt(tiny, text, steps=40, lr=3e-3, batch_size=8)
    assert _digest(tiny.model) == before
    assert adapted.trained.model is not tiny.model
    assert adapted.after_bpc < adapted.before_bpc
    assert sum(adapted.losses[-5:]) < sum(adapted.losses[:5])
    with pytest.raises(InputError, match="at least"):
        adapt(tiny, "too short", steps=2)


def test_a_few_training_steps_lower_the_held_out_loss():
    cfg = gpt.GPTConfig(n_layer=1, n_head=2, d_model=32, context=32, batch_size=8, max_steps=40, eval_every=20, lr=1e-2)
    trained, history = train_gpt(cfg)
    vocab = trained.vocab
    assert history["step"] == [20, 40]
    assert history["val_loss"][-1] < math.log(len(vocab)) - 0.5  # well below a uniform guess
    assert len(history["unigram_log_probs"]) == len(vocab)
    assert abs(sum(math.exp(x) for x in history["unigram_log_probs"]) - 1) < 1e-3
    assert {"a", "Z", ":", "\n"} <= set(vocab.chars)


def test_the_context_limit_is_enforced(tiny):
    model = tiny.model
    with pytest.raises(ValueError, match="exceed"):
        model(torch.zeros(1, 25, dtype=torch.long))
