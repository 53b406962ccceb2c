"""A small English-German grammar written for this project: everyday sentences with cases and word order.

The dictionary's example sentences are mostly idioms; they rarely show "Das Buch ist auf dem Tisch".
These generated pairs (labelled synthetic, used only in training, never in validation or test)
teach articles by gender and case, verb endings, the verb-second rule, verb-final infinitives,
participles and subordinate clauses. The word lists are in grammar.json beside this file.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def _tuples(value):
    """JSON lists back to the tuples the templates index (nested rows included, tables kept as dicts)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


_WORDS = {k: _tuples(v) for k, v in json.loads((Path(__file__).with_name("grammar.json")).read_text("utf-8")).items()}
# English singular/plural, German singular/plural, gender, kind
NOUNS = _WORDS["nouns"]
# English base, 3rd singular, past; German ich, du, er, wir, ihr, sie; participle; object kinds
VERBS = _WORDS["verbs"]
MODALS = _WORDS["modals"]  # English, 3rd singular, German by person
ADJECTIVES, PREDICATES = _WORDS["adjectives"], _WORDS["predicates"]  # (English, German)
# Intransitive verbs: English base, 3rd singular, -ing; German ich, du, er, wir, ihr, sie
INTRANSITIVE, LIVE = _WORDS["intransitive"], _WORDS["live"]
CITIES, PLACES, ADVERBS = _WORDS["cities"], _WORDS["places"], _WORDS["adverbs"]
PRONOUNS = _WORDS["pronouns"]  # (English, German, person 0-5)
BE, HAVE = _WORDS["be"], _WORDS["have"]  # BE: (English by person, German by person)
DEF, INDEF, WEAK, MIXED, MY = (_WORDS[k] for k in ("def", "indef", "weak", "mixed", "my"))  # case -> gender -> word


@dataclass(frozen=True)
class Phrase:
    """A noun phrase in both languages; person is 2 (singular) or 5 (plural) for verb agreement."""

    en: str
    de_noun: tuple  # the NOUNS row
    article: str  # "def", "indef" or "my"
    plural: bool
    adjective: tuple | None

    @property
    def person(self) -> int:
        return 5 if self.plural else 2

    def german(self, case: str) -> str:
        """The phrase declined in `case`."""
        _, _, sg, pl, gender, _ = self.de_noun
        key = "p" if self.plural else gender
        noun = pl if self.plural else sg
        if self.plural and case == "dat" and not noun.endswith(("n", "s")):
            noun += "n"
        if self.article == "indef" and not self.plural:
            art, ending = INDEF[case][key], MIXED[case][key]
        elif self.article == "my":
            art = "meiner" if (case == "dat" and key == "f") else MY[DEF[case][key]]
            ending = (WEAK if self.plural else MIXED)[case][key]
        elif self.article == "indef":  # plural without article: strong endings
            art, ending = "", ("en" if case == "dat" else "e")
        else:
            art, ending = DEF[case][key], WEAK[case][key]
        adjective = f"{self.adjective[1]}{ending} " if self.adjective else ""
        return f"{art} {adjective}{noun}".strip()


def noun_phrase(rng: random.Random, kinds: set[str], allow_adjective: bool = True) -> Phrase:
    """A random noun phrase of one of `kinds` (definite, indefinite or "my"; perhaps plural, perhaps an adjective)."""
    row = rng.choice([n for n in NOUNS if n[5] in kinds])
    plural = rng.random() < 0.25 and row[5] != "drink"
    article = rng.choice(["def", "def", "indef", "my"])
    adjective = rng.choice(ADJECTIVES) if allow_adjective and rng.random() < 0.3 else None
    en_article = {
        "def": "the",
        "indef": "" if plural else ("an" if (adjective or row)[0][0] in "aeiou" else "a"),
        "my": "my",
    }[article]
    en_noun = row[1] if plural else row[0]
    en = " ".join(w for w in (en_article, adjective[0] if adjective else "", en_noun) if w)
    return Phrase(en, row, article, plural, adjective)


