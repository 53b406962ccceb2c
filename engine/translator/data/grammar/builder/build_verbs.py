"""Verb selection for build_lexicon.py: Ding forms merged over lines, glosses chosen by Tatoeba counts."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from engine.translator.data.grammar.builder.sources import VerbEntry
from engine.translator.data.grammar.builder.tatoeba import Index

# Verbs the grammar handles itself (auxiliaries, modals) or whose forms no rule derives.
CLOSED_CLASS = {"sein", "werden", "wissen", "können", "müssen", "wollen", "dürfen", "sollen", "mögen", "tun"}
# Verbs whose English gloss swaps subject and object ('Das Buch gefällt mir' = 'I like the book').
CLOSED_CLASS |= {"gefallen", "gehören", "fehlen", "schmecken", "passieren"}
SEPARABLE = ("ab", "an", "auf", "aus", "ein", "mit", "nach", "vor", "weg", "zu", "zurück", "fern", "los")


@dataclass
class Verb:
    """A selected verb: German forms from Ding, English forms from Ding or attested regular forms."""

    infinitive: str
    prefix: str
    valency: str
    forms: dict[str, str]
    english: dict[str, str]
    lines: list[int]
    score: int
    dative: bool  # some Ding line has 'jdm. etw. <verb>': a dative person may join the object


def english_candidates(base: str) -> dict[str, list[str]]:
    """Regular English 3rd-person and past forms of the first word, most likely first."""
    word, rest = ([*base.split(" ", 1), ""])[:2]
    tail = f" {rest}" if rest else ""
    if re.search(r"(s|sh|ch|x|z|o)$", word):
        third = [word + "es"]
    elif re.search(r"[^aeiou]y$", word):
        third = [word[:-1] + "ies"]
    else:
        third = [word + "s"]
    if word.endswith("e"):
        past = [word + "d"]
    elif re.search(r"[^aeiou]y$", word):
        past = [word[:-1] + "ied"]
    elif re.search(r"[^aeiou][aeiou][bdglmnprt]$", word):
        past = [word + "ed", word + word[-1] + "ed"]
    else:
        past = [word + "ed"]
    return {"s": [t + tail for t in third], "past": [p + tail for p in past]}


def complete_english(gloss: dict[str, str], index: Index) -> dict[str, str] | None:
    """base, s, past and pp, with regular forms only where Tatoeba attests them."""
    out = dict(gloss)
    candidates = english_candidates(gloss["base"])
    if "s" not in out:
        out["s"] = "has" if gloss["base"] == "have" else candidates["s"][0]
    if "past" not in out:
        attested = [c for c in candidates["past"] if index.en_count(c.split(" ")[0])]
        if not attested:
            return None
        out["past"] = out["pp"] = attested[0]
    out.setdefault("pp", out["past"])
    particle = gloss["base"].partition(" ")[2]
    for key in ("s", "past", "pp"):
        word = out[key].split(" ")[0]
        if word[0] != gloss["base"][0]:
            return None  # a form of another verb of a multi-verb line
        out[key] = f"{word} {particle}" if particle else word
    return out


def _consistent(infinitive: str, form: str) -> bool:
    """A separable form ('macht auf') must end in the infinitive's prefix; others are one word."""
    words = form.split(" ")
    return len(words) == 1 or (len(words) == 2 and infinitive.startswith(words[1]))


def merge_forms(entries: list[VerbEntry]) -> dict[str, str]:
    """The German forms of one infinitive, each the one most Ding lines give."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        for key, value in entry.forms.items():
            if _consistent(entry.infinitive, value):
                votes[key][value] += 1
    forms = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
    if "aux" not in forms and any(e.valency != "none" for e in entries):
        forms["aux"] = "haben"  # transitive verbs form the perfect with haben
    return forms


def _prefix(infinitive: str, forms: dict[str, str]) -> str | None:
    """The separable prefix ('' if none), or None if the forms disagree about it."""
    parts = forms["er"].split(" ")
    prefix = parts[1] if len(parts) == 2 else ""
    if prefix and prefix not in SEPARABLE:
        return None
    if prefix and not (forms["participle"].startswith(prefix + "ge") or forms["participle"].startswith(prefix)):
        return None
    past_parts = forms["past"].split(" ")
    return prefix if (past_parts[1:] or [""])[0] == prefix else None


def _usable(infinitive: str, forms: dict[str, str]) -> bool:
    needed = {"er", "past", "participle", "aux"}
    if infinitive in CLOSED_CLASS or not needed <= forms.keys() or not infinitive.endswith("n"):
        return False
    return forms["er"].split(" ")[0].endswith("t")


def german_ids(infinitive: str, prefix: str, forms: dict[str, str], index: Index) -> set[int]:
    """Tatoeba pairs with a form of the verb (a separable verb's finite part only with its prefix)."""
    whole = index.de_ids([infinitive, forms["participle"]])
    finite = index.de_ids([forms["er"].split(" ")[0], forms["past"].split(" ")[0], infinitive[len(prefix) :]])
    return whole | (finite & index.de_ids([prefix]) if prefix else finite)


def english_words(english: dict[str, str]) -> list[str]:
    return sorted({english[key].split(" ")[0] for key in ("base", "s", "past", "pp")})


def english_ids(english: dict[str, str], index: Index) -> set[int]:
    found = index.en_ids(english_words(english))
    particle = english["base"].split(" ")[1:]
    return found & index.en_ids(particle) if particle else found


def _best_gloss(
    entries: list[VerbEntry], de_ids: set[int], prefix: str, index: Index
) -> tuple[VerbEntry, dict[str, str], int] | None:
    """The gloss seen most often with the verb; a phrasal gloss ('get up') only for a separable verb."""
    best: tuple[VerbEntry, dict[str, str], int] | None = None
    for entry in sorted(entries, key=lambda e: -len(e.forms)):
        english = complete_english(entry.english, index)
        if english is None or (" " in english["base"] and not prefix):
            continue
        score = len(de_ids & english_ids(english, index))
        if best is None or score > best[2]:
            best = (entry, english, score)
    return best


def select_verbs(entries: list[VerbEntry], index: Index, blocked: set[str], limit: int) -> list[Verb]:
    """The `limit` verbs best attested in Tatoeba, one German verb per English gloss."""
    by_infinitive: dict[str, list[VerbEntry]] = defaultdict(list)
    for entry in entries:
        by_infinitive[entry.infinitive].append(entry)
    chosen: list[Verb] = []
    for infinitive, group in by_infinitive.items():
        forms = merge_forms(group)
        if not _usable(infinitive, forms) or (prefix := _prefix(infinitive, forms)) is None:
            continue
        best = _best_gloss(group, german_ids(infinitive, prefix, forms, index), prefix, index)
        if best is None or best[2] < 3 or set(best[1]["base"].split()) & blocked:
            continue
        entry, english, score = best
        lines = sorted({e.line for e in group if e.forms} | {entry.line})  # where the forms and the gloss are
        dative = any(e.valency == "dat+acc" for e in group)
        chosen.append(Verb(infinitive, prefix, entry.valency, forms, english, lines, score, dative))
    chosen.sort(key=lambda verb: -verb.score)
    seen: set[str] = set()
    unique = [v for v in chosen if not (v.english["base"] in seen or seen.add(v.english["base"]))]
    return unique[:limit]
