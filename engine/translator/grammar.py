"""A small English-German grammar written for this project: everyday sentences with cases and word order.

The dictionary's example sentences are mostly idioms; they rarely show "Das Buch ist auf dem Tisch".
These generated pairs (labelled synthetic, used only in training, never in validation or test)
teach articles by gender and case, verb endings, the verb-second rule, verb-final infinitives,
participles and subordinate clauses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# English singular/plural, German singular/plural, gender, kind
NOUNS = [
    ("man", "men", "Mann", "Männer", "m", "person"),
    ("woman", "women", "Frau", "Frauen", "f", "person"),
    ("child", "children", "Kind", "Kinder", "n", "person"),
    ("teacher", "teachers", "Lehrer", "Lehrer", "m", "person"),
    ("friend", "friends", "Freund", "Freunde", "m", "person"),
    ("brother", "brothers", "Bruder", "Brüder", "m", "person"),
    ("sister", "sisters", "Schwester", "Schwestern", "f", "person"),
    ("father", "fathers", "Vater", "Väter", "m", "person"),
    ("mother", "mothers", "Mutter", "Mütter", "f", "person"),
    ("student", "students", "Student", "Studenten", "m", "person"),
    ("dog", "dogs", "Hund", "Hunde", "m", "animal"),
    ("cat", "cats", "Katze", "Katzen", "f", "animal"),
    ("house", "houses", "Haus", "Häuser", "n", "place"),
    ("car", "cars", "Auto", "Autos", "n", "thing"),
    ("book", "books", "Buch", "Bücher", "n", "read"),
    ("letter", "letters", "Brief", "Briefe", "m", "read"),
    ("newspaper", "newspapers", "Zeitung", "Zeitungen", "f", "read"),
    ("table", "tables", "Tisch", "Tische", "m", "thing"),
    ("chair", "chairs", "Stuhl", "Stühle", "m", "thing"),
    ("bed", "beds", "Bett", "Betten", "n", "thing"),
    ("door", "doors", "Tür", "Türen", "f", "thing"),
    ("window", "windows", "Fenster", "Fenster", "n", "thing"),
    ("bag", "bags", "Tasche", "Taschen", "f", "thing"),
    ("key", "keys", "Schlüssel", "Schlüssel", "m", "thing"),
    ("phone", "phones", "Telefon", "Telefone", "n", "thing"),
    ("computer", "computers", "Computer", "Computer", "m", "thing"),
    ("picture", "pictures", "Bild", "Bilder", "n", "thing"),
    ("bottle", "bottles", "Flasche", "Flaschen", "f", "thing"),
    ("box", "boxes", "Kiste", "Kisten", "f", "thing"),
    ("apple", "apples", "Apfel", "Äpfel", "m", "food"),
    ("bread", "breads", "Brot", "Brote", "n", "food"),
    ("cake", "cakes", "Kuchen", "Kuchen", "m", "food"),
    ("film", "films", "Film", "Filme", "m", "watch"),
    ("song", "songs", "Lied", "Lieder", "n", "hear"),
    ("garden", "gardens", "Garten", "Gärten", "m", "place"),
    ("city", "cities", "Stadt", "Städte", "f", "place"),
    ("school", "schools", "Schule", "Schulen", "f", "place"),
    ("kitchen", "kitchens", "Küche", "Küchen", "f", "place"),
    ("room", "rooms", "Zimmer", "Zimmer", "n", "place"),
    ("station", "stations", "Bahnhof", "Bahnhöfe", "m", "place"),
    ("train", "trains", "Zug", "Züge", "m", "thing"),
    ("coffee", "coffees", "Kaffee", "Kaffees", "m", "drink"),
    ("water", "waters", "Wasser", "Wasser", "n", "drink"),
    ("tea", "teas", "Tee", "Tees", "m", "drink"),
]
# English base, 3rd singular, past; German ich, du, er, wir, ihr, sie; participle; objects
VERBS = [
    (
        "see",
        "sees",
        "saw",
        ["sehe", "siehst", "sieht", "sehen", "seht", "sehen"],
        "gesehen",
        {"person", "animal", "thing", "place", "read", "watch"},
    ),
    (
        "have",
        "has",
        "had",
        ["habe", "hast", "hat", "haben", "habt", "haben"],
        "gehabt",
        {"animal", "thing", "read", "food"},
    ),
    (
        "like",
        "likes",
        "liked",
        ["mag", "magst", "mag", "mögen", "mögt", "mögen"],
        "gemocht",
        {"person", "animal", "thing", "place", "read", "food", "drink", "watch", "hear"},
    ),
    (
        "buy",
        "buys",
        "bought",
        ["kaufe", "kaufst", "kauft", "kaufen", "kauft", "kaufen"],
        "gekauft",
        {"thing", "read", "food", "drink"},
    ),
    ("read", "reads", "read", ["lese", "liest", "liest", "lesen", "lest", "lesen"], "gelesen", {"read"}),
    (
        "need",
        "needs",
        "needed",
        ["brauche", "brauchst", "braucht", "brauchen", "braucht", "brauchen"],
        "gebraucht",
        {"thing", "food", "drink"},
    ),
    (
        "find",
        "finds",
        "found",
        ["finde", "findest", "findet", "finden", "findet", "finden"],
        "gefunden",
        {"thing", "read", "animal"},
    ),
    ("eat", "eats", "ate", ["esse", "isst", "isst", "essen", "esst", "essen"], "gegessen", {"food"}),
    (
        "drink",
        "drinks",
        "drank",
        ["trinke", "trinkst", "trinkt", "trinken", "trinkt", "trinken"],
        "getrunken",
        {"drink"},
    ),
    ("open", "opens", "opened", ["öffne", "öffnest", "öffnet", "öffnen", "öffnet", "öffnen"], "geöffnet", {"thing"}),
    (
        "write",
        "writes",
        "wrote",
        ["schreibe", "schreibst", "schreibt", "schreiben", "schreibt", "schreiben"],
        "geschrieben",
        {"read"},
    ),
    (
        "love",
        "loves",
        "loved",
        ["liebe", "liebst", "liebt", "lieben", "liebt", "lieben"],
        "geliebt",
        {"person", "animal", "place"},
    ),
    (
        "visit",
        "visits",
        "visited",
        ["besuche", "besuchst", "besucht", "besuchen", "besucht", "besuchen"],
        "besucht",
        {"person", "place"},
    ),
    (
        "take",
        "takes",
        "took",
        ["nehme", "nimmst", "nimmt", "nehmen", "nehmt", "nehmen"],
        "genommen",
        {"thing", "food", "read"},
    ),
    (
        "sell",
        "sells",
        "sold",
        ["verkaufe", "verkaufst", "verkauft", "verkaufen", "verkauft", "verkaufen"],
        "verkauft",
        {"thing", "read", "place"},
    ),
    ("watch", "watches", "watched", ["sehe", "siehst", "sieht", "sehen", "seht", "sehen"], "gesehen", {"watch"}),
    (
        "hear",
        "hears",
        "heard",
        ["höre", "hörst", "hört", "hören", "hört", "hören"],
        "gehört",
        {"hear", "person", "animal"},
    ),
    (
        "clean",
        "cleans",
        "cleaned",
        ["putze", "putzt", "putzt", "putzen", "putzt", "putzen"],
        "geputzt",
        {"thing", "place"},
    ),
]
MODALS = [
    ("want to", "wants to", ["will", "willst", "will", "wollen", "wollt", "wollen"]),
    ("can", "can", ["kann", "kannst", "kann", "können", "könnt", "können"]),
    ("must", "must", ["muss", "musst", "muss", "müssen", "müsst", "müssen"]),
]
INFINITIVE = {"sehe": "sehen", "habe": "haben", "mag": "mögen", "lese": "lesen", "esse": "essen", "nehme": "nehmen"}
ADJECTIVES = [
    ("big", "groß"),
    ("small", "klein"),
    ("new", "neu"),
    ("old", "alt"),
    ("red", "rot"),
    ("beautiful", "schön"),
    ("cheap", "billig"),
    ("good", "gut"),
    ("fast", "schnell"),
    ("green", "grün"),
]
# Intransitive verbs: English base, 3rd singular, -ing; German ich, du, er, wir, ihr, sie
INTRANSITIVE = [
    ("play", "plays", "playing", ["spiele", "spielst", "spielt", "spielen", "spielt", "spielen"]),
    ("sleep", "sleeps", "sleeping", ["schlafe", "schläfst", "schläft", "schlafen", "schlaft", "schlafen"]),
    ("work", "works", "working", ["arbeite", "arbeitest", "arbeitet", "arbeiten", "arbeitet", "arbeiten"]),
    ("wait", "waits", "waiting", ["warte", "wartest", "wartet", "warten", "wartet", "warten"]),
    ("sing", "sings", "singing", ["singe", "singst", "singt", "singen", "singt", "singen"]),
    ("read", "reads", "reading", ["lese", "liest", "liest", "lesen", "lest", "lesen"]),
    ("eat", "eats", "eating", ["esse", "isst", "isst", "essen", "esst", "essen"]),
    ("sit", "sits", "sitting", ["sitze", "sitzt", "sitzt", "sitzen", "sitzt", "sitzen"]),
]
LIVE = ("live", "lives", "living", ["wohne", "wohnst", "wohnt", "wohnen", "wohnt", "wohnen"])
CITIES = [
    ("Berlin", "Berlin"),
    ("Hamburg", "Hamburg"),
    ("Munich", "München"),
    ("Vienna", "Wien"),
    ("Paris", "Paris"),
    ("London", "London"),
    ("Rome", "Rom"),
    ("Zurich", "Zürich"),
]
PREDICATES = [("hungry", "hungrig"), ("tired", "müde"), ("happy", "glücklich"), ("sad", "traurig"), ("here", "hier")]
PLACES = [
    ("on", "auf"),
    ("under", "unter"),
    ("next to", "neben"),
    ("behind", "hinter"),
    ("in front of", "vor"),
    ("in", "in"),
]
ADVERBS = [("Today", "Heute"), ("Tomorrow", "Morgen"), ("Now", "Jetzt"), ("Sometimes", "Manchmal")]
PRONOUNS = [("I", "ich", 0), ("you", "du", 1), ("he", "er", 2), ("she", "sie", 2), ("we", "wir", 3), ("they", "sie", 5)]
BE = (["am", "are", "is", "are", "are", "are"], ["bin", "bist", "ist", "sind", "seid", "sind"])
DEF = {
    "nom": {"m": "der", "f": "die", "n": "das", "p": "die"},
    "acc": {"m": "den", "f": "die", "n": "das", "p": "die"},
    "dat": {"m": "dem", "f": "der", "n": "dem", "p": "den"},
}
INDEF = {
    "nom": {"m": "ein", "f": "eine", "n": "ein"},
    "acc": {"m": "einen", "f": "eine", "n": "ein"},
    "dat": {"m": "einem", "f": "einer", "n": "einem"},
}
WEAK = {
    "nom": {"m": "e", "f": "e", "n": "e", "p": "en"},
    "acc": {"m": "en", "f": "e", "n": "e", "p": "en"},
    "dat": {"m": "en", "f": "en", "n": "en", "p": "en"},
}
MIXED = {
    "nom": {"m": "er", "f": "e", "n": "es"},
    "acc": {"m": "en", "f": "e", "n": "es"},
    "dat": {"m": "en", "f": "en", "n": "en"},
}


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
            base = {"der": "mein", "die": "meine", "das": "mein", "den": "meinen", "dem": "meinem"}[DEF[case][key]]
            art = "meiner" if (case == "dat" and key == "f") else base
            ending = (WEAK if self.plural else MIXED)[case][key]
        elif self.article == "indef":  # plural without article: strong endings
            art, ending = "", ("en" if case == "dat" else "e")
        else:
            art, ending = DEF[case][key], WEAK[case][key]
        adjective = f"{self.adjective[1]}{ending} " if self.adjective else ""
        return f"{art} {adjective}{noun}".strip()


def noun_phrase(rng: random.Random, kinds: set[str], allow_adjective: bool = True) -> Phrase:
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


def sentence_pair(rng: random.Random) -> tuple[str, str]:
    """One random (English, German) pair from the templates below."""
    en_s, de_s, person = _subject(rng)
    verb = rng.choice(VERBS)
    obj = noun_phrase(rng, verb[5])
    third = person == 2
    en_verb = verb[1] if third else verb[0]
    de_verb = verb[3][person]
    kind = rng.randrange(12)
    if kind == 0:  # present, verb second
        return f"{_cap(en_s)} {en_verb} {obj.en}.", f"{_cap(de_s)} {de_verb} {obj.german('acc')}."
    if kind == 1:  # negation: nicht at the end, or kein for an indefinite object
        do = "does" if third else "do"
        if obj.article == "indef" and not obj.plural:
            kein = "k" + obj.german("acc")
            return f"{_cap(en_s)} {do} not {verb[0]} {obj.en}.", f"{_cap(de_s)} {de_verb} {kein}."
        return f"{_cap(en_s)} {do} not {verb[0]} {obj.en}.", f"{_cap(de_s)} {de_verb} {obj.german('acc')} nicht."
    if kind == 2:  # yes/no question: verb first
        do = "Does" if third else "Do"
        return (
            f"{do} {en_s if en_s == 'I' else en_s.lower()} {verb[0]} {obj.en}?",
            f"{_cap(de_verb)} {de_s} {obj.german('acc')}?",
        )
    if kind == 3:  # modal: infinitive at the end
        modal = rng.choice(MODALS)
        infinitive = verb[3][3]
        return (
            f"{_cap(en_s)} {modal[1] if third else modal[0]} {verb[0]} {obj.en}.",
            f"{_cap(de_s)} {modal[2][person]} {obj.german('acc')} {infinitive}.",
        )
    if kind == 4:  # past as German perfect: participle at the end
        have = ["habe", "hast", "hat", "haben", "habt", "haben"][person]
        return f"{_cap(en_s)} {verb[2]} {obj.en}.", f"{_cap(de_s)} {have} {obj.german('acc')} {verb[4]}."
    if kind == 5:  # location: sein + preposition + dative
        thing = noun_phrase(rng, {"thing", "read", "animal", "food"})
        place = noun_phrase(rng, {"thing", "place"}, allow_adjective=False)
        prep = rng.choice(PLACES)
        de_place = f"{prep[1]} {place.german('dat')}"
        de_place = de_place.replace("in dem ", "im ")
        return (
            f"{_cap(thing.en)} {BE[0][thing.person]} {prep[0]} {place.en}.",
            f"{_cap(thing.german('nom'))} {BE[1][thing.person]} {de_place}.",
        )
    if kind == 6:  # predicate adjective, of a person or of a thing, perhaps with "very"
        if rng.random() < 0.5:
            adjective = rng.choice(PREDICATES)
        else:
            thing = noun_phrase(rng, {"thing", "place", "read", "food", "watch"}, allow_adjective=False)
            en_s, de_s, person, adjective = thing.en, thing.german("nom"), thing.person, rng.choice(ADJECTIVES)
        very = rng.random() < 0.3
        en_adj, de_adj = (f"very {adjective[0]}", f"sehr {adjective[1]}") if very else adjective
        return f"{_cap(en_s)} {BE[0][person]} {en_adj}.", f"{_cap(de_s)} {BE[1][person]} {de_adj}."
    if kind == 9:  # intransitive verb, simple or progressive (German has one present), with a place
        verb = rng.choice(INTRANSITIVE)
        place = noun_phrase(rng, {"place", "thing"}, allow_adjective=False)
        prep = rng.choice(PLACES)
        de_place = f"{prep[1]} {place.german('dat')}".replace("in dem ", "im ")
        en_verb = f"{BE[0][person]} {verb[2]}" if rng.random() < 0.5 else (verb[1] if third else verb[0])
        return f"{_cap(en_s)} {en_verb} {prep[0]} {place.en}.", f"{_cap(de_s)} {verb[3][person]} {de_place}."
    if kind == 10:  # "This is ..." takes the nominative
        np = noun_phrase(rng, {"person", "animal", "thing", "place", "read", "food"})
        if np.plural:
            (en_this, de_this), be_en, be_de = (
                rng.choice([("These", "Das"), ("Those", "Das"), ("They", "Es")]),
                "are",
                "sind",
            )
        else:
            (en_this, de_this), be_en, be_de = rng.choice([("This", "Das"), ("That", "Das"), ("It", "Es")]), "is", "ist"
        return f"{en_this} {be_en} {np.en}.", f"{de_this} {be_de} {np.german('nom')}."
    if kind == 11:  # living, working or waiting in a city
        verb = rng.choice([LIVE, INTRANSITIVE[2], INTRANSITIVE[3]])
        city = rng.choice(CITIES)
        en_verb = (
            f"{BE[0][person]} {verb[2]}" if verb is not LIVE and rng.random() < 0.5 else (verb[1] if third else verb[0])
        )
        return f"{_cap(en_s)} {en_verb} in {city[0]}.", f"{_cap(de_s)} {verb[3][person]} in {city[1]}."
    if kind == 7:  # adverb first: the verb stays second, the subject moves after it
        adverb = rng.choice(ADVERBS)
        return (
            f"{adverb[0]} {en_s if en_s == 'I' else en_s.lower()} {en_verb} {obj.en}.",
            f"{adverb[1]} {de_verb} {de_s} {obj.german('acc')}.",
        )
    # subordinate clause: the verb goes to the end
    main = rng.choice(
        [("I think", "Ich glaube"), ("I know", "Ich weiß"), ("She says", "Sie sagt"), ("We hope", "Wir hoffen")]
    )
    return (
        f"{main[0]} that {en_s if en_s == 'I' else en_s.lower()} {en_verb} {obj.en}.",
        f"{main[1]}, dass {de_s} {obj.german('acc')} {de_verb}.",
    )


def synthetic_pairs(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """n distinct generated (English, German) pairs."""
    rng, seen, out = random.Random(seed), set(), []
    while len(out) < n:
        pair = sentence_pair(rng)
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out
