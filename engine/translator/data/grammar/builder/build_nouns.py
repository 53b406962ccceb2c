"""Noun selection for build_lexicon.py: Ding nouns with Wiktionary case forms, ranked by Tatoeba counts."""

from __future__ import annotations

from dataclasses import dataclass

from engine.translator.data.grammar.builder import sources, wordnet
from engine.translator.data.grammar.builder.tatoeba import Index

PLURAL_KEYS = ["", "*", " 1", " 2", " 3", " 4"]


@dataclass
class Noun:
    lemma: str
    gender: str
    english: str
    english_plural: str
    acc: str
    dat: str
    plural: str
    dat_plural: str
    line: int
    score: int
    classes: set[str]


def _case_forms(entry: sources.NounEntry, row: dict[str, str]) -> tuple[str, str, str] | None:
    """(accusative sg, dative sg, dative pl) from the Wiktionary row whose plural is Ding's."""
    if row["genus"] != entry.gender or row["genus 1"] or row["nominativ singular"] != entry.lemma:
        return None
    for key in PLURAL_KEYS:
        if row.get(f"nominativ plural{key}") == entry.plural and row.get(f"dativ plural{key}"):
            return row["akkusativ singular"], row["dativ singular"], row[f"dativ plural{key}"]
    return None


def _noun_classes(noun: Noun, feminine: bool, kinds: dict[str, str], index: Index) -> set[str]:
    """WordNet's class (person, animal, food, ...; person too if Ding names a female form) and
    in/into/on if Tatoeba has the noun after those prepositions (im / in the, ins / into the, auf dem / on the)."""
    kind = kinds.get(noun.english, "")
    classes = {"person" if feminine else kind} - {""}
    dat_article = {"m": "im", "n": "im", "f": "in der"}[noun.gender]
    acc_article = {"m": "in den", "n": "ins", "f": "in die"}[noun.gender]
    on_article = {"m": "auf dem", "n": "auf dem", "f": "auf der"}[noun.gender]
    tests = {
        "in": ([f"{dat_article} {noun.dat}"], [f"in the {noun.english}"]),
        "into": ([f"{acc_article} {noun.acc}"], [f"into the {noun.english}", f"to the {noun.english}"]),
        "on": ([f"{on_article} {noun.dat}"], [f"on the {noun.english}"]),
    }
    for name, (de, en) in tests.items():
        if index.de_ids(de) or index.en_ids(en):  # the runtime also wants a WordNet artifact or location
            classes.add(name)
    return classes


def _noun_phrases(singular: str, plural: str) -> list[str]:
    """English determiner + noun sequences: 'the work' is a noun, 'work' may be a verb."""
    article = "an" if singular[0] in "aeiou" else "a"
    singulars = [f"{d} {singular}" for d in ("the", article, "my", "your", "his", "her", "our", "this", "that")]
    plurals = [f"{d} {plural}" for d in ("the", "my", "your", "his", "her", "our", "these", "two", "three")]
    irregular = [plural] if not plural.startswith(singular.rstrip("y")) else []  # 'women' is no verb
    return singulars + plurals + irregular


def select_nouns(
    entries: list[sources.NounEntry], rows: dict[str, dict[str, str]], index: Index, limit: int, blocked: set[str]
) -> list[Noun]:
    """The `limit` nouns best attested together with their gloss, one noun per gloss."""
    best: dict[str, tuple[Noun, bool]] = {}
    for entry in entries:
        row = rows.get(entry.lemma)
        forms = _case_forms(entry, row) if row else None
        if forms is None or {entry.english, entry.english_plural} & blocked or entry.english == entry.english_plural:
            continue
        de_words = {entry.lemma, entry.plural, *forms}
        score = len(index.together(de_words, _noun_phrases(entry.english, entry.english_plural)))
        noun = Noun(
            entry.lemma,
            entry.gender,
            entry.english,
            entry.english_plural,
            forms[0],
            forms[1],
            entry.plural,
            forms[2],
            entry.line,
            score,
            set(),
        )
        if score >= 3 and (entry.lemma not in best or score > best[entry.lemma][0].score):
            best[entry.lemma] = (noun, entry.feminine)
    kinds = wordnet.noun_classes({noun.english for noun, _ in best.values()})
    chosen, glosses = [], set()
    for noun, feminine in sorted(best.values(), key=lambda item: -item[0].score):
        if noun.english not in glosses:
            glosses.add(noun.english)
            noun.classes = _noun_classes(noun, feminine, kinds, index)
            chosen.append(noun)
    return chosen[:limit]


def noun_ids(noun: Noun, index: Index) -> tuple[set[int], set[int]]:
    de = index.de_ids({noun.lemma, noun.acc, noun.dat, noun.plural, noun.dat_plural})
    return de, index.en_ids([noun.english, noun.english_plural])


def companions(de: set[int], en: set[int], nouns: list[Noun], index: Index) -> list[str]:
    """Nouns that occur in one pair together with the word (given by its pair ids), on both sides."""
    found = []
    for noun in nouns:
        noun_de, noun_en = noun_ids(noun, index)
        if de & noun_de & en & noun_en:
            found.append(noun.lemma)
    return found
