"""Training the PixelCNN (the best validation point kept), the baseline's smoothing, the judge, the checkpoint."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from engine.common.checkpoint import load_trained, save_trained
from engine.common.training import History, optimiser_step
from engine.density import judge as judging
from engine.density.data import Split, load_splits, shifted
from engine.density.pixelcnn import NONE, PIXELS, SIDE, IndependentPixels, PixelCNN, PixelCNNConfig, pixel_log_probs
from engine.density.probes import representation_study

NAME = "density"
REBUILD = "python -m engine.train density"
PARTIAL = Path("build") / "density-partial.safetensors"  # saved at every evaluation, so a cut run keeps its best
RESUME = Path("build") / "density-resume.pt"  # everything a later sitting needs to go on as if never stopped
SMOOTHING_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # add-k values tried for the baseline, picked on val
EVAL_EVERY = 250  # optimiser steps between validation scores
VAL_SCORED = 1024  # validation digits scored during training (all of them cost a minute a time on one core)
CARRIED = 1_000  # official test digits the checkpoint carries for the page (the first ones: every class ~100)
WARMUP = 200  # optimiser steps of linear learning-rate warm-up
DensityConfig = PixelCNNConfig  # what `python -m engine.train density` takes as flags


class Trained(nn.Module):
    """The PixelCNN, its independent-pixel baseline, the judge, and the test digits, saved and loaded together."""

    def __init__(self, pixelcnn: PixelCNN, baseline: IndependentPixels, judge: judging.Judge, test: Split) -> None:
        super().__init__()
        self.pixelcnn, self.baseline, self.judge = pixelcnn, baseline, judge
        self.register_buffer("test_bits", torch.from_numpy(np.packbits(test.images.flatten(1).numpy(), axis=1)))
        self.register_buffer("test_labels", test.labels.clone())

    @property
    def test(self) -> Split:
        """The held-out digits the checkpoint carries (so the page needs no data files)."""
        pixels = np.unpackbits(self.test_bits.numpy(), axis=1)[:, :PIXELS]
        return Split(torch.from_numpy(pixels).view(-1, 1, SIDE, SIDE), self.test_labels)


def fit_baseline(train: torch.Tensor, val: torch.Tensor) -> IndependentPixels:
    """Per-pixel frequencies of `train`, smoothed by the k that scores `val` best."""
    ones = train.flatten(1).double().sum(0)
    scores = [float(-IndependentPixels(ones, len(train), k).pixel_log_probs(val).sum(1).mean()) for k in SMOOTHING_GRID]
    return IndependentPixels(ones, len(train), SMOOTHING_GRID[int(np.argmin(scores))])


@torch.inference_mode()
def nats_per_image(model: PixelCNN, images: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """(N,) -log p(x) in nats of each image under the unconditional model."""
    model.eval()
    parts = [-pixel_log_probs(model, x, torch.full((len(x),), NONE)).sum(1) for x in torch.split(images, batch)]
    return torch.cat(parts)


def learning_rate(cfg: PixelCNNConfig, step: int, seconds: float) -> float:
    """Linear warm-up, then cosine decay over the steps or the time budget, whichever runs out first."""
    if step < WARMUP:
        return cfg.lr * (step + 1) / WARMUP
    done = step / cfg.steps
    if cfg.minutes > 0:
        done = max(done, seconds / (60 * cfg.minutes))
    return cfg.lr * 0.5 * (1 + math.cos(math.pi * min(done, 1.0)))


def training_batch(train: Split, cfg: PixelCNNConfig, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A shifted batch of training digits and their labels, each hidden (NONE) with probability hide_label."""
    pick = torch.randint(0, len(train.images), (cfg.batch_size,), generator=gen)
    labels = train.labels[pick].clone()
    labels[torch.rand(cfg.batch_size, generator=gen) < cfg.hide_label] = NONE
    return shifted(train.images[pick], cfg.shift, gen), labels


