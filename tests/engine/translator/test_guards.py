"""Beam-search guards on a scripted model whose next-token distribution is a table we write by hand."""

import math

import pytest
import torch

from engine.translator import decode
from engine.translator.data import bpe
from engine.translator.guards import Guards, coverage_penalty, min_length, refuses, words_of
from engine.translator.transformer import DecoderOutput, EncoderOutput

PIECES = ["<pad>", "<s>", "</s>", "<unk>", "<ev>", "▁Die", "▁Tür", "▁ist", "▁offen", ".", "▁bitte", "▁billig", "er"]
ID = {p: i for i, p in enumerate(PIECES)}


class Scripted:
    """next-token probabilities given the last token (a bigram table); cross-attention given the last token."""

    def __init__(self, table: dict[str, dict[str, float]], attention: dict[str, list[float]] | None = None):
        self.table, self.attention = table, attention or {}

    def encode(self, src):
        return EncoderOutput(torch.zeros(1, src.shape[1], 4), torch.ones(1, 1, 1, src.shape[1], dtype=torch.bool))

    def new_cache(self):
        return []

    def decode(self, last, enc, cache=None, offset=0):
        logits = torch.full((last.shape[0], 1, len(PIECES)), -30.0)
        cross = torch.zeros(last.shape[0], 1, 1, enc.memory.shape[1])
        for row, token in enumerate(last[:, 0].tolist()):
            for piece, p in self.table.get(PIECES[token], {"</s>": 1.0}).items():
                logits[row, 0, ID[piece]] = math.log(p)
            cross[row, 0, 0] = torch.tensor(self.attention.get(PIECES[token], [1.0] + [0.0] * (cross.shape[-1] - 1)))
        return DecoderOutput(logits, [], [cross])


def run(model, guards=None, src=("<ev>", "▁Die", "▁Tür", "</s>"), width=2, max_new=8):
    ids = torch.tensor([[ID[p] for p in src]])
    best = decode.beam_search(model, ids, width, 0.0, max_new, guards=guards or Guards(), pieces=PIECES)[0]
    return [PIECES[t] for t in best.tokens], best


LOOP = Scripted(
    {
        "<s>": {"▁bitte": 1.0},
        "▁bitte": {"▁bitte": 0.9, "</s>": 0.02, ".": 0.08},
        ".": {"</s>": 1.0},
    }
)
CLEAN = Scripted(
    {
        "<s>": {"▁Die": 1.0},
        "▁Die": {"▁Tür": 1.0},
        "▁Tür": {"▁ist": 1.0},
        "▁ist": {"▁offen": 1.0},
        "▁offen": {".": 1.0},
        ".": {"</s>": 1.0},
    }
)


def test_no_repeat_breaks_a_word_loop_and_leaves_a_clean_decode_alone():
    plain, _ = run(LOOP, width=1)
    assert plain == ["▁bitte"] * 8  # the loop the guard is for, until the length limit
    guarded, _ = run(LOOP, Guards(no_repeat=True), width=1)
    assert guarded == ["▁bitte", ".", "</s>"]  # the best output with no word twice in a row
    for guards in (Guards(no_repeat=True), Guards(no_trigram=True), Guards(min_ratio=1.0), Guards(coverage=0.2)):
        assert run(CLEAN, guards)[0] == ["▁Die", "▁Tür", "▁ist", "▁offen", ".", "</s>"]


def test_no_repeat_catches_a_piece_loop_inside_a_word():
    model = Scripted({"<s>": {"▁billig": 1.0}, "▁billig": {"er": 1.0}, "er": {"er": 0.9, "</s>": 0.1}})
    assert run(model, width=1)[0] == ["▁billig", *["er"] * 7]
    assert run(model, Guards(no_repeat=True), width=1)[0] == ["▁billig", "er", "</s>"]


def test_no_trigram_refuses_a_second_word_trigram_only():
    assert refuses(["▁a", "▁b", "▁c", "▁a", "▁b", "▁c"], Guards(no_trigram=True))
    assert not refuses(["▁a", "▁b", "▁c", "▁a", "▁b", "▁d"], Guards(no_trigram=True))
    assert refuses(["▁a"] * 4, Guards(no_trigram=True)) and not refuses(["▁a"] * 3, Guards(no_trigram=True))
    assert not refuses(["▁a", "▁b", "▁c", "▁a", "▁b", "▁c"], Guards(no_repeat=True))
    assert refuses(["▁a", "▁a"], Guards(no_repeat=True)) and not refuses(["▁a", "▁a"], Guards())
    assert not refuses(["▁a", "▁ab"], Guards(no_repeat=True)) and refuses(["▁ab", "▁a", "b"], Guards(no_repeat=True))
    assert words_of(["▁Die", "▁Tür", "en", "."]) == [["▁Die"], ["▁Tür", "en", "."]]


