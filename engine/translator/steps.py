"""Time per training step of the race's two models against string length: what parallel training buys.

The GRU must read and write one position after another; the Transformer's layers handle every position at
once. `step_times` measures one optimiser step of each; `sequential_steps` counts the computations that wait.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from engine.common.checkpoint import ASSETS
from engine.common.training import optimiser_step
from engine.translator import toy
from engine.translator.race import NAMES, RaceConfig, build, loss_of

STEP_LENGTHS = tuple(range(4, toy.LONGEST + 1, 2))  # string lengths of the step-time measurement
STEP_TIMES = ASSETS / "race_step_times.json"  # a recorded run of `python -m engine.experiment steps --record`


@dataclass(frozen=True)
class StepConfig:
    lengths: tuple[int, ...] = STEP_LENGTHS  # every string of a batch has exactly this many letters
    batch: int = RaceConfig.batch  # strings per step, as in the race
    repeats: int = 5  # timed steps per model and length (the median is kept), after one untimed warm-up
    seed: int = 0


@dataclass
class StepTimes:
    rows: list[dict]  # length, model, ms (median of `steps` timed steps), steps
    stopped: bool = False

    def as_json(self) -> dict:
        """{"lengths", "transformer_ms", "gru_ms"}: the lengths both models were timed at, in order."""
        ms = {(r["model"], r["length"]): r["ms"] for r in self.rows}
        lengths = sorted({r["length"] for r in self.rows if all((n, r["length"]) in ms for n in NAMES)})
        return {"lengths": lengths, **{f"{n}_ms": [ms[n, length] for length in lengths] for n in NAMES}}


def sequential_steps(name: str, length: int, layers: int = RaceConfig.layers) -> int:
    """Computations in one forward pass that must wait for the one before, for strings of `length` letters.

    The GRU's encoder reads the source and its EOS one position after another (both directions side by
    side), then its decoder writes the answer and EOS one position after another; the Transformer's
    layers each handle every position at once, so only the layers wait for each other."""
    if name == "gru":
        return 2 * (length + 1)
    return 2 * layers  # encoder layers, then decoder layers


def step_times(
    cfg: StepConfig = StepConfig(),
    emit: Callable[[dict], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> StepTimes:
    """CPU milliseconds of one training step (forward, backward, clipped Adam step) of each race model, by
    string length, on the caller's one thread (the live child and the experiment CLI set it). The thread's own
    CPU time, not the wall clock: on a shared server the wall clock also counts the time other processes held
    the core. The two models take turns step by step."""
    race_cfg = RaceConfig(batch=cfg.batch, seed=cfg.seed)
    models = {name: build(name, race_cfg) for name in NAMES}
    opts = {name: torch.optim.Adam(m.parameters(), lr=race_cfg.lr) for name, m in models.items()}
    generator, rows = torch.Generator().manual_seed(cfg.seed), []
    for length in cfg.lengths:
        if should_stop():
            return StepTimes(rows, stopped=True)
        batch = toy.batch_of("reverse", toy.random_strings(cfg.batch, length, length, generator))
        times: dict[str, list[float]] = {name: [] for name in NAMES}
        for repeat in range(cfg.repeats + 1):
            for name, model in models.items():
                start = time.thread_time()
                optimiser_step(loss_of(model.train(), batch), opts[name], clip=1.0)
                if repeat:  # the first step of each length is a warm-up (allocations), not timed
                    times[name].append(time.thread_time() - start)
        for name in NAMES:
            row = {"length": length, "model": name, "ms": 1000 * float(np.median(times[name]))}
            rows.append({**row, "steps": len(times[name])})
            if emit is not None:
                emit(rows[-1])
    return StepTimes(rows)


def live_steps(cfg: StepConfig, emit: Callable[[dict], None], should_stop: Callable[[], bool]) -> StepTimes:
    """The page's live measurement: every (length, model) row emitted as it is measured."""
    return step_times(cfg, emit, should_stop)


def recorded_step_times(path: Path | None = None) -> dict | None:
    """The recorded measurement (as_json plus the command, torch version and settings), None if absent."""
    path = path or STEP_TIMES
    return json.loads(path.read_text()) if path.exists() else None