def _resume_state(model, opt, gen, step, history, kept, cfg) -> dict:
    """What the resume file holds: weights, optimiser moments, the step and clock the schedule reads, the RNGs."""
    return {
        "config": asdict(cfg) | {"resume": 0, "minutes": 0.0},
        "model": model.state_dict(),
        "opt": opt.state_dict(),
        "gen": gen.get_state(),
        "torch_rng": torch.get_rng_state(),
        "step": step,
        "elapsed": history.elapsed(),
        "history": history.as_dict(),
        "kept_state": kept["state"],
        "kept_val": kept["val"],
        "losses": kept["losses"],
    }


def _save_resume(state: dict, path: Path) -> None:
    """Written to a temporary name first, so a run killed mid-write leaves the last good file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def _load_resume(path: Path, cfg, model, opt, gen, history, kept) -> int:
    """Put the saved sitting back into the live objects (our own file, loaded with weights_only); its step."""
    state = torch.load(path, weights_only=True)
    if state["config"] != asdict(cfg) | {"resume": 0, "minutes": 0.0}:
        raise ValueError(f"{path} was written by another configuration: {state['config']}")
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    gen.set_state(state["gen"])
    torch.set_rng_state(state["torch_rng"])
    history.columns = state["history"]
    history.start = time.perf_counter() - state["elapsed"]
    kept.update(state=state["kept_state"], val=state["kept_val"], losses=state["losses"])
    return state["step"]


def _fresh(cfg: PixelCNNConfig) -> tuple:
    """(model, batch generator, optimiser, history, what is kept between evaluations) at the start of a run."""
    torch.manual_seed(cfg.seed)
    model, gen = PixelCNN(cfg), torch.Generator().manual_seed(cfg.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    return (
        model,
        gen,
        opt,
        History("step", "train_nats", "val_nats"),
        {"state": None, "val": float("inf"), "losses": []},
    )


def _train_step(model: PixelCNN, opt, cfg: PixelCNNConfig, train: Split, gen, step: int, seconds: float) -> float:
    """One optimiser step on a fresh batch at the schedule's learning rate; its loss in nats per image."""
    for group in opt.param_groups:
        group["lr"] = learning_rate(cfg, step, seconds)
    model.train()
    x, y = training_batch(train, cfg, gen)
    return optimiser_step(-pixel_log_probs(model, x, y).sum(1).mean(), opt, clip=1.0)


def _best(model: PixelCNN, best: dict | None) -> PixelCNN:
    """The model with its best validation weights (its last, if never scored), rounded to half as shipped."""
    model.load_state_dict({k: v.half().float() for k, v in (best or model.state_dict()).items()})
    return model.eval().requires_grad_(False)


def fit_pixelcnn(
    cfg: PixelCNNConfig,
    data: dict[str, Split],
    progress: Callable | None,
    keep: Callable | None,
    resume_path: Path | None = None,
    until: int | None = None,
):
    """(the PixelCNN at its best validation point, rounded to half precision as shipped; the history).

    With `resume_path`, the state is saved there at every evaluation and at the end of the sitting, and read back
    first when cfg.resume is set. `until` ends this sitting after that many steps in all (not the schedule)."""
    model, gen, opt, history, kept = _fresh(cfg)
    step = 0
    if cfg.resume and resume_path is not None and resume_path.is_file():
        step = _load_resume(resume_path, cfg, model, opt, gen, history, kept)

    def save_state() -> None:
        if resume_path is not None:
            _save_resume(_resume_state(model, opt, gen, step, history, kept, cfg), resume_path)

    def score(step: int) -> None:
        started = time.perf_counter()
        val_nats = float(nats_per_image(model, data["val"].images[:VAL_SCORED]).mean())
        if val_nats < kept["val"]:
            kept.update(state=copy.deepcopy(model.state_dict()), val=val_nats)
            if keep:
                keep(model)
        history.record(step=step, train_nats=float(np.mean(kept["losses"])), val_nats=val_nats)
        kept["losses"] = []
        save_state()
        history.pause(time.perf_counter() - started)
        if progress:
            progress(min(step, cfg.steps), cfg.steps, {"val_nats": val_nats, "best": kept["val"]})

    def budget_left() -> bool:
        return step < cfg.steps and (cfg.minutes <= 0 or history.elapsed() < 60 * cfg.minutes)

    while budget_left() and (until is None or step < until):
        kept["losses"].append(_train_step(model, opt, cfg, data["train"], gen, step, history.elapsed()))
        step += 1
        if step % EVAL_EVERY == 0:
            score(step)
    if until is not None and budget_left():  # a sitting cut short: keep the state, the run goes on later
        save_state()
        return model, history.as_dict()
    if kept["losses"]:  # the steps since the last evaluation (a run cut by its budget) are scored too
        score(step)
    return _best(model, kept["state"]), history.as_dict()


