"""Training, saving and loading shared by the word-level RNN tasks (tagger and sentiment)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from engine.common.checkpoint import load_trained, save_trained
from engine.common.training import History, optimiser_step
from engine.rnn.words import Encoder, WordBatch, WordRNN, WordVocabs

Item = tuple[list[str], Any]  # (words, target): a tag id per word, or one class id
LossFn = Callable[[WordRNN, WordBatch, list[Any], float], torch.Tensor]
MetricFn = Callable[[WordRNN, Encoder, Sequence[Item]], float]


@dataclass(frozen=True)
class WordRNNConfig:
    """Sizes and recipe of a word-level RNN; each task overrides the defaults that suit it."""

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


@dataclass(frozen=True, eq=False)
class Trained:
    """A word-level RNN with the encoder that feeds it, and its checkpoint's meta (empty before saving)."""

    model: WordRNN
    encoder: Encoder
    meta: dict = field(default_factory=dict)


def build_model(cfg: WordRNNConfig, encoder: Encoder, n_out: int) -> WordRNN:
    """An untrained WordRNN sized by `cfg` for the encoder's vocabularies and features."""
    return WordRNN(encoder.vocabs.sizes(), cfg.d_word, cfg.d_suffix, cfg.hidden, n_out, encoder.n_features)


def batches(items: Sequence[Item], size: int, rng: random.Random | None = None) -> list[list[Item]]:
    """Batches of similar length (less padding); shuffled when rng is given."""
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    groups = [[items[i] for i in order[k : k + size]] for k in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(groups)
    return groups


def _epoch(model: WordRNN, encoder: Encoder, groups: list[list[Item]], step: Callable, loss_fn: LossFn, cfg) -> float:
    """One pass over `groups`; the mean training loss."""
    model.train()
    losses = [step(loss_fn(model, encoder([w for w, _ in g]), [t for _, t in g], cfg.word_dropout)) for g in groups]
    model.eval()
    return sum(losses) / len(losses)


def train_word_rnn(
    cfg: WordRNNConfig,
    train_items: Sequence[Item],
    val_items: Sequence[Item],
    n_out: int,
    loss_fn: LossFn,
    metric_fn: MetricFn,
    progress: Callable[[int, int, dict], None] | None = None,
    lexicon: dict[str, float] | None = None,
) -> tuple[Trained, dict]:
    """AdamW with gradient clipping; keeps the weights of the epoch with the best validation metric."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    encoder = Encoder(WordVocabs.build([w for w, _ in train_items], cfg.min_count, cfg.max_words), lexicon)
    model = build_model(cfg, encoder, n_out)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps = cfg.epochs * len(batches(train_items, cfg.batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=steps, pct_start=0.1)
    history = History("epoch", "train_loss", "val_metric")
    best, best_state = -1.0, None
    for epoch in range(1, cfg.epochs + 1):
        groups = batches(train_items, cfg.batch_size, rng)
        loss = _epoch(model, encoder, groups, lambda lo: optimiser_step(lo, opt, sched, cfg.clip), loss_fn, cfg)
        metric = metric_fn(model, encoder, val_items)
        if metric > best:
            best, best_state = metric, {k: v.clone() for k, v in model.state_dict().items()}
        history.record(epoch=epoch, train_loss=loss, val_metric=metric)
        if progress:
            progress(epoch, cfg.epochs, {"loss": loss, "val": metric})
    model.load_state_dict(best_state)
    model.eval()
    return Trained(model, encoder), history.as_dict()


def save_word_rnn(
    name: str, trained: Trained, cfg: WordRNNConfig, history: dict, metrics: dict, extra: dict, path: Path | None
) -> Path:
    """Weights, config, vocabularies, lexicon, history, metrics and `extra` as checkpoint `name`."""
    meta = {
        "config": asdict(cfg),
        "vocab": trained.encoder.vocabs.to_json(),
        "lexicon": trained.encoder.lexicon,
        "history": history,
        "metrics": metrics,
        **extra,
    }
    return save_trained(name, trained.model.state_dict(), meta, path)


def load_word_rnn(name: str, rebuild: str, config_type: type, n_out: int, path: Path | None) -> tuple[Trained, dict]:
    """The checkpoint `name` (or at `path`) as a frozen Trained, and its meta."""
    encoders: list[Encoder] = []

    def build(meta: dict) -> WordRNN:
        encoders.append(Encoder(WordVocabs.from_json(meta["vocab"]), meta.get("lexicon")))
        return build_model(config_type(**meta["config"]), encoders[0], n_out)

    model, meta = load_trained(name, rebuild, build, path)
    return Trained(model, encoders[0], meta), meta
