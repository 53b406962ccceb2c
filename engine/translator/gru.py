"""The recurrent baseline: a GRU encoder-decoder with additive attention (Bahdanau et al., 2015).

A bidirectional GRU reads the source one token after another; the decoder GRU attends over its
states at every output step. Same data, vocabulary and time budget as the Transformer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class GRUConfig:
    """Sizes of the recurrent translator; saved with the checkpoint."""

    vocab_size: int = 6000  # shared English-German BPE vocabulary (TranslatorTraining.vocab_size)
    d_embed: int = 128  # token embedding (shared by source, target and output)
    hidden: int = 256  # GRU units per direction (encoder) and in the decoder
    dropout: float = 0.1  # on embeddings and the output layer
    pad_id: int = 0


class GRUTranslator(nn.Module):
    def __init__(self, cfg: GRUConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_embed, padding_idx=cfg.pad_id)
        nn.init.normal_(self.embed.weight, std=cfg.d_embed**-0.5)  # it is also the output layer: small logits
        self.encoder = nn.GRU(cfg.d_embed, cfg.hidden, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * cfg.hidden, cfg.hidden)
        self.att_memory = nn.Linear(2 * cfg.hidden, cfg.hidden, bias=False)  # W_a h_j
        self.att_query = nn.Linear(cfg.hidden, cfg.hidden)  # U_a s_(i-1)
        self.att_v = nn.Linear(cfg.hidden, 1, bias=False)  # v_a
        self.decoder = nn.GRUCell(cfg.d_embed + 2 * cfg.hidden, cfg.hidden)
        self.pre_out = nn.Linear(cfg.hidden + 2 * cfg.hidden + cfg.d_embed, cfg.d_embed)
        self.drop = nn.Dropout(cfg.dropout)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, S) -> states (B, S, 2H), their attention projection, mask (B, S), first decoder state."""
        mask = src != self.cfg.pad_id
        states, _ = self.encoder(self.drop(self.embed(src)))
        states = states * mask[..., None]
        mean = states.sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        return states, self.att_memory(states), mask, torch.tanh(self.bridge(mean))

    def step(
        self, token: torch.Tensor, state: torch.Tensor, states: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One output step: (B,) previous token -> logits (B, V), new state (B, H), attention (B, S)."""
        scores = self.att_v(torch.tanh(keys + self.att_query(state)[:, None])).squeeze(-1)  # (B, S)
        weights = F.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
        context = (weights[..., None] * states).sum(1)  # (B, 2H)
        embedded = self.drop(self.embed(token))
        state = self.decoder(torch.cat([embedded, context], -1), state)
        hidden = torch.tanh(self.pre_out(torch.cat([state, context, embedded], -1)))
        return self.drop(hidden) @ self.embed.weight.T, state, weights

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher forcing: (B, T) target inputs -> logits (B, T, V), attention (B, T, S)."""
        states, keys, mask, state = self.encode(src)
        logits, attention = [], []
        for t in range(tgt_in.shape[1]):
            out, state, weights = self.step(tgt_in[:, t], state, states, keys, mask)
            logits.append(out)
            attention.append(weights)
        return torch.stack(logits, 1), torch.stack(attention, 1)
