"""German morphology of the generator: determiners, adjective endings, pronouns and verb forms.

Only closed-class words live here (articles, pronouns, auxiliaries, modals, numbers); every open-class
form comes from the lexicon, and the person forms Ding does not list are derived by the regular rules.
"""

from __future__ import annotations

import re

from engine.translator.data.grammar.lexicon import Verb

CASES = ("nom", "acc", "dat")
# Keys: gender "m", "f", "n", or "p" for plural.
DEFINITE = {
    "nom": {"m": "der", "f": "die", "n": "das", "p": "die"},
    "acc": {"m": "den", "f": "die", "n": "das", "p": "die"},
    "dat": {"m": "dem", "f": "der", "n": "dem", "p": "den"},
}
DIES = {
    "nom": {"m": "dieser", "f": "diese", "n": "dieses", "p": "diese"},
    "acc": {"m": "diesen", "f": "diese", "n": "dieses", "p": "diese"},
    "dat": {"m": "diesem", "f": "dieser", "n": "diesem", "p": "diesen"},
}
# Endings of ein, kein and the possessives (ein has no plural).
EIN_ENDINGS = {
    "nom": {"m": "", "f": "e", "n": "", "p": "e"},
    "acc": {"m": "en", "f": "e", "n": "", "p": "e"},
    "dat": {"m": "em", "f": "er", "n": "em", "p": "en"},
}
WEAK = {"nom": {"m": "e", "f": "e", "n": "e", "p": "en"}, "acc": {"m": "en", "f": "e", "n": "e", "p": "en"}}
WEAK["dat"] = {"m": "en", "f": "en", "n": "en", "p": "en"}
MIXED = {"nom": {"m": "er", "f": "e", "n": "es", "p": "en"}, "acc": {"m": "en", "f": "e", "n": "es", "p": "en"}}
MIXED["dat"] = WEAK["dat"]
STRONG_PLURAL = {"nom": "e", "acc": "e", "dat": "en"}
CONTRACTIONS = {"in dem": "im", "in das": "ins", "zu dem": "zum", "zu der": "zur", "von dem": "vom", "an dem": "am"}

# Persons 0-5: ich, du, er/sie/es, wir, ihr, sie; 6 is formal Sie (conjugated like 5).
PRONOUNS = {
    "nom": ["ich", "du", "er", "sie", "es", "wir", "ihr", "sie", "Sie"],
    "acc": ["mich", "dich", "ihn", "sie", "es", "uns", "euch", "sie", "Sie"],
    "dat": ["mir", "dir", "ihm", "ihr", "ihm", "uns", "euch", "ihnen", "Ihnen"],
}
PRONOUN_PERSON = [0, 1, 2, 2, 2, 3, 4, 5, 5]  # the conjugation person of each pronoun above
HABEN = ["habe", "hast", "hat", "haben", "habt", "haben"]
SEIN = ["bin", "bist", "ist", "sind", "seid", "sind"]
SEIN_PAST = ["war", "warst", "war", "waren", "wart", "waren"]
MODALS = {
    "können": ["kann", "kannst", "kann", "können", "könnt", "können"],
    "müssen": ["muss", "musst", "muss", "müssen", "müsst", "müssen"],
    "wollen": ["will", "willst", "will", "wollen", "wollt", "wollen"],
    "dürfen": ["darf", "darfst", "darf", "dürfen", "dürft", "dürfen"],
    "sollen": ["soll", "sollst", "soll", "sollen", "sollt", "sollen"],
    "mögen": ["möchte", "möchtest", "möchte", "möchten", "möchtet", "möchten"],  # the polite möchte
}
NUMBERS = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"]


def key(gender: str, plural: bool) -> str:
    return "p" if plural else gender


def determiner(kind: str, case: str, gender: str, plural: bool, stem: str = "") -> str:
    """def, dies, or an ein-word (`stem` ein, kein, mein, euer ...) declined; '' for none."""
    k = key(gender, plural)
    if kind == "def":
        return DEFINITE[case][k]
    if kind == "dies":
        return DIES[case][k]
    if kind == "ein":
        ending = EIN_ENDINGS[case][k]
        return ("eur" if stem == "euer" and ending else stem) + ending
    return ""


