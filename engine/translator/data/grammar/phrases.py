"""Noun phrases and prepositional phrases in both languages."""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine.translator.data.grammar import english as en
from engine.translator.data.grammar import german as de
from engine.translator.data.grammar.lexicon import Adjective, Lexicon, Noun

POSSESSIVES = [
    ("my", "mein"), ("your", "dein"), ("his", "sein"), ("her", "ihr"),
    ("our", "unser"), ("your", "euer"), ("their", "ihr"), ("your", "Ihr"),
]  # fmt: skip
PREPOSITIONS = {  # name: (English, German, case)
    "mit": ("with", "mit", "dat"),
    "zu": ("to", "zu", "dat"),
    "von": ("from", "von", "dat"),
    "für": ("for", "für", "acc"),
    "ohne": ("without", "ohne", "acc"),
    "in+dat": ("in", "in", "dat"),
    "in+acc": ("into", "in", "acc"),
    "auf+dat": ("on", "auf", "dat"),
}


@dataclass(frozen=True)
class NP:
    """A noun phrase: English as subject and as object, German in each case, and its person."""

    en_subject: str
    en_object: str
    de: dict[str, str]
    person: int  # conjugation person 0-5
    pronoun: bool = False
    kein: dict[str, str] | None = None  # the German with kein, for an indefinite phrase
    number: bool = False  # 'drei Hunde': negated with neither nicht nor kein here

    def german(self, case: str) -> str:
        return self.de[case]


def pronoun(index: int) -> NP:
    """Pronoun `index` of german.PRONOUNS (0 ich ... 8 Sie)."""
    cases = {case: de.PRONOUNS[case][index] for case in de.CASES}
    return NP(en.SUBJECT[index], en.OBJECT[index], cases, de.PRONOUN_PERSON[index], pronoun=True)


def _determiner(rng: random.Random, plural: bool) -> tuple[str, str, str]:
    """(English, German kind, German ein-word stem) of a random determiner."""
    roll = rng.random()
    if roll < 0.35:
        return "the", "def", ""
    if roll < 0.45:
        return ("these" if plural else "this"), "dies", ""
    if roll < 0.75:
        english, stem = rng.choice(POSSESSIVES)
        return english, "ein", stem
    if plural:
        number = rng.randint(2, 12)
        return (en.NUMBERS[number], "number", de.NUMBERS[number]) if roll < 0.87 else ("", "none", "")
    return "a", "ein", "ein"


def _german_phrase(noun: Noun, kind: str, stem: str, plural: bool, adjective: Adjective | None) -> dict[str, str]:
    out = {}
    for case in de.CASES:
        article = stem if kind == "number" else de.determiner(kind, case, noun.gender, plural, stem)
        ending = de.adjective_ending("none" if kind == "number" else kind, case, noun.gender, plural)
        words = [article, adjective.stem + ending if adjective else "", noun.form(case, plural)]
        out[case] = " ".join(w for w in words if w)
    return out


def noun_phrase(
    rng: random.Random, lexicon: Lexicon, noun: Noun, plural: bool | None = None, adjective: bool = True
) -> NP:
    """`noun` with a random determiner, maybe an adjective seen with it, singular or plural."""
    plural = rng.random() < 0.3 if plural is None else plural
    en_det, kind, stem = _determiner(rng, plural)
    choices = [a for a in lexicon.adjectives if noun.lemma in a.nouns]
    adj = rng.choice(choices) if adjective and choices and rng.random() < 0.45 else None
    german = _german_phrase(noun, kind, stem, plural, adj)
    head = " ".join(w for w in (adj.english if adj else "", noun.english_plural if plural else noun.english) if w)
    if en_det == "a":
        en_det = en.article(head)
    english = f"{en_det} {head}".strip()
    indefinite = kind == "none" or (kind == "ein" and stem == "ein")
    kein = _german_phrase(noun, "ein", "kein", plural, adj) if indefinite else None
    return NP(english, english, german, 5 if plural else 2, kein=kein, number=kind == "number")


def prepositional(name: str, np: NP) -> tuple[str, str]:
    """(English, German) of a preposition with its phrase: ('with the old man', 'mit dem alten Mann')."""
    english, german, case = PREPOSITIONS[name]
    return f"{english} {np.en_object}", de.contract(f"{german} {np.german(case)}")


PLACE_KINDS = {"artifact", "location"}


def pick(rng: random.Random, lexicon: Lexicon, *classes: str) -> Noun:
    """A random noun having one of `classes`; a place (in, into, on) must also be a WordNet artifact or location."""
    wanted = set(classes)
    nouns = [n for n in lexicon.nouns if n.classes & wanted]
    if wanted <= {"in", "into", "on"}:
        nouns = [n for n in nouns if n.classes & PLACE_KINDS]
    return rng.choice(nouns)
