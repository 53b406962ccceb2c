"""Training the MADE (the best validation epoch kept), the baseline's smoothing, the probes, the checkpoint."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from engine.common.checkpoint import load_trained, save_trained
from engine.common.metrics import bits_per_dim
from engine.common.training import History, optimiser_step
from engine.density.data import Split, load_levels, shifted
from engine.density.model import LEVELS, MADE, PIXELS, DensityConfig, PixelHistogram, Trained, pixel_log_probs

NAME = "density"
REBUILD = "python -m engine.train density"
SMOOTHING_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # add-k values tried for the baseline, picked on val


def fit_histogram(train: torch.Tensor, val: torch.Tensor) -> PixelHistogram:
    """Per-pixel level counts of `train`, smoothed by the k that scores `val` best."""
    counts = torch.stack([torch.bincount(train[:, i], minlength=LEVELS) for i in range(PIXELS)]).double()
    scores = [float(bits_per_dim(PixelHistogram(counts, k).pixel_log_probs(val)).mean()) for k in SMOOTHING_GRID]
    return PixelHistogram(counts, SMOOTHING_GRID[int(np.argmin(scores))])


def train_epoch(model: MADE, x: torch.Tensor, cfg: DensityConfig, opt, sched, gen: torch.Generator) -> float:
    """One pass over `x` in a random order; the mean training bits per dimension."""
    model.train()
    order, losses = torch.randperm(len(x), generator=gen), []
    for i in range(0, len(order), cfg.batch_size):
        batch = shifted(x[order[i : i + cfg.batch_size]], cfg.shift, gen)
        losses.append(optimiser_step(bits_per_dim(pixel_log_probs(model, batch)).mean(), opt, sched))
    return float(np.mean(losses))


@torch.inference_mode()
def mean_bits_per_dim(model: MADE, x: torch.Tensor) -> float:
    """Mean bits per dimension of `x` with dropout off."""
    model.eval()
    return float(bits_per_dim(pixel_log_probs(model, x)).mean())


def fit_made(cfg: DensityConfig, x_train: torch.Tensor, x_val: torch.Tensor, progress: Callable | None) -> tuple:
    """(the MADE at its best validation epoch, rounded to half precision as shipped; the history)."""
    torch.manual_seed(cfg.seed)
    model = MADE(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.epochs * math.ceil(len(x_train) / cfg.batch_size))
    history = History("epoch", "train_bits_per_dim", "val_bits_per_dim")
    best, best_val, gen = None, float("inf"), torch.Generator().manual_seed(cfg.seed)
    for epoch in range(1, cfg.epochs + 1):
        train_bpd = train_epoch(model, x_train, cfg, opt, sched, gen)
        val = mean_bits_per_dim(model, x_val)
        if val < best_val:
            best, best_val = copy.deepcopy(model.state_dict()), val
        history.record(epoch=epoch, train_bits_per_dim=train_bpd, val_bits_per_dim=val)
        if progress and (epoch % 10 == 0 or epoch == cfg.epochs):
            progress(epoch, cfg.epochs, {"val_bpd": val, "best": best_val})
    model.load_state_dict({k: v.half().float() for k, v in best.items()})  # as shipped: half precision
    return model.eval().requires_grad_(False), history.as_dict()


def train(cfg: DensityConfig, progress: Callable | None = None) -> tuple[Trained, dict]:
    """AdamW with cosine decay; the weights of the best validation epoch are kept."""
    data = load_levels()
    x_train, x_val = data["train"].images, data["val"].images
    model, history = fit_made(cfg, x_train, x_val, progress)
    baseline = fit_histogram(x_train, x_val)
    history["best_epoch"] = int(history["epoch"][int(np.argmin(history["val_bits_per_dim"]))])
    history["representation"] = representation_study(model, data)
    return Trained(model, baseline), history


@torch.inference_mode()
def features(model: MADE, x: torch.Tensor) -> torch.Tensor:
    """(N, hidden * layers) hidden activations for whole images (no labels involved)."""
    return torch.cat(model(x, features=True)[1], dim=1)


def probe_accuracy(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> float:
    """Test accuracy of a standardised, L2-regularised logistic regression (a linear probe)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, C=0.1))
    probe.fit(x_train, y_train)
    return round(float(probe.score(x_test, y_test)), 4)


def probe_accuracies(model: MADE, data: dict[str, Split]) -> dict[str, float]:
    """Linear probes trained on train+val and scored on test, on the model's features and on raw pixels."""
    x_tr = torch.cat([data["train"].images, data["val"].images])
    y_tr = torch.cat([data["train"].labels, data["val"].labels]).numpy()
    x_te, y_te = data["test"].images, data["test"].labels.numpy()
    out = {}
    for name, transform in (("features", lambda x: features(model, x).numpy()), ("pixels", lambda x: x.numpy() / 16)):
        out[f"probe_accuracy_{name}"] = probe_accuracy(transform(x_tr), y_tr, transform(x_te), y_te)
    return out


def tsne_map(points: np.ndarray) -> np.ndarray:
    """(N, 2) t-SNE coordinates of (N, D) points, after PCA to 50 dimensions."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    reduced = PCA(n_components=50, random_state=0).fit_transform(points)
    return TSNE(n_components=2, random_state=0, init="pca", perplexity=30).fit_transform(reduced)


def representation_study(model: MADE, data: dict[str, Split]) -> dict:
    """Linear probes on the model's features and on raw pixels; a 2-D map of the test features."""
    out = probe_accuracies(model, data)
    xy = tsne_map(features(model, data["test"].images).numpy())
    out["map_x"] = [round(float(v), 3) for v in xy[:, 0]]
    out["map_y"] = [round(float(v), 3) for v in xy[:, 1]]
    out["map_labels"] = data["test"].labels.numpy().tolist()
    return out


def save(trained: Trained, cfg: DensityConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """The MADE in half precision (exact: training rounded it) and the baseline's counts, with the meta."""
    tensors = {k: v.half() if k.startswith("made.") else v for k, v in trained.state_dict().items()}
    meta = {"config": asdict(cfg), "smoothing": trained.baseline.k, "history": history, "metrics": metrics}
    return save_trained(NAME, tensors, meta, path)


def build(meta: dict) -> Trained:
    """An untrained pair shaped by the checkpoint's meta, for its weights to be loaded into."""
    return Trained(
        MADE(DensityConfig(**meta["config"])), PixelHistogram(torch.zeros(PIXELS, LEVELS), meta["smoothing"])
    )


def load(path: Path | None = None) -> tuple[Trained, dict]:
    """(the MADE and its baseline, meta) of the checkpoint at `path`, by default the shipped one."""
    return load_trained(NAME, REBUILD, build, path)


@dataclass(frozen=True)
class Shipped:
    """The shipped density model and its checkpoint's meta (config, history, representation study, metrics)."""

    trained: Trained
    meta: dict


def load_shipped() -> Shipped:
    """The shipped checkpoint as a named pair."""
    return Shipped(*load())
