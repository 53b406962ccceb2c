"""Build the generator's lexicon (words/*.tsv) from Ding and german-nouns, choosing words by Tatoeba counts.

    python -m engine.translator.data.grammar.builder.build_lexicon \
        --german-nouns data/german_nouns-1.2.5-py3-none-any.whl

Sources: Ding (Debian trans-de-en, GPL-2+) for nouns with gender and plural, verbs with their
principal parts and auxiliary, adjectives and all English glosses; german-nouns (Wiktionary,
CC BY-SA 4.0) for the case forms of nouns (dative plural, weak masculines) and as a check of
gender and plural. The Tatoeba English/German file only ranks and pairs words (how often a
German word and its gloss occur in the same pair, which nouns a verb or adjective goes with).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from engine.translator.data.grammar.builder import sources
from engine.translator.data.grammar.builder.build_nouns import Noun, companions, select_nouns
from engine.translator.data.grammar.builder.build_verbs import Verb, english_ids, german_ids, select_verbs
from engine.translator.data.grammar.builder.tatoeba import Index

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "words"


def word_list(name: str) -> set[str]:
    """Words of a curation file (curation/NAME.txt), one a line, # comments."""
    text = (HERE / "curation" / f"{name}.txt").read_text(encoding="utf-8")
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


BLOCKED = word_list("blocked")
NOT_ADJECTIVES = word_list("not_adjectives")


def attributive(forms: list[str], english: str, nouns: list[Noun], index: Index) -> list[str]:
    """Nouns that Tatoeba has right after the adjective, on both sides ('alten Mann' / 'old man')."""
    found = []
    for noun in nouns:
        de = [f"{form} {word}" for form in forms for word in {noun.lemma, noun.acc, noun.dat, noun.plural}]
        if index.together(de, [f"{english} {noun.english}", f"{english} {noun.english_plural}"]):
            found.append(noun.lemma)
    return found


def select_adjectives(
    entries: list[tuple[str, str, int]], index: Index, nouns: list[Noun], limit: int
) -> list[dict[str, str]]:
    """Adjectives whose inflected forms Tatoeba attests, with the nouns they were seen with."""
    best: dict[str, dict[str, str]] = {}
    for german, english, line in entries:
        if english in BLOCKED or german.endswith(("a", "i", "o", "u")):
            continue
        if german in NOT_ADJECTIVES:
            continue
        if german.endswith("e") and not index.de_ids([f"ist {german}", f"bin {german}", f"sind {german}"]):
            continue  # 'nächste', 'andere': inflected forms or determiners, not predicative adjectives
        stems = [german[:-1]] if german.endswith("e") else [german]
        endings = ("e", "en", "er", "es", "em") if german.endswith("e") else ("en", "er", "es", "em")
        stems += [german[:-2] + german[-1]] if german.endswith(("el", "er")) else []
        stems = [s for s in stems if any(index.de_count(s + ending) for ending in endings)]
        score = len(
            index.together([german] + [stems[0] + e for e in ("e", "en", "er", "es")] if stems else [german], [english])
        )
        if stems and score >= 3 and score > int(best.get(german, {}).get("score", 0)):
            best[german] = {
                "german": german,
                "stem": stems[0],
                "english": english,
                "line": str(line),
                "score": str(score),
            }
    chosen, glosses = [], set()
    for adjective in sorted(best.values(), key=lambda a: -int(a["score"])):
        if adjective["english"] not in glosses:
            glosses.add(adjective["english"])
            forms = [adjective["german"]] + [adjective["stem"] + e for e in ("e", "en", "er", "es", "em")]
            said = [f"{be} {adjective['german']}" for be in ("bin", "bist", "seid")]  # said of a person
            person = index.together(said, [f"am {adjective['english']}", f"are {adjective['english']}"])
            adjective["nouns"] = ",".join(attributive(forms[1:], adjective["english"], nouns, index))
            adjective["person"] = "1" if person else ""
            chosen.append(adjective)
    return chosen[:limit]


