"""A character-level GPT (Radford et al., 2018): a decoder-only Transformer language model.

The network only: its config, causal self-attention that can return its weights, pre-norm blocks,
and the GPT. Attention weights are returned in the output (never kept on the module: one cached
model serves every session); a key/value cache lets sampling feed one new position at a time.
Data, scoring, sampling, training and explanations live beside it in engine/gpt/.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from engine.common.charvocab import CharVocab


@dataclass(frozen=True)
class GPTConfig:
    """Sizes and recipe of the character GPT; saved with the checkpoint."""

    n_layer: int = 4  # Transformer blocks
    n_head: int = 6  # attention heads per block (d_model / n_head = 32 per head)
    d_model: int = 192  # width of the residual stream
    context: int = 128  # longest run of characters the model reads at once
    batch_size: int = 48  # windows of `context` characters per step
    lr: float = 2e-3  # peak learning rate (AdamW)
    min_lr: float = 1e-4  # learning rate at the end of the cosine decay
    warmup: int = 200  # linear warm-up steps
    weight_decay: float = 0.1  # AdamW weight decay on matrices (not on norms, biases, positions)
    minutes: float = 30.0  # wall-clock training budget (evaluation pauses excluded)
    max_steps: int = 0  # if > 0: stop after this many steps and decay over them instead of over time
    modern_share: float = 0.35  # share of windows drawn from modern English (VADER's snippets, unlabelled)
    eval_every: int = 250  # steps between validation scores
    seed: int = 0  # initialisation and window order


class GPTOutput(NamedTuple):
    logits: torch.Tensor | None  # (B, T, V) scores of the next character (or piece)
    hidden: torch.Tensor  # (B, T, d) final residual stream after the last layer norm
    attentions: list[torch.Tensor]  # per layer (B, n_head, T, T_keys) if asked for, else empty


class CausalSelfAttention(nn.Module):
    """softmax(Q K^T / sqrt(d_k) + causal mask) V for n_head heads."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.n_head, self.d_k = cfg.n_head, cfg.d_model // cfg.n_head
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)

    def forward(
        self, x: torch.Tensor, cache: dict | None = None, need_weights: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        batch, length, width = x.shape
        qkv = F.linear(x, self.qkv.weight, self.qkv.bias)  # F.*, not module calls: decoding is per-call bound
        q, k, v = (t.view(batch, length, self.n_head, self.d_k).transpose(1, 2) for t in qkv.split(width, -1))
        if cache is not None:  # write into buffers sized for the whole context: no copy of the past per step
            n = cache.get("length", 0)
            if n == 0:
                shape = (batch, self.n_head, cache["context"], self.d_k)
                cache["k"], cache["v"] = k.new_empty(shape), v.new_empty(shape)
            cache["k"][:, :, n : n + length], cache["v"][:, :, n : n + length] = k, v
            cache["length"] = n + length
            k, v = cache["k"][:, :, : n + length], cache["v"][:, :, : n + length]
        keys = k.shape[2]
        past = keys - length  # queries sit at positions past .. keys-1
        if need_weights:
            scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)
            allowed = torch.ones(length, keys, dtype=torch.bool).tril(past)
            weights = scores.masked_fill(~allowed, float("-inf")).softmax(-1)
            y = weights @ v
        else:
            weights = None
            if length == 1:
                y = F.scaled_dot_product_attention(q, k, v)
            elif past == 0:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                allowed = torch.ones(length, keys, dtype=torch.bool).tril(past)
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        return F.linear(y.transpose(1, 2).reshape(batch, length, width), self.proj.weight, self.proj.bias), weights


class Block(nn.Module):
    """Pre-norm residual block: x + attention(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.attn = CausalSelfAttention(cfg)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(), nn.Linear(4 * cfg.d_model, cfg.d_model)
        )

    def forward(self, x: torch.Tensor, cache: dict | None, need_weights: bool):
        ln1, ln2, (fc, _, out) = self.ln1, self.ln2, self.mlp
        a, weights = self.attn.forward(
            F.layer_norm(x, ln1.normalized_shape, ln1.weight, ln1.bias, ln1.eps), cache, need_weights
        )
        x = x + a
        h = F.gelu(F.linear(F.layer_norm(x, ln2.normalized_shape, ln2.weight, ln2.bias, ln2.eps), fc.weight, fc.bias))
        return x + F.linear(h, out.weight, out.bias), weights


class GPT(nn.Module):
    """Character and position embeddings, n_layer blocks, a final norm, a head tied to the embedding."""

    def __init__(self, vocab_size: int, cfg: GPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(vocab_size, cfg.d_model)
        self.position = nn.Embedding(cfg.context, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.apply(self._init)
        for block in self.blocks:  # GPT-2: scale the residual projections by depth
            for proj in (block.attn.proj, block.mlp[2]):
                nn.init.normal_(proj.weight, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(
        self, ids: torch.Tensor, caches: list[dict] | None = None, need_weights: bool = False, lm: bool = True
    ) -> GPTOutput:
        """(B, T) ids -> next-token logits (None if not `lm`: a reader of the hidden states only); with caches,
        ids continue what the caches hold."""
        start = caches[0].get("length", 0) if caches else 0
        if start + ids.shape[1] > self.cfg.context:
            raise ValueError(f"{start + ids.shape[1]} positions exceed the context of {self.cfg.context}")
        x = self.embed(ids) + self.position(torch.arange(start, start + ids.shape[1]))
        attentions = []
        for i, block in enumerate(self.blocks):
            x, weights = block.forward(x, caches[i] if caches is not None else None, need_weights)
            if need_weights:
                attentions.append(weights)
        hidden = self.ln_f(x)
        return GPTOutput(hidden @ self.embed.weight.T if lm else None, hidden, attentions)

    def new_caches(self) -> list[dict]:
        """One key/value cache per block, filled as ids are fed (at most `context` positions)."""
        return [{"context": self.cfg.context} for _ in self.blocks]


@dataclass(frozen=True)
class Trained:
    """A GPT (or a classifier on one) and the character vocabulary its ids index."""

    model: Any  # GPT, or engine.gpt.finetune.Classifier
    vocab: CharVocab


class Loaded(NamedTuple):
    """A shipped checkpoint: the trained model and its meta (config, history, metrics)."""

    trained: Trained
    meta: dict
