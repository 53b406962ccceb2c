"""Readers for the lexicon's sources: the Ding dictionary (GPL-2+) and german-nouns (CC BY-SA 4.0).

Used by build_lexicon.py to build the data files, and by the tests to check every written form
against the sources again. Nothing here is needed at generation time.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DING_PATH = Path("/usr/share/trans/de-en")  # Debian package trans-de-en
_NOTE = re.compile(r"\{[^}]*\}|\[[^\]]*\]|<[^>]*>|\([^)]*\)|(?<!\S)/[^/\s]+/")
_PLACEHOLDER = re.compile(r"^(?:(jdm|jdn|etw|jds)\.(?:/etw\.)? )+")
_EN_PLACEHOLDER = re.compile(r"\b(sb|sth)\.(?:/(sb|sth)\.)?")
_LABELS = {
    "du ": "du",
    "er/sie ": "er",
    "ich/er/sie ": "past",
    "wir/sie ": "past_pl",
    "er/sie/es ": "er",
    "ich/er/sie/es ": "past",
    "er/sie/es hat/hatte ": "haben",
    "er/sie/es ist/war ": "sein",
    "er/sie hat/hatte ": "haben",
    "ich/er/sie hat/hatte ": "haben",
    "er/sie ist/war ": "sein",
    "ich habe/hatte ": "haben",
    "ich bin/war ": "sein",
}


def split_alternatives(text: str) -> list[str]:
    """A field's alternatives: split at '; ' outside braces, brackets and parentheses."""
    if not any(char in text for char in "{[(<"):
        return [part.strip() for part in text.split("; ")]
    parts, depth, current = [], 0, ""
    for index, char in enumerate(text):
        depth += char in "{[(<"
        depth -= char in "}])>"
        if char == ";" and depth <= 0 and text[index + 1 : index + 2] == " ":
            parts.append(current)
            current = ""
        else:
            current += char
    return [part.strip() for part in [*parts, current]]


def _entry(number: int, line: str) -> DingLine:
    de, en = line.rstrip("\n").split(" :: ", 1)
    de_fields, en_fields = de.split(" | "), en.split(" | ")
    return DingLine(number, [split_alternatives(f) for f in de_fields], [split_alternatives(f) for f in en_fields])


def strip_notes(text: str) -> str:
    """A Ding alternative without {gender}, [domain], <spelling>, (context) or /abbr./ notes."""
    return re.sub(r"\s+", " ", _NOTE.sub(" ", text)).strip(" ;,!")


@dataclass
class DingLine:
    """One dictionary line: German and English fields, each a list of alternatives (raw text)."""

    number: int  # 1-based line number in the file
    german: list[list[str]]
    english: list[list[str]]


