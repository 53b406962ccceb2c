"""Decoding for both translators: greedy (batched, with or without the key/value cache) and beam search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from tokenizers import Tokenizer

from engine.translator.data import bpe
from engine.translator.data.batches import pad
from engine.translator.gru import GRUTranslator
from engine.translator.transformer import EncoderOutput, Transformer

MAX_SOURCE = 100  # source tokens kept from a user's sentence
MAX_NEW = 60  # output tokens at most


def source_ids(tokenizer: Tokenizer, text: str) -> list[int]:
    """A sentence as source ids ending with </s>, cut to MAX_SOURCE."""
    return bpe.encode(tokenizer, text, MAX_SOURCE)


def until_eos(ids: list[int]) -> list[int]:
    """ids up to and including the first </s>."""
    return ids[: ids.index(bpe.EOS) + 1] if bpe.EOS in ids else ids


@torch.inference_mode()
def greedy_transformer(
    model: Transformer, src: torch.Tensor, max_new: int = MAX_NEW, use_cache: bool = True
) -> list[list[int]]:
    """Most likely token at each step, for a batch of (B, S) sources; lists stop after </s>."""
    enc = model.encode(src)
    out = torch.full((src.shape[0], 1), bpe.BOS, dtype=torch.long)
    cache = model.new_cache() if use_cache else None
    finished = torch.zeros(src.shape[0], dtype=torch.bool)
    for step in range(max_new):
        if use_cache:
            logits = model.decode(out[:, -1:], enc, cache, offset=step).logits[:, -1]
        else:
            logits = model.decode(out, enc).logits[:, -1]  # recompute the whole prefix
        token = logits.argmax(-1).masked_fill(finished, bpe.EOS)
        out = torch.cat([out, token[:, None]], dim=1)
        finished |= token == bpe.EOS
        if finished.all():
            break
    return [until_eos(row[1:].tolist()) for row in out]


@torch.inference_mode()
def greedy_gru(model: GRUTranslator, src: torch.Tensor, max_new: int = MAX_NEW) -> list[list[int]]:
    """Most likely token at each step, for a batch of (B, S) sources; lists stop after </s>."""
    states, keys, mask, state = model.encode(src)
    token = torch.full((src.shape[0],), bpe.BOS, dtype=torch.long)
    rows, finished = [], torch.zeros(src.shape[0], dtype=torch.bool)
    for _ in range(max_new):
        logits, state, _ = model.step(token, state, states, keys, mask)
        token = logits.argmax(-1).masked_fill(finished, bpe.EOS)
        rows.append(token)
        finished |= token == bpe.EOS
        if finished.all():
            break
    return [until_eos(r) for r in torch.stack(rows, 1).tolist()]


def greedy_batches(greedy: Callable, model, sources: list[list[int]], size: int = 64) -> list[list[int]]:
    """Greedy outputs for many sources, batched by length, returned in the original order."""
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    results: dict[int, list[int]] = {}
    for k in range(0, len(order), size):
        chunk = order[k : k + size]
        for i, ids in zip(chunk, greedy(model, pad([sources[i] for i in chunk])), strict=True):
            results[i] = ids
    return [results[i] for i in range(len(sources))]


@dataclass
class Hypothesis:
    tokens: list[int]  # generated ids, without <s>
    log_prob: float  # sum of token log-probabilities
    score: float  # log_prob / length penalty


def length_penalty(length: int, alpha: float) -> float:
    """((5 + length) / 6) ** alpha (Wu et al., 2016); alpha 0 means plain log-probability."""
    return ((5 + length) / 6) ** alpha


def _reorder(cache: list[dict], index: torch.Tensor) -> None:
    """Make the cached keys/values follow the surviving beams."""
    for layer in cache:
        for part in ("self", "cross"):
            for key in ("k", "v"):
                layer[part][key] = layer[part][key][index]


@torch.inference_mode()
def beam_search(
    model: Transformer, src: torch.Tensor, width: int = 4, alpha: float = 0.6, max_new: int = MAX_NEW
) -> list[Hypothesis]:
    """Beam search for one (1, S) source with cached keys/values; best hypotheses first."""
    enc = model.encode(src)
    enc = EncoderOutput(enc.memory.expand(width, -1, -1), enc.mask.expand(width, -1, -1, -1))
    cache = model.new_cache()
    beams, done = [Hypothesis([], 0.0, 0.0)], []
    for step in range(max_new):
        last = torch.tensor([[h.tokens[-1] if h.tokens else bpe.BOS] for h in beams])
        sub_enc = EncoderOutput(enc.memory[: len(beams)], enc.mask[: len(beams)])
        logp = F.log_softmax(model.decode(last, sub_enc, cache, offset=step).logits[:, -1], -1)  # (n, V)
        totals = torch.tensor([h.log_prob for h in beams])[:, None] + logp
        top = totals.flatten().topk(min(width * 2, totals.numel()))
        candidates, keep = [], []
        for rank, (value, flat) in enumerate(zip(top.values.tolist(), top.indices.tolist(), strict=True)):
            row, token = divmod(flat, logp.shape[1])
            hyp = Hypothesis([*beams[row].tokens, token], value, value / length_penalty(step + 1, alpha))
            if token == bpe.EOS:
                if rank < width:  # a finished hypothesis counts only if it made the top `width`
                    done.append(hyp)
            elif len(candidates) < width:
                candidates.append(hyp)
                keep.append(row)
        if not candidates:
            break
        best_open = max(c.log_prob for c in candidates) / length_penalty(max_new, alpha)
        if len(done) >= width or (done and max(d.score for d in done) >= best_open):
            break
        _reorder(cache, torch.tensor(keep))
        beams = candidates
        if step == max_new - 1:
            done.extend(beams)  # out of length: unfinished hypotheses compete too
    return sorted(done or beams, key=lambda h: h.score, reverse=True)[:width]
