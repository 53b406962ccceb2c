"""Hand-made expectations for the constructions the generator writes."""

from __future__ import annotations

import pytest

from engine.translator.data.grammar import english as en
from engine.translator.data.grammar import german as de
from engine.translator.data.grammar import lexicon
from engine.translator.data.grammar.clauses import Clause
from engine.translator.data.grammar.phrases import NP, _german_phrase, prepositional, pronoun

LEX = lexicon.load()
AUFMACHEN = lexicon.Verb("aufmachen", "auf", "acc", False, False, False, "", "macht auf", "machte auf", "aufgemacht",
                         "haben", "", "open", "opens", "opened", "opened", ())  # fmt: skip


def verb(infinitive: str) -> lexicon.Verb:
    return next(v for v in LEX.verbs if v.infinitive == infinitive)


def adjective(german: str) -> lexicon.Adjective:
    return next(a for a in LEX.adjectives if a.german == german)


def np(
    lemma: str, kind: str = "def", stem: str = "", plural: bool = False, adj: str | None = None, en_text: str = ""
) -> NP:
    german = _german_phrase(LEX.noun(lemma), kind, stem, plural, adjective(adj) if adj else None)
    kein = _german_phrase(LEX.noun(lemma), "ein", "kein", plural, None) if stem == "ein" else None
    return NP(en_text, en_text, german, 5 if plural else 2, kein=kein)


def test_dative_plural_takes_n() -> None:
    assert np("Kind", plural=True).german("dat") == "den Kindern"
    assert prepositional("mit", np("Kind", "ein", "mein", plural=True))[1] == "mit meinen Kindern"


def test_mit_dem_alten_mann() -> None:
    assert prepositional("mit", np("Mann", adj="alt", en_text="the old man")) == (
        "with the old man",
        "mit dem alten Mann",
    )


@pytest.mark.parametrize(
    ("kind", "stem", "case", "expected"),
    [
        ("ein", "ein", "nom", "ein alter Mann"),  # mixed
        ("ein", "ein", "acc", "einen alten Mann"),
        ("def", "", "nom", "der alte Mann"),  # weak
        ("ein", "euer", "dat", "eurem alten Mann"),
        ("dies", "", "acc", "diesen alten Mann"),
    ],
)
def test_adjective_endings(kind: str, stem: str, case: str, expected: str) -> None:
    assert np("Mann", kind, stem, adj="alt").german(case) == expected


def test_strong_plural_and_neuter() -> None:
    assert np("Buch", "none", plural=True, adj="alt").german("nom") == "alte Bücher"
    assert np("Buch", "none", plural=True, adj="alt").german("dat") == "alten Büchern"
    assert np("Buch", "ein", "ein", adj="alt").german("acc") == "ein altes Buch"
    assert np("Buch", "ein", "unser", plural=True).german("nom") == "unsere Bücher"


def test_weak_masculine_from_wiktionary() -> None:
    assert np("Junge").german("acc") == "den Jungen"


def test_prepositions_and_contractions() -> None:
    assert prepositional("in+acc", np("Haus"))[1] == "ins Haus"
    assert prepositional("in+dat", np("Haus"))[1] == "im Haus"
    assert prepositional("zu", np("Lehrer"))[1] == "zum Lehrer"
    assert prepositional("für", pronoun(2)) == ("for him", "für ihn")
    assert prepositional("mit", pronoun(3)) == ("with her", "mit ihr")
    assert prepositional("ohne", np("Freund", "ein", "mein"))[1] == "ohne meinen Freund"


def door() -> NP:
    return NP("the door", "the door", {"nom": "die Tür", "acc": "die Tür", "dat": "der Tür"}, 2)


def test_separable_prefix_goes_last_but_joins_in_dass_clause() -> None:
    clause = Clause(pronoun(0), AUFMACHEN, [(door(), "acc")])
    assert clause.german_statement() == "Ich mache die Tür auf."
    assert clause.english_statement() == "I open the door."
    assert clause.german_subordinate() == "dass ich die Tür aufmache"
    clause.tense = "perfect"
    assert clause.german_statement() == "Ich habe die Tür aufgemacht."