def ding_lines(path: Path = DING_PATH) -> Iterator[DingLine]:
    """Every aligned entry line of the Ding file."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith("#") or " :: " not in line:
                continue
            entry = _entry(number, line)
            if len(entry.german) == len(entry.english):
                yield entry


def ding_line(number: int, path: Path = DING_PATH) -> DingLine:
    """The entry on one line number (for the tests)."""
    with path.open(encoding="utf-8") as handle:
        for current, line in enumerate(handle, 1):
            if current == number:
                return _entry(number, line)
    raise KeyError(number)


@dataclass
class NounEntry:
    lemma: str
    gender: str
    plural: str
    english: str
    english_plural: str
    line: int
    feminine: bool  # the line also names a female form (Lehrer; Lehrerin): a person


def nouns_of_line(entry: DingLine) -> Iterator[NounEntry]:
    """Nouns defined as `Lemma {g} | Plural {pl} :: noun | nouns` (first alternatives only)."""
    if len(entry.german) < 2:
        return
    head, plural = entry.german[0][0], entry.german[1][0]
    match = re.match(r"^([A-ZÄÖÜ][a-zäöüß]+) \{([mfn])\}", head)
    plural_match = re.match(r"^([A-ZÄÖÜ][a-zäöüß]+) \{pl\}", plural.strip())
    if not match or not plural_match:
        return
    english, english_plural = strip_notes(entry.english[0][0]), strip_notes(entry.english[1][0])
    if re.fullmatch(r"[a-z]+", english) and re.fullmatch(r"[a-z]+", english_plural):
        feminine = any(alt.startswith(f"{match[1]}in {{f}}") for alt in entry.german[0])
        yield NounEntry(match[1], match[2], plural_match[1], english, english_plural, entry.number, feminine)


@dataclass
class VerbEntry:
    """A German verb of one Ding line with the forms the line gives, and its English gloss."""

    infinitive: str
    valency: str  # "acc", "dat", "dat+acc" or "none"
    line: int
    forms: dict[str, str] = field(default_factory=dict)  # participle, er, du, past, past_pl, aux, imp
    english: dict[str, str] = field(default_factory=dict)  # base, s, past, pp


def _valency(head: str, tags: str) -> tuple[str, str] | None:
    """(valency, bare infinitive) of a German headword such as 'jdm. etw. geben'."""
    placeholders = _PLACEHOLDER.match(head)
    rest = head[placeholders.end() :] if placeholders else head
    if not re.fullmatch(r"[a-zäöüß]+", rest):
        return None
    found = set(re.findall(r"(jdm|jdn|etw)\.", placeholders[0])) if placeholders else set()
    if found == {"jdm"}:
        return "dat", rest
    if found == {"jdm", "etw"}:
        return "dat+acc", rest
    if found and found <= {"jdn", "etw"}:
        return "acc", rest
    if not found and "{vt}" in tags:
        return "acc", rest
    if not found and "{vi}" in tags and "{vr}" not in tags:
        return "none", rest
    return None


def _aligned(alternatives: list[str], index: int, count: int) -> str | None:
    """The alternative that belongs to headword `index` of `count`, if the field is aligned."""
    if len(alternatives) == count:
        return alternatives[index]
    return alternatives[0] if index == 0 else None


def _labelled(text: str) -> tuple[str, str] | None:
    """('er', 'liest') for 'er/sie liest', ('aux', 'sein') for 'er/sie ist/war gegangen', ..."""
    for label, key in _LABELS.items():
        rest = text[len(label) :]
        if text.startswith(label) and re.fullmatch(r"[a-zäöüß]+( [a-zäöüß]+)?", rest):
            return ("aux", key) if key in ("haben", "sein") else (key, rest)
    return None


def _compact(entry: DingLine) -> bool:
    """A line like 'öffnen | öffnend | geöffnet | öffnet | öffnete ...' (forms unlabelled)."""
    return len(entry.german) >= 5 and entry.german[1][0].endswith("end") and not entry.german[3][0].startswith("du ")


def _plausible(text: str, position: int) -> bool:
    words = text.split(" ")
    if not re.fullmatch(r"[a-zäöüß]+(?: [a-zäöüß]+)?", text):
        return False
    return words[0].endswith("t") if position == 3 else not words[0].endswith(("en", "end"))


def _german_forms(entry: DingLine, index: int, count: int) -> dict[str, str]:
    """Forms the line states for headword `index`: participle, er, du, past, past_pl, aux, imp."""
    forms: dict[str, str] = {}
    word = r"[a-zäöüß]+(?: [a-zäöüß]+)?"
    for position, alternatives in enumerate(entry.german[1:], 1):
        raw = _aligned(alternatives, index, count)
        if raw is None:
            continue
        text = re.sub(r"\s*\([^)]*\)|\s*\[[^\]]*\]", "", raw).strip()
        labelled = _labelled(text)
        if labelled and labelled[0] not in forms:
            forms[labelled[0]] = labelled[1]
        elif position == 2 and re.fullmatch(r"[a-zäöüß]+", text):
            forms["participle"] = text
        elif position in (3, 4) and _compact(entry) and _plausible(text, position) and not labelled:
            forms.setdefault("er" if position == 3 else "past", text)  # compact lines: 'öffnet | öffnete'
        elif re.fullmatch(word + "!", text):
            forms.setdefault("imp", text[:-1])
    return forms


def _english_gloss(entry: DingLine, index: int, count: int) -> dict[str, str]:
    """base, s, past, pp of the English side aligned with German alternative `index`."""
    first = entry.english[0]
    raw = first[index] if len(first) == count else first[0]
    irregular = re.search(r"\{([a-z]+); ([a-z]+)\}", raw)
    base = strip_notes(_EN_PLACEHOLDER.sub("", raw))
    if not base.startswith("to ") or not re.fullmatch(r"to [a-z]+( (up|down|out|off|on|in|away|back))?", base):
        return {}
    gloss = {"base": base[3:]}
    if irregular and not (irregular[1] == base[3:] and irregular[2] != base[3:]):  # not '{work; worked}'
        gloss["past"], gloss["pp"] = irregular[1], irregular[2]
    for position, alternatives in enumerate(entry.english[1:], 1):
        text = strip_notes(alternatives[index] if len(alternatives) == count else alternatives[0])
        if position == 2 and re.fullmatch(r"[a-z]+( [a-z]+)?", text) and "pp" not in gloss:
            gloss["pp"] = text
        for label, key in (("he/she ", "s"), ("I/he/she ", "past")):
            rest = text[len(label) :]
            if (
                text.startswith(label)
                and re.fullmatch(r"[a-z]+( [a-z]+)?", rest)
                and not rest.startswith(("has ", "would "))
            ):
                gloss.setdefault(key, rest)
    return gloss


def verbs_of_line(entry: DingLine) -> Iterator[VerbEntry]:
    """German verbs of one line, each with the forms and English gloss aligned with it."""
    heads = entry.german[0]
    tags = " ".join(re.findall(r"\{v[a-z]*\}", " ".join(heads)))
    if not tags:
        return
    for index, head in enumerate(heads):
        parsed = _valency(strip_notes(head), tags)
        if parsed is None:
            continue
        valency, infinitive = parsed
        gloss = _english_gloss(entry, index, len(heads))
        if gloss:
            forms = _german_forms(entry, index, len(heads))
            yield VerbEntry(infinitive, valency, entry.number, forms, gloss)


def adjectives_of_line(entry: DingLine) -> Iterator[tuple[str, str, int]]:
    """(german, english, line) for each one-word adjective of a `... {adj} ... :: ...` headword."""
    heads = entry.german[0]
    if "{adj}" not in " ".join(heads):
        return
    for index, head in enumerate(heads):
        german = strip_notes(head)
        english = strip_notes(entry.english[0][index] if len(entry.english[0]) == len(heads) else entry.english[0][0])
        if re.fullmatch(r"[a-zäöüß]+", german) and re.fullmatch(r"[a-z]+", english):
            yield german, english, entry.number


def german_nouns_rows(path: Path) -> dict[str, dict[str, str]]:
    """Wiktionary noun rows by lemma (first row with a gender), from nouns.csv or the package wheel."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            text = wheel.read("german_nouns/nouns.csv").decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    rows: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["genus"] and row["lemma"] not in rows:
            rows[row["lemma"]] = row
    return rows
