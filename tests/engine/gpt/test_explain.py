"""What the GPT page says about text its models cannot read: the script check, rare characters, and why the
bigram can beat the GPT on them."""

import math

import pytest
import torch
import torch.nn.functional as F

from engine.gpt import explain
from engine.gpt.data import START
from engine.gpt.train import load_gpt
from engine.rnn import charlm

KOREAN = "나는 학교에 간다"
LN2 = math.log(2)


def nats(bits: list[float]) -> torch.Tensor:
    """Natural-log probabilities from surprisals in bits."""
    return -torch.tensor(bits, dtype=torch.float64) * LN2


@pytest.fixture(scope="module")
def shipped():
    return load_gpt()


def test_rare_characters_win_for_the_bigram_by_its_flat_row_after_them():
    rare = torch.tensor([False, True, True, False])
    bigram = nats([2.0, 20.0, 6.0, 6.0])  # 8.5 bits/char: the run of rare characters is cheap after its first
    gpt = nats([1.0, 22.0, 22.0, 3.0])  # 12 bits/char: every rare character costs 22 bits
    win = explain.why_bigram_wins(rare, bigram, gpt)
    assert win == explain.RareWin(
        rare=2, gpt_rare_bits=pytest.approx(22.0), bigram_after_bits=pytest.approx(6.0),
        bigram_bits_per_char=pytest.approx(8.5), gpt_bits_per_char=pytest.approx(12.0),
    )  # fmt: skip


def test_no_account_when_the_gpt_wins_or_the_bigram_wins_on_ordinary_characters_too():
    rare = torch.tensor([False, True, True, False])
    assert explain.why_bigram_wins(rare, nats([2.0, 20.0, 6.0, 6.0]), nats([1.0, 9.0, 9.0, 3.0])) is None
    assert explain.why_bigram_wins(rare, nats([1.0, 20.0, 6.0, 6.0]), nats([2.0, 22.0, 22.0, 3.0])) is None
    no_rare = torch.zeros(4, dtype=torch.bool)
    assert explain.why_bigram_wins(no_rare, nats([1.0] * 4), nats([2.0] * 4)) is None


def test_rare_characters_are_the_unseen_and_the_barely_seen(shipped):
    trained, meta = shipped.trained, shipped.meta
    text = "a나é"
    rare = explain.rare_characters(trained, meta, text).tolist()
    unigram = meta["history"]["unigram_log_probs"]
    share = math.exp(unigram[trained.vocab.chars.index("é")])
    assert share < explain.RARE  # é is in the vocabulary, seen in under 1 in 100,000 characters
    assert rare == [False, True, True]


def test_on_korean_the_bigram_wins_because_its_row_after_an_unseen_character_is_uniform(shipped):
    trained, meta = shipped.trained, shipped.meta
    markov, _ = charlm.load_markov()
    ids = markov.vocab.encode(START + KOREAN)
    bigram = markov.log_likelihoods(ids)
    gpt_ids = trained.vocab.encode(START + KOREAN)
    with torch.inference_mode():  # a direct forward pass: the text is shorter than the context
        logits = trained.model(gpt_ids[None, :-1]).logits[0]
    gpt = F.log_softmax(logits.double(), -1).gather(-1, gpt_ids[1:, None]).squeeze(-1)
    win = explain.why_bigram_wins(explain.rare_characters(trained, meta, KOREAN), bigram, gpt)
    assert win is not None
    hangul = torch.tensor([c != " " for c in KOREAN])
    assert win.rare == int(hangul.sum()) == 7
    assert win.gpt_rare_bits == pytest.approx(float(-gpt[hangul].mean() / LN2), abs=1e-4)
    # The bigram never counted the stand-in symbol: add-k over an empty row is 1/V for every next character.
    assert float(markov.counts[0].sum()) == 0
    assert win.bigram_after_bits == pytest.approx(math.log2(len(markov.vocab)), abs=1e-6)
    assert win.bigram_bits_per_char < win.gpt_bits_per_char


def test_on_english_there_is_nothing_to_explain(shipped):
    trained, meta = shipped.trained, shipped.meta
    markov, _ = charlm.load_markov()
    text = "The quick brown fox jumps over the lazy dog."
    bigram = markov.log_likelihoods(markov.vocab.encode(START + text))
    gpt = explain.score_text(trained, text).log_likelihoods
    assert explain.why_bigram_wins(explain.rare_characters(trained, meta, text), bigram, gpt) is None


@pytest.mark.parametrize(
    ("text", "units", "foreign", "script"),
    [
        (KOREAN, 7, 7, "Hangul"),  # spaces count neither way
        ("你好世界", 4, 4, "Han"),
        ("😀😀😀 hi", 5, 3, "emoji"),
        ("My friend 김민준 said hi", 17, 3, "Hangul"),  # a foreign name: most of it is still readable
        ("A café in the Straße", 16, 1, "Latin"),  # é is in the vocabulary, ß is not
        ("To be, or not to be.", 13, 0, None),
    ],
)
def test_the_script_check_counts_letters_outside_the_vocabulary(shipped, text, units, foreign, script):
    report = explain.script_report(shipped.trained, text)
    assert (report.units, report.foreign, report.script) == (units, foreign, script)
    assert report.unreadable == (2 * foreign > units)
