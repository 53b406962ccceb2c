"""Sampling from the GPT with temperature, top-k and top-p, one character at a time.

Sampling caches past keys and values, so each new character costs one position instead of the
whole context; with `record`, every step keeps what the model saw and weighed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from engine.common.inputs import InputError
from engine.gpt.data import START
from engine.gpt.model import GPTOutput, Trained


def filter_probs(probs: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> tuple[torch.Tensor, float]:
    """Keep the top_k most likely, then the smallest head whose mass reaches top_p; renormalise.

    Returns the renormalised (V,) distribution and the probability mass that was cut away.
    """
    if not 0 < top_k < len(probs) and top_p >= 1.0:  # nothing to cut: skip the sort
        total = probs.sum()
        return probs / total, float(1 - total)
    keep = torch.ones_like(probs, dtype=torch.bool)
    order = torch.argsort(probs, descending=True, stable=True)
    if 0 < top_k < len(probs):
        keep[order[top_k:]] = False
    if top_p < 1.0:
        sorted_probs = torch.where(keep[order], probs[order], torch.zeros_like(probs))
        before = torch.cumsum(sorted_probs, 0) - sorted_probs  # mass of the more likely ones
        keep[order[before >= top_p * sorted_probs.sum()]] = False
        keep[order[0]] = True
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(), float(1 - kept.sum())


@dataclass
class Step:
    """What the model did at one sampled position."""

    probs: torch.Tensor  # (V,) after temperature, before top-k/top-p
    sampled_from: torch.Tensor  # (V,) after top-k/top-p, renormalised
    cut_mass: float  # probability mass top-k/top-p removed
    chosen: int  # id of the character drawn
    attention: list[torch.Tensor] = field(default_factory=list)  # per layer (n_head, keys) of this position
    context: str = ""  # the characters the model could see, oldest first

    @property
    def rank(self) -> int:
        """1 if the drawn character was the most likely, 2 if one was likelier, ..."""
        return int((self.probs > self.probs[self.chosen]).sum()) + 1

    @property
    def entropy_bits(self) -> float:
        """Entropy of the distribution before top-k/top-p, in bits."""
        return entropy_bits(self.probs)


def entropy_bits(probs: torch.Tensor) -> float:
    """-sum p log2 p over the characters with p > 0."""
    p = probs[probs > 0].double()
    return float(-(p * p.log2()).sum())


def _draw(kept: torch.Tensor, generator: torch.Generator) -> int:
    """An id drawn from `kept` by inverting its cumulative mass at one uniform number."""
    u = float(torch.rand((), generator=generator, dtype=torch.float64))
    mass = np.cumsum(kept.numpy(), dtype=np.float64)  # numpy: a few microseconds, not a few kernels
    chosen = min(int(np.searchsorted(mass, u * mass[-1])), len(kept) - 1)
    while kept[chosen] == 0:  # never land on a cut character through rounding
        chosen -= 1
    return chosen


class _Reader:
    """Feeds the growing ids to the model: through a key/value cache, or the whole window each time."""

    def __init__(self, trained: Trained, use_cache: bool, record: bool) -> None:
        self.model, self.use_cache, self.record = trained.model, use_cache, record
        self.caches: list[dict] | None = None
        self.fed = 0  # ids already in the caches (counted from the window's start)

    def read(self, ids: list[int], start: int) -> GPTOutput:
        """The model's output for ids[start:], the window it can see."""
        if not self.use_cache:
            return self.model(torch.tensor([ids[start:]]), need_weights=self.record)
        if self.caches is None:
            self.caches, self.fed = self.model.new_caches(), 0
        out = self.model(torch.tensor([ids[start + self.fed :]]), self.caches, need_weights=self.record)
        self.fed = len(ids) - start
        return out


def sample(
    trained: Trained,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int = 0,
    use_cache: bool = True,
    record: bool = False,
) -> Iterator[tuple[str, Step | None]]:
    """Yield each new character (and, if record, what the model saw and weighed), one at a time.

    The same seed gives the same text. When the window fills, the model keeps reading the last 3/4
    of the context (the cache is rebuilt from those characters); without the cache the same window
    is recomputed from scratch at every step, so both give the same text.
    """
    if temperature <= 0:
        raise InputError("Temperature must be above 0.", key="gpt.errors.temperature")
    vocab, context = trained.vocab, trained.model.cfg.context
    ids = vocab.encode(START + prompt).tolist()
    start = max(0, len(ids) - context)  # the model reads ids[start:]
    generator, reader = torch.Generator().manual_seed(seed), _Reader(trained, use_cache, record)
    with torch.inference_mode():
        for _ in range(length):
            if len(ids) - start > context:
                start, reader.caches = len(ids) - context * 3 // 4, None
            out = reader.read(ids, start)
            logits = out.logits[0, -1].double() / temperature
            logits[0] = float("-inf")  # never write the stand-in for characters training never had
            probs = torch.softmax(logits, -1).float()
            kept, cut = filter_probs(probs, top_k, top_p)
            chosen = _draw(kept, generator)
            step = None
            if record:
                attention = [a[0, :, -1].clone() for a in out.attentions]
                step = Step(probs, kept, cut, chosen, attention, "".join(vocab.chars[i] for i in ids[start:]))
            ids.append(chosen)
            yield vocab.chars[chosen], step
