"""How likely a text is under the GPT: log p(text) = sum_i log p(c_i | c_<i), read in sliding windows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.common.inputs import InputError
from engine.common.metrics import bits_per_char
from engine.gpt.data import START
from engine.gpt.model import GPT, Trained


@torch.inference_mode()
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
    spans = [(0, min(context, n), 1)]  # (first input, end input, first target kept); targets s+1..end
    while spans[-1][1] < n:
        end = min(spans[-1][1] + stride, n)
        spans.append((end - context, end, spans[-1][1] + 1))
    out = torch.empty(n, dtype=torch.float32)
    for i in range(0, len(spans), batch):
        group = spans[i : i + batch]  # spans share one length
        logits = model(torch.stack([ids[s:e] for s, e, _ in group])).logits
        targets = torch.stack([ids[s + 1 : e + 1] for s, e, _ in group])
        lp = torch.log_softmax(logits.float(), -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        for (s, e, keep), row in zip(group, lp, strict=True):
            out[keep - 1 : e] = row[keep - 1 - s :]
    return out


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
        raise InputError("There is no text to score.")
    chars = set(trained.vocab.chars[1:])
    known = torch.tensor([c in chars for c in text])
    return Score(text, window_log_likelihoods(trained.model, trained.vocab.encode(START + text), stride), known)
