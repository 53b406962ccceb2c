"""Pre-training the GPT (and fine-tuning a private copy on a user's text); its checkpoint and evaluation."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from engine.common import corpora
from engine.common.charvocab import CharVocab
from engine.common.checkpoint import load_trained, save_trained
from engine.common.inputs import InputError, decode_text
from engine.common.metrics import bits_per_char
from engine.common.training import History, optimiser_step
from engine.gpt.data import HELD_OUT_CHARS, START, modern_text, pretraining_text, unigram_log_probs, windows
from engine.gpt.model import GPT, GPTConfig, Loaded, Trained
from engine.gpt.score import batch_totals, score_text, window_log_likelihoods

NAME = "gpt"
REBUILD = "python -m engine.train gpt"
CLIP = 1.0  # gradient-norm clip of every GPT training loop
MIN_ADAPT_CHARS = 500  # shortest text a copy is fine-tuned on (90% to train, 10% to measure)
ADAPT_BATCH = 16  # windows per fine-tuning step of a private copy
ADAPT_WARMUP = 10  # linear warm-up steps of that fine-tune


def _decay_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and not n.startswith("position")]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and not n.startswith("position"))]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]


def _cosine_lr(cfg: GPTConfig, fraction: float) -> float:
    """The learning rate a `fraction` of the way through training (before warm-up)."""
    return cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * min(fraction, 1.0)))


def _lm_loss(model: GPT, batch: torch.Tensor) -> torch.Tensor:
    """Mean next-character cross-entropy over (B, T + 1) windows."""
    return F.cross_entropy(model(batch[:, :-1]).logits.flatten(0, 1), batch[:, 1:].flatten())


def _held_out_loss(model: GPT, ids: torch.Tensor) -> float:
    model.eval()
    loss = -float(window_log_likelihoods(model, ids, stride=model.cfg.context).mean())
    model.train()
    return loss


def train_gpt(cfg: GPTConfig, progress: Callable | None = None) -> tuple[Trained, dict]:
    """AdamW, warm-up then cosine decay over the time budget (or over max_steps)."""
    torch.manual_seed(cfg.seed)
    rng = torch.Generator().manual_seed(cfg.seed)
    shakespeare, modern = pretraining_text(cfg.modern_share)
    vocab = CharVocab.from_text(shakespeare + modern)
    shakespeare_ids, modern_ids = vocab.encode(shakespeare), vocab.encode(modern)
    val_ids = vocab.encode(START + corpora.shakespeare_text("val")[:HELD_OUT_CHARS])
    model = GPT(len(vocab), cfg)
    opt = torch.optim.AdamW(_decay_groups(model, cfg.weight_decay), lr=cfg.lr, betas=(0.9, 0.99))
    budget, step, running = cfg.minutes * 60, 0, []
    n_modern = round(cfg.batch_size * cfg.modern_share) if len(modern_ids) > cfg.context + 1 else 0
    history = History("step", "train_loss", "val_loss", "val_bits_per_char")
    while (fraction := step / cfg.max_steps if cfg.max_steps else history.elapsed() / budget) < 1:
        lr = _cosine_lr(cfg, fraction)
        for group in opt.param_groups:
            group["lr"] = lr * min(1.0, (step + 1) / cfg.warmup)
        batch = windows(shakespeare_ids, cfg.batch_size - n_modern, cfg.context, rng)
        if n_modern:
            batch = torch.cat([batch, windows(modern_ids, n_modern, cfg.context, rng)])
        running.append(optimiser_step(_lm_loss(model, batch), opt, clip=CLIP))
        step += 1
        trained = history.elapsed()
        if step % cfg.eval_every == 0 or step == cfg.max_steps or (not cfg.max_steps and trained >= budget):
            pause = history.elapsed()
            val = _held_out_loss(model, val_ids)
            history.pause(history.elapsed() - pause)  # the clock counts training only, not evaluation
            history.record(
                step=step, train_loss=sum(running) / len(running), val_loss=val, val_bits_per_char=val / math.log(2)
            )
            running = []
            if progress:
                total = cfg.max_steps or max(step + 1, round(step * budget / max(trained, 1e-9)))
                progress(min(step, total), total, {"val_loss": val, "lr": lr})
    model.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})  # as shipped: half precision
    unigram = unigram_log_probs(vocab, shakespeare + modern)
    return Trained(model.eval(), vocab), {
        **history.as_dict(),
        "unigram_log_probs": [round(x, 5) for x in unigram.tolist()],
    }


def save_gpt(trained: Trained, cfg: GPTConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """Half-precision weights with the config, vocabulary, history and metrics."""
    tensors = {k: v.half() for k, v in trained.model.state_dict().items()}
    meta = {"config": asdict(cfg), "chars": list(trained.vocab.chars), "history": history, "metrics": metrics}
    return save_trained(NAME, tensors, meta, path)


def load_gpt(path: Path | None = None) -> Loaded:
    """The shipped GPT (or the one at `path`), frozen, and its meta."""
    model, meta = load_trained(NAME, REBUILD, lambda m: GPT(len(m["chars"]), GPTConfig(**m["config"])), path)
    return Loaded(Trained(model, CharVocab(tuple(meta["chars"]))), meta)


def record_gpt(path: Path | None = None) -> dict:
    """Score the held-out scenes again and write, besides the figures, the total of every batch of scoring
    windows into the checkpoint's meta, so a test can recompute a sample of them (weights untouched)."""
    trained, meta = load_gpt(path)
    text = corpora.shakespeare_text("test")
    ids = trained.vocab.encode(START + text)
    lp = window_log_likelihoods(trained.model, ids)
    metrics = {**meta["metrics"], **evaluate_gpt(trained)}
    metrics["batch_nats"] = [round(v, 4) for v in batch_totals(trained.model, ids, lp)]
    save_gpt(trained, GPTConfig(**meta["config"]), meta["history"], metrics, path)
    return {k: v for k, v in metrics.items() if k != "batch_nats"}


