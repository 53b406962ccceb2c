"""What every training loop shares: one optimiser step, and a history of numbers with the clock."""

from __future__ import annotations

import time
from collections.abc import Iterable

import torch


def optimiser_step(
    loss: torch.Tensor,
    opt: torch.optim.Optimizer,
    sched: torch.optim.lr_scheduler.LRScheduler | None = None,
    clip: float | None = None,
    params: Iterable[torch.nn.Parameter] | None = None,
) -> float:
    """Backpropagate `loss`, clip the gradient norm of `params` to `clip` (if given), step; the loss as a float."""
    opt.zero_grad()
    loss.backward()
    if clip is not None:
        torch.nn.utils.clip_grad_norm_(
            params if params is not None else [p for g in opt.param_groups for p in g["params"]], clip
        )
    opt.step()
    if sched is not None:
        sched.step()
    return float(loss.detach())


class History:
    """Columns of numbers, one row per report, each with the seconds since the history began."""

    def __init__(self, *columns: str, digits: int = 5) -> None:
        self.columns: dict[str, list[float]] = {name: [] for name in (*columns, "seconds")}
        self.digits, self.start = digits, time.perf_counter()

    def record(self, **values: float) -> None:
        """Append one row; every column but `seconds` must be given."""
        assert set(values) == set(self.columns) - {"seconds"}, sorted(values)
        for name, value in values.items():
            self.columns[name].append(round(float(value), self.digits))
        self.columns["seconds"].append(round(self.elapsed(), self.digits))

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def pause(self, seconds: float) -> None:
        """Leave `seconds` (an evaluation, say) out of the clock that `seconds` records."""
        self.start += seconds

    def last(self, name: str) -> float:
        return self.columns[name][-1]

    def as_dict(self) -> dict[str, list[float]]:
        """The plain dict saved in a checkpoint's meta."""
        return self.columns
