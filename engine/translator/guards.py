"""Guards for beam search against the failures of a small model: loops, repeats, stopping early, skipping
source words. Each is a switch (or a weight) that the page shows with its effect.

- no_repeat: no word repeated back to back ("bitte bitte"), and inside a word no piece or pair of pieces
  repeated back to back ("billig|er|ig|er|ig|er"), the loops a subword model falls into;
- no_trigram: no sequence of three words twice in one output;
- min_ratio: the output has at least min_ratio tokens for each source token (</s> is refused until then);
- coverage: the GNMT coverage penalty (Wu et al., 2016, eq. 14), beta * sum_i log(min(sum_j p_ij, 1)),
  where p_ij is the cross-attention of output step j on source position i (the last decoder layer, the
  mean over heads: the heatmap the page opens with). Source words that no step looked at cost score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

WORD_START = "▁"  # Metaspace marks the first piece of a word
# A sentence on which the shipped guards change plain beam search (found by trying validation sentences: plain
# beam search repeats "gut"); the page shows it when no guard changed the learner's sentence, and a test checks it.
EXAMPLE = "Tom is handsome."
COVERAGE_FLOOR = 1e-6  # log of a coverage below this is taken at this value


@dataclass(frozen=True)
class Guards:
    """Which guards a beam search applies; the default applies none (plain beam search)."""

    no_repeat: bool = False
    no_trigram: bool = False
    min_ratio: float = 0.0  # 0 = off
    coverage: float = 0.0  # beta; 0 = off

    @property
    def any(self) -> bool:
        return self.no_repeat or self.no_trigram or self.min_ratio > 0 or self.coverage > 0


def words_of(pieces: list[str]) -> list[list[str]]:
    """The pieces grouped into words: a new word starts at each piece that begins with ▁."""
    words: list[list[str]] = []
    for piece in pieces:
        if piece.startswith(WORD_START) or not words:
            words.append([piece])
        else:
            words[-1].append(piece)
    return words


def _loops_inside(word: list[str]) -> bool:
    """The word ends with one piece, or a pair of pieces, written twice in a row."""
    return any(len(word) >= 2 * k and word[-k:] == word[-2 * k : -k] for k in (1, 2))


def refuses(pieces: list[str], guards: Guards) -> bool:
    """Whether an output whose last piece was just added breaks no_repeat or no_trigram.

    The check is eager: the word being written counts as soon as its pieces so far spell a repeat, so a
    hypothesis is refused at the piece that makes the repeat, not one step later (where every way on
    would be refused). The price: "Tür Türen" is refused at its second "Tür". </s> is passed as "▁".
    """
    words = words_of(pieces)
    text = ["".join(w).lstrip(WORD_START) for w in words]
    if guards.no_repeat and (_loops_inside(words[-1]) or (len(text) >= 2 and text[-1] and text[-1] == text[-2])):
        return True
    if guards.no_trigram and len(text) >= 4 and text[-1]:
        last = tuple(text[-3:])
        return any(tuple(text[i : i + 3]) == last for i in range(len(text) - 3))
    return False


def coverage_penalty(coverage: torch.Tensor, beta: float) -> float:
    """beta * sum_i log(min(coverage_i, 1)) of one hypothesis' summed attention over source positions."""
    if beta <= 0:
        return 0.0
    clipped = coverage.clamp(min=COVERAGE_FLOOR, max=1.0)
    return beta * float(torch.log(clipped).sum())


def min_length(source_tokens: int, ratio: float) -> int:
    """Output tokens required before </s> may end the output."""
    return math.ceil(ratio * source_tokens) if ratio > 0 else 0
