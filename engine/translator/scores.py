"""How translations are scored against several references: exact match, BLEU and chrF (sacrebleu)."""

from __future__ import annotations

import re
import unicodedata

import sacrebleu

_SPACE = re.compile(r"\s+")
_FINAL_MARK = re.compile(r"\s*[.!?]$")


def normalise_output(text: str) -> str:
    """NFC, collapsed whitespace, casefolded, one final . ! or ? dropped: the form exact match compares."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()
    return _FINAL_MARK.sub("", text)


def is_exact(hypothesis: str, references: list[str]) -> bool:
    """The hypothesis equals one of the references after normalise_output."""
    return normalise_output(hypothesis) in {normalise_output(r) for r in references}


def reference_streams(references: list[list[str]]) -> list[list[str]]:
    """Per-sentence reference lists transposed to sacrebleu's streams, short lists padded with their first.

    A repeated reference changes neither BLEU's clipped counts and closest length nor chrF's best
    reference, so padding is neutral.
    """
    width = max(len(refs) for refs in references)
    return [[refs[k] if k < len(refs) else refs[0] for refs in references] for k in range(width)]


def corpus_scores(hypotheses: list[str], references: list[list[str]]) -> dict[str, float]:
    """Exact-match share, multi-reference BLEU and chrF (sacrebleu defaults) of a corpus."""
    if not hypotheses:
        return {"exact": 0.0, "bleu": 0.0, "chrf": 0.0, "n": 0}
    streams = reference_streams(references)
    hits = sum(is_exact(h, refs) for h, refs in zip(hypotheses, references, strict=True))
    return {
        "exact": round(hits / len(hypotheses), 4),
        "bleu": round(float(sacrebleu.corpus_bleu(hypotheses, streams).score), 2),
        "chrf": round(float(sacrebleu.corpus_chrf(hypotheses, streams).score), 2),
        "n": len(hypotheses),
    }


def sentence_chrf(hypothesis: str, references: list[str]) -> float:
    """Sentence-level chrF against all references (sacrebleu)."""
    return round(float(sacrebleu.sentence_chrf(hypothesis, references).score), 2)
