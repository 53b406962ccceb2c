"""Word statistics of the Tatoeba English/German pairs, used only to *select* vocabulary.

No sentence is copied: the build keeps counts of words, of short word sequences and of the pairs
in which an English and a German word occur together, and nothing else.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from engine.translator.data.everyday import tatoeba_path

_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:'[a-z]+)?")


class Index:
    """For each language, the ids of the pairs in which a word or a word sequence (up to 3) occurs.

    English is looked up in lower case, German as written (so 'Gut' the noun is not 'gut').
    """

    def __init__(self, path: Path | None = None) -> None:
        path = tatoeba_path(path)
        self.en: dict[str, set[int]] = defaultdict(set)
        self.de: dict[str, set[int]] = defaultdict(set)
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2:
                    self._add(self.en, number, parts[0].lower())
                    self._add(self.de, number, parts[1])  # German keeps its capitals: nouns apart

    @staticmethod
    def _add(index: dict[str, set[int]], number: int, sentence: str) -> None:
        words = _WORD.findall(sentence)
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                index[" ".join(words[start : start + size])].add(number)

    @staticmethod
    def _ids(index: dict[str, set[int]], words: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for word in words:
            found |= index.get(word, set())
        return found

    def en_ids(self, words: Iterable[str]) -> set[int]:
        return self._ids(self.en, (word.lower() for word in words))

    def de_ids(self, words: Iterable[str]) -> set[int]:
        return self._ids(self.de, words)

    def en_count(self, word: str) -> int:
        return len(self.en.get(word.lower(), ()))

    def de_count(self, word: str) -> int:
        return len(self.de.get(word, ()))

    def together(self, de_words: Iterable[str], en_words: Iterable[str]) -> set[int]:
        """Pairs whose German side has one of de_words and whose English side has one of en_words."""
        return self.de_ids(de_words) & self.en_ids(en_words)
