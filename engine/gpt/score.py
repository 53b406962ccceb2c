"""How likely a text is under the GPT: log p(text) = sum_i log p(c_i | c_<i), read in sliding windows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.common.inputs import InputError
from engine.common.metrics import bits_per_char
from engine.gpt.data import START
from engine.gpt.model import GPT, Trained


def spans(n: int, context: int, stride: int) -> list[tuple[int, int, int]]:
    """(first input, end input, first target kept) of each scoring window over n targets; targets s+1..end."""
    out = [(0, min(context, n), 1)]
    while out[-1][1] < n:
        end = min(out[-1][1] + stride, n)
        out.append((end - context, end, out[-1][1] + 1))
    return out


@torch.inference_mode()
def _scored_batch(model: GPT, ids: torch.Tensor, group: list[tuple[int, int, int]], out: torch.Tensor) -> None:
    """Write the kept targets' natural-log probabilities of one batch of windows (of one length) into `out`."""
    logits = model(torch.stack([ids[s:e] for s, e, _ in group])).logits
    targets = torch.stack([ids[s + 1 : e + 1] for s, e, _ in group])
    lp = torch.log_softmax(logits.float(), -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    for (s, e, keep), row in zip(group, lp, strict=True):
        out[keep - 1 : e] = row[keep - 1 - s :]


def window_log_likelihoods(model: GPT, ids: torch.Tensor, stride: int | None = None, batch: int = 32) -> torch.Tensor:
    """(len(ids) - 1,) natural-log p(ids[t] | ids[s:t]) for t >= 1, in windows of `context` ids.

    The first window scores all its positions; each later window moves by `stride` and scores only
    its last `stride` positions, so every id after the first `context` is conditioned on at least
    `context - stride` earlier ones (stride 1: exactly context - 1, the most the model can read).
    """
    context = model.cfg.context
    stride = default_stride(context) if stride is None else max(1, min(stride, context))
    n = len(ids) - 1
    if n < 1:
        return torch.zeros(0)
    windows, out = spans(n, context, stride), torch.empty(n, dtype=torch.float32)
    for i in range(0, len(windows), batch):
        _scored_batch(model, ids, windows[i : i + batch], out)
    return out


def batch_totals(model: GPT, ids: torch.Tensor, log_likelihoods: torch.Tensor, batch: int = 32) -> list[float]:
    """The summed log-likelihood of the targets each batch of default windows keeps (for a checkpoint's record)."""
    windows = spans(len(ids) - 1, model.cfg.context, default_stride(model.cfg.context))
    return [
        float(log_likelihoods[windows[i][2] - 1 : windows[min(i + batch, len(windows)) - 1][1]].double().sum())
        for i in range(0, len(windows), batch)
    ]


def rescore_batches(model: GPT, ids: torch.Tensor, which: list[int], batch: int = 32) -> list[float]:
    """The same totals for the batches numbered `which` only, each from its own forward pass."""
    windows = spans(len(ids) - 1, model.cfg.context, default_stride(model.cfg.context))
    out = torch.zeros(len(ids) - 1)
    totals = []
    for b in which:
        group = windows[b * batch : (b + 1) * batch]
        _scored_batch(model, ids, group, out)
        totals.append(float(out[group[0][2] - 1 : group[-1][1]].double().sum()))
    return totals


def default_stride(context: int) -> int:
    """How far each scoring window moves: an eighth of the context."""
    return max(1, context // 8)


def least_context(context: int) -> int:
    """The fewest earlier characters any character past the first window is conditioned on by default."""
    return context - default_stride(context)


@dataclass(frozen=True)
class Score:
    """A text and the log-probability the model gave each of its characters."""

    text: str
    log_likelihoods: torch.Tensor  # (len(text),) natural log of each character's probability
    known: torch.Tensor  # (len(text),) bool: the character is in the model's vocabulary

    @property
    def total_nats(self) -> float:
        return float(self.log_likelihoods.double().sum())

    @property
    def bits_per_char(self) -> float:
        return bits_per_char(self.log_likelihoods)

    @property
    def perplexity(self) -> float:
        return math.exp(-float(self.log_likelihoods.double().mean()))


def score_text(trained: Trained, text: str, stride: int | None = None) -> Score:
    """Log-likelihood of each character of `text` (which is read as starting a new line)."""
    if not text:
        raise InputError("There is no text to score.", key="gpt.errors.no_text")
    chars = set(trained.vocab.chars[1:])
    known = torch.tensor([c in chars for c in text])
    return Score(text, window_log_likelihoods(trained.model, trained.vocab.encode(START + text), stride), known)
