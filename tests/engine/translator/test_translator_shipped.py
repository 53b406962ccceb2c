"""The shipped translators: the recorded test figures follow from the recorded outputs (recomputed here with
sacrebleu and an exact-match count written in this file), a sample of those outputs is produced again by
the shipped decoding, absolute floors hold, and the Transformer beats the GRU on measured scores."""

import contextlib
import random
import unicodedata
from pathlib import Path

import pytest
import sacrebleu

from engine.common.corpora import CorpusError
from engine.translator import evaluation
from engine.translator.data import everyday
from engine.translator.train import GRU, TRANSFORMER

CHECK = Path(__file__).parents[2] / "data" / "everyday_check.tsv"  # 40 sentences written for this check
SAMPLE = 40  # test sentences translated again per model and split
# Floors well under the shipped figures (README) and far above an untrained or broken decoder's.
FLOORS = {
    "translator": {"everyday_chrf": 50.0, "everyday_exact": 0.2, "ding_chrf": 20.0, "check_exact": 0.5},
    "rnn_translator": {"everyday_chrf": 35.0, "everyday_exact": 0.07, "ding_chrf": 15.0, "check_exact": 0.1},
}
KINDS = {"translator": TRANSFORMER, "rnn_translator": GRU}


@pytest.fixture(scope="module")
def shipped():
    return {name: kind.load() for name, kind in KINDS.items()}


def everyday_test() -> list[tuple[str, list[str]]]:
    try:
        return everyday.everyday_split("test")
    except CorpusError as err:
        pytest.skip(f"Tatoeba pairs not available (not in any package registry): {err}")


def exact_by_hand(hypothesis: str, references: list[str]) -> bool:
    """The issue's rule, written out again: NFC, whitespace collapsed, casefolded, one final . ! ? dropped."""

    def norm(text: str) -> str:
        text = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
        return text[:-1].rstrip() if text[-1:] in ".!?" else text

    return norm(hypothesis) in {norm(r) for r in references}


def figures(hyps: list[str], grouped: list[tuple[str, list[str]]]) -> dict:
    """Exact, BLEU and chrF recomputed from outputs: sacrebleu per reference stream, exact by hand."""
    width = max(len(r) for _, r in grouped)
    streams = [[r[k] if k < len(r) else r[0] for _, r in grouped] for k in range(width)]
    return {
        "exact": sum(exact_by_hand(h, r) for h, (_, r) in zip(hyps, grouped, strict=True)) / len(hyps),
        "bleu": sacrebleu.corpus_bleu(hyps, streams).score,
        "chrf": sacrebleu.corpus_chrf(hyps, streams).score,
    }


@pytest.mark.parametrize("name", list(KINDS))
def test_recorded_ding_figures_follow_from_the_recorded_outputs(needs_ding, shipped, name):
    _, meta = shipped[name]
    grouped, hyps = evaluation.ding_test(), meta["test_hypotheses"]["ding"]
    recorded = meta["metrics"]["ding"]
    assert recorded["n"] == len(hyps) == len(grouped) > 800
    for key, value in figures(hyps, grouped).items():
        assert recorded[key] == pytest.approx(value, abs=0.006), key
    assert recorded["chrf"] > FLOORS[name]["ding_chrf"]


@pytest.mark.parametrize("name", list(KINDS))
def test_recorded_everyday_figures_follow_from_the_recorded_outputs(shipped, name):
    grouped = everyday_test()
    _, meta = shipped[name]
    hyps, recorded = meta["test_hypotheses"]["everyday"], meta["metrics"]
    assert recorded["n"] == len(hyps) == len(grouped) > 900
    for key, value in figures(hyps, grouped).items():
        assert recorded[key] == pytest.approx(value, abs=0.006), key
    assert recorded["chrf"] > FLOORS[name]["everyday_chrf"]
    assert recorded["exact"] > FLOORS[name]["everyday_exact"]
    assert recorded["decoding"] == KINDS[name].decoding  # the figures are those of the decoding shipped


@pytest.mark.parametrize("name", list(KINDS))
def test_the_shipped_decoding_writes_the_recorded_outputs_again(needs_ding, shipped, name):
    kind, (trained, meta) = KINDS[name], shipped[name]
    splits = {"ding": evaluation.ding_test()}
    with contextlib.suppress(CorpusError):  # without Tatoeba the Ding sample still runs
        splits["everyday"] = everyday.everyday_split("test")
    for split, grouped in splits.items():
        rows = random.Random(7).sample(range(len(grouped)), SAMPLE)
        again = kind.best(trained, [grouped[i][0] for i in rows])
        assert again == [meta["test_hypotheses"][split][i] for i in rows], split


def test_the_transformer_beats_the_gru(needs_ding, shipped):
    ding = {name: meta["metrics"]["ding"] for name, (_, meta) in shipped.items()}
    assert ding["translator"]["chrf"] > ding["rnn_translator"]["chrf"]
    grouped = everyday_test()
    scores = {name: figures(meta["test_hypotheses"]["everyday"], grouped) for name, (_, meta) in shipped.items()}
    assert scores["translator"]["chrf"] > scores["rnn_translator"]["chrf"]
    assert scores["translator"]["exact"] > scores["rnn_translator"]["exact"]


@pytest.mark.parametrize("name", list(KINDS))
def test_sentences_written_for_this_check(shipped, name):
    """40 everyday sentences with several references, written before the shipped models were trained."""
    kind, (trained, _) = KINDS[name], shipped[name]
    grouped = evaluation.read_pairs(CHECK.read_bytes())
    result = kind.evaluate(trained, CHECK.read_bytes())
    hyps = kind.best(trained, [e for e, _ in grouped])
    assert result["n"] == len(grouped) == 40 and result["decoding"] == kind.decoding
    for key, value in figures(hyps, grouped).items():
        assert result[key] == pytest.approx(value, abs=0.006), key
    assert result["exact"] > FLOORS[name]["check_exact"], list(zip(hyps, grouped, strict=True))
