"""The generator's lexicon, read from words/*.tsv (written by build/build_lexicon.py)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

DATA = Path(__file__).resolve().parent / "words"


@dataclass(frozen=True)
class Noun:
    lemma: str  # nominative singular
    gender: str  # "m", "f" or "n"
    english: str
    english_plural: str
    acc: str  # accusative singular (differs for weak masculines: den Jungen)
    dat: str
    plural: str
    dat_plural: str
    classes: frozenset[str]  # WordNet class (person, animal, food, ...) and in/into/on

    def form(self, case: str, plural: bool) -> str:
        if plural:
            return self.dat_plural if case == "dat" else self.plural
        return {"nom": self.lemma, "acc": self.acc, "dat": self.dat}[case]


@dataclass(frozen=True)
class Verb:
    infinitive: str
    prefix: str  # separable prefix ("auf" of aufmachen), or ""
    valency: str  # "acc", "dat", "dat+acc" or "none"
    motion: bool  # goes with a direction (in die Küche, zum Arzt)
    place: bool  # Tatoeba has it with a place (im Garten, in der Küche)
    dative: bool  # may take a dative person besides its object (jdm. etw. leihen)
    du: str  # from Ding where it says, else ""
    er: str  # "liest", "macht auf"
    past: str  # "las", "machte auf"
    participle: str
    aux: str  # "haben" or "sein"
    imp: str  # du-imperative from Ding ("lies"), or ""
    en_base: str
    en_s: str
    en_past: str
    en_pp: str
    objects: tuple[str, ...]  # lemmas of nouns seen with it

    @property
    def base(self) -> str:
        """The infinitive without its separable prefix (machen of aufmachen)."""
        return self.infinitive[len(self.prefix) :]


@dataclass(frozen=True)
class Adjective:
    german: str
    stem: str  # to which endings attach: dunkl-e, teur-e
    english: str
    person: bool  # said of people ('ich bin müde')
    nouns: tuple[str, ...]  # lemmas of nouns seen with it


@dataclass(frozen=True)
class Lexicon:
    nouns: tuple[Noun, ...]
    verbs: tuple[Verb, ...]
    adjectives: tuple[Adjective, ...]

    def noun(self, lemma: str) -> Noun:
        return self._nouns_by_lemma[lemma]

    @cached_property  # kept on the instance: a cache keyed by the lexicon would hash all of it per call
    def _nouns_by_lemma(self) -> dict[str, Noun]:
        return {noun.lemma: noun for noun in self.nouns}


def _rows(name: str, directory: Path) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


@cache
def load(directory: Path = DATA) -> Lexicon:
    """The lexicon in `directory` (cached)."""
    nouns = tuple(
        Noun(
            r["lemma"],
            r["gender"],
            r["english"],
            r["english_plural"],
            r["acc"],
            r["dat"],
            r["plural"],
            r["dat_plural"],
            frozenset(_split(r["classes"])),
        )
        for r in _rows("nouns.tsv", directory)
    )
    known = {noun.lemma for noun in nouns}
    verb_keys = ("du", "er", "past", "participle", "aux", "imp", "en_base", "en_s", "en_past", "en_pp")
    verbs = tuple(
        Verb(
            r["infinitive"],
            r["prefix"],
            r["valency"],
            r["motion"] == "1",
            r["place"] == "1",
            r["dative"] == "1",
            *(r[k] for k in verb_keys),
            tuple(o for o in _split(r["objects"]) if o in known),
        )
        for r in _rows("verbs.tsv", directory)
    )
    adjectives = tuple(
        Adjective(
            r["german"], r["stem"], r["english"], r["person"] == "1", tuple(n for n in _split(r["nouns"]) if n in known)
        )
        for r in _rows("adjectives.tsv", directory)
    )
    return Lexicon(nouns, verbs, adjectives)
