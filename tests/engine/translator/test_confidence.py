"""What the page says about trusting a translation: each word's probability (against a direct forward pass),
the words where greedy and beam differ, and beam hypotheses merged when their pieces spell the same text."""

import math

import pytest
import torch
import torch.nn.functional as F

from engine.translator import explain
from engine.translator.data import bpe
from engine.translator.decode import beam_search, source_ids
from engine.translator.train import BEAM_ALPHA, TRANSFORMER

SENTENCES = ["My brother bought a new car last week.", "The book is on the table.", "How romantic!"]


@pytest.fixture(scope="module")
def trained():
    return TRANSFORMER.load()[0]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_word_probabilities_equal_a_direct_forward_pass(trained, sentence):
    out_ids = TRANSFORMER.best_ids(trained, sentence)
    words = explain.word_probabilities(explain.trace(trained, sentence, out_ids))
    # The reference: one forward pass of the whole model, softmax by torch, pieces grouped into words by hand.
    src = torch.tensor([source_ids(trained.tokenizer, sentence)])
    with torch.no_grad():
        logits = trained.model(src, torch.tensor([[bpe.BOS, *out_ids[:-1]]])).logits[0]
    probs = F.softmax(logits, -1)[torch.arange(len(out_ids)), torch.tensor(out_ids)].tolist()
    expected: list[list] = []  # [word, product of its pieces' probabilities, lowest piece]
    for token, p in zip(out_ids, probs, strict=True):
        piece = trained.tokenizer.id_to_token(token)
        if token == bpe.EOS:
            break
        if piece.startswith("▁"):
            expected.append([piece[1:], p, p])
        else:
            expected[-1] = [expected[-1][0] + piece, expected[-1][1] * p, min(expected[-1][2], p)]
    assert list(words["word"]) == [w for w, _, _ in expected]
    assert " ".join(words["word"]) == bpe.decode(trained.tokenizer, out_ids)  # the words are the shown text
    assert list(words["prob"]) == pytest.approx([p for _, p, _ in expected], abs=1e-5)
    assert list(words["lowest"]) == pytest.approx([low for _, _, low in expected], abs=1e-5)


def test_differing_words_by_hand():
    beam, greedy = "Mein Bruder hat einen neuen Woche gekauft.", "Mein Bruder hat ein neues Woche Auto gekauft."
    assert explain.differing_words(beam, greedy) == [("einen neuen", "ein neues"), ("", "Auto")]
    marked = explain.marked_words(beam, greedy)
    assert [w for w, _ in marked] == greedy.split()
    assert [w for w, differs in marked if differs] == ["ein", "neues", "Auto"]
    assert explain.differing_words("Das ist gut.", "Das ist gut.") == []
    assert explain.differing_words("Das ist sehr gut.", "Das ist gut.") == [("sehr", "")]


def test_merge_spellings_by_hand():
    rows = [("Das Buch.", -2.0, -1.5, 4), ("Das Buch.", -2.5, -1.9, 5), ("Ein Buch.", -3.0, -2.0, 4)]
    rows += [("Das Buch.", -2.2, -1.4, 6)]  # the same text, scored best though listed last
    merged = explain.merge_spellings(rows)
    assert list(merged["translation"]) == ["Das Buch.", "Ein Buch."]
    assert list(merged["rank"]) == [1, 2]
    assert list(merged["spellings"]) == [3, 1]
    assert merged.iloc[0][["log_prob", "score", "tokens"]].tolist() == [-2.2, -1.4, 6]


def test_beams_hold_each_text_once_at_its_best_score(trained):
    sentence = "The book is on the table."
    guards = TRANSFORMER.guards
    src = torch.tensor([source_ids(trained.tokenizer, sentence)])
    raw = beam_search(trained.model, src, 4, BEAM_ALPHA, guards=guards, pieces=trained.pieces)
    texts = [bpe.decode(trained.tokenizer, h.tokens) for h in raw]
    assert len(set(texts)) < len(texts)  # the default sentence does spell one text in several ways
    table = explain.beams(trained, sentence, 4, BEAM_ALPHA, guards)
    assert table["translation"].is_unique and table["spellings"].sum() == len(raw)
    for text, score, count in zip(table["translation"], table["score"], table["spellings"], strict=True):
        mine = [h.score for h, t in zip(raw, texts, strict=True) if t == text]
        assert count == len(mine) and math.isclose(score, round(max(mine), 3))
