"""Token ids of sentence pairs, grouped into batches of similar length and padded into tensors."""

from __future__ import annotations

import random

import torch
from tokenizers import Tokenizer

from engine.translator.data import bpe

Encoded = tuple[list[int], list[int]]  # (source ids ending with </s>, target ids ending with </s>)


def encode_pairs(tokenizer: Tokenizer, pairs: list[tuple[str, str]], max_len: int) -> list[Encoded]:
    """Both sides of every pair as ids ending with </s>, the source cut to max_len, the target to max_len - 1."""
    src = tokenizer.encode_batch([e for e, _ in pairs])
    tgt = tokenizer.encode_batch([d for _, d in pairs])
    # The target gets <s> in front when batched, so it keeps one token fewer.
    return [([*s.ids[: max_len - 1], bpe.EOS], [*t.ids[: max_len - 2], bpe.EOS]) for s, t in zip(src, tgt, strict=True)]


def encode_tagged(tokenizer: Tokenizer, pairs: list[tuple[str, str, str]], max_len: int) -> list[Encoded]:
    """(tag, english, german) triples encoded as encode_pairs does, with the tag's id in front of the source."""
    src = tokenizer.encode_batch([e for _, e, _ in pairs])
    tgt = tokenizer.encode_batch([d for _, _, d in pairs])
    tags = {tag: bpe.tag_id(tokenizer, tag) for tag in {t for t, _, _ in pairs}}
    return [
        ([tags[tag], *s.ids[: max_len - 2], bpe.EOS], [*t.ids[: max_len - 2], bpe.EOS])
        for (tag, _, _), s, t in zip(pairs, src, tgt, strict=True)
    ]


def token_batches(encoded: list[Encoded], batch_tokens: int, rng: random.Random) -> list[list[Encoded]]:
    """Batches of pairs of similar length holding about batch_tokens target+source tokens each."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]), rng.random()))
    batches, current, longest = [], [], 0
    for i in order:
        longest = max(longest, len(encoded[i][0]), len(encoded[i][1]))
        if current and (len(current) + 1) * longest * 2 > batch_tokens:
            batches.append(current)
            current, longest = [], max(len(encoded[i][0]), len(encoded[i][1]))
        current.append(encoded[i])
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def pad(seqs: list[list[int]], prefix: list[int] | None = None) -> torch.Tensor:
    """(B, longest + len(prefix)) ids: `prefix` then each sequence, padded with <pad>."""
    prefix = prefix or []
    width = max(len(s) for s in seqs) + len(prefix)
    out = torch.full((len(seqs), width), bpe.PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(prefix) + len(s)] = torch.tensor(prefix + s)
    return out


def teacher_forcing(batch: list[Encoded]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(B, S) sources, (B, T) decoder inputs <s> y1 .. yn and (B, T) next-token targets y1 .. </s>."""
    src = pad([s for s, _ in batch])
    tgt = pad([t for _, t in batch], prefix=[bpe.BOS])
    return src, tgt[:, :-1], tgt[:, 1:]
