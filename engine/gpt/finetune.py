"""Pre-train, then fine-tune: the GPT paper's claim, measured on movie-review sentiment.

A classification head reads the mean of the GPT's final hidden states over a sentence. The same
architecture is fine-tuned from the pre-trained weights and trained from a random start, with the
same recipe and budget, on 50 ... all labelled training sentences, several seeds each; accuracy on
the held-out test sentences gives two curves. As in the paper, fine-tuning keeps the language-model
loss as an auxiliary objective (weight `lm_weight`). The shipped classifier is the pre-trained
model fine-tuned on every label.

The sentences, labels and split are those of the RNN sentiment model (engine.rnn.sentiment), so the
two can be compared.
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from engine.common import corpora
from engine.common.charvocab import CharVocab
from engine.common.checkpoint import load_trained, save_trained
from engine.common.corpora import LABELS
from engine.common.inputs import InputError, decode_text, parse_labelled_lines
from engine.common.training import optimiser_step
from engine.gpt import train as gpt_train
from engine.gpt.data import START
from engine.gpt.model import GPT, GPTConfig, Loaded, Trained

NAME = "gpt_sentiment"
REBUILD = "python -m engine.train gpt_finetune"
Example = tuple[str, int]  # (sentence, 0 negative / 1 positive)


@dataclass(frozen=True)
class FinetuneConfig:
    """The label-count curve and the shipped classifier; saved with the checkpoint."""

    sizes: str = "50,100,200,500,1000,2000,all"  # numbers of labelled sentences on the curve
    seeds: int = 3  # runs per size and start (different label subsets and initialisations)
    min_examples: int = 800  # every run sees at least this many examples (repeating small sets)
    max_examples: int = 2400  # ... and at most this many
    batch_size: int = 16  # sentences per step
    lr: float = 5e-4  # peak learning rate for the pre-trained start
    scratch_lr: float = 1e-3  # peak learning rate from a random start (it has more to learn)
    lm_weight: float = 0.5  # weight of the auxiliary language-model loss
    final_epochs: int = 2  # passes over all labels for the shipped classifier
    seed: int = 0  # subset choice and initialisation of the first run


class Classifier(nn.Module):
    """A GPT body and a linear head on the mean of its final hidden states."""

    def __init__(self, body: GPT, n_labels: int = 2) -> None:
        super().__init__()
        self.body = body
        self.head = nn.Linear(body.cfg.d_model, n_labels)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T) right-padded ids, (B, T) mask of real characters -> (B, labels) logits, (B, T, V) LM logits."""
        out = self.body(ids)
        weights = mask.unsqueeze(-1).float()
        pooled = (out.hidden * weights).sum(1) / weights.sum(1).clamp(min=1)
        return self.head(pooled), out.logits


def split_examples(split: str) -> list[Example]:
    """The RNN sentiment model's sentences of one split, as raw text with 0/1 labels."""
    return corpora.movie_review_split(split)


