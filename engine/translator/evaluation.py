"""Scoring a translator's shipped decoding: on a user's TSV, or on the everyday and Ding test splits."""

from __future__ import annotations

from collections.abc import Callable

from engine.translator.data import ding, everyday
from engine.translator.data.everyday import Grouped
from engine.translator.data.pairs import read_pairs
from engine.translator.scores import corpus_scores, is_exact, sentence_chrf

Translate = Callable[[list[str]], list[str]]


def score(translate: Translate, grouped: list[Grouped], per_sentence: bool = False, keep: bool = False) -> dict:
    """corpus_scores of the translations of `grouped`, with one row per sentence, or the hypotheses, if asked."""
    hyps = translate([e for e, _ in grouped])
    refs = [r for _, r in grouped]
    result: dict = corpus_scores(hyps, refs)
    if keep:
        result["hypotheses"] = hyps
    if per_sentence:
        result["rows"] = [
            {"source": e, "references": r, "hypothesis": h, "chrf": sentence_chrf(h, r), "exact": is_exact(h, r)}
            for (e, r), h in zip(grouped, hyps, strict=True)
        ]
    return result


def ding_test() -> list[Grouped]:
    """The held-out Ding example sentences (one reference each)."""
    return [(e, [d]) for e, d in ding.sentence_pairs("test")]


def evaluate(
    translate: Translate, decoding: str, data: bytes | None = None, per_sentence: bool = False, keep: bool = False
) -> dict:
    """On a user's file; without one, the everyday (Tatoeba) test split and the Ding test split under `ding`."""
    if data is not None:
        return {**score(translate, read_pairs(data), per_sentence, keep), "decoding": decoding}
    result = score(translate, everyday.everyday_split("test"), per_sentence, keep)
    result["ding"] = score(translate, ding_test(), per_sentence, keep)
    return {**result, "decoding": decoding, "data": "Tatoeba test split (everyday); Ding test sentences under ding"}
