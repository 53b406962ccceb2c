"""Sentence templates: each draws words from the lexicon and returns one (English, German) pair."""

from __future__ import annotations

import random

from engine.translator.data.grammar import english as en
from engine.translator.data.grammar import german as de
from engine.translator.data.grammar.clauses import Clause
from engine.translator.data.grammar.lexicon import Lexicon, Verb
from engine.translator.data.grammar.phrases import NP, noun_phrase, pick, prepositional, pronoun

SEIN = Verb("sein", "", "none", False, False, False, "bist", "ist", "war", "gewesen", "sein", "sei",
            "be", "is", "was", "been", ())  # fmt: skip
SUBJECT_PRONOUNS = [0, 1, 2, 3, 5, 6, 7, 8]  # not 'es'
TIMES = [("today", "heute"), ("now", "jetzt"), ("every day", "jeden Tag"), ("in the evening", "am Abend")]
PAST_TIMES = [("yesterday", "gestern"), ("last week", "letzte Woche")]
PEOPLE = ("person",)
ANIMATE = ("person", "animal")


def subject(rng: random.Random, lexicon: Lexicon, classes: tuple[str, ...] = PEOPLE) -> NP:
    if rng.random() < 0.5:
        return pronoun(rng.choice(SUBJECT_PRONOUNS))
    return noun_phrase(rng, lexicon, pick(rng, lexicon, *classes))


def person_np(rng: random.Random, lexicon: Lexicon, pronoun_share: float = 0.3) -> NP:
    if rng.random() < pronoun_share:
        return pronoun(rng.choice([0, 1, 2, 3, 5, 6, 7]))
    return noun_phrase(rng, lexicon, pick(rng, lexicon, *PEOPLE))


def transitive_verbs(lexicon: Lexicon) -> list[Verb]:
    return [v for v in lexicon.verbs if (v.valency in ("acc", "dat+acc") and v.objects) or v.valency == "dat"]


def objects_of(rng: random.Random, lexicon: Lexicon, verb: Verb) -> list[tuple[NP, str]]:
    """The verb's objects: a noun seen with it in the accusative, maybe a dative person before it."""
    if verb.valency == "dat":
        return [(person_np(rng, lexicon, 0.4), "dat")]  # helfen, glauben: a person in the dative
    noun = lexicon.noun(rng.choice(verb.objects))
    if "person" in noun.classes and rng.random() < 0.3:
        thing = pronoun(rng.choice([0, 1, 2, 3, 5, 6, 7]))
    else:
        thing = noun_phrase(rng, lexicon, noun)
    objects = [(thing, "acc")]
    if (verb.dative or verb.valency == "dat+acc") and not thing.pronoun and rng.random() < 0.6:
        objects.insert(0, (person_np(rng, lexicon), "dat"))
    return objects


def _tense(rng: random.Random, person: int, verb: Verb) -> str:
    tense = rng.choice(["present", "present", "perfect", "past"])
    return "present" if tense == "past" and de.past(verb, person) is None else tense


def front_time(rng: random.Random, clause: Clause) -> None:
    """Maybe front a time ('Um neun liest er ...'); never with the perfect (English would need the past)."""
    if clause.tense == "perfect" or rng.random() < 0.6:
        return
    if rng.random() < 0.5:
        hour, minute = rng.randint(1, 12), rng.choice([0, 0, 15, 30, 45])
        clause.front = (en.clock(hour, minute), de.clock(hour, minute))
    else:
        clause.front = rng.choice(PAST_TIMES if clause.tense == "past" else TIMES)


def transitive_clause(rng: random.Random, lexicon: Lexicon, verbs: list[Verb] | None = None) -> Clause:
    verb = rng.choice(verbs or transitive_verbs(lexicon))
    clause = Clause(subject(rng, lexicon), verb, objects_of(rng, lexicon, verb))
    while any(np.pronoun and np.person == clause.person and np.person in (0, 1, 3, 4) for np, _ in clause.objects):
        clause.objects = objects_of(rng, lexicon, verb)  # 'I see me' would need 'myself'
    clause.tense = _tense(rng, clause.person, verb)
    return clause


def intransitive_verbs(lexicon: Lexicon) -> list[Verb]:
    return [v for v in lexicon.verbs if v.valency == "none" and v.infinitive != "aussehen"]


def intransitive_clause(rng: random.Random, lexicon: Lexicon, verbs: list[Verb] | None = None) -> Clause:
    """A verb without object and a direction (motion verbs) or a place, maybe 'with' someone."""
    verb = rng.choice(verbs or intransitive_verbs(lexicon))
    seen = [lexicon.noun(n) for n in verb.objects if lexicon.noun(n).classes & set(ANIMATE)]
    if seen and rng.random() < 0.5:  # a person or animal Tatoeba has with this verb (der Hund schläft)
        clause = Clause(noun_phrase(rng, lexicon, rng.choice(seen)), verb)
    else:
        clause = Clause(subject(rng, lexicon, PEOPLE), verb)
    if rng.random() < 0.3:
        clause.adjuncts.append(prepositional("mit", person_np(rng, lexicon, 0)))
    if verb.motion:
        if rng.random() < 0.5:
            goal = noun_phrase(rng, lexicon, pick(rng, lexicon, "into"), plural=False)
            clause.adjuncts.append(prepositional("in+acc", goal))
        else:
            clause.adjuncts.append(prepositional("zu", person_np(rng, lexicon, 0.3)))
    elif verb.place and rng.random() < 0.7:
        name = rng.choice(["in+dat", "in+dat", "auf+dat"])
        place = pick(rng, lexicon, "in" if name == "in+dat" else "on")
        clause.adjuncts.append(prepositional(name, noun_phrase(rng, lexicon, place, plural=False)))
    clause.tense = _tense(rng, clause.person, verb)
    return clause


def any_clause(rng: random.Random, lexicon: Lexicon) -> Clause:
    clause = transitive_clause(rng, lexicon) if rng.random() < 0.65 else intransitive_clause(rng, lexicon)
    if rng.random() < 0.25:
        clause.modal, clause.tense = rng.choice(list(de.MODALS)), "present"
    return clause


def statement(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """Present, perfect or past, maybe negated (nicht/kein), maybe with a fronted time (inversion)."""
    clause = any_clause(rng, lexicon)
    clause.negated = rng.random() < 0.3 and not any(np.number for np, _ in clause.objects)
    front_time(rng, clause)
    return clause.english_statement(), clause.german_statement()


def modal(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """Modal verb second, the infinitive at the end; questions too."""
    clause = any_clause(rng, lexicon)
    clause.modal, clause.tense = rng.choice(list(de.MODALS)), "present"
    if rng.random() < 0.3:
        return clause.english_question(), clause.german_question()
    clause.negated = rng.random() < 0.3
    return clause.english_statement(), clause.german_statement()


def separable(rng: random.Random, lexicon: Lexicon) -> tuple[str, str]:
    """A separable verb: the prefix at the end ('Ich mache die Tür auf')."""
    verbs = [v for v in transitive_verbs(lexicon) if v.prefix]
    if rng.random() < 0.4:
        clause = intransitive_clause(rng, lexicon, [v for v in intransitive_verbs(lexicon) if v.prefix])
        front_time(rng, clause)
    else:
        clause = transitive_clause(rng, lexicon, verbs)
    clause.negated = rng.random() < 0.2
    if rng.random() < 0.3:
        english, german = clause.english_statement(True), clause.german_subordinate()
        return f"I know that {english}.", f"Ich weiß, {german}."
    return clause.english_statement(), clause.german_statement()