def encode_batch(vocab: CharVocab, sentences: Sequence[str], context: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded (B, T) ids of START + sentence (its last context - 1 characters) and the mask."""
    rows = [vocab.encode(START + s[-(context - 1) :]) for s in sentences]
    length = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), length, dtype=torch.long)
    mask = torch.zeros(len(rows), length, dtype=torch.bool)
    for i, r in enumerate(rows):
        ids[i, : len(r)], mask[i, : len(r)] = r, True
    return ids, mask


def _loss(model: Classifier, ids, mask, labels, lm_weight: float) -> torch.Tensor:
    logits, lm_logits = model(ids, mask)
    loss = F.cross_entropy(logits, labels)
    if lm_weight:
        targets = ids[:, 1:].masked_fill(~mask[:, 1:], -100)
        loss = loss + lm_weight * F.cross_entropy(lm_logits[:, :-1].flatten(0, 1), targets.flatten(), ignore_index=-100)
    return loss


def fine_tune(
    model: Classifier,
    vocab: CharVocab,
    examples: Sequence[Example],
    n_examples: int,
    cfg: FinetuneConfig,
    lr: float,
    seed: int,
    on_step: Callable[[int, int, float], None] | None = None,
) -> Classifier:
    """AdamW with 10% warm-up and linear decay over ceil(n_examples / batch) steps."""
    rng = random.Random(seed)
    steps = max(1, math.ceil(n_examples / cfg.batch_size))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm + 1)))
    )
    order: list[Example] = []
    model.train()
    for step in range(steps):
        if len(order) < cfg.batch_size:
            more = list(examples)
            rng.shuffle(more)
            order += more
        batch, order = order[: cfg.batch_size], order[cfg.batch_size :]
        ids, mask = encode_batch(vocab, [s for s, _ in batch], model.body.cfg.context)
        loss = _loss(model, ids, mask, torch.tensor([y for _, y in batch]), cfg.lm_weight)
        value = optimiser_step(loss, opt, sched, gpt_train.CLIP)
        if on_step:
            on_step(step + 1, steps, value)
    return model.eval()


@torch.inference_mode()
def predict_positive(model: Classifier, vocab: CharVocab, sentences: Sequence[str]) -> torch.Tensor:
    """(N,) P(positive) for each sentence, batched by length."""
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    out = torch.empty(len(sentences))
    for i in range(0, len(order), 64):
        index = order[i : i + 64]
        ids, mask = encode_batch(vocab, [sentences[j] for j in index], model.body.cfg.context)
        out[index] = F.softmax(model(ids, mask)[0], -1)[:, 1]
    return out


def accuracy(model: Classifier, vocab: CharVocab, examples: Sequence[Example]) -> float:
    predicted = predict_positive(model, vocab, [s for s, _ in examples]) > 0.5
    return float((predicted == torch.tensor([bool(y) for _, y in examples])).float().mean())


def _sizes(text: str, available: int) -> list[int]:
    sizes = []
    for part in text.split(","):
        n = available if part.strip() == "all" else int(part)
        if 0 < n <= available and n not in sizes:
            sizes.append(n)
    return sizes


def _run(base: GPT, vocab: CharVocab, start: str, subset: list[Example], cfg: FinetuneConfig, seed: int) -> Classifier:
    """One point of the curve: fine-tune from the pre-trained body (a copy) or from a random start."""
    n_examples = min(max(len(subset) * 8, cfg.min_examples), cfg.max_examples)
    torch.manual_seed(seed)
    if start == "pretrained":
        body, lr = copy.deepcopy(base).requires_grad_(True), cfg.lr
    else:
        body, lr = GPT(len(vocab), base.cfg), cfg.scratch_lr
    return fine_tune(Classifier(body), vocab, subset, n_examples, cfg, lr, seed)


def train(
    cfg: FinetuneConfig, progress: Callable | None = None, pretrained: Loaded | None = None
) -> tuple[Trained, dict]:
    """The curve (pre-trained vs scratch, every size and seed), then the shipped classifier."""
    pretrained = pretrained or gpt_train.load_gpt()
    base, vocab, base_meta = pretrained.trained.model, pretrained.trained.vocab, pretrained.meta
    train_set, test_set = split_examples("train"), split_examples("test")
    sizes = _sizes(cfg.sizes, len(train_set))
    runs = len(sizes) * cfg.seeds * 2 + 1
    history: dict[str, list] = {"size": [], "seed": [], "start": [], "accuracy": [], "seconds": []}
    for size in sizes:
        for seed in range(cfg.seed, cfg.seed + cfg.seeds):
            subset = random.Random(seed).sample(train_set, size)
            for start in ("pretrained", "scratch"):
                tick = time.perf_counter()
                acc = accuracy(_run(base, vocab, start, subset, cfg, seed), vocab, test_set)
                row = {"size": size, "seed": seed, "start": start, "accuracy": round(acc, 4)}
                for key, value in {**row, "seconds": round(time.perf_counter() - tick, 1)}.items():
                    history[key].append(value)
                if progress:
                    progress(len(history["size"]), runs, {"size": size, "accuracy": acc})
    torch.manual_seed(cfg.seed)
    final = Classifier(copy.deepcopy(base).requires_grad_(True))
    fine_tune(final, vocab, train_set, cfg.final_epochs * len(train_set), cfg, cfg.lr, cfg.seed)
    final.load_state_dict({k: v.half().float() for k, v in final.state_dict().items()})  # as shipped: half precision
    if progress:
        progress(runs, runs, {"size": len(train_set), "accuracy": accuracy(final, vocab, test_set)})
    history["pretrained_from"] = base_meta.get("metrics", {}).get("command", gpt_train.REBUILD)
    return Trained(final.requires_grad_(False), vocab), history


def curve(history: dict) -> list[dict]:
    """Mean, min and max test accuracy per (size, start) from the recorded runs."""
    groups: dict[tuple[int, str], list[float]] = {}
    for size, start, acc in zip(history["size"], history["start"], history["accuracy"], strict=True):
        groups.setdefault((size, start), []).append(acc)
    return [
        {"labels": size, "start": start, "mean": sum(v) / len(v), "min": min(v), "max": max(v), "runs": len(v)}
        for (size, start), v in sorted(groups.items())
    ]


def save(trained: Trained, cfg: FinetuneConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """Half-precision weights with both configs, the vocabulary, labels, the curve's runs and metrics."""
    meta = {
        "config": asdict(cfg),
        "gpt_config": asdict(trained.model.body.cfg),
        "chars": list(trained.vocab.chars),
        "labels": LABELS,
        "history": history,
        "metrics": metrics,
    }
    return save_trained(NAME, {k: v.half() for k, v in trained.model.state_dict().items()}, meta, path)


def _build(meta: dict) -> Classifier:
    return Classifier(GPT(len(meta["chars"]), GPTConfig(**meta["gpt_config"])), len(meta["labels"]))


def load(path: Path | None = None) -> Loaded:
    """The shipped sentiment classifier (or the one at `path`), frozen, and its meta."""
    model, meta = load_trained(NAME, REBUILD, _build, path)
    return Loaded(Trained(model, CharVocab(tuple(meta["chars"]))), meta)


def evaluate(trained: Trained, data: bytes | None = None) -> dict:
    """Accuracy on the held-out test sentences, or on a user's `pos|neg<TAB>sentence` TSV."""
    examples = split_examples("test") if data is None else parse_labelled_lines(decode_text(data, "data file"))
    if not examples:
        raise InputError("There are no labelled sentences to score.", key="gpt.errors.no_labelled")
    return {"accuracy": round(accuracy(trained.model, trained.vocab, examples), 4), "n": len(examples)}