def carried(test: Split) -> Split:
    """The test digits the checkpoint carries, so the page needs no data files."""
    return Split(test.images[:CARRIED], test.labels[:CARRIED])


def train(cfg: PixelCNNConfig, progress: Callable | None = None) -> tuple[Trained, dict]:
    """The PixelCNN (AdamW, warm-up and cosine decay, best validation point kept), the baseline, the judge."""
    data = load_splits()
    baseline = fit_baseline(data["train"].images, data["val"].images)
    judge = judging.fit_judge(data["train"], judging.JudgeConfig(epochs=6))

    def keep(model: PixelCNN) -> None:
        PARTIAL.parent.mkdir(exist_ok=True)
        save(Trained(model, baseline, judge, carried(data["test"])), cfg, {}, {"partial": True}, PARTIAL)

    model, history = fit_pixelcnn(cfg, data, progress, keep, RESUME)
    history["best_step"] = int(history["step"][int(np.argmin(history["val_nats"]))])
    history["representation"] = representation_study(model, data)
    return Trained(model, baseline, judge, carried(data["test"])), history


def save(
    trained: Trained,
    cfg: PixelCNNConfig,
    history: dict,
    metrics: dict,
    path: Path | None = None,
    shown: dict | None = None,
) -> Path:
    """The networks in half precision (exact: training rounded the PixelCNN), the baseline's counts, the test digits;
    `shown` is what the page shows at once (its first grid of samples, the test digits' and noise's scores), made by
    `engine.density.explain.record`."""
    tensors = {
        k: v.half() if k.startswith(("pixelcnn.", "judge.")) and v.is_floating_point() else v
        for k, v in trained.state_dict().items()
    }
    meta = {
        "config": asdict(cfg),
        "smoothing": trained.baseline.k,
        "baseline_total": trained.baseline.total,
        "test_count": len(trained.test_labels),
        "history": history,
        "metrics": metrics,
        "shown": shown,
    }
    return save_trained(NAME, tensors, meta, path)


def build(meta: dict) -> Trained:
    """An untrained set shaped by the checkpoint's meta, for its weights to be loaded into."""
    n = meta["test_count"]
    cfg = PixelCNNConfig(**meta["config"])
    baseline = IndependentPixels(torch.zeros(PIXELS), meta["baseline_total"], meta["smoothing"])
    empty = Split(torch.zeros(n, 1, SIDE, SIDE, dtype=torch.uint8), torch.zeros(n, dtype=torch.long))
    return Trained(PixelCNN(cfg), baseline, judging.Judge(), empty)


def load(path: Path | None = None) -> tuple[Trained, dict]:
    """(the PixelCNN, baseline and judge, meta) of the checkpoint at `path`, by default the shipped one."""
    return load_trained(NAME, REBUILD, build, path)


@dataclass(frozen=True)
class Shipped:
    """The shipped density model and its checkpoint's meta (config, history, representation study, metrics)."""

    trained: Trained
    meta: dict


def load_shipped() -> Shipped:
    """The shipped checkpoint as a named pair."""
    return Shipped(*load())
