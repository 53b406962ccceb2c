"""More templates: questions, sein with adjectives and places, prepositions, numbers, imperatives, dass."""

from __future__ import annotations

import random

from engine.translator.data.grammar import english as en
from engine.translator.data.grammar import german as de
from engine.translator.data.grammar import templates as t
from engine.translator.data.grammar.clauses import Clause
from engine.translator.data.grammar.lexicon import Lexicon
from engine.translator.data.grammar.phrases import NP, noun_phrase, pick, prepositional, pronoun
from engine.translator.data.grammar.templates import (
    SEIN,
    any_clause,
    front_time,
    intransitive_clause,
    person_np,
    transitive_clause,
)

WHO = NP("who", "who", {"nom": "wer", "acc": "wen", "dat": "wem"}, 2, pronoun=True)
MAIN_CLAUSES = [  # English, German, person of the subject (pronoun index)
    ("think", "glaube", 0),
    ("know", "weiß", 0),
    ("hope", "hoffen", 5),
    ("says", "sagt", 3),
    ("believe", "glaube", 0),
]
ADVERBS = {"why": ("Why", "Warum"), "when": ("When", "Wann")}


def yes_no_question(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """Verb first: 'Liest du das Buch?' / 'Do you read the book?'"""
    clause = any_clause(rng, lexicon)
    return clause.english_question(), clause.german_question()


def wh_question(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """Was/Wen (object), Wer (subject), Wo/Wohin (place), Warum/Wann: the verb right after it."""
    roll = rng.random()
    if roll < 0.3:
        clause = transitive_clause(rng, lexicon)
        thing, case = clause.objects.pop()
        person = thing.pronoun or "person" in _classes(lexicon, thing)
        clause.objects = []
        english, german = ("Who", "Wem" if case == "dat" else "Wen") if person else ("What", "Was")
        return clause.english_question(english), clause.german_question(german)
    if roll < 0.5:
        clause = any_clause(rng, lexicon)
        clause.subject = WHO
        return clause.english_statement()[:-1] + "?", clause.german_statement()[:-1] + "?"
    if roll < 0.7:
        verbs = [v for v in t.intransitive_verbs(lexicon) if v.motion or v.place]
        clause = intransitive_clause(rng, lexicon, verbs)
        if clause.adjuncts and not clause.adjuncts[-1][1].startswith(("mit", "zu")):
            place = clause.adjuncts.pop()
            english, german = ("Where", "Wohin") if place[0].startswith("into") else ("Where", "Wo")
            return clause.english_question(english), clause.german_question(german)
    clause = any_clause(rng, lexicon)
    english, german = ADVERBS[rng.choice(list(ADVERBS))]
    return clause.english_question(english), clause.german_question(german)


def _classes(lexicon: Lexicon, np: NP) -> frozenset[str]:
    for noun in lexicon.nouns:
        if np.en_object.endswith((f" {noun.english}", f" {noun.english_plural}")):
            return noun.classes
    return frozenset()


def predicate_adjective(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """'Der alte Hund ist sehr müde.' sein with an adjective, maybe negated, asked or in the past."""
    adjective = rng.choice([a for a in lexicon.adjectives if a.nouns or a.person])
    if adjective.person and (not adjective.nouns or rng.random() < 0.5):
        np = pronoun(rng.choice([0, 1, 2, 3, 5, 6, 7, 8])) if rng.random() < 0.6 else person_np(rng, lexicon, 0)
    else:
        np = noun_phrase(rng, lexicon, lexicon.noun(rng.choice(adjective.nouns)), adjective=False)
    complement = (adjective.english, adjective.german)
    if rng.random() < 0.3:
        complement = (f"very {adjective.english}", f"sehr {adjective.german}")
    clause = Clause(np, SEIN, complement=complement, tense=rng.choice(["present", "present", "past"]))
    if rng.random() < 0.25:
        return clause.english_question(), clause.german_question()
    clause.negated = rng.random() < 0.3
    return clause.english_statement(), clause.german_statement()


def location(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """'Das Buch ist auf dem Tisch.' / 'Wo ist das Buch?': in and auf with the dative."""
    thing = noun_phrase(rng, lexicon, pick(rng, lexicon, "artifact", "communication", "food", "animal"))
    name = rng.choice(["in+dat", "auf+dat"])
    place = noun_phrase(rng, lexicon, pick(rng, lexicon, "in" if name == "in+dat" else "on"), plural=False)
    clause = Clause(thing, SEIN, complement=prepositional(name, place), tense=rng.choice(["present", "past"]))
    roll = rng.random()
    if roll < 0.2:
        clause.complement = None
        return clause.english_question("Where"), clause.german_question("Wo")
    clause.negated = roll > 0.8
    return clause.english_statement(), clause.german_statement()


def prepositions(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """für/ohne + accusative, mit/von + dative, with nouns or pronouns ('für meine Schwester', 'mit ihm')."""
    clause = transitive_clause(rng, lexicon)
    name = rng.choice(["für", "für", "ohne", "mit"])
    others = [2, 3, 7] if clause.subject.pronoun else [0, 1, 2, 3, 5, 6, 7]  # never 'wir ... für uns'
    partner = pronoun(rng.choice(others)) if rng.random() < 0.4 else person_np(rng, lexicon, 0)
    clause.adjuncts.insert(0, prepositional(name, partner))
    return clause.english_statement(), clause.german_statement()


def this_is(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """'Das ist ein Geschenk von meinem Vater.', 'Das sind keine Äpfel.': nominative after sein."""
    np = noun_phrase(rng, lexicon, pick(rng, lexicon, "artifact", "communication", "food", "animal"))
    while np.en_object.startswith(("this ", "these ")):  # not 'These are these crows.'
        np = noun_phrase(rng, lexicon, pick(rng, lexicon, "artifact", "communication", "food", "animal"))
    plural = np.person == 5
    this = NP("these" if plural else "this", "", {"nom": "das"}, np.person)
    clause = Clause(this, SEIN, objects=[(np, "nom")], negated=rng.random() < 0.3 and np.kein is not None)
    if not clause.negated and rng.random() < 0.5:
        clause.adjuncts.append(prepositional("von", person_np(rng, lexicon, 0.3)))
    return clause.english_statement(), clause.german_statement()


def numbers(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """'Wir haben drei alte Hunde.' / 'Er kauft zwölf Eier um halb neun.'"""
    clause = transitive_clause(rng, lexicon, [v for v in t.transitive_verbs(lexicon) if v.objects])
    noun = lexicon.noun(rng.choice(clause.verb.objects))
    while True:
        np = noun_phrase(rng, lexicon, noun, plural=True)
        if np.en_object.split(" ")[0] in en.NUMBERS:
            break
    clause.objects = [(np, "acc")]
    front_time(rng, clause)
    return clause.english_statement(), clause.german_statement()


def imperative(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """du, ihr and Sie: 'Mach die Tür auf!', 'Kinder, lest das Buch!', 'Lesen Sie bitte das Buch.'"""
    while True:
        clause = transitive_clause(rng, lexicon)
        person = rng.choice([1, 4, 6])
        form = de.imperative(clause.verb, person)
        if form is not None and not clause.objects[0][0].pronoun:
            break
    clause.subject, clause.negated = pronoun(0), rng.random() < 0.25
    middle = clause._german_middle()  # objects, nicht
    final = [clause.verb.prefix] if clause.verb.prefix else []
    english_rest = " ".join(np.en_object for np, _ in clause.objects)
    english = f"{'do not ' if clause.negated else ''}{clause.verb.en_base} {english_rest}"
    if person == 6:
        return en.capitalize(f"please {english}."), en.capitalize(
            " ".join([form, "Sie", "bitte", *middle, *final])
        ) + "."
    if person == 4:
        return f"Children, {english}!", "Kinder, " + " ".join([form, *middle, *final]) + "!"
    return en.capitalize(english) + "!", en.capitalize(" ".join([form, *middle, *final])) + "!"


def dass_clause(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """'Ich glaube, dass er das Buch gelesen hat.': the finite verb at the end."""
    clause = any_clause(rng, lexicon)
    clause.negated = rng.random() < 0.25
    verb_en, verb_de, index = rng.choice(MAIN_CLAUSES)
    main_en = f"{en.SUBJECT[index] if index != 3 else 'she'} {verb_en}"
    main_de = f"{de.PRONOUNS['nom'][index]} {verb_de}"
    return (
        en.capitalize(f"{main_en} that {clause.english_statement(True)}."),
        en.capitalize(f"{main_de}, {clause.german_subordinate()}."),
    )