def test_modal_puts_the_infinitive_last() -> None:
    clause = Clause(pronoun(2), AUFMACHEN, [(door(), "acc")], modal="können")
    assert (clause.english_statement(), clause.german_statement()) == (
        "He can open the door.",
        "Er kann die Tür aufmachen.",
    )
    clause.modal, clause.negated = "müssen", True
    assert clause.english_statement() == "He does not have to open the door."
    assert clause.german_statement() == "Er muss die Tür nicht aufmachen."
    clause.modal, clause.negated = "wollen", False
    assert clause.english_question() == "Does he want to open the door?"
    assert clause.german_question() == "Will er die Tür aufmachen?"


def test_dass_clause_puts_the_verb_last() -> None:
    clause = Clause(pronoun(2), verb("lesen"), [(np("Buch", en_text="the book"), "acc")], tense="perfect")
    assert clause.german_subordinate() == "dass er das Buch gelesen hat"
    assert clause.english_statement(subordinate=True) == "he has read the book"
    clause.tense, clause.modal = "present", "dürfen"
    assert clause.german_subordinate() == "dass er das Buch lesen darf"


def test_tenses_questions_and_do_support() -> None:
    clause = Clause(pronoun(3), verb("lesen"), [(np("Buch", en_text="the book"), "acc")])
    assert (clause.english_statement(), clause.german_statement()) == ("She reads the book.", "Sie liest das Buch.")
    assert clause.english_question() == "Does she read the book?"
    assert clause.german_question() == "Liest sie das Buch?"
    clause.tense = "past"
    assert (clause.english_statement(), clause.german_statement()) == ("She read the book.", "Sie las das Buch.")
    clause.objects = []
    assert (clause.english_question("What"), clause.german_question("Was")) == ("What did she read?", "Was las sie?")


def test_perfect_with_sein() -> None:
    clause = Clause(pronoun(5), verb("kommen"), [], tense="perfect")
    clause.adjuncts.append(prepositional("zu", np("Lehrer", en_text="the teacher")))
    assert clause.german_statement() == "Wir sind zum Lehrer gekommen."
    assert clause.english_statement() == "We have come to the teacher."


def test_negation_with_nicht_and_kein() -> None:
    clause = Clause(pronoun(0), verb("haben"), [(np("Hund", "ein", "ein", en_text="a dog"), "acc")], negated=True)
    assert (clause.english_statement(), clause.german_statement()) == ("I do not have a dog.", "Ich habe keinen Hund.")
    clause = Clause(pronoun(2), verb("lesen"), [(np("Buch", en_text="the book"), "acc")], negated=True)
    assert (clause.english_statement(), clause.german_statement()) == (
        "He does not read the book.", "Er liest das Buch nicht.")  # fmt: skip


def test_fronted_time_inverts_subject_and_verb() -> None:
    clause = Clause(pronoun(2), verb("lesen"), [(np("Buch", en_text="the book"), "acc")])
    clause.front = (en.clock(9, 0), de.clock(9, 0))
    assert clause.german_statement() == "Um neun liest er das Buch."
    assert clause.english_statement() == "At nine he reads the book."
    assert (en.clock(9, 30), de.clock(9, 30)) == ("at half past nine", "um halb zehn")
    assert (en.clock(12, 45), de.clock(12, 45)) == ("at a quarter to one", "um Viertel vor eins")


def test_imperatives_and_person_forms() -> None:
    lesen = verb("lesen")
    assert [de.imperative(lesen, p) for p in (1, 4, 6)] == ["lies", "lest", "lesen"]
    assert de.imperative(AUFMACHEN, 1) == "mach"
    assert [de.present(verb("arbeiten"), p) for p in range(6)] == [
        "arbeite", "arbeitest", "arbeitet", "arbeiten", "arbeitet", "arbeiten"]  # fmt: skip
    assert de.present(verb("öffnen"), 4) == "öffnet"
    assert de.past(verb("lesen"), 1) is None  # 'lasest' is left out
    assert de.past(verb("kaufen"), 1) == "kauftest"


def test_english_articles_and_third_person() -> None:
    assert en.with_article("old man") == "an old man" and en.with_article("university") == "a university"
    assert en.verb_group(verb("haben"), 2, "present", False, None)[2] == "has"
    assert en.verb_group(verb("kommen"), 2, "past", False, None)[2] == "came"
