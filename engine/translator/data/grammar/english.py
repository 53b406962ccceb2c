"""English side of the generator: pronouns, articles, do-support, modals and clock times."""

from __future__ import annotations

from engine.translator.data.grammar.lexicon import Verb

# Indexed like german.PRONOUNS: ich, du, er, sie, es, wir, ihr, sie (pl), Sie.
SUBJECT = ["I", "you", "he", "she", "it", "we", "you", "they", "you"]
OBJECT = ["me", "you", "him", "her", "it", "us", "you", "them", "you"]
BE = {"present": ["am", "are", "is", "are", "are", "are"], "past": ["was", "were", "was", "were", "were", "were"]}
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
# German modal -> (3rd singular, other persons, negated 3rd sg, negated other, question word 3sg/other, after subject)
MODALS = {
    "können": ("can", "can", "cannot", "cannot", ("Can", "Can"), ""),
    "müssen": ("must", "must", "does not have to", "do not have to", ("Must", "Must"), ""),
    "wollen": ("wants to", "want to", "does not want to", "do not want to", ("Does", "Do"), "want to"),
    "dürfen": ("may", "may", "must not", "must not", ("May", "May"), ""),
    "sollen": ("should", "should", "should not", "should not", ("Should", "Should"), ""),
    "mögen": (
        "would like to",
        "would like to",
        "would not like to",
        "would not like to",
        ("Would", "Would"),
        "like to",
    ),
}


def article(word: str) -> str:
    """a or an before `word`."""
    if word.startswith(("uni", "use", "usu", "eu", "one")):
        return "a"
    return "an" if word[0] in "aeiou" or word.startswith(("hour", "honest")) else "a"


def with_article(phrase: str) -> str:
    return f"{article(phrase)} {phrase}"


def third(person: int) -> bool:
    """Conjugation person 2 (he, she, it, a noun in the singular) takes -s and does."""
    return person == 2


def verb_group(verb: Verb, person: int, tense: str, negated: bool, modal: str | None) -> tuple[str, str, str]:
    """(question word, rest of a question's verb, statement verb): ('Does', 'read', 'does not read').

    Questions are never negated here; `person` is the conjugation person 0-5.
    """
    s = third(person)
    if modal:
        affirm_s, affirm, neg_s, neg, question, after = MODALS[modal]
        statement = (neg_s if s else neg) if negated else (affirm_s if s else affirm)
        return question[0 if s else 1], f"{after} {verb.en_base}".strip(), statement + " " + verb.en_base
    if tense == "perfect":
        have = "has" if s else "have"
        return have.capitalize(), verb.en_pp, f"{have}{' not' if negated else ''} {verb.en_pp}"
    if verb.infinitive == "sein":
        form = BE[tense][person]
        return form.capitalize(), "", form + (" not" if negated else "")
    do = {"present": "does" if s else "do", "past": "did"}[tense]
    simple = {"present": verb.en_s if s else verb.en_base, "past": verb.en_past}[tense]
    return do.capitalize(), verb.en_base, f"{do} not {verb.en_base}" if negated else simple


def clock(hour: int, minute: int) -> str:
    """at nine, at half past nine, at a quarter past nine, at a quarter to ten."""

    def name(h: int) -> str:
        return NUMBERS[(h - 1) % 12 + 1]

    if minute == 0:
        return f"at {name(hour)}"
    if minute == 30:
        return f"at half past {name(hour)}"
    return f"at a quarter past {name(hour)}" if minute == 15 else f"at a quarter to {name(hour + 1)}"


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
