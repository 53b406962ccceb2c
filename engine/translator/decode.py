"""Decoding for both translators: greedy (batched, with or without the key/value cache) and beam search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from tokenizers import Tokenizer

from engine.translator.data import bpe
from engine.translator.data.batches import pad
from engine.translator.data.tags import EVERYDAY
from engine.translator.gru import GRUTranslator
from engine.translator.guards import WORD_START, Guards, coverage_penalty, min_length, refuses
from engine.translator.transformer import EncoderOutput, Transformer

MAX_SOURCE = 100  # source tokens kept from a user's sentence
MAX_NEW = 60  # output tokens at most
PLAIN = Guards()  # beam search without guards


def source_ids(tokenizer: Tokenizer, text: str) -> list[int]:
    """A sentence as source ids ending with </s>, cut to MAX_SOURCE, after the tag <ev> (if trained with tags)."""
    return bpe.encode(tokenizer, text, MAX_SOURCE, EVERYDAY)


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
    score: float  # log_prob / length penalty (+ coverage penalty, if that guard is on)
    coverage: torch.Tensor | None = None  # (S,) cross-attention summed over the steps so far


def length_penalty(length: int, alpha: float) -> float:
    """((5 + length) / 6) ** alpha (Wu et al., 2016); alpha 0 means plain log-probability."""
    return ((5 + length) / 6) ** alpha


def _reorder(cache: list[dict], index: torch.Tensor) -> None:
    """Make the cached keys/values follow the surviving beams."""
    for layer in cache:
        for part in ("self", "cross"):
            for key in ("k", "v"):
                layer[part][key] = layer[part][key][index]


@dataclass
class _Search:
    """What one beam search keeps fixed: widths, guards and the pieces they read."""

    width: int
    alpha: float
    guards: Guards
    pieces: list[str] | None  # the vocabulary's pieces by id (needed by the word guards)
    min_tokens: int

    def extend(self, hyp: Hypothesis, token: int, value: float, attention: torch.Tensor | None) -> Hypothesis | None:
        """hyp with token appended, scored; None where a guard refuses it."""
        tokens = [*hyp.tokens, token]
        if token == bpe.EOS and len(tokens) - 1 < self.min_tokens:
            return None
        if self.pieces is not None and (self.guards.no_repeat or self.guards.no_trigram):
            shown = [self.pieces[t] for t in hyp.tokens] + [WORD_START if token == bpe.EOS else self.pieces[token]]
            if refuses(shown, self.guards):
                return None
        coverage = None if attention is None else attention if hyp.coverage is None else hyp.coverage + attention
        score = value / length_penalty(len(tokens), self.alpha)
        if coverage is not None:
            score += coverage_penalty(coverage, self.guards.coverage)
        return Hypothesis(tokens, value, score, coverage)

    def select(self, beams, top, vocab: int, attention, done: list) -> tuple[list[Hypothesis], list[int]]:
        """The best `width` open hypotheses among the top candidates (and their beams' rows); finished ones that
        rank within the first `width` (guards' refusals do not count) go to `done`."""
        candidates, keep, ranked = [], [], 0
        for value, flat in zip(top.values.tolist(), top.indices.tolist(), strict=True):
            row, token = divmod(flat, vocab)
            hyp = self.extend(beams[row], token, value, None if attention is None else attention[row])
            if hyp is None:
                continue
            ranked += 1
            if token == bpe.EOS:
                if ranked <= self.width:
                    done.append(hyp)
            elif len(candidates) < self.width:
                candidates.append(hyp)
                keep.append(row)
            if len(candidates) == self.width and ranked >= self.width:
                break
        return candidates, keep


def _source_tokens(src: torch.Tensor, pieces: list[str] | None) -> int:
    """Source positions that hold a word piece (not </s>, a tag or padding)."""
    ids = [i for i in src[0].tolist() if i not in (bpe.PAD, bpe.BOS, bpe.EOS)]
    if pieces is None:
        return len(ids)
    return sum(1 for i in ids if not (pieces[i].startswith("<") and pieces[i].endswith(">")))


@torch.inference_mode()
def beam_search(
    model: Transformer,
    src: torch.Tensor,
    width: int = 4,
    alpha: float = 0.6,
    max_new: int = MAX_NEW,
    guards: Guards = PLAIN,
    pieces: list[str] | None = None,
) -> list[Hypothesis]:
    """Beam search for one (1, S) source with cached keys/values; best hypotheses first.

    `guards` (engine.translator.guards) refuse or penalise hypotheses; the word guards read `pieces`.
    """
    search = _Search(width, alpha, guards, pieces, min_length(_source_tokens(src, pieces), guards.min_ratio))
    enc = model.encode(src)
    enc = EncoderOutput(enc.memory.expand(width, -1, -1), enc.mask.expand(width, -1, -1, -1))
    cache = model.new_cache()
    beams, done = [Hypothesis([], 0.0, 0.0)], []
    for step in range(max_new):
        last = torch.tensor([[h.tokens[-1] if h.tokens else bpe.BOS] for h in beams])
        out = model.decode(last, EncoderOutput(enc.memory[: len(beams)], enc.mask[: len(beams)]), cache, offset=step)
        logp = F.log_softmax(out.logits[:, -1], -1)  # (n, V)
        attention = out.cross_attention[-1][:, :, -1].mean(1) if guards.coverage > 0 else None  # (n, S)
        totals = torch.tensor([h.log_prob for h in beams])[:, None] + logp
        # Guards may refuse many candidates: look further down the list when they are on.
        top = totals.flatten().topk(min(width * (8 if guards.any else 2), totals.numel()))
        candidates, keep = search.select(beams, top, logp.shape[1], attention, done)
        if not candidates:
            break
        best_open = max(c.log_prob for c in candidates) / length_penalty(max_new, alpha)
        if len(done) >= width or (done and not guards.coverage and max(d.score for d in done) >= best_open):
            break
        _reorder(cache, torch.tensor(keep))
        beams = candidates
        if step == max_new - 1:
            done.extend(beams)  # out of length: unfinished hypotheses compete too
    return sorted(done or beams, key=lambda h: h.score, reverse=True)[:width]