def _subject(rng: random.Random) -> tuple[str, str, int]:
    """(English, German nominative, person) of a pronoun or an animate noun phrase."""
    if rng.random() < 0.5:
        return rng.choice(PRONOUNS)
    np = noun_phrase(rng, {"person", "animal"}, allow_adjective=False)
    return np.en, np.german("nom"), np.person


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


@dataclass(frozen=True)
class Clause:
    """What every template starts from: a subject, a transitive verb and an object fitting it."""

    en_s: str
    de_s: str
    person: int  # 0-5: ich, du, er/sie/es, wir, ihr, sie
    verb: tuple  # the VERBS row
    obj: Phrase

    @property
    def third(self) -> bool:
        return self.person == 2

    @property
    def en_verb(self) -> str:
        return self.verb[1] if self.third else self.verb[0]

    @property
    def de_verb(self) -> str:
        return self.verb[3][self.person]

    @property
    def en_inner(self) -> str:
        """The English subject inside a sentence (lower case unless it is "I")."""
        return self.en_s if self.en_s == "I" else self.en_s.lower()


Pair = tuple[str, str]


def _present(rng: random.Random, c: Clause) -> Pair:
    """Present tense, verb second."""
    return f"{_cap(c.en_s)} {c.en_verb} {c.obj.en}.", f"{_cap(c.de_s)} {c.de_verb} {c.obj.german('acc')}."


def _negation(rng: random.Random, c: Clause) -> Pair:
    """Negation: nicht at the end, or kein for an indefinite object."""
    english = f"{_cap(c.en_s)} {'does' if c.third else 'do'} not {c.verb[0]} {c.obj.en}."
    if c.obj.article == "indef" and not c.obj.plural:
        return english, f"{_cap(c.de_s)} {c.de_verb} k{c.obj.german('acc')}."
    return english, f"{_cap(c.de_s)} {c.de_verb} {c.obj.german('acc')} nicht."


def _question(rng: random.Random, c: Clause) -> Pair:
    """Yes/no question: the verb first."""
    do = "Does" if c.third else "Do"
    return f"{do} {c.en_inner} {c.verb[0]} {c.obj.en}?", f"{_cap(c.de_verb)} {c.de_s} {c.obj.german('acc')}?"


def _modal(rng: random.Random, c: Clause) -> Pair:
    """Modal verb: the infinitive at the end."""
    modal = rng.choice(MODALS)
    return (
        f"{_cap(c.en_s)} {modal[1] if c.third else modal[0]} {c.verb[0]} {c.obj.en}.",
        f"{_cap(c.de_s)} {modal[2][c.person]} {c.obj.german('acc')} {c.verb[3][3]}.",
    )


def _perfect(rng: random.Random, c: Clause) -> Pair:
    """English past as German perfect: the participle at the end."""
    return (
        f"{_cap(c.en_s)} {c.verb[2]} {c.obj.en}.",
        f"{_cap(c.de_s)} {HAVE[c.person]} {c.obj.german('acc')} {c.verb[4]}.",
    )


def _place(rng: random.Random, kinds: set[str]) -> tuple[str, str]:
    """(English, German) of a preposition with a dative place; "in dem" contracted to "im"."""
    place = noun_phrase(rng, kinds, allow_adjective=False)
    prep = rng.choice(PLACES)
    return f"{prep[0]} {place.en}", f"{prep[1]} {place.german('dat')}".replace("in dem ", "im ")


def _location(rng: random.Random, c: Clause) -> Pair:
    """Location: sein + preposition + dative."""
    thing = noun_phrase(rng, {"thing", "read", "animal", "food"})
    en_place, de_place = _place(rng, {"thing", "place"})
    return (
        f"{_cap(thing.en)} {BE[0][thing.person]} {en_place}.",
        f"{_cap(thing.german('nom'))} {BE[1][thing.person]} {de_place}.",
    )


