"""The rows of the grammar's lexicon files, read directly (not through the generator's loader)."""

import csv

from engine.translator.data.grammar.lexicon import DATA


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))
