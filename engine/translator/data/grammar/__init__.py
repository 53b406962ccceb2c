"""Synthetic English-German sentence pairs on a real lexicon (Ding, german-nouns, WordNet; see README).

    synthetic_pairs(1000, seed=0) -> [("The old man is tired.", "Der alte Mann ist müde."), ...]

The pairs teach what the dictionary's idioms rarely show: cases after prepositions, adjective endings,
verb second and verb last, separable prefixes, modals, tenses, questions, negation and imperatives.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from engine.translator.data.grammar import constructions as c
from engine.translator.data.grammar import templates as t
from engine.translator.data.grammar.lexicon import Lexicon, load

Template = Callable[[random.Random, Lexicon], tuple[str, str]]
# (template, weight): how often each construction is drawn.
TEMPLATES: list[tuple[Template, int]] = [
    (t.statement, 6),
    (t.modal, 3),
    (t.separable, 2),
    (c.yes_no_question, 2),
    (c.wh_question, 3),
    (c.predicate_adjective, 2),
    (c.location, 2),
    (c.prepositions, 2),
    (c.this_is, 1),
    (c.numbers, 1),
    (c.imperative, 2),
    (c.dass_clause, 2),
]
MIN_WORDS, MAX_WORDS = 4, 14


def sentence_pair(rng: random.Random, lexicon: Lexicon | None = None) -> tuple[str, str]:
    """One pair of 4 to 14 words on each side, from a template drawn by weight."""
    lexicon = lexicon or load()
    functions, weights = zip(*TEMPLATES, strict=True)
    while True:
        template = rng.choices(functions, weights)[0]
        english, german = template(rng, lexicon)
        if all(MIN_WORDS <= len(side.split()) <= MAX_WORDS for side in (english, german)):
            return english, german


def synthetic_pairs(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """n distinct generated (English, German) pairs; the same n and seed give the same list."""
    rng, lexicon = random.Random(seed), load()
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    while len(out) < n:
        pair = sentence_pair(rng, lexicon)
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out


if __name__ == "__main__":
    for english, german in synthetic_pairs(30, seed=1):
        print(f"{english}\t{german}")
