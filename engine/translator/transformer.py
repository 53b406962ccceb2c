"""An encoder-decoder Transformer (Vaswani et al., 2017), small enough for a laptop CPU.

Every attention (encoder self, decoder masked self, decoder-encoder cross) returns its weights per
layer and head in the output, never on the module, because one cached model serves every session.
With a cache, decoding reuses past keys and values, so each new token costs one position, not the
whole prefix (engine.translator.decode).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class TransformerConfig:
    """Sizes of the translator; saved with the checkpoint."""

    vocab_size: int = 6000  # shared English-German BPE vocabulary (TranslatorTraining.vocab_size)
    d_model: int = 128  # width of every residual stream
    n_head: int = 4  # attention heads per layer (d_model / n_head = 32 per head)
    d_ff: int = 512  # inner width of the position-wise feed-forward layers
    n_encoder: int = 3  # encoder layers
    n_decoder: int = 3  # decoder layers
    dropout: float = 0.1  # on attention weights, sub-layer outputs and embeddings
    max_len: int = 128  # longest sequence of tokens, either side
    pad_id: int = 0  # padding token (ignored by attention and loss)


def sinusoids(length: int, d_model: int) -> torch.Tensor:
    """(length, d_model) positional encodings: sin on even, cos on odd dimensions (paper, §3.5)."""
    position = torch.arange(length).unsqueeze(1)
    rate = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    table = torch.zeros(length, d_model)
    table[:, 0::2] = torch.sin(position * rate)
    table[:, 1::2] = torch.cos(position * rate)
    return table


class MultiHeadAttention(nn.Module):
    """softmax(Q K^T / sqrt(d_k) + mask) V for n_head heads, weights returned."""

    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.n_head, self.d_k = cfg.n_head, cfg.d_model // cfg.n_head
        self.q, self.k, self.v, self.o = (nn.Linear(cfg.d_model, cfg.d_model) for _ in range(4))
        self.dropout = nn.Dropout(cfg.dropout)

    def split(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, _ = x.shape
        return x.view(batch, length, self.n_head, self.d_k).transpose(1, 2)  # (B, nh, T, dk)

    def forward(
        self,
        query: torch.Tensor,
        memory: torch.Tensor,
        mask: torch.Tensor | None,
        cache: dict | None = None,
        static_kv: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, Tq, d) queries attend over (B, Tk, d) memory -> output (B, Tq, d), weights (B, nh, Tq, Tk).

        mask is boolean, True where attention is allowed, broadcastable to (B, nh, Tq, Tk). With a
        cache, keys and values of earlier decoding steps are reused (self-attention appends; cross
        attention computes the encoder's once, static_kv).
        """
        q = self.split(self.q(query))
        if cache is not None and static_kv and "k" in cache:
            k, v = cache["k"], cache["v"]
        else:
            k, v = self.split(self.k(memory)), self.split(self.v(memory))
            if cache is not None and not static_kv and "k" in cache:
                k, v = torch.cat([cache["k"], k], dim=2), torch.cat([cache["v"], v], dim=2)
            if cache is not None:
                cache["k"], cache["v"] = k, v
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)  # (B, nh, Tq, Tk)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        out = self.dropout(weights) @ v  # (B, nh, Tq, dk)
        out = out.transpose(1, 2).reshape(query.shape[0], query.shape[1], -1)  # (B, Tq, d)
        return self.o(out), weights


class FeedForward(nn.Sequential):
    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__(
            nn.Linear(cfg.d_model, cfg.d_ff), nn.ReLU(), nn.Dropout(cfg.dropout), nn.Linear(cfg.d_ff, cfg.d_model)
        )


