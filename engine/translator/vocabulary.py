"""What the model has seen: how often each English word occurred in the training English, by source,
and how the tokenizer cuts it into BPE pieces."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
from tokenizers import Tokenizer

from engine.translator.data import mix

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # letters and digits, with inner apostrophes (don't, Tom's)
SOURCES = ("everyday", "dictionary", "generated")  # Tatoeba + auf-deutsch; Ding; the grammar


def words(text: str) -> list[str]:
    """The whole words of a text, lower-cased (punctuation is not a word)."""
    return [w.lower().replace("’", "'") for w in WORD.findall(text)]


def word_counts(src: mix.Sources) -> dict[str, list[int]]:
    """word -> occurrences in the English of the everyday, dictionary and generated training pools."""
    pools = (
        [*src.tatoeba, *src.auf],
        [*src.ding_sentences, *src.ding_phrases],
        src.grammar,
    )
    counters = [Counter(w for english, _ in pool for w in words(english)) for pool in pools]
    vocabulary = sorted(set().union(*counters))
    return {w: [c[w] for c in counters] for w in vocabulary}


def pack(counts: dict[str, list[int]]) -> str:
    """The counts as one line per word, `word<TAB>everyday<TAB>dictionary<TAB>generated` (a compact meta field)."""
    return "\n".join("\t".join([w, *map(str, c)]) for w, c in counts.items())


def unpack(text: str) -> dict[str, list[int]]:
    """The inverse of pack."""
    rows = (line.split("\t") for line in text.splitlines())
    return {w: [int(e), int(d), int(g)] for w, e, d, g in rows}


def seen_table(sentence: str, counts: dict[str, list[int]], tokenizer: Tokenizer) -> pd.DataFrame:
    """Columns word, everyday, dictionary, generated, pieces, note: one row per distinct word of the sentence."""
    rows, done = [], set()
    for written in WORD.findall(sentence):
        word = written.lower().replace("’", "'")
        if word in done:
            continue
        done.add(word)
        found = counts.get(word, [0, 0, 0])
        pieces = " ".join(tokenizer.encode(written).tokens)  # as written: BPE pieces depend on case
        if not any(found):
            note = f"'{word}' never appeared in training: expect a guess"
        elif not found[0]:
            note = f"'{word}' never appeared in an everyday sentence, only in dictionary or generated pairs"
        else:
            note = ""
        rows.append((word, *found, pieces, note))
    return pd.DataFrame(rows, columns=["word", *SOURCES, "pieces", "note"])
