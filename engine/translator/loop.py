"""The translators' training loop: tagged epochs of the mix, a CPU-time budget, a final everyday-only phase
with weight averaging, and validation on the everyday split as it goes.

The budget counts the CPU seconds of training steps (one thread each), so a Transformer and a GRU trained
side by side on one machine get the same compute however the machine is shared; evaluations are excluded.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from tokenizers import Tokenizer
from torch import nn

from engine.common.training import History, optimiser_step
from engine.translator import decode
from engine.translator.data import bpe, mix
from engine.translator.data.batches import Encoded, encode_tagged, token_batches
from engine.translator.data.tags import EVERYDAY
from engine.translator.scores import corpus_scores

MAX_LEN = 128  # tokens kept per side of a training pair (TransformerConfig.max_len)
VAL_TRANSLATED = 300  # everyday validation sentences translated (greedy) at each evaluation


@dataclass
class Validation:
    """The everyday validation split, encoded once: every reference as a pair for the loss."""

    grouped: list[tuple[str, list[str]]]
    encoded: list[Encoded]

    @classmethod
    def of(cls, tokenizer: Tokenizer, grouped: list[tuple[str, list[str]]]) -> Validation:
        flat = [(EVERYDAY, e, d) for e, refs in grouped for d in refs]
        return cls(grouped, encode_tagged(tokenizer, flat, MAX_LEN))


def validate(kind, model: nn.Module, tokenizer: Tokenizer, val: Validation, smoothing: float) -> dict[str, float]:
    """Validation loss (label-smoothed as in training) and greedy chrF/exact on the first VAL_TRANSLATED."""
    model.eval()
    with torch.inference_mode():
        batches = token_batches(val.encoded, 4000, random.Random(0))
        loss = sum(kind.loss(model, b, smoothing).item() * len(b) for b in batches) / len(val.encoded)
        shown = val.grouped[:VAL_TRANSLATED]
        sources = [decode.source_ids(tokenizer, e) for e, _ in shown]
        hyps = [bpe.decode(tokenizer, ids) for ids in decode.greedy_batches(kind.greedy, model, sources)]
    scores = corpus_scores(hyps, [refs for _, refs in shown])
    return {"val_loss": loss, "val_chrf": scores["chrf"], "val_exact": scores["exact"]}


def average(snapshots: list[dict]) -> dict:
    """The mean of the snapshots' weights (Vaswani et al., 2017, §6.1)."""
    return {k: (sum(s[k].float() for s in snapshots) / len(snapshots)).to(snapshots[-1][k].dtype) for k in snapshots[0]}


class Clock:
    """CPU seconds of this process since start, minus the pauses (evaluations)."""

    def __init__(self) -> None:
        self.start, self.paused = time.process_time(), 0.0

    def seconds(self) -> float:
        return time.process_time() - self.start - self.paused


def fit(kind, model: nn.Module, cfg, tokenizer: Tokenizer, src: mix.Sources, progress: Callable | None, keep: Callable):
    """Adam with warm-up and inverse-square-root decay until the CPU budget runs out; see the module doc."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    recipe = mix.Mix(cfg.auf_repeats, cfg.ding_share, 0.5, cfg.grammar_share, cfg.grammar_pool)
    noisy = bpe.with_dropout(tokenizer, cfg.bpe_dropout)  # training encodes only
    val = Validation.of(tokenizer, src.val)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), eps=1e-9)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min((step + 1) / cfg.warmup, math.sqrt(cfg.warmup / (step + 1)))
    )
    history = History(
        "step", "cpu_seconds", "train_loss", "val_loss", "val_chrf", "val_exact", "everyday_only", digits=4
    )
    clock, budget = Clock(), cfg.minutes * 60
    final_at = budget - cfg.final_minutes * 60
    step, running, snapshots = 0, [], []
    while True:
        everyday_only = clock.seconds() >= final_at
        pairs = encode_tagged(noisy, mix.epoch(src, recipe, rng, everyday_only), MAX_LEN)
        for batch in token_batches(pairs, cfg.batch_tokens, rng):
            model.train()
            loss = kind.loss(model, batch, cfg.label_smoothing)
            running.append(optimiser_step(loss, opt, sched, 1.0, model.parameters()))
            step += 1
            done = clock.seconds() >= budget
            if everyday_only and step % cfg.snapshot_every == 0:
                snapshots = [*snapshots, {k: v.detach().clone() for k, v in model.state_dict().items()}]
                snapshots = snapshots[-cfg.average_last :]
            if step % cfg.eval_every == 0 or done:
                _evaluate(kind, model, cfg, tokenizer, val, history, clock, step, running, everyday_only, progress)
                running = []
                keep(model, history.as_dict())
            if done:
                return _finish(kind, model, cfg, tokenizer, val, snapshots, history)
            if not everyday_only and clock.seconds() >= final_at:
                break  # the final phase starts with a fresh everyday-only epoch


def _evaluate(kind, model, cfg, tokenizer, val, history, clock, step, running, everyday_only, progress) -> None:
    """One validation row in the history; its CPU time is not charged to the budget."""
    t0, w0 = time.process_time(), time.perf_counter()
    scores = validate(kind, model, tokenizer, val, cfg.label_smoothing)
    clock.paused += time.process_time() - t0
    history.pause(time.perf_counter() - w0)  # `seconds` (wall) counts training only, too
    train_loss = sum(running) / max(1, len(running))
    history.record(step=step, cpu_seconds=clock.seconds(), train_loss=train_loss, everyday_only=everyday_only, **scores)
    if progress:
        budget = int(cfg.minutes * 60)
        progress(min(int(clock.seconds()), budget), budget, {"step": step, **scores})


def _finish(kind, model, cfg, tokenizer, val, snapshots, history) -> tuple[nn.Module, dict]:
    """Average the final phase's snapshots if that scores at least as well on validation as the last weights."""
    last = {k: v.detach().clone() for k, v in model.state_dict().items()}
    result = {"last_val_chrf": history.last("val_chrf"), "averaged_checkpoints": 0}
    if len(snapshots) > 1:
        model.load_state_dict(average(snapshots))
        averaged = validate(kind, model, tokenizer, val, cfg.label_smoothing)
        result["averaged_val_chrf"] = averaged["val_chrf"]
        if averaged["val_chrf"] >= result["last_val_chrf"]:
            result["averaged_checkpoints"] = len(snapshots)
        else:
            model.load_state_dict(last)
    model.eval()
    return model, {**history.as_dict(), **result}