def adjective_ending(kind: str, case: str, gender: str, plural: bool) -> str:
    """Weak after der/dieser, mixed after ein-words, strong without a determiner (plural only)."""
    k = key(gender, plural)
    if kind in ("def", "dies"):
        return WEAK[case][k]
    if kind == "ein":
        return MIXED[case][k]
    return STRONG_PLURAL[case]


def contract(text: str) -> str:
    """im, ins, zum, zur, vom, am: a preposition merged with a following definite article."""
    for full, short in CONTRACTIONS.items():
        text = re.sub(rf"\b{full}\b", short, text)
    return text


def _stem(base: str) -> str:
    return base[:-2] if base.endswith("en") else base[:-1]


def _needs_e(stem: str) -> bool:
    """arbeit-e-t, öffn-e-t, but lern-t, komm-t."""
    return stem.endswith(("t", "d")) or bool(re.search(r"[^aeiouäöülrmnh][mn]$", stem))


def _du_from_er(verb: Verb, er: str) -> str:
    stem = _stem(verb.base)
    if stem.endswith("t") and not er.endswith("et") and er != stem + "t":
        return er + "st"  # hält -> hältst
    if re.search(r"(s|ß|z|x)$", er[:-1]):
        return er  # liest, isst, sitzt
    return er[:-1] + "st"


def present(verb: Verb, person: int) -> str:
    """The finite present form without the separable prefix (person 0-5)."""
    if verb.infinitive == "sein":
        return SEIN[person]
    base, er = verb.base, verb.er.split(" ")[0]
    stem = _stem(base)
    if person == 2:
        return er
    if person == 1:
        return verb.du.split(" ")[0] if verb.du else _du_from_er(verb, er)
    if person in (3, 5):
        return base
    if base.endswith(("eln", "ern")):
        return (stem[:-2] + "le" if base.endswith("eln") else stem + "e") if person == 0 else stem + "t"
    if person == 0:
        return stem + "e"
    return stem + ("et" if _needs_e(stem) else "t")


def past(verb: Verb, person: int) -> str | None:
    """The simple past without the prefix; None for du/ihr of strong verbs (lasest/last)."""
    if verb.infinitive == "sein":
        return SEIN_PAST[person]
    form = verb.past.split(" ")[0]
    if person in (0, 2):
        return form
    if person in (3, 5):
        return form + ("n" if form.endswith("e") else "en")
    if not form.endswith("te"):
        return None
    return form + ("st" if person == 1 else "t")


def imperative(verb: Verb, person: int) -> str | None:
    """du (1), ihr (4) or Sie (6) imperative without prefix; None where no rule is sure (e->i verbs)."""
    if person == 4:
        return present(verb, 4)
    if person == 6:
        return verb.base
    if verb.imp:
        return verb.imp.split(" ")[0]
    stem = _stem(verb.base)
    if present(verb, 1)[:2] != verb.base[:2] or present(verb, 2) != present_regular(verb, 2):
        return None  # vowel change (du schläfst): leave it to Ding
    if verb.base.endswith("eln"):
        return stem[:-2] + "le"
    return stem + ("e" if _needs_e(stem) or verb.base.endswith("ern") else "")


def present_regular(verb: Verb, person: int) -> str:
    """The regular (weak) present form, to tell a stem-changing verb."""
    stem = _stem(verb.base)
    if verb.base.endswith(("eln", "ern")):
        return stem + "t"
    return stem + ("et" if _needs_e(stem) else "t") if person == 2 else stem + "st"


def finite_aux(aux: str, person: int) -> str:
    return (HABEN if aux == "haben" else SEIN)[person]


def clock(hour: int, minute: int) -> str:
    """um neun, um halb zehn, um Viertel nach neun, um Viertel vor zehn (hour 1-12)."""

    def name(h: int) -> str:
        return NUMBERS[(h - 1) % 12 + 1]

    if minute == 0:
        return f"um {name(hour)}" if hour != 1 else "um eins"
    if minute == 30:
        return f"um halb {name(hour + 1)}"
    return f"um Viertel nach {name(hour)}" if minute == 15 else f"um Viertel vor {name(hour + 1)}"