def _predicate(rng: random.Random, c: Clause) -> Pair:
    """Predicate adjective, of a person or of a thing, perhaps with "very"."""
    en_s, de_s, person = c.en_s, c.de_s, c.person
    if rng.random() < 0.5:
        adjective = rng.choice(PREDICATES)
    else:
        thing = noun_phrase(rng, {"thing", "place", "read", "food", "watch"}, allow_adjective=False)
        en_s, de_s, person, adjective = thing.en, thing.german("nom"), thing.person, rng.choice(ADJECTIVES)
    very = rng.random() < 0.3
    en_adj, de_adj = (f"very {adjective[0]}", f"sehr {adjective[1]}") if very else adjective
    return f"{_cap(en_s)} {BE[0][person]} {en_adj}.", f"{_cap(de_s)} {BE[1][person]} {de_adj}."


def _adverb_first(rng: random.Random, c: Clause) -> Pair:
    """Adverb first: the verb stays second, the subject moves after it."""
    adverb = rng.choice(ADVERBS)
    return (
        f"{adverb[0]} {c.en_inner} {c.en_verb} {c.obj.en}.",
        f"{adverb[1]} {c.de_verb} {c.de_s} {c.obj.german('acc')}.",
    )


def _subordinate(rng: random.Random, c: Clause) -> Pair:
    """Subordinate clause: the verb goes to the end."""
    main = rng.choice(_WORDS["main_clauses"])
    return (
        f"{main[0]} that {c.en_inner} {c.en_verb} {c.obj.en}.",
        f"{main[1]}, dass {c.de_s} {c.obj.german('acc')} {c.de_verb}.",
    )


def _intransitive(rng: random.Random, c: Clause) -> Pair:
    """Intransitive verb, simple or progressive (German has one present), with a place."""
    verb = rng.choice(INTRANSITIVE)
    en_place, de_place = _place(rng, {"place", "thing"})
    en_verb = f"{BE[0][c.person]} {verb[2]}" if rng.random() < 0.5 else (verb[1] if c.third else verb[0])
    return f"{_cap(c.en_s)} {en_verb} {en_place}.", f"{_cap(c.de_s)} {verb[3][c.person]} {de_place}."


def _this_is(rng: random.Random, c: Clause) -> Pair:
    """"This is ..." takes the nominative."""
    np = noun_phrase(rng, {"person", "animal", "thing", "place", "read", "food"})
    if np.plural:
        (en_this, de_this), be_en, be_de = rng.choice(_WORDS["this_plural"]), "are", "sind"
    else:
        (en_this, de_this), be_en, be_de = rng.choice(_WORDS["this_singular"]), "is", "ist"
    return f"{en_this} {be_en} {np.en}.", f"{de_this} {be_de} {np.german('nom')}."


def _in_city(rng: random.Random, c: Clause) -> Pair:
    """Living, working or waiting in a city."""
    verb = rng.choice([LIVE, INTRANSITIVE[2], INTRANSITIVE[3]])
    city = rng.choice(CITIES)
    progressive = verb is not LIVE and rng.random() < 0.5
    en_verb = f"{BE[0][c.person]} {verb[2]}" if progressive else (verb[1] if c.third else verb[0])
    return f"{_cap(c.en_s)} {en_verb} in {city[0]}.", f"{_cap(c.de_s)} {verb[3][c.person]} in {city[1]}."


# Drawn uniformly by index; the order is part of the seed -> pairs mapping, so keep it.
TEMPLATES: tuple[Callable[[random.Random, Clause], Pair], ...] = (
    _present,
    _negation,
    _question,
    _modal,
    _perfect,
    _location,
    _predicate,
    _adverb_first,
    _subordinate,
    _intransitive,
    _this_is,
    _in_city,
)


def sentence_pair(rng: random.Random) -> Pair:
    """One random (English, German) pair from the templates above."""
    en_s, de_s, person = _subject(rng)
    verb = rng.choice(VERBS)
    clause = Clause(en_s, de_s, person, verb, noun_phrase(rng, verb[5]))
    return TEMPLATES[rng.randrange(len(TEMPLATES))](rng, clause)


def synthetic_pairs(n: int, seed: int = 0) -> list[Pair]:
    """n distinct generated (English, German) pairs."""
    rng, seen, out = random.Random(seed), set(), []
    while len(out) < n:
        pair = sentence_pair(rng)
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out