def test_minimum_length_holds_back_the_end():
    early = Scripted({"<s>": {"</s>": 0.6, "▁Die": 0.4}, "▁Die": {"</s>": 0.6, "▁Tür": 0.4}, "▁Tür": {"</s>": 1.0}})
    assert run(early)[0] == ["</s>"]
    # Two source word pieces (the tag and </s> do not count); ratio 1.0 -> at least 2 tokens before </s>.
    assert min_length(2, 1.0) == 2 and min_length(3, 0.5) == 2 and min_length(5, 0.0) == 0
    assert run(early, Guards(min_ratio=1.0))[0] == ["▁Die", "▁Tür", "</s>"]


def test_coverage_penalty_by_hand():
    cov = torch.tensor([0.5, 1.7, 0.25])
    assert coverage_penalty(cov, 0.2) == pytest.approx(0.2 * (math.log(0.5) + 0.0 + math.log(0.25)))
    assert coverage_penalty(cov, 0.0) == 0.0
    assert coverage_penalty(torch.tensor([0.0]), 1.0) == pytest.approx(math.log(1e-6))


def test_coverage_prefers_the_output_that_reads_the_whole_source():
    # Source: <ev> ▁Die ▁Tür </s>. "▁ist" reads only </s>; "▁Die ▁Tür" read the two words.
    attention = {
        "<s>": [0.0, 0.0, 0.0, 1.0],
        "▁Die": [0.0, 0.0, 1.0, 0.0],
        "▁Tür": [0.0, 0.5, 0.0, 0.5],
        "▁ist": [0.0, 0.0, 0.0, 1.0],
    }
    table = {"<s>": {"▁ist": 0.6, "▁Die": 0.4}, "▁ist": {"</s>": 1.0}, "▁Die": {"▁Tür": 1.0}, "▁Tür": {"</s>": 1.0}}
    model = Scripted(table, attention)
    assert run(model)[0] == ["▁ist", "</s>"]
    tokens, best = run(model, Guards(coverage=0.3))
    assert tokens == ["▁Die", "▁Tür", "</s>"]
    # By hand: steps read after <s>, ▁Die, ▁Tür (the inputs of the three steps), summed per source position.
    covered = [0.0 + 0.0 + 0.0, 0.0 + 0.0 + 0.5, 0.0 + 1.0 + 0.0, 1.0 + 0.0 + 0.5]
    expected = math.log(0.4) + 0.3 * sum(math.log(max(min(c, 1.0), 1e-6)) for c in covered)
    assert best.score == pytest.approx(expected, abs=1e-5)


def test_guards_off_is_plain_beam_search():
    ids = torch.tensor([[ID["▁Die"], bpe.EOS]])
    plain = decode.beam_search(LOOP, ids, 2, 0.6, 8)
    off = decode.beam_search(LOOP, ids, 2, 0.6, 8, guards=Guards(), pieces=PIECES)
    assert [h.tokens for h in plain] == [h.tokens for h in off]
    assert [h.score for h in plain] == [h.score for h in off]


def test_the_pages_example_sentence_is_changed_by_the_shipped_guards():
    """The page shows EXAMPLE when no guard changed the learner's sentence: on it, they must change something."""
    from engine.translator import explain
    from engine.translator.guards import EXAMPLE
    from engine.translator.train import BEAM_ALPHA, TRANSFORMER

    trained = TRANSFORMER.load()[0]
    src = torch.tensor([decode.source_ids(trained.tokenizer, EXAMPLE)])
    plain = decode.beam_search(trained.model, src, TRANSFORMER.beam, BEAM_ALPHA, pieces=trained.pieces)[0]
    guarded = decode.beam_search(
        trained.model, src, TRANSFORMER.beam, BEAM_ALPHA, guards=TRANSFORMER.guards, pieces=trained.pieces
    )[0]
    assert bpe.decode(trained.tokenizer, plain.tokens) != bpe.decode(trained.tokenizer, guarded.tokens)
    effects = explain.guard_effects(trained, EXAMPLE, TRANSFORMER.beam, BEAM_ALPHA, TRANSFORMER.guards)
    assert effects["translation"].iloc[0] == bpe.decode(trained.tokenizer, plain.tokens)
    assert effects["translation"].iloc[-1] == bpe.decode(trained.tokenizer, guarded.tokens)
