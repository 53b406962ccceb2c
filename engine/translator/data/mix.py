"""The translator's training mix: every source, its tag, its share of an epoch, and the leakage guard.

Everyday pairs (Tatoeba, auf-deutsch) are most of each epoch; Ding example sentences and phrases and the
grammar's synthetic pairs are sampled afresh each epoch at small shares. Each source's English starts with
a tag token that says where the pair came from; the page and the CLI always translate as `<ev>`.
No held-out English (Tatoeba val/test, auf-deutsch pairs that hash there, held-out Ding sentences) is in
any training source: the guard compares English after normalise_english (case and punctuation ignored).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from engine.translator.data import ding, everyday, grammar
from engine.translator.data.everyday import Grouped, Pair, normalise_english, split_of_english
from engine.translator.data.tags import DICTIONARY, EVERYDAY, SYNTHETIC

Tagged = tuple[str, str, str]  # (tag, english, german)


@dataclass(frozen=True)
class Mix:
    """How many samples of each source go into one epoch."""

    auf_repeats: int = 3  # auf-deutsch pairs are few (about 2,700) and longer: repeat them
    ding_share: float = 0.10  # Ding sentences + phrases, as a share of each epoch
    ding_sentence_share: float = 0.5  # of the Ding samples, this share are example sentences
    grammar_share: float = 0.05  # synthetic grammar pairs, as a share of each epoch
    grammar_pool: int = 40000  # grammar pairs generated once, sampled from each epoch


@dataclass
class Sources:
    """Every training pool (already leak-free) and the held-out evaluation sets."""

    tatoeba: list[Pair]
    auf: list[Pair]
    ding_sentences: list[Pair]
    ding_phrases: list[Pair]
    grammar: list[Pair]
    val: list[Grouped]  # Tatoeba val, every translation of an English sentence as its references
    test: list[Grouped]  # Tatoeba test
    held_out: set[str]  # normalised English never trained on

    def counts(self) -> dict[str, int]:
        names = ("tatoeba", "auf", "ding_sentences", "ding_phrases", "grammar", "val", "test")
        return {k: len(getattr(self, k)) for k in names}


def held_out_english(tatoeba: list[Pair], auf: list[Pair]) -> set[str]:
    """Normalised English of every Tatoeba and auf-deutsch sentence in val/test, and of held-out Ding sentences."""
    held = {normalise_english(e) for e, _ in [*tatoeba, *auf] if split_of_english(e) != "train"}
    held |= {normalise_english(e) for s in ("val", "test") for e, _ in ding.sentence_pairs(s)}
    return held


def load_sources(seed: int = 0, grammar_pool: int = 40000, tatoeba: Path | None = None) -> Sources:
    """All pools with the leakage guard applied."""
    pairs = list(everyday.tatoeba_pairs(tatoeba))
    auf = list(everyday.auf_deutsch_pairs())
    held = held_out_english(pairs, auf)
    kinds = ding.ding_pairs()
    return Sources(
        tatoeba=everyday.drop_leaks(pairs, held),
        auf=everyday.drop_leaks(auf, held),
        ding_sentences=everyday.drop_leaks(ding.sentence_pairs("train"), held),
        ding_phrases=everyday.drop_leaks([(e, d) for e, d, k in kinds if k == "phrase"], held),
        grammar=everyday.drop_leaks(grammar.synthetic_pairs(grammar_pool, seed), held),
        val=everyday.everyday_split("val", tatoeba),
        test=everyday.everyday_split("test", tatoeba),
        held_out=held,
    )


def everyday_pairs(src: Sources, mix: Mix) -> list[Tagged]:
    """The everyday pairs of one epoch: all Tatoeba training pairs and auf-deutsch `auf_repeats` times."""
    return [(EVERYDAY, e, d) for e, d in src.tatoeba] + [(EVERYDAY, e, d) for e, d in src.auf] * mix.auf_repeats


def epoch(src: Sources, mix: Mix, rng: random.Random, everyday_only: bool = False) -> list[Tagged]:
    """One shuffled epoch of tagged pairs: the everyday pairs plus Ding and grammar samples at their shares."""
    out = everyday_pairs(src, mix)
    if not everyday_only:
        base, rest = len(out), 1.0 - mix.ding_share - mix.grammar_share
        n_ding = int(base * mix.ding_share / rest)
        n_sentences = min(int(n_ding * mix.ding_sentence_share), len(src.ding_sentences))
        out += [(DICTIONARY, e, d) for e, d in rng.sample(src.ding_sentences, n_sentences)]
        out += [(DICTIONARY, e, d) for e, d in rng.sample(src.ding_phrases, n_ding - n_sentences)]
        n_grammar = min(int(base * mix.grammar_share / rest), len(src.grammar))
        out += [(SYNTHETIC, e, d) for e, d in rng.sample(src.grammar, n_grammar)]
    rng.shuffle(out)
    return out
