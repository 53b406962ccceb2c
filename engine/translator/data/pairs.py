"""English-German sentence pairs: the training mixture, the held-out Ding splits and a user's TSV."""

from __future__ import annotations

import random

from engine.common.inputs import InputError, decode_text, parse_lines, tab_fields
from engine.translator.data import ding, grammar

Pair = tuple[str, str]  # (english, german)


def training_pairs(seed: int, sentence_repeats: int, phrases: int, synthetic: int) -> tuple[list[Pair], ...]:
    """(train, val, test) English-German pairs; val and test are held-out Ding sentences only.

    Training holds the train-split Ding sentences `sentence_repeats` times, `phrases` dictionary phrase
    pairs (none whose English is a held-out sentence) and `synthetic` grammar pairs, shuffled.
    """
    rng = random.Random(seed)
    pairs = ding.ding_pairs()
    sentences = [(e, d) for e, d, k in pairs if k == "sentence"]
    split = {p: ding.sentence_split(p[0]) for p in sentences}
    held = {p[0].lower() for p, s in split.items() if s != "train"}
    phrase_pairs = [(e, d) for e, d, k in pairs if k == "phrase" and e.lower() not in held]
    train = [p for p in sentences if split[p] == "train"] * sentence_repeats
    train += rng.sample(phrase_pairs, min(phrases, len(phrase_pairs)))
    train += grammar.synthetic_pairs(synthetic, seed)
    rng.shuffle(train)
    return train, [p for p in sentences if split[p] == "val"], [p for p in sentences if split[p] == "test"]


def parse_pairs_tsv(text: str) -> list[Pair]:
    """`english<TAB>german` per line; blank lines skipped."""

    def row(number: int, line: str) -> Pair:
        english, german = tab_fields(number, line, "english<TAB>german")
        if not english or not german:
            raise InputError(f"Line {number}: {'the English' if not english else 'the German'} side is empty.")
        return english, german

    return parse_lines(text, row, "The file has no sentence pairs.")


def read_pairs(data: bytes) -> list[Pair]:
    """The pairs of an uploaded or --data TSV file (size, encoding and format checked)."""
    return parse_pairs_tsv(decode_text(data, "data file"))


def evaluation_pairs(data: bytes | None = None) -> list[Pair]:
    """The held-out Ding test sentences, or the pairs of a user's TSV."""
    return ding.sentence_pairs("test") if data is None else read_pairs(data)
