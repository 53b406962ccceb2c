"""The shipped translators: recorded BLEU reproduces, the Transformer beats the GRU, everyday sentences work."""

import pytest

from engine.common import metrics
from engine.translator import models as mt_models


@pytest.fixture(scope="module")
def shipped():
    return mt_models.load_transformer(), mt_models.load_gru()


def test_transformer_reproduces_its_recorded_bleu_and_beats_the_gru(shipped, needs_ding):
    (transformer, meta), (_, gru_meta) = shipped
    measured = mt_models.evaluate_transformer(transformer)
    assert measured["n"] == meta["metrics"]["n"] > 800
    assert measured["bleu"] == pytest.approx(meta["metrics"]["bleu"], abs=0.01)
    assert measured["chrf"] == pytest.approx(meta["metrics"]["chrf"], abs=0.01)
    assert meta["metrics"]["bleu"] > gru_meta["metrics"]["bleu"]


def test_user_tsv_scores_equal_sacrebleu_on_the_same_translations(shipped):
    (transformer, _), _ = shipped
    pairs = [("The book is on the table.", "Das Buch ist auf dem Tisch."), ("I have a dog.", "Ich habe einen Hund.")]
    data = "".join(f"{e}\t{d}\n" for e, d in pairs).encode()
    result = mt_models.evaluate_transformer(transformer, data)
    hyps = mt_models.translate_transformer(transformer, [e for e, _ in pairs])
    assert result["bleu"] == round(metrics.bleu(hyps, [d for _, d in pairs]), 2)
    assert result["n"] == 2


def test_everyday_sentences(shipped):
    (transformer, _), _ = shipped
    cases = {
        "The book is on the table.": "Das Buch ist auf dem Tisch.",
        "I have a dog.": "Ich habe einen Hund.",
        "We want to buy a new car.": "Wir wollen ein neues Auto kaufen.",
        "She does not like the film.": "Sie mag den Film nicht.",
        "Today I read a book.": "Heute lese ich ein Buch.",
    }
    hyps = mt_models.translate_transformer(transformer, list(cases))
    exact = sum(h == ref for h, ref in zip(hyps, cases.values(), strict=True))
    assert exact >= 4, list(zip(hyps, cases.values(), strict=True))
