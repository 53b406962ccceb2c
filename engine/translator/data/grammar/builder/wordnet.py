"""Coarse noun classes (person, animal, food, ...) from WordNet 3.0 (Debian wordnet-base, WordNet licence).

The class of a noun is the lexicographer file of its most frequent sense: 'man' -> person,
'dog' -> animal, 'book' -> artifact. Used by build_lexicon.py only.
"""

from __future__ import annotations

from pathlib import Path

WORDNET_DIR = Path("/usr/share/wordnet")


def noun_classes(words: set[str], directory: Path = WORDNET_DIR) -> dict[str, str]:
    """{word: class} for the words WordNet knows as nouns, e.g. {'man': 'person'}."""
    first_offset: dict[str, int] = {}
    with (directory / "index.noun").open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if line.startswith(" ") or parts[0] not in words:
                continue
            pointers = int(parts[3])
            first_offset[parts[0]] = int(parts[6 + pointers])  # offsets are listed by frequency
    names = _lexicographer_files(directory)
    classes: dict[str, str] = {}
    with (directory / "data.noun").open("rb") as data:
        for word, offset in first_offset.items():
            data.seek(offset)
            classes[word] = names[int(data.readline().split()[1])].removeprefix("noun.")
    return classes


def _lexicographer_files(directory: Path) -> dict[int, str]:
    """WordNet's lexicographer file numbers (the 'lexnames' file, which wordnet-base leaves out)."""
    del directory
    return {number: f"noun.{name}" for number, name in enumerate(_NOUN_FILES, 3)}


_NOUN_FILES = [
    "Tops",
    "act",
    "animal",
    "artifact",
    "attribute",
    "body",
    "cognition",
    "communication",
    "event",
    "feeling",
    "food",
    "group",
    "location",
    "motive",
    "object",
    "person",
    "phenomenon",
    "plant",
    "possession",
    "process",
    "quantity",
    "relation",
    "shape",
    "state",
    "substance",
    "time",
]
