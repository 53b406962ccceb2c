"""Pre-train, then fine-tune: the GPT paper's claim, measured on movie-review sentiment.

A classification head reads the mean of the GPT's final hidden states over a sentence. The body is the
sub-word GPT pre-trained on modern English (engine.gpt.pretrain). The same architecture is fine-tuned
from the pre-trained weights and trained from a random start with one recipe: AdamW, the auxiliary
language-model loss of the paper (weight `lm_weight`), and early stopping on a fixed set of validation
sentences (the state with the lowest validation loss is kept), so each start trains until validation
stops improving, not for a fixed number of steps. The curve, its baselines and the shipped classifier are
run by engine.gpt.curve.

The sentences, labels and split are those of the RNN sentiment model (engine.rnn.sentiment), so the two
can be compared.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.common import corpora
from engine.common.checkpoint import load_trained, save_trained
from engine.common.corpora import LABELS
from engine.common.inputs import InputError, decode_text, parse_labelled_lines
from engine.common.training import optimiser_step
from engine.gpt import train as gpt_train
from engine.gpt.model import GPT, GPTConfig, Loaded, Trained
from engine.gpt.pieces import Pieces
from engine.gpt.probe import padded, rows_of

NAME = "gpt_sentiment"
REBUILD = "python -m engine.train gpt_finetune"
Example = tuple[str, int]  # (sentence, 0 negative / 1 positive)


@dataclass(frozen=True)
class FinetuneConfig:
    """The label-count curve, its baselines and the shipped classifier; saved with the checkpoint."""

    sizes: str = "50,100,200,500,1000,all"  # numbers of labelled sentences on the curve
    seeds: int = 3  # runs per size and start below `all` (each its own label subset and initialisation)
    batch_size: int = 16  # sentences per step
    lr: float = 2e-4  # peak learning rate from the pre-trained start
    scratch_lr: float = 1e-3  # peak learning rate from a random start (it has more to learn)
    lm_weight: float = 0.5  # weight of the auxiliary language-model loss
    warmup: int = 20  # linear warm-up steps, then linear decay to zero at the step cap
    eval_every: int = 50  # steps between validation checks
    patience: int = 2  # checks without a lower validation loss before a run stops (or one pass, if longer)
    max_steps: int = 300  # the most steps a run takes (or max_epochs passes over its labels, if more)
    max_epochs: float = 1.5  # ... so every label is seen 1.5 times at least (all labels: 750 steps)
    val_sentences: int = 200  # validation sentences early stopping reads (of the split shuffled with seed 0)
    workers: int = 2  # runs in parallel, one process and one thread each
    runs_file: str = ""  # JSON lines of finished runs: reused when recipe and start match, appended to as runs end
    pretrained: str = ""  # the pre-trained checkpoint (empty: assets/gpt_pretrain.safetensors)
    seed: int = 0  # subset choice and initialisation of the first run


class Classifier(nn.Module):
    """A GPT body and a linear head on the mean of its final hidden states."""

    def __init__(self, body: GPT, n_labels: int = 2) -> None:
        super().__init__()
        self.body = body
        self.head = nn.Linear(body.cfg.d_model, n_labels)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, lm: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T) right-padded ids, (B, T) mask of real pieces -> (B, labels) logits, (B, T, V) LM logits (or None)."""
        out = self.body(ids, lm=lm)
        weights = mask.unsqueeze(-1).float()
        pooled = (out.hidden * weights).sum(1) / weights.sum(1).clamp(min=1)
        return self.head(pooled), out.logits


def split_examples(split: str) -> list[Example]:
    """The RNN sentiment model's sentences of one split, as raw text with 0/1 labels."""
    return corpora.movie_review_split(split)


