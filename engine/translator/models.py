"""The two shipped translators as registry entries: train, save, load, evaluate and translate.

Both kinds share every step; they differ only in the model class, its config and its decoder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from engine.translator import bpe, gru
from engine.translator import transformer as tf
from engine.translator.train import (
    TranslatorTraining,
    evaluate_translations,
    load_translator,
    pad,
    save_translator,
    train_translator,
    training_pairs,
)

MAX_SOURCE = 100  # source tokens kept from a user's sentence


@dataclass(frozen=True)
class Kind:
    """What differs between the Transformer and the recurrent baseline."""

    name: str  # checkpoint name
    config: type  # model config dataclass (vocab_size is set from the tokenizer)
    build: Callable  # config -> model
    greedy: Callable  # (model, (B, S) sources) -> lists of output ids
    loss: Callable  # (model, batch, label_smoothing) -> loss


TRANSFORMER = Kind("translator", tf.TransformerConfig, tf.Transformer, tf.greedy, tf.batch_loss)
GRU = Kind("rnn_translator", gru.GRUConfig, gru.GRUTranslator, gru.greedy, gru.batch_loss)


def source_ids(tokenizer, text: str) -> list[int]:
    return bpe.encode(tokenizer, text, MAX_SOURCE)


def _greedy_batches(greedy: Callable, model, sources: list[list[int]], size: int = 64) -> list[list[int]]:
    """Greedy outputs for many sources, batched by length, returned in the original order."""
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    results: dict[int, list[int]] = {}
    for k in range(0, len(order), size):
        chunk = order[k : k + size]
        for i, ids in zip(chunk, greedy(model, pad([sources[i] for i in chunk])), strict=True):
            results[i] = ids
    return [results[i] for i in range(len(sources))]


def train(kind: Kind, cfg: TranslatorTraining, progress: Callable | None = None):
    data = training_pairs(cfg)
    tokenizer = bpe.train_bpe((x for e, d in data[0] for x in (e, d)), cfg.vocab_size)
    model = kind.build(kind.config(vocab_size=tokenizer.get_vocab_size()))
    model, history = train_translator(
        kind.name,
        model,
        lambda m, b: kind.loss(m, b, cfg.label_smoothing),
        lambda m, srcs: _greedy_batches(kind.greedy, m, srcs),
        cfg,
        tokenizer,
        data,
        progress,
    )
    return (model, tokenizer), history


def save(kind: Kind, trained, cfg: TranslatorTraining, history: dict, metrics: dict, path: Path | None = None) -> Path:
    model, tokenizer = trained
    return save_translator(kind.name, model, model.cfg, cfg, tokenizer, history, metrics, path)


def load(kind: Kind, path: Path | None = None):
    return load_translator(kind.name, path, lambda c: kind.build(kind.config(**c)))


def translate(kind: Kind, trained, sentences: list[str]) -> list[str]:
    """Greedy translations of many sentences."""
    model, tokenizer = trained
    ids = _greedy_batches(kind.greedy, model, [source_ids(tokenizer, s) for s in sentences])
    return [bpe.decode(tokenizer, x) for x in ids]


def evaluate(kind: Kind, trained, data: bytes | None = None) -> dict:
    return evaluate_translations(lambda xs: translate(kind, trained, xs), data)


train_transformer, train_gru = partial(train, TRANSFORMER), partial(train, GRU)
save_transformer, save_gru = partial(save, TRANSFORMER), partial(save, GRU)
load_transformer, load_gru = partial(load, TRANSFORMER), partial(load, GRU)
translate_transformer, translate_gru = partial(translate, TRANSFORMER), partial(translate, GRU)
evaluate_transformer, evaluate_gru = partial(evaluate, TRANSFORMER), partial(evaluate, GRU)
