"""A live race on a toy task: a tiny Transformer and a GRU with attention, the same training time each.

The two models take turns, one optimiser step at a time, on one thread; each model's clock counts only
its own steps (evaluations are left out), so both get the same compute whatever else the machine does.
Every `eval_every` seconds of its own clock a model decodes a fixed validation set greedily (no teacher
forcing) and records its sequence accuracy; the Transformer also records its cross-attention on one
probe string, the frames the page replays.
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
from engine.translator import toy
from engine.translator.gru import GRUConfig, GRUTranslator
from engine.translator.transformer import Transformer, TransformerConfig

MAX_SECONDS = 60.0  # the longest budget a run may ask for (per model)
NAMES = ("transformer", "gru")
TARGET = 0.9  # the accuracy whose time to reach is reported


@dataclass(frozen=True)
class RaceConfig:
    task: str = "reverse"  # one of toy.TASKS
    lo: int = 4  # shortest string
    hi: int = 12  # longest string
    seconds: float = 30.0  # training time of each model (its own steps only; they take turns)
    batch: int = 64  # strings per step
    width: int = 64  # Transformer d_model; GRU embedding and hidden size
    layers: int = 1  # Transformer encoder and decoder layers
    lr: float = 3e-3  # Adam, both models: a 50-step warm-up, then down linearly with the model's own clock
    eval_every: float = 1.0  # seconds of a model's own training between its evaluations
    n_eval: int = 200  # validation strings, decoded greedily at every evaluation
    seed: int = 0


def build(name: str, cfg: RaceConfig) -> nn.Module:
    torch.manual_seed(cfg.seed)
    if name == "transformer":
        sizes = TransformerConfig(
            vocab_size=toy.VOCAB,
            d_model=cfg.width,
            n_head=4,
            d_ff=2 * cfg.width,
            n_encoder=cfg.layers,
            n_decoder=cfg.layers,
            dropout=0.0,
            max_len=toy.LONGEST + 1,  # the source and its EOS; the decoder's input, BOS and the answer
            pad_id=toy.PAD,
        )
        return Transformer(sizes)
    return GRUTranslator(GRUConfig(vocab_size=toy.VOCAB, d_embed=cfg.width, hidden=cfg.width, dropout=0.0))


def logits_of(model: nn.Module, batch: toy.Batch) -> torch.Tensor:
    out = model(batch.src, batch.tgt_in)
    return out.logits if isinstance(model, Transformer) else out[0]


def loss_of(model: nn.Module, batch: toy.Batch) -> torch.Tensor:
    logits = logits_of(model, batch)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch.tgt_out.reshape(-1), ignore_index=toy.PAD)


@torch.inference_mode()
def greedy(model: nn.Module, src: torch.Tensor, max_len: int) -> list[str]:
    """Decode every row of `src`, each step feeding back the most likely letter; the strings written."""
    n = src.shape[0]
    written = torch.full((n, 1), toy.BOS)
    if isinstance(model, Transformer):
        enc = model.encode(src)
        for _ in range(max_len):
            nxt = model.decode(written, enc).logits[:, -1].argmax(-1)
            written = torch.cat([written, nxt[:, None]], 1)
            if bool((written == toy.EOS).any(1).all()):
                break
    else:
        states, keys, mask, state = model.encode(src)
        for _ in range(max_len):
            out, state, _ = model.step(written[:, -1], state, states, keys, mask)
            written = torch.cat([written, out.argmax(-1)[:, None]], 1)
            if bool((written == toy.EOS).any(1).all()):
                break
    return [toy.text(row[1:]) for row in written.tolist()]


def sequence_accuracy(model: nn.Module, task: str, batch: toy.Batch) -> float:
    """The share of strings whose greedy decoding is exactly the right answer."""
    # As many steps as the longest answer and its EOS: a string with no EOS by then is wrong whatever
    # follows, and the decoder never reads more positions than training gave it (its position table).
    written = greedy(model, batch.src, batch.tgt_out.shape[1])
    return float(np.mean([w == toy.solve(task, s) for w, s in zip(written, batch.strings, strict=True)]))


@torch.inference_mode()
def cross_attention(model: Transformer, batch: toy.Batch) -> np.ndarray:
    """(layers, B, T, S) decoder-encoder attention, mean over heads, reading the correct answer."""
    return torch.stack([w.mean(1) for w in model(batch.src, batch.tgt_in).cross_attention]).numpy()


def alignment(task: str, weights: np.ndarray, strings: list[str]) -> np.ndarray:
    """Per layer, the mean weight each output letter puts on the source position the task copies it from."""
    per_layer = []
    for layer in weights:
        on_target = [layer[b, i, j] for b, s in enumerate(strings) for i, j in enumerate(toy.reads(task, s))]
        per_layer.append(float(np.mean(on_target)))
    return np.array(per_layer)


@dataclass
class Runner:
    """One model in the race with its optimiser, own clock and recorded evaluations."""

    name: str
    model: nn.Module
    opt: torch.optim.Optimizer
    generator: torch.Generator
    clock: float = 0.0
    steps: int = 0
    losses: list[float] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    @property
    def params(self) -> int:
        return sum(p.numel() for p in self.model.parameters())


@dataclass
class RaceResult:
    config: dict
    probe: str
    rows: list[dict]  # model, step, seconds, loss, accuracy (greedy, validation)
    frames: list[dict]  # step, seconds, accuracy, attention (layers, T, S) on the probe
    summary: dict  # per model: accuracy, seconds_to_90, steps_to_90, steps_per_s, steps, seconds, params
    diagonal_attention: float  # alignment of the best-aligned decoder layer, validation set, at the end
    layer: int  # that layer (0-based)
    stopped: bool = False  # ended by the caller before the budget ran out

    def as_json(self) -> dict:
        models = {
            name: {k: self.summary[name][k] for k in ("accuracy", "seconds_to_90", "steps_to_90", "steps_per_s")}
            for name in NAMES
        }
        return {**models, "diagonal_attention": self.diagonal_attention}


def seconds_to(rows: list[dict], target: float = TARGET) -> float | None:
    """The model's own training seconds at its first evaluation at or above `target` (None: not reached)."""
    return next((r["seconds"] for r in rows if r["accuracy"] >= target), None)


