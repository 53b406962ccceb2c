"""Fixtures of the grammar's tests: the sources the lexicon was built from (Ding, german-nouns)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.common.corpora import DATA_DIR
from engine.translator.data.grammar.builder import sources
from tests.engine.translator.grammar.lexicon_rows import rows

WHEEL = DATA_DIR / "german_nouns-1.2.5-py3-none-any.whl"  # fetched by `make data`


@pytest.fixture(scope="session")
def ding() -> dict[int, sources.DingLine]:
    """The Ding lines the lexicon cites, by number."""
    if not sources.DING_PATH.is_file():
        message = "the Ding dictionary is missing; install it with: sudo apt-get install -y trans-de-en"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    wanted = {int(r["line"]) for r in rows("nouns.tsv") + rows("adjectives.tsv")}
    wanted |= {int(n) for r in rows("verbs.tsv") for n in r["lines"].split(",")}
    found = {}
    with sources.DING_PATH.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if number in wanted:
                found[number] = sources._entry(number, line)
    return found


@pytest.fixture(scope="session")
def german_nouns() -> dict[str, dict[str, str]]:
    path = Path(os.environ.get("GERMAN_NOUNS", WHEEL))
    if not path.is_file():
        message = f"german-nouns not found at {path}; fetch it with: make data"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return sources.german_nouns_rows(path)