class EncoderLayer(nn.Module):
    """x + SelfAttention(LN(x)), then + FeedForward(LN(.)) (pre-norm: steadier on a short budget)."""

    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.attn, self.ff = MultiHeadAttention(cfg), FeedForward(cfg)
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.ln1(x)
        attended, weights = self.attn(h, h, mask)
        x = x + self.drop(attended)
        return x + self.drop(self.ff(self.ln2(x))), weights


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention over the encoder output, feed-forward; each residual."""

    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.self_attn, self.cross_attn, self.ff = MultiHeadAttention(cfg), MultiHeadAttention(cfg), FeedForward(cfg)
        self.ln1, self.ln2, self.ln3 = (nn.LayerNorm(cfg.d_model) for _ in range(3))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, y, memory, self_mask, cross_mask, cache=None):
        h = self.ln1(y)
        attended, self_w = self.self_attn(h, h, self_mask, None if cache is None else cache["self"])
        y = y + self.drop(attended)
        attended, cross_w = self.cross_attn(
            self.ln2(y), memory, cross_mask, None if cache is None else cache["cross"], static_kv=True
        )
        y = y + self.drop(attended)
        return y + self.drop(self.ff(self.ln3(y))), self_w, cross_w


@dataclass
class EncoderOutput:
    memory: torch.Tensor  # (B, S, d) encoded source
    mask: torch.Tensor  # (B, 1, 1, S) True at real source tokens
    attention: list[torch.Tensor] = field(default_factory=list)  # per layer (B, nh, S, S)


@dataclass
class DecoderOutput:
    logits: torch.Tensor  # (B, T, V)
    self_attention: list[torch.Tensor]  # per layer (B, nh, T, T_total)
    cross_attention: list[torch.Tensor]  # per layer (B, nh, T, S)


class Transformer(nn.Module):
    """Shared token embeddings (source, target and output projection are one matrix)."""

    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model, padding_idx=cfg.pad_id)
        nn.init.normal_(self.embed.weight, std=cfg.d_model**-0.5)  # so that embed * sqrt(d) has unit scale
        self.register_buffer("positions", sinusoids(cfg.max_len, cfg.d_model), persistent=False)
        self.encoder = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.n_encoder))
        self.decoder = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.n_decoder))
        self.enc_norm, self.dec_norm = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def _embed(self, ids: torch.Tensor, offset: int = 0) -> torch.Tensor:
        length = ids.shape[1]
        return self.drop(self.embed(ids) * math.sqrt(self.cfg.d_model) + self.positions[offset : offset + length])

    def encode(self, src: torch.Tensor) -> EncoderOutput:
        """(B, S) source ids -> memory and per-layer self-attention."""
        mask = (src != self.cfg.pad_id)[:, None, None, :]  # (B, 1, 1, S)
        x, weights = self._embed(src), []
        for layer in self.encoder:
            x, w = layer(x, mask)
            weights.append(w)
        return EncoderOutput(self.enc_norm(x), mask, weights)

    def decode(
        self, tgt: torch.Tensor, enc: EncoderOutput, cache: list[dict] | None = None, offset: int = 0
    ) -> DecoderOutput:
        """(B, T) target ids (shifted right) -> next-token logits; causal mask on self-attention."""
        total = offset + tgt.shape[1]
        causal = torch.ones(tgt.shape[1], total, dtype=torch.bool).tril(diagonal=offset)  # (T, T_total)
        self_mask = causal[None, None] & (tgt != self.cfg.pad_id)[:, None, None, :] if cache is None else causal
        y, self_ws, cross_ws = self._embed(tgt, offset), [], []
        for i, layer in enumerate(self.decoder):
            y, sw, cw = layer(y, enc.memory, self_mask, enc.mask, None if cache is None else cache[i])
            self_ws.append(sw)
            cross_ws.append(cw)
        logits = self.dec_norm(y) @ self.embed.weight.T  # (B, T, V), tied output projection
        return DecoderOutput(logits, self_ws, cross_ws)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> DecoderOutput:
        return self.decode(tgt_in, self.encode(src))

    def new_cache(self) -> list[dict]:
        return [{"self": {}, "cross": {}} for _ in self.decoder]
