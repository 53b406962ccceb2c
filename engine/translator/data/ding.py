"""English-German pairs from the Ding dictionary (Debian package trans-de-en), cleaned.

Each line is `German fields :: English fields`, fields aligned by ` | `, alternatives within a field
separated by `; `, with annotations such as {f}, [coll.], <spelling> and (context). Full example
sentences become sentence pairs (held out for validation and test by a hash of the English side);
short headwords and phrases become phrase pairs, which teach vocabulary and are only ever trained on.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from engine.common.corpora import CorpusError, split_of

DING_PATH = Path("/usr/share/trans/de-en")  # installed by `apt-get install trans-de-en` (.ci/run does)
_ANNOTATION = re.compile(r"\{[^}]*\}|\[[^\]]*\]|<[^>]*>")
_PAREN = re.compile(r"\([^)]*\)")
_PLACEHOLDER = re.compile(r"\b(sth|sb|etw|jdm|jdn|jds|jd|jdms|so)\.", re.IGNORECASE)
_SENTENCE = re.compile(r"^[\"'„“‚]?[A-ZÄÖÜ0-9].*[.!?][\"'“”‘’]?$")
_SLASHED = re.compile(r"(\w+)(?:/\w+)+")
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "‚": "'", "–": "-", "…": "..."})


def clean(text: str) -> str | None:
    """Annotations removed, the first of slashed alternatives kept; None if it cannot be cleaned. (Run
    over a million times per read of the dictionary: each pattern only where its characters occur.)"""
    text = text.translate(_QUOTES)
    if "{" in text or "[" in text or "<" in text:
        text = _ANNOTATION.sub("", text)
    if " / " in text or "..." in text or ("." in text and _PLACEHOLDER.search(text)):
        return None  # alternatives of unclear scope, or placeholders such as sth./etw.
    if "/" in text:
        text = _SLASHED.sub(r"\1", text)  # flat/apartment -> flat
    text = _SPACES.sub(" ", text).strip(" ;,")
    return text or None


def _pairs_of_line(line: str) -> list[tuple[str, str, str]]:
    """(english, german, kind) pairs of one dictionary line; kind is 'sentence' or 'phrase'."""
    if line.startswith("#") or " :: " not in line:
        return []
    german, english = line.split(" :: ", 1)
    de_fields, en_fields = german.split(" | "), english.split(" | ")
    if len(de_fields) != len(en_fields):
        return []
    out = []
    for de_field, en_field in zip(de_fields, en_fields, strict=True):
        de_alts = [a for a in (clean(x) for x in de_field.split("; ")) if a]
        en_alts = [a for a in (clean(x) for x in en_field.split("; ")) if a]
        if not de_alts or not en_alts:
            continue
        en, de = en_alts[0], de_alts[0]
        is_sentence = bool(_SENTENCE.match(en) and _SENTENCE.match(de)) and len(en.split()) >= 3
        if is_sentence:
            if "(" in en or "(" in de:
                continue
            out.append((en, de, "sentence"))
        else:
            if "(" in en or "(" in de:
                en, de = _PAREN.sub("", en).strip(), _PAREN.sub("", de).strip()
            en = en.removeprefix("to ")  # infinitive marker of English verb glosses
            if en and de and len(en.split()) <= 6 and len(de.split()) <= 6:
                out.append((_SPACES.sub(" ", en), _SPACES.sub(" ", de), "phrase"))
    return out


@cache
def ding_pairs(path: Path = DING_PATH) -> tuple[tuple[str, str, str], ...]:
    """All cleaned (english, german, kind) pairs, duplicates removed, in file order."""
    if not path.is_file():
        raise CorpusError(f"{path} is missing; install it with: sudo apt-get install -y trans-de-en")
    seen, pairs = set(), []
    for line in path.read_text(encoding="utf-8").splitlines():
        for pair in _pairs_of_line(line):
            key = (pair[0].lower(), pair[1].lower())
            if key not in seen:
                seen.add(key)
                pairs.append(pair)
    return tuple(pairs)


def sentence_split(english: str) -> str:
    """'train', 'val' or 'test' for a sentence pair, by the hash of its English side (5% / 5%)."""
    return split_of("ding:" + english.lower(), 0.05, 0.05)


def sentence_pairs(split: str) -> list[tuple[str, str]]:
    """(english, german) example sentences of one split ('train', 'val' or 'test')."""
    return [(e, d) for e, d, kind in ding_pairs() if kind == "sentence" and sentence_split(e) == split]
