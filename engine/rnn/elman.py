"""The Elman RNN, written out: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b), one set of weights for all steps.

The tagger (an output at every step), the sentiment model (an output from the last step) and the
character language model all use this one class, so the page can show the same three tensors
serving every time step.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class ElmanRNN(nn.Module):
    """A single-layer tanh RNN that returns every hidden state."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.W_xh = nn.Parameter(torch.empty(hidden_size, input_size))
        self.W_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.b = nn.Parameter(torch.zeros(hidden_size))
        bound = 1 / math.sqrt(hidden_size)
        nn.init.uniform_(self.W_xh, -bound, bound)  # as torch.nn.RNN does
        nn.init.orthogonal_(self.W_hh)  # keeps early gradients from vanishing or exploding

    @property
    def hidden_size(self) -> int:
        return self.W_hh.shape[0]

    def step(self, x_t: torch.Tensor, h_prev: torch.Tensor, W_hh: torch.Tensor | None = None) -> torch.Tensor:
        """One time step: (B, D), (B, H) -> (B, H)."""
        W_hh = self.W_hh if W_hh is None else W_hh
        return torch.tanh(x_t @ self.W_xh.T + h_prev @ W_hh.T + self.b)

    def forward(
        self, x: torch.Tensor, h0: torch.Tensor | None = None, W_hh: torch.Tensor | None = None
    ) -> torch.Tensor:
        """(B, T, D) inputs -> (B, T, H) hidden states h_1..h_T.

        W_hh may be replaced for one call (the page scales it) without touching the module.
        """
        W_hh = self.W_hh if W_hh is None else W_hh
        batch, steps, _ = x.shape
        h = x.new_zeros(batch, self.hidden_size) if h0 is None else h0
        xw = x @ self.W_xh.T + self.b  # (B, T, H): the input part of every step in one product
        states = []
        for t in range(steps):
            h = torch.tanh(xw[:, t] + h @ W_hh.T)  # (B, H), the same W_hh at every t
            states.append(h)
        return torch.stack(states, dim=1)