def evaluate_gpt(trained: Trained, data: bytes | None = None) -> dict:
    """Bits per character on the held-out Shakespeare scenes, or on a user's text file."""
    text = corpora.shakespeare_text("test") if data is None else decode_text(data, "text file")
    score = score_text(trained, text)
    metrics = {
        "bits_per_char": round(score.bits_per_char, 4),
        "nats_per_char": round(score.bits_per_char * math.log(2), 4),
        "n_chars": len(text),
    }
    if data is None:  # the same held-out scenes under the model with no context at all
        vocab = trained.vocab
        unigram = unigram_log_probs(vocab, corpora.shakespeare_text("train") + modern_text("train"))
        metrics["unigram_bits_per_char"] = round(bits_per_char(unigram[vocab.encode(text)]), 4)
    return metrics


@dataclass(frozen=True)
class Adapted:
    """A fine-tuned copy and what the fine-tune measured on the user's held-out tail."""

    trained: Trained
    losses: list[float]  # training loss (nats per character) at every step
    before_bpc: float  # bits per character of the held-out 10% before fine-tuning
    after_bpc: float  # ... and after


def adapt(
    trained: Trained,
    text: str,
    steps: int,
    lr: float = 1e-3,
    batch_size: int = ADAPT_BATCH,
    seed: int = 0,
    on_step: Callable[[int, int, float], None] | None = None,
) -> Adapted:
    """Fine-tune a copy on `text` (the shared model is never touched) for `steps` steps."""
    if len(text) < MIN_ADAPT_CHARS:
        raise InputError(
            "Fine-tuning needs at least {least} characters; this text has {n}.",
            key="gpt.errors.adapt_too_short",
            least=MIN_ADAPT_CHARS,
            n=len(text),
        )
    vocab, model = trained.vocab, GPT(len(trained.vocab), trained.model.cfg)
    model.load_state_dict(trained.model.state_dict())
    cut = int(len(text) * 0.9)
    train_ids, held_ids = vocab.encode(START + text[:cut]), vocab.encode(START + text[cut:])
    length = min(model.cfg.context, len(train_ids) - 2)
    before = bits_per_char(window_log_likelihoods(model.eval(), held_ids, stride=model.cfg.context))
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / ADAPT_WARMUP) * (1 - s / steps))
    losses: list[float] = []
    model.train()
    for step in range(1, steps + 1):
        losses.append(optimiser_step(_lm_loss(model, windows(train_ids, batch_size, length, rng)), opt, sched, CLIP))
        if on_step:
            on_step(step, steps, losses[-1])
    model.eval().requires_grad_(False)
    after = bits_per_char(window_log_likelihoods(model, held_ids, stride=model.cfg.context))
    return Adapted(Trained(model, vocab), losses, before, after)