def steps_to(rows: list[dict], target: float = TARGET) -> int | None:
    """The model's steps at its first evaluation at or above `target` (None: not reached)."""
    return next((r["step"] for r in rows if r["accuracy"] >= target), None)


Progress = Callable[[str, dict, dict | None], None]  # (model name, new row, new attention frame or None)


class Race:
    """Set up both models and the data; `run` trains them in turns and returns the measurements."""

    def __init__(self, cfg: RaceConfig) -> None:
        if cfg.task not in toy.TASKS:
            raise ValueError(f"unknown task {cfg.task!r}; choose one of {', '.join(toy.TASKS)}")
        if not 0 < cfg.seconds <= MAX_SECONDS:
            raise ValueError(f"seconds must be in (0, {MAX_SECONDS:g}], got {cfg.seconds}")
        self.cfg = cfg
        held_out = toy.random_strings(cfg.n_eval, cfg.lo, cfg.hi, torch.Generator().manual_seed(cfg.seed + 10_000))
        self.val = toy.batch_of(cfg.task, held_out)
        self.probe = toy.batch_of(cfg.task, [toy.probe_string(cfg.lo, cfg.hi, cfg.seed)])
        self.runners = [self._runner(name) for name in NAMES]
        self.frames: list[dict] = []

    def _runner(self, name: str) -> Runner:
        model = build(name, self.cfg)
        opt = torch.optim.Adam(model.parameters(), lr=self.cfg.lr)
        return Runner(name, model, opt, torch.Generator().manual_seed(self.cfg.seed))

    def step(self, runner: Runner) -> None:
        """One optimiser step of `runner` on a fresh batch; only this goes on its clock."""
        strings = toy.random_strings(self.cfg.batch, self.cfg.lo, self.cfg.hi, runner.generator)
        start = time.perf_counter()
        batch = toy.batch_of(self.cfg.task, strings)
        runner.model.train()
        for group in runner.opt.param_groups:
            group["lr"] = (
                self.cfg.lr * min(1.0, (runner.steps + 1) / 50) * max(0.05, 1 - runner.clock / self.cfg.seconds)
            )
        runner.losses.append(optimiser_step(loss_of(runner.model, batch), runner.opt, clip=1.0))
        runner.clock += time.perf_counter() - start
        runner.steps += 1

    def evaluate(self, runner: Runner) -> tuple[dict, dict | None]:
        runner.model.eval()
        row = {
            "model": runner.name,
            "step": runner.steps,
            "seconds": round(runner.clock, 3),
            "loss": float(np.mean(runner.losses[-20:])) if runner.losses else float("nan"),
            "accuracy": sequence_accuracy(runner.model, self.cfg.task, self.val),
        }
        runner.rows.append(row)
        frame = None
        if isinstance(runner.model, Transformer):
            frame = {k: row[k] for k in ("step", "seconds", "accuracy")}
            frame["attention"] = cross_attention(runner.model, self.probe)[:, 0]
            self.frames.append(frame)
        return row, frame

    def run(self, on_eval: Progress | None = None, should_stop: Callable[[], bool] = lambda: False) -> RaceResult:
        budget, stopped = self.cfg.seconds, False
        for runner in self.runners:
            self._report(runner, on_eval)
        while any(r.clock < budget for r in self.runners):
            if should_stop():
                stopped = True
                break
            runner = min((r for r in self.runners if r.clock < budget), key=lambda r: r.clock)
            self.step(runner)
            if runner.clock >= budget or runner.clock >= runner.rows[-1]["seconds"] + self.cfg.eval_every:
                self._report(runner, on_eval)
        return self._result(stopped)

    def _report(self, runner: Runner, on_eval: Progress | None) -> None:
        row, frame = self.evaluate(runner)
        if on_eval is not None:
            on_eval(runner.name, row, frame)

    def _result(self, stopped: bool) -> RaceResult:
        summary = {
            r.name: {
                "accuracy": r.rows[-1]["accuracy"],
                "seconds_to_90": seconds_to(r.rows),
                "steps_to_90": steps_to(r.rows),
                "steps_per_s": r.steps / r.clock if r.clock else 0.0,
                "steps": r.steps,
                "seconds": r.clock,
                "params": r.params,
            }
            for r in self.runners
        }
        transformer = self.runners[0].model
        per_layer = alignment(self.cfg.task, cross_attention(transformer, self.val), self.val.strings)
        rows = [row for r in self.runners for row in r.rows]
        best = int(per_layer.argmax())
        return RaceResult(
            asdict(self.cfg), self.probe.strings[0], rows, self.frames, summary, float(per_layer[best]), best, stopped
        )


def live(cfg: RaceConfig, emit: Callable[[tuple], None], should_stop: Callable[[], bool]) -> RaceResult:
    """The page's live race: every evaluation emitted as one (model name, row, frame or None) tuple."""
    return Race(cfg).run(lambda *event: emit(event), should_stop)
