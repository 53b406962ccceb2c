"""Training, saving and loading shared by the word-level RNN tasks (tagger and sentiment)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from engine.common.checkpoint import load_checkpoint, save_checkpoint
from engine.rnn.words import Encoder, WordBatch, WordRNN, WordVocabs

Item = tuple[list[str], Any]  # (words, target): a tag id per word, or one class id
LossFn = Callable[[WordRNN, WordBatch, list[Any], float], torch.Tensor]
MetricFn = Callable[[WordRNN, Encoder, Sequence[Item]], float]


def build_model(cfg: Any, encoder: Encoder, n_out: int) -> WordRNN:
    return WordRNN(encoder.vocabs.sizes(), cfg.d_word, cfg.d_suffix, cfg.hidden, n_out, encoder.n_features)


def batches(items: Sequence[Item], size: int, rng: random.Random | None = None) -> list[list[Item]]:
    """Batches of similar length (less padding); shuffled when rng is given."""
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    groups = [[items[i] for i in order[k : k + size]] for k in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(groups)
    return groups


def train_word_rnn(
    cfg: Any,
    train_items: Sequence[Item],
    val_items: Sequence[Item],
    n_out: int,
    loss_fn: LossFn,
    metric_fn: MetricFn,
    progress: Callable[[int, int, dict], None] | None = None,
    lexicon: dict[str, float] | None = None,
) -> tuple[WordRNN, Encoder, dict]:
    """AdamW with gradient clipping; keeps the weights of the epoch with the best validation metric."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    vocabs = WordVocabs.build([w for w, _ in train_items], cfg.min_count, cfg.max_words)
    encoder = Encoder(vocabs, lexicon)
    model = build_model(cfg, encoder, n_out)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps = cfg.epochs * len(batches(train_items, cfg.batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=steps, pct_start=0.1)
    history: dict[str, list[float]] = {"epoch": [], "train_loss": [], "val_metric": [], "seconds": []}
    best, best_state = -1.0, None
    start = time.perf_counter()
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        total, count = 0.0, 0
        for group in batches(train_items, cfg.batch_size, rng):
            loss = loss_fn(model, encoder([w for w, _ in group]), [t for _, t in group], cfg.word_dropout)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            opt.step()
            sched.step()
            total, count = total + loss.item(), count + 1
        model.eval()
        metric = metric_fn(model, encoder, val_items)
        if metric > best:
            best, best_state = metric, {k: v.clone() for k, v in model.state_dict().items()}
        for key, value in (
            ("epoch", epoch),
            ("train_loss", total / count),
            ("val_metric", metric),
            ("seconds", time.perf_counter() - start),
        ):
            history[key].append(round(float(value), 5))
        if progress:
            progress(epoch, cfg.epochs, {"loss": total / count, "val": metric})
    model.load_state_dict(best_state)
    model.eval()
    return model, encoder, history


def save_word_rnn(
    name: str, path: Path, model: WordRNN, cfg: Any, encoder: Encoder, history: dict, metrics: dict, extra: dict
) -> Path:
    meta = {
        "name": name,
        "config": asdict(cfg),
        "vocab": encoder.vocabs.to_json(),
        "lexicon": encoder.lexicon,
        "history": history,
        "metrics": metrics,
        **extra,
    }
    save_checkpoint(path, model.state_dict(), meta)
    return path


def load_word_rnn(path: Path, rebuild: str, config_type: type, n_out: int) -> tuple[WordRNN, Encoder, dict]:
    tensors, meta = load_checkpoint(path, rebuild)
    cfg = config_type(**meta["config"])
    encoder = Encoder(WordVocabs.from_json(meta["vocab"]), meta.get("lexicon"))
    model = build_model(cfg, encoder, n_out)
    model.load_state_dict(tensors)
    model.eval().requires_grad_(False)
    return model, encoder, meta
