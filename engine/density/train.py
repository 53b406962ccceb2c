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

NAME = "density"
REBUILD = "python -m engine.train density"
PARTIAL = Path("build") / "density-partial.safetensors"  # saved at every evaluation, so a cut run keeps its best
RESUME = Path("build") / "density-resume.pt"  # everything a later sitting needs to go on as if never stopped
SMOOTHING_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # add-k values tried for the baseline, picked on val
EVAL_EVERY = 250  # optimiser steps between validation scores
VAL_SCORED = 1024  # validation digits scored during training (all of them cost a minute a time on one core)
CARRIED = 1_000  # official test digits the checkpoint carries for the page (the first ones: every class ~100)
PROBE_TRAIN, PROBE_TEST, MAP_POINTS = 10_000, 2_000, 1_000  # digits the representation study reads
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


def fit_pixelcnn(
    cfg: PixelCNNConfig,
    data: dict[str, Split],
    progress: Callable | None,
    keep: Callable | None,
    resume_path: Path | None = None,
    until: int | None = None,
):
    """(the PixelCNN at its best validation point, rounded to half precision as shipped; the history).

    With `resume_path`, the state is saved there at every evaluation and at the end of the sitting, and read
    back first when cfg.resume is set (our own file, loaded with weights_only). `until` ends this sitting
    after that many steps in all (the schedule still runs to cfg.steps / cfg.minutes)."""
    torch.manual_seed(cfg.seed)
    model, gen = PixelCNN(cfg), torch.Generator().manual_seed(cfg.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    history = History("step", "train_nats", "val_nats")
    kept = {"state": None, "val": float("inf"), "losses": []}
    val = data["val"].images[:VAL_SCORED]
    step = 0
    if cfg.resume and resume_path is not None and resume_path.is_file():
        state = torch.load(resume_path, weights_only=True)
        if state["config"] != asdict(cfg) | {"resume": 0, "minutes": 0.0}:
            raise ValueError(f"{resume_path} was written by another configuration: {state['config']}")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        gen.set_state(state["gen"])
        torch.set_rng_state(state["torch_rng"])
        step = state["step"]
        history.columns = state["history"]
        history.start = time.perf_counter() - state["elapsed"]
        kept.update(state=state["kept_state"], val=state["kept_val"], losses=state["losses"])

    def save_state() -> None:
        if resume_path is not None:
            _save_resume(_resume_state(model, opt, gen, step, history, kept, cfg), resume_path)

    def score(step: int) -> None:
        started = time.perf_counter()
        val_nats = float(nats_per_image(model, val).mean())
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
        for group in opt.param_groups:
            group["lr"] = learning_rate(cfg, step, history.elapsed())
        model.train()
        x, y = training_batch(data["train"], cfg, gen)
        kept["losses"].append(optimiser_step(-pixel_log_probs(model, x, y).sum(1).mean(), opt, clip=1.0))
        step += 1
        if step % EVAL_EVERY == 0:
            score(step)
    if until is not None and budget_left():  # a sitting cut short: keep the state, the run goes on later
        save_state()
        return model, history.as_dict()
    if kept["losses"]:  # the steps since the last evaluation (a run cut by its budget) are scored too
        score(step)
    best = kept["state"]
    model.load_state_dict({k: v.half().float() for k, v in (best or model.state_dict()).items()})
    return model.eval().requires_grad_(False), history.as_dict()


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


@torch.inference_mode()
def features(model: PixelCNN, images: torch.Tensor) -> torch.Tensor:
    """(N, 2 * channels) the last layer's features of whole images, averaged and maxed over positions."""
    parts = []
    for x in torch.split(images, 256):
        h = model(x, torch.full((len(x),), NONE), features=True)[1]
        parts.append(torch.cat([h.mean((2, 3)), h.amax((2, 3))], 1))
    return torch.cat(parts)


def probe_accuracy(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> float:
    """Test accuracy of a standardised, L2-regularised logistic regression (a linear probe), fitted to
    convergence: at scikit-learn's default tolerance L-BFGS stopped early, where the last rounding of the
    machine's BLAS moved the answer (0.8882 where the figure was recorded, 0.8839 on another machine)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=20_000, C=0.1, tol=1e-6))
    probe.fit(x_train, y_train)
    return round(float(probe.score(x_test, y_test)), 4)


def probe_accuracies(model: PixelCNN, data: dict[str, Split]) -> dict[str, float]:
    """Linear probes trained on the first PROBE_TRAIN training digits and scored on the first PROBE_TEST test digits,
    on the model's features and on raw pixels (features of all 70,000 would take a quarter of an hour)."""
    x_tr, y_tr = data["train"].images[:PROBE_TRAIN], data["train"].labels[:PROBE_TRAIN].numpy()
    x_te, y_te = data["test"].images[:PROBE_TEST], data["test"].labels[:PROBE_TEST].numpy()
    out = {}
    for name, transform in (
        ("features", lambda x: features(model, x).numpy()),
        ("pixels", lambda x: x.flatten(1).float().numpy()),
    ):
        out[f"probe_accuracy_{name}"] = probe_accuracy(transform(x_tr), y_tr, transform(x_te), y_te)
    return out


def tsne_map(points: np.ndarray) -> np.ndarray:
    """(N, 2) t-SNE coordinates of (N, D) points, after PCA to at most 50 dimensions."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    reduced = PCA(n_components=min(50, points.shape[1]), random_state=0).fit_transform(points)
    return TSNE(n_components=2, random_state=0, init="pca", perplexity=30).fit_transform(reduced)


def representation_study(model: PixelCNN, data: dict[str, Split]) -> dict:
    """Linear probes on the model's features and on raw pixels; a 2-D map of the test features."""
    out = probe_accuracies(model, data)
    xy = tsne_map(features(model, data["test"].images[:MAP_POINTS]).numpy())
    out["map_x"] = [round(float(v), 3) for v in xy[:, 0]]
    out["map_y"] = [round(float(v), 3) for v in xy[:, 1]]
    out["map_labels"] = data["test"].labels[:MAP_POINTS].numpy().tolist()
    return out


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
