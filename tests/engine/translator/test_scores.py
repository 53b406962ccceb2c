"""Exact match against a hand count; multi-reference BLEU and chrF against sacrebleu used directly."""

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU, CHRF

from engine.translator.scores import corpus_scores, is_exact, normalise_output, reference_streams

HYPS = ["Ich bin hungrig.", "Wo ist Tom", "Geh weg!", "Die Tür ist zu ."]
REFS = [
    ["Ich habe Hunger.", "Ich bin hungrig."],
    ["Wo ist Tom?"],
    ["Geh!", "Geh weg, bitte!", "Hau ab!"],
    ["Die Tür ist offen."],
]


def test_exact_match_by_hand():
    # 1: second reference; 2: final ? dropped; 3 and 4: no reference equal.
    assert [is_exact(h, r) for h, r in zip(HYPS, REFS, strict=True)] == [True, True, False, False]
    assert corpus_scores(HYPS, REFS)["exact"] == 0.5
    assert normalise_output("  STRASSE  ist   lang!") == normalise_output("Straße ist lang") == "strasse ist lang"
    assert normalise_output("Wirklich?!") == "wirklich?"  # only one final mark is dropped
    assert is_exact("Die Tür ist offen .", ["die tür ist  offen"])  # the space before it goes with the mark


def test_multi_reference_bleu_equals_summed_sacrebleu_statistics():
    # Independent of the stream padding: sum each sentence's n-gram statistics against its own references.
    metric = BLEU()
    stats = [metric.sentence_score(h, r) for h, r in zip(HYPS, REFS, strict=True)]
    correct = [sum(s.counts[n] for s in stats) for n in range(4)]
    total = [sum(s.totals[n] for s in stats) for n in range(4)]
    sys_len, ref_len = sum(s.sys_len for s in stats), sum(s.ref_len for s in stats)
    expected = BLEU.compute_bleu(correct, total, sys_len, ref_len, smooth_method="exp").score
    assert corpus_scores(HYPS, REFS)["bleu"] == pytest.approx(expected, abs=0.01)


def test_multi_reference_chrf_picks_each_sentences_best_reference():
    metric = CHRF()
    best = [max(r, key=lambda ref, h=h: metric.sentence_score(h, [ref]).score) for h, r in zip(HYPS, REFS, strict=True)]
    expected = sacrebleu.corpus_chrf(HYPS, [best]).score
    assert corpus_scores(HYPS, REFS)["chrf"] == pytest.approx(expected, abs=0.01)


def test_reference_streams_pad_with_the_first_reference():
    assert reference_streams([["a", "b"], ["c"]]) == [["a", "c"], ["b", "c"]]