def _write(name: str, rows: list[dict[str, str]]) -> None:
    DATA.mkdir(exist_ok=True)
    with (DATA / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def noun_row(noun: Noun) -> dict[str, str]:
    row = {k: str(v) for k, v in vars(noun).items() if k != "classes"}
    return row | {"classes": ",".join(sorted(noun.classes))}


DETERMINERS = ("the", "a", "an", "my", "your", "his", "her", "our", "their", "this", "some")


def nouns_by_lemma(nouns: list[Noun]) -> dict[str, Noun]:
    return {noun.lemma: noun for noun in nouns}


def _object_evidence(verb: Verb, noun: Noun, index: Index) -> bool:
    """The noun right after the English verb, bare or after a determiner ('bought bread', 'invited my
    father'): being in the same pair is not enough ('trank die ganze Nacht', 'mein Vater raucht')."""
    forms = {verb.english[key] for key in ("base", "s", "past", "pp")}
    heads = (noun.english, noun.english_plural)
    phrases = [f"{form} {head}" for form in forms for head in heads]
    phrases += [f"{form} {d} {head}" for form in forms for d in DETERMINERS for head in heads]
    return bool(index.en_ids(phrases))


def verb_row(verb: Verb, nouns: list[Noun], index: Index) -> dict[str, str]:
    keys = ["du", "er", "past", "past_pl", "participle", "aux", "imp"]
    ids = german_ids(verb.infinitive, verb.prefix, verb.forms, index), english_ids(verb.english, index)
    objects = companions(*ids, nouns, index)  # of a verb without object: who does it, and where
    if verb.valency != "none":
        objects = [n for n in objects if _object_evidence(verb, nouns_by_lemma(nouns)[n], index)]
    directions = index.de_ids(["ins", "in den", "in die", "zum", "zur", "nach Hause"]) & ids[0]
    places = index.de_ids(["im", "in der", "zu Hause"]) & ids[0]
    motion = verb.valency == "none" and verb.forms["aux"] == "sein" and len(directions) >= max(3, 2 * len(places))
    row = {"infinitive": verb.infinitive, "prefix": verb.prefix, "valency": verb.valency}
    row |= {
        "motion": "1" if motion else "",
        "place": "1" if len(places) >= 2 else "",
        "dative": "1" if verb.dative else "",
    }
    row |= {key: verb.forms.get(key, "") for key in keys}
    if verb.valency != "none":
        row["aux"] = "haben"  # with an object the perfect takes haben ('hat den Ball getreten')
    row |= {f"en_{key}": verb.english[key] for key in ("base", "s", "past", "pp")}
    return row | {"objects": ",".join(objects), "lines": ",".join(map(str, verb.lines)), "score": str(verb.score)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--german-nouns", type=Path, required=True, help="nouns.csv or the german-nouns wheel")
    parser.add_argument("--ding", type=Path, default=sources.DING_PATH)
    parser.add_argument(
        "--tatoeba",
        type=Path,
        default=None,
        help="the Tatoeba TSV (default: data/tatoeba/, then ../shared/data/tatoeba/)",
    )
    parser.add_argument("--nouns", type=int, default=300)
    parser.add_argument("--verbs", type=int, default=160)
    parser.add_argument("--adjectives", type=int, default=100)
    args = parser.parse_args()
    index = Index(args.tatoeba)
    noun_entries, verb_entries, adjective_entries = [], [], []
    for entry in sources.ding_lines(args.ding):
        noun_entries.extend(sources.nouns_of_line(entry))
        adjective_entries.extend(sources.adjectives_of_line(entry))
        verb_entries.extend(sources.verbs_of_line(entry))
    nouns = select_nouns(noun_entries, sources.german_nouns_rows(args.german_nouns), index, args.nouns, BLOCKED)
    verbs = select_verbs(verb_entries, index, BLOCKED, args.verbs)
    adjectives = select_adjectives(adjective_entries, index, nouns, args.adjectives)
    _write("nouns.tsv", [noun_row(n) for n in nouns])
    _write("verbs.tsv", [verb_row(v, nouns, index) for v in verbs])
    _write(
        "adjectives.tsv",
        [{k: a[k] for k in ("german", "stem", "english", "person", "nouns", "line", "score")} for a in adjectives],
    )
    print(f"{len(nouns)} nouns, {len(verbs)} verbs, {len(adjectives)} adjectives written to {DATA}")


if __name__ == "__main__":
    main()
