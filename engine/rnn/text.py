"""Words for the recurrent models: a tokenizer close to spaCy's English rules, and vocabularies."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

UPOS = [
    "ADJ",
    "ADP",
    "ADV",
    "AUX",
    "CCONJ",
    "DET",
    "INTJ",
    "NOUN",
    "NUM",
    "PART",
    "PRON",
    "PROPN",
    "PUNCT",
    "SCONJ",
    "SYM",
    "VERB",
    "X",
]  # the 17 Universal POS tags

_TOKEN = re.compile(
    r"""(?ix)
    (?:[^\W\d_]\.){2,}                       # abbreviations like U.S.
    | (?:mr|mrs|ms|dr|st|vs|jr|sr|mt|prof|etc)\.(?=\s|$)
    | \d+(?:[.,:]\d+)*[^\W_]*                 # numbers, times, ordinals, 80s
    | can(?=not\b)                             # "can" of "cannot"
    | [^\W\d_]+(?=n't\b)                       # "do" of "don't"
    | n't\b
    | '(?:s|re|ve|ll|d|m)\b                     # clitics: 's 're 've 'll 'd 'm
    | [^\W_]+                                  # words (hyphens and apostrophes split off, as spaCy does)
    | ''|``|\.\.\.|--|[^\s\w]                    # punctuation, one mark at a time
    | _+|\S
    """
)


def tokenize(text: str) -> list[str]:
    """Split a sentence into words and punctuation marks, separating "n't" and clitics as spaCy does."""
    return [match.group(0) for match in _TOKEN.finditer(text)]


def word_shape(word: str) -> list[float]:
    """Five spelling features that carry over to unseen words."""
    return [
        float(word[:1].isupper()),
        float(word.isupper() and len(word) > 1),
        float(any(c.isdigit() for c in word)),
        float(not any(c.isalnum() for c in word)),
        float("-" in word),
    ]


@dataclass(frozen=True)
class Vocab:
    """A list of strings with index 0 for padding and 1 for anything unseen."""

    items: tuple[str, ...]

    PAD = 0
    UNK = 1

    @classmethod
    def build(cls, counts: Counter, min_count: int, max_size: int) -> Vocab:
        kept = [w for w, c in counts.most_common(max_size) if c >= min_count]
        return cls(("<pad>", "<unk>", *kept))

    def __len__(self) -> int:
        return len(self.items)

    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.items)}

    def encode(self, words: list[str], lookup: dict[str, int] | None = None) -> list[int]:
        lookup = lookup or self.index()
        return [lookup.get(w, self.UNK) for w in words]


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\r?\n")


def split_sentences(text: str) -> list[str]:
    """Sentences at ., ! or ? before a capital or digit, and at line breaks; empty ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
