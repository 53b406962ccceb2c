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


@pytest.fixture(scope="module")
def markov():
    return charlm.load_markov()[0]


def counted_by(markov) -> set[str]:
    """The characters the bigram counted any pair after, from its raw counts."""
    return {c for c, row in zip(markov.vocab.chars, markov.counts, strict=True) if float(row.sum()) > 0}


def gpt_share(trained, meta, char: str) -> float:
    return math.exp(meta["history"]["unigram_log_probs"][trained.vocab.chars.index(char)])


def forward_log_probs(trained, text: str) -> torch.Tensor:
    """A direct forward pass: natural-log p of each character of a text shorter than the context."""
    ids = trained.vocab.encode(START + text)
    with torch.inference_mode():
        logits = trained.model(ids[None, :-1]).logits[0]
    return F.log_softmax(logits.double(), -1).gather(-1, ids[1:, None]).squeeze(-1)


def test_rare_characters_are_the_ones_neither_model_saw_much(shipped, markov):
    trained, meta = shipped.trained, shipped.meta
    index = {c: i for i, c in enumerate(markov.vocab.chars)}
    # é and — are both under RARE for the GPT, but the bigram counted 61 pairs after a dash and none after é.
    assert gpt_share(trained, meta, "é") < explain.RARE and gpt_share(trained, meta, "—") < explain.RARE
    assert "é" not in index and float(markov.counts[index["—"]].sum()) == 61
    rare = explain.rare_characters(trained, meta, "a나é—", counted_by(markov)).tolist()
    assert rare == [False, True, True, False]


def test_on_korean_the_bigram_wins_because_its_row_after_an_unseen_character_is_uniform(shipped, markov):
    trained, meta = shipped.trained, shipped.meta
    bigram = markov.log_likelihoods(markov.vocab.encode(START + KOREAN))
    gpt = forward_log_probs(trained, KOREAN)
    win = explain.why_bigram_wins(explain.rare_characters(trained, meta, KOREAN, counted_by(markov)), bigram, gpt)
    assert win is not None
    hangul = torch.tensor([c != " " for c in KOREAN])
    assert win.rare == int(hangul.sum()) == 7
    assert win.gpt_rare_bits == pytest.approx(float(-gpt[hangul].mean() / LN2), abs=1e-4)
    # The bigram never counted the stand-in symbol: add-k over an empty row is 1/V for every next character.
    assert float(markov.counts[0].sum()) == 0
    assert win.bigram_after_bits == pytest.approx(math.log2(len(markov.vocab)), abs=1e-6)
    assert win.bigram_bits_per_char < win.gpt_bits_per_char


ACCENTS = "ééééé the end"  # readable: é is in the GPT's vocabulary, and only the bigram's stand-in
DASHES = "the end —— ——— —— ———— ——"  # readable, and the bigram beats the GPT on it


def test_accents_the_bigram_never_counted_explain_its_win(shipped, markov):
    trained, meta = shipped.trained, shipped.meta
    bigram = markov.log_likelihoods(markov.vocab.encode(START + ACCENTS))
    gpt = forward_log_probs(trained, ACCENTS)
    win = explain.why_bigram_wins(explain.rare_characters(trained, meta, ACCENTS, counted_by(markov)), bigram, gpt)
    assert win is not None and win.rare == ACCENTS.count("é") == 5
    accents = torch.tensor([c == "é" for c in ACCENTS])
    assert win.gpt_rare_bits == pytest.approx(float(-gpt[accents].mean() / LN2), abs=1e-4)
    assert win.bigram_after_bits == pytest.approx(math.log2(len(markov.vocab)), abs=1e-6)  # its empty row


def test_dashes_the_bigram_counted_get_no_no_counts_account(shipped, markov):
    trained, meta = shipped.trained, shipped.meta
    bigram = markov.log_likelihoods(markov.vocab.encode(START + DASHES))
    gpt = forward_log_probs(trained, DASHES)
    assert float(bigram.mean()) > float(gpt.mean())  # the bigram does win (fewer bits), but not by an empty row
    rare = explain.rare_characters(trained, meta, DASHES, counted_by(markov))
    assert not rare.any()
    assert explain.why_bigram_wins(rare, bigram, gpt) is None


def test_on_english_there_is_nothing_to_explain(shipped, markov):
    trained, meta = shipped.trained, shipped.meta
    text = "The quick brown fox jumps over the lazy dog."
    bigram = markov.log_likelihoods(markov.vocab.encode(START + text))
    gpt = explain.score_text(trained, text).log_likelihoods
    rare = explain.rare_characters(trained, meta, text, counted_by(markov))
    assert explain.why_bigram_wins(rare, bigram, gpt) is None


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