def encode_batch(vocab: Pieces, sentences: Sequence[str], context: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded (B, T) ids of START + sentence (its last pieces, if longer than the context) and the mask."""
    return padded(rows_of(vocab, sentences, context))


def _loss(model: Classifier, ids, mask, labels, lm_weight: float) -> torch.Tensor:
    logits, lm_logits = model(ids, mask)
    loss = F.cross_entropy(logits, labels)
    if lm_weight:
        targets = ids[:, 1:].masked_fill(~mask[:, 1:], -100)
        loss = loss + lm_weight * F.cross_entropy(lm_logits[:, :-1].flatten(0, 1), targets.flatten(), ignore_index=-100)
    return loss


def step_cap(cfg: FinetuneConfig, n_examples: int) -> int:
    """The most steps a run on `n_examples` labels takes: max_steps, or max_epochs passes if that is more."""
    return max(cfg.max_steps, math.ceil(cfg.max_epochs * n_examples / cfg.batch_size))


def patience_checks(cfg: FinetuneConfig, n_examples: int) -> int:
    """Checks without a new best before a run stops: `patience`, or one pass over its labels if that is longer."""
    return max(cfg.patience, math.ceil(n_examples / cfg.batch_size / cfg.eval_every))


def fine_tune(
    model: Classifier,
    vocab: Pieces,
    examples: Sequence[Example],
    cfg: FinetuneConfig,
    lr: float,
    seed: int,
    val: Sequence[Example] = (),
    on_step: Callable[[int, int, float], None] | None = None,
) -> tuple[Classifier, int]:
    """AdamW, warm-up then linear decay over the step cap; with `val`, stop early and keep the lowest validation loss.

    Returns the model and the steps taken. Without `val` it runs to the cap.
    """
    rng = np.random.default_rng(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps, warm = step_cap(cfg, len(examples)), max(1, cfg.warmup)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / steps)))
    order: list[int] = []
    best, best_state, since, step = float("inf"), None, 0, 0
    model.train()
    for step in range(1, steps + 1):
        if len(order) < cfg.batch_size:
            order += rng.permutation(len(examples)).tolist()
        batch, order = [examples[i] for i in order[: cfg.batch_size]], order[cfg.batch_size :]
        ids, mask = encode_batch(vocab, [s for s, _ in batch], model.body.cfg.context)
        value = optimiser_step(
            _loss(model, ids, mask, torch.tensor([y for _, y in batch]), cfg.lm_weight), opt, sched, gpt_train.CLIP
        )
        if on_step:
            on_step(step, steps, value)
        if val and (step % cfg.eval_every == 0 or step == steps):
            val_loss = validation_loss(model, vocab, val)  # smoother than accuracy: a plateau at chance still moves
            model.train()
            if val_loss < best:
                best, best_state, since = val_loss, copy.deepcopy(model.state_dict()), 0
            elif (since := since + 1) >= patience_checks(cfg, len(examples)):
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return model.eval(), step


@torch.inference_mode()
def predict_positive(model: Classifier, vocab: Pieces, sentences: Sequence[str]) -> torch.Tensor:
    """(N,) P(positive) for each sentence, batched by length."""
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    out = torch.empty(len(sentences))
    for i in range(0, len(order), 64):
        index = order[i : i + 64]
        ids, mask = encode_batch(vocab, [sentences[j] for j in index], model.body.cfg.context)
        out[index] = F.softmax(model(ids, mask, lm=False)[0], -1)[:, 1]
    return out


def validation_loss(model: Classifier, vocab: Pieces, examples: Sequence[Example]) -> float:
    """Mean cross-entropy (nats) of the labels of `examples` under the classifier."""
    p = predict_positive(model, vocab, [s for s, _ in examples]).double().clamp(1e-7, 1 - 1e-7)
    y = torch.tensor([float(y) for _, y in examples], dtype=torch.float64)
    return float(-(y * p.log() + (1 - y) * (1 - p).log()).mean())


def accuracy(model: Classifier, vocab: Pieces, examples: Sequence[Example]) -> float:
    predicted = predict_positive(model, vocab, [s for s, _ in examples]) > 0.5
    return float((predicted == torch.tensor([bool(y) for _, y in examples])).float().mean())


def save(trained: Trained, cfg: FinetuneConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """Half-precision weights with both configs, the pieces, labels, the curve's runs and metrics."""
    meta = {
        "config": asdict(cfg),
        "gpt_config": asdict(trained.model.body.cfg),
        "pieces": trained.vocab.spec,
        "labels": LABELS,
        "history": history,
        "metrics": metrics,
    }
    return save_trained(NAME, {k: v.half() for k, v in trained.model.state_dict().items()}, meta, path)


def _build(meta: dict) -> Classifier:
    body = GPT(len(Pieces(meta["pieces"])), GPTConfig(**meta["gpt_config"]))
    return Classifier(body, len(meta["labels"]))


def load(path: Path | None = None) -> Loaded:
    """The shipped sentiment classifier (or the one at `path`), frozen, and its meta."""
    model, meta = load_trained(NAME, REBUILD, _build, path)
    return Loaded(Trained(model, Pieces(meta["pieces"])), meta)


def evaluate(trained: Trained, data: bytes | None = None) -> dict:
    """Accuracy on the held-out test sentences, or on a user's `pos|neg<TAB>sentence` TSV."""
    examples = split_examples("test") if data is None else parse_labelled_lines(decode_text(data, "data file"))
    if not examples:
        raise InputError("There are no labelled sentences to score.", key="gpt.errors.no_labelled")
    return {"accuracy": round(accuracy(trained.model, trained.vocab, examples), 4), "n": len(examples)}
