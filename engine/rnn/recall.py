"""Delayed recall, trained live: report the first symbol after k distractors, for k from 1 to about 30.

Two small recurrent networks learn it for the same training time: the page's own Elman cell
(engine.rnn.elman) and a gated cell (torch's GRU). For every k, a fresh model of each kind learns
that distance alone (trained on all k at once, an Elman cell learns long gaps from the short ones),
then is scored on held-out sequences, with the norm of the gradient of the loss with respect to the
first hidden state: how much of the error signal reaches the step that saw the symbol to remember.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.common.training import optimiser_step
from engine.rnn.elman import ElmanRNN

KINDS = ("elman", "gated")
MAX_SECONDS = 10.0  # per model and k


@dataclass(frozen=True)
class RecallConfig:
    ks: tuple[int, ...] = (1, 2, 4, 8, 12, 16, 20, 25, 30)  # distractors between the symbol and the query
    values: int = 8  # symbols: the one to remember and the distractors are drawn from the same set (chance 1/8)
    embed: int = 16  # symbol embedding size
    hidden: int = 32  # hidden units, both cells
    seconds: float = 2.0  # training time of each model at each k (its own steps; the two take turns)
    batch: int = 64
    lr: float = 3e-3  # Adam
    n_eval: int = 200  # test sequences per k
    seed: int = 0


def vocab_size(cfg: RecallConfig) -> int:
    return cfg.values + 1  # the last id is the query symbol


def sequences(cfg: RecallConfig, k: int, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, k + 2) ids: a value to remember, k distractors, the query; and (n,) the value."""
    if k < 0:
        raise ValueError(f"k must be at least 0, got {k}")
    value = torch.randint(0, cfg.values, (n,), generator=generator)
    gap = torch.randint(0, cfg.values, (n, k), generator=generator)  # the same symbols: only the first counts
    query = torch.full((n, 1), vocab_size(cfg) - 1)
    return torch.cat([value[:, None], gap, query], 1), value


class Recaller(nn.Module):
    """Embedding -> recurrent cell -> a read-out of the last hidden state."""

    def __init__(self, kind: str, cfg: RecallConfig) -> None:
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"unknown cell {kind!r}; choose one of {', '.join(KINDS)}")
        self.kind = kind
        self.embed = nn.Embedding(vocab_size(cfg), cfg.embed)
        self.cell = (
            ElmanRNN(cfg.embed, cfg.hidden) if kind == "elman" else nn.GRU(cfg.embed, cfg.hidden, batch_first=True)
        )
        self.read = nn.Linear(cfg.hidden, cfg.values)
        if kind == "gated":
            with torch.no_grad():  # update gates start mostly closed: the state is carried (chrono-style init)
                self.cell.bias_hh_l0[cfg.hidden : 2 * cfg.hidden].fill_(2.0)

    def states(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
        """(B, T) ids -> (B, T, H) hidden states."""
        e = self.embed(x)
        if self.kind == "elman":
            return self.cell(e, h0)
        return self.cell(e, None if h0 is None else h0[None])[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.read(self.states(x)[:, -1])


def first_state_gradient(model: Recaller, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean over sequences of ||dL/dh_1||: h_1 made a leaf, the rest of the sequence run from it."""
    h1 = model.states(x[:, :1])[:, 0].detach().requires_grad_(True)
    logits = model.read(model.states(x[:, 1:], h1)[:, -1])
    loss = F.cross_entropy(logits, y, reduction="sum")  # each sequence's gradient is its own
    (grad,) = torch.autograd.grad(loss, h1)
    return float(grad.norm(dim=1).mean())


@dataclass
class Learner:
    """One fresh model learning one distance k, with its own clock."""

    kind: str
    model: Recaller
    opt: torch.optim.Optimizer
    generator: torch.Generator
    clock: float = 0.0
    steps: int = 0
    losses: list[float] = field(default_factory=list)


@dataclass
class RecallResult:
    config: dict
    rows: list[dict]  # one per (kind, k): accuracy, grad_norm, grad_norm_trained, loss, steps, seconds
    stopped: bool = False

    def column(self, kind: str, name: str) -> list[float]:
        return [r[name] for r in self.rows if r["model"] == kind]

    def as_json(self) -> dict:
        done = [r["k"] for r in self.rows if r["model"] == KINDS[-1]]
        return {
            "k": done,
            **{
                kind: {"accuracy": self.column(kind, "accuracy"), "grad_norm": self.column(kind, "grad_norm")}
                for kind in KINDS
            },
        }


Progress = Callable[[dict], None]  # one finished (kind, k) row


class RecallRace:
    """For every k, a fresh model of each kind trained in turns for cfg.seconds each, then scored."""

    def __init__(self, cfg: RecallConfig) -> None:
        if not 0 < cfg.seconds <= MAX_SECONDS:
            raise ValueError(f"seconds must be in (0, {MAX_SECONDS:g}], got {cfg.seconds}")
        if not cfg.ks or min(cfg.ks) < 1:
            raise ValueError("ks must hold distances of at least 1")
        self.cfg = cfg
        tests = torch.Generator().manual_seed(cfg.seed + 10_000)
        self.tests = {k: sequences(cfg, k, cfg.n_eval, tests) for k in cfg.ks}

    def learner(self, kind: str, k: int) -> Learner:
        torch.manual_seed(self.cfg.seed)
        model = Recaller(kind, self.cfg)
        opt = torch.optim.Adam(model.parameters(), lr=self.cfg.lr)
        return Learner(kind, model, opt, torch.Generator().manual_seed(self.cfg.seed + k))

    def step(self, learner: Learner, k: int) -> None:
        x, y = sequences(self.cfg, k, self.cfg.batch, learner.generator)
        start = time.perf_counter()
        loss = F.cross_entropy(learner.model(x), y)
        learner.losses.append(optimiser_step(loss, learner.opt, clip=1.0))
        learner.clock += time.perf_counter() - start
        learner.steps += 1

    @torch.inference_mode()
    def accuracy(self, model: Recaller, k: int) -> float:
        x, y = self.tests[k]
        return float((model(x).argmax(-1) == y).float().mean())

    def run(self, on_row: Progress | None = None, should_stop: Callable[[], bool] = lambda: False) -> RecallResult:
        rows: list[dict] = []
        for k in self.cfg.ks:
            learners = [self.learner(kind, k) for kind in KINDS]
            start = {x.kind: first_state_gradient(x.model, *self.tests[k]) for x in learners}
            while any(x.clock < self.cfg.seconds for x in learners):
                if should_stop():
                    return RecallResult(asdict(self.cfg), rows, stopped=True)
                self.step(min(learners, key=lambda x: x.clock), k)
            for x in learners:
                rows.append(self._row(x, k, start[x.kind]))
                if on_row is not None:
                    on_row(rows[-1])
        return RecallResult(asdict(self.cfg), rows)

    def _row(self, learner: Learner, k: int, grad_start: float) -> dict:
        return {
            "model": learner.kind,
            "k": k,
            "accuracy": self.accuracy(learner.model, k),
            "grad_norm": grad_start,
            "grad_norm_trained": first_state_gradient(learner.model, *self.tests[k]),
            "loss": float(np.mean(learner.losses[-20:])),
            "steps": learner.steps,
            "seconds": round(learner.clock, 3),
            "params": sum(p.numel() for p in learner.model.parameters()),
        }


def live(cfg: RecallConfig, emit: Progress, should_stop: Callable[[], bool]) -> RecallResult:
    """The page's live training: every finished (cell, k) row emitted."""
    return RecallRace(cfg).run(emit, should_stop)
