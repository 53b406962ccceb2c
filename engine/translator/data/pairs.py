"""A user's English-German TSV: `english<TAB>german[<TAB>german ...]`, every German field an accepted translation."""

from __future__ import annotations

from engine.common.inputs import InputError, decode_text, parse_lines, tab_fields
from engine.translator.data.everyday import Grouped

LAYOUT = "english<TAB>german[<TAB>german ...]"
NO_PAIRS = "The file has no sentence pairs."


def parse_pairs_tsv(text: str) -> list[Grouped]:
    """(english, [german, ...]) per line; blank lines skipped, empty extra German fields ignored."""

    def row(number: int, line: str) -> Grouped:
        english, rest = tab_fields(number, line, LAYOUT)
        references = [r.strip() for r in rest.split("\t") if r.strip()]
        if not english or not references:
            side = "German" if english else "English"
            raise InputError(
                "Line {number}: the {side} side is empty.", key="translator.errors.side", number=number, side=side
            )
        return english, references

    if not text.strip():  # said here, keyed, before parse_lines would say it in English only
        raise InputError(NO_PAIRS, key="translator.errors.no_pairs")
    return parse_lines(text, row, NO_PAIRS)


def read_pairs(data: bytes) -> list[Grouped]:
    """The sentences of an uploaded or --data TSV file (size, encoding and format checked)."""
    return parse_pairs_tsv(decode_text(data, "data file"))
