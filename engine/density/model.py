"""An explicit density model of 8x8 digits: p(x) = prod_i p(x_i | x_<i), exact and normalised.

scikit-learn's digits have 64 pixels with 17 grey levels (0..16), so each pixel is one of 17
categories and an autoregressive model over them gives exact log-likelihoods. The model is a MADE
(Germain et al., 2015): an MLP whose weight masks let the output for pixel i see only pixels
before it in raster order, plus a masked direct connection from inputs to outputs. The baseline
models every pixel independently (a histogram per pixel). Both report bits per dimension
(-log2 p(x) / 64) on the digits model's held-out split.
"""

from __future__ import annotations

import copy
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from engine.common import corpora
from engine.common.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from engine.common.images import strokes_on_black, to_grey
from engine.common.inputs import InputError, load_image
from engine.common.metrics import bits_per_dim

NAME = "density"
REBUILD = "python -m engine.train density"
SIDE, PIXELS, LEVELS = 8, 64, 17


@dataclass(frozen=True)
class DensityConfig:
    """Sizes and recipe of the MADE; saved with the checkpoint."""

    hidden: int = 512  # units per hidden layer
    layers: int = 2  # hidden layers
    epochs: int = 80  # passes over the training digits (the best validation epoch is kept)
    batch_size: int = 64  # digits per step
    lr: float = 1e-3  # peak learning rate (AdamW, cosine decay)
    weight_decay: float = 1e-3  # AdamW weight decay
    dropout: float = 0.2  # on hidden units, in training only
    shift: int = 0  # training digits are moved by up to this many pixels each way (zeros fill in)
    seed: int = 0  # initialisation, validation split and batch order


def shifted(x: torch.Tensor, most: int, gen: torch.Generator) -> torch.Tensor:
    """(N, 64) images each moved by a random (dy, dx) in [-most, most]^2, zeros filling the gap."""
    if most == 0:
        return x
    images = x.view(-1, SIDE, SIDE)
    padded = F.pad(images, (most, most, most, most))
    dy, dx = torch.randint(0, 2 * most + 1, (2, len(x)), generator=gen)
    out = torch.stack([padded[i, dy[i] : dy[i] + SIDE, dx[i] : dx[i] + SIDE] for i in range(len(x))])
    return out.reshape(len(x), PIXELS)


def load_levels() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """{'train', 'val', 'test'}: (N, 64) grey levels 0..16 and (N,) labels.

    Test is the digits classifier's held-out split; val is a fixed tenth of its training digits.
    """
    x_tr, y_tr, x_te, y_te = corpora.small_digits_split()
    levels = lambda x: (x * 16).round().long().view(len(x), PIXELS)  # noqa: E731
    order = torch.randperm(len(x_tr), generator=torch.Generator().manual_seed(0))
    n_val = round(len(x_tr) * 0.1)
    val, train = order[:n_val], order[n_val:]
    return {
        "train": (levels(x_tr)[train], y_tr[train]),
        "val": (levels(x_tr)[val], y_tr[val]),
        "test": (levels(x_te), y_te),
    }


class MaskedLinear(nn.Linear):
    """A linear layer whose weight is multiplied by a fixed 0/1 mask."""

    def __init__(self, mask: torch.Tensor, bias: bool = True) -> None:
        super().__init__(mask.shape[1], mask.shape[0], bias=bias)
        self.register_buffer("mask", mask.float(), persistent=False)  # rebuilt from the config, never saved

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


class MADE(nn.Module):
    """One-hot pixels in, 64 x 17 logits out; the output for pixel i depends only on pixels < i."""

    def __init__(self, cfg: DensityConfig) -> None:
        super().__init__()
        pixel_of_input = torch.arange(PIXELS).repeat_interleave(LEVELS)  # (1088,) pixel index of each input
        degrees = [torch.arange(cfg.hidden) % (PIXELS - 1)]  # hidden unit k may see pixels 0..degree
        for _ in range(cfg.layers - 1):
            degrees.append(degrees[0])
        masks = [degrees[0][:, None] >= pixel_of_input[None, :]]
        for lower, upper in itertools.pairwise(degrees):
            masks.append(upper[:, None] >= lower[None, :])
        self.hidden = nn.ModuleList(MaskedLinear(m) for m in masks)
        self.out = MaskedLinear(pixel_of_input[:, None] > degrees[-1][None, :])
        self.direct = MaskedLinear(pixel_of_input[:, None] > pixel_of_input[None, :], bias=False)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, features: bool = False):
        """(B, 64) levels -> (B, 64, 17) logits (and the hidden activations, if asked for)."""
        one_hot = F.one_hot(x, LEVELS).float().flatten(1)
        h, hiddens = one_hot, []
        for layer in self.hidden:
            h = self.dropout(F.relu(layer(h)))
            hiddens.append(h)
        logits = (self.out(h) + self.direct(one_hot)).view(-1, PIXELS, LEVELS)
        return (logits, hiddens) if features else logits


def pixel_log_probs(model: MADE, x: torch.Tensor) -> torch.Tensor:
    """(B, 64) natural-log p(x_i | x_<i) of every pixel."""
    return F.log_softmax(model(x), -1).gather(-1, x.unsqueeze(-1)).squeeze(-1)


class PixelHistogram:
    """The baseline: every pixel drawn on its own from its training histogram (add-k smoothed)."""

    def __init__(self, counts: torch.Tensor, k: float) -> None:
        self.counts, self.k = counts, k
        smoothed = counts + k
        self.log_probs = torch.log(smoothed / smoothed.sum(-1, keepdim=True))  # (64, 17)

    def pixel_log_probs(self, x: torch.Tensor) -> torch.Tensor:
        return self.log_probs[torch.arange(PIXELS), x]


def fit_histogram(train: torch.Tensor, val: torch.Tensor) -> PixelHistogram:
    counts = torch.stack([torch.bincount(train[:, i], minlength=LEVELS) for i in range(PIXELS)]).double()
    grid = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
    scores = [float(bits_per_dim(PixelHistogram(counts, k).pixel_log_probs(val)).mean()) for k in grid]
    return PixelHistogram(counts, grid[int(np.argmin(scores))])


# --- training --------------------------------------------------------------------------------------


class Trained(NamedTuple):
    made: MADE
    baseline: PixelHistogram


def train(cfg: DensityConfig, progress: Callable | None = None) -> tuple[Trained, dict]:
    """AdamW with cosine decay; the weights of the best validation epoch are kept."""
    torch.manual_seed(cfg.seed)
    data = load_levels()
    x_train, x_val = data["train"][0], data["val"][0]
    model = MADE(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(x_train) / cfg.batch_size)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.epochs * steps_per_epoch)
    history: dict[str, list] = {"epoch": [], "train_bits_per_dim": [], "val_bits_per_dim": [], "seconds": []}
    best, best_val, start = None, float("inf"), time.perf_counter()
    gen = torch.Generator().manual_seed(cfg.seed)
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        order, losses = torch.randperm(len(x_train), generator=gen), []
        for i in range(0, len(order), cfg.batch_size):
            batch = shifted(x_train[order[i : i + cfg.batch_size]], cfg.shift, gen)
            loss = bits_per_dim(pixel_log_probs(model, batch)).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        model.eval()
        with torch.inference_mode():
            val = float(bits_per_dim(pixel_log_probs(model, x_val)).mean())
        if val < best_val:
            best, best_val = copy.deepcopy(model.state_dict()), val
        for key, value in (
            ("epoch", epoch),
            ("train_bits_per_dim", float(np.mean(losses))),
            ("val_bits_per_dim", val),
            ("seconds", time.perf_counter() - start),
        ):
            history[key].append(round(value, 5))
        if progress and (epoch % 10 == 0 or epoch == cfg.epochs):
            progress(epoch, cfg.epochs, {"val_bpd": val, "best": best_val})
    model.load_state_dict({k: v.half().float() for k, v in best.items()})  # as shipped: half precision
    model.eval().requires_grad_(False)
    baseline = fit_histogram(x_train, x_val)
    history["best_epoch"] = history["epoch"][int(np.argmin(history["val_bits_per_dim"]))]
    history["representation"] = representation_study(model, data)
    return Trained(model, baseline), history


# --- representation --------------------------------------------------------------------------------


@torch.inference_mode()
def features(model: MADE, x: torch.Tensor) -> torch.Tensor:
    """(N, hidden * layers) hidden activations for whole images (no labels involved)."""
    return torch.cat(model(x, features=True)[1], dim=1)


def representation_study(model: MADE, data: dict) -> dict:
    """Linear probes on the model's features and on raw pixels; a 2-D map of the test features."""
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.manifold import TSNE
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x_tr = torch.cat([data["train"][0], data["val"][0]])
    y_tr = torch.cat([data["train"][1], data["val"][1]]).numpy()
    x_te, y_te = data["test"][0], data["test"][1].numpy()
    out = {}
    for name, transform in (("features", lambda x: features(model, x).numpy()), ("pixels", lambda x: x.numpy() / 16)):
        probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, C=0.1))
        probe.fit(transform(x_tr), y_tr)
        out[f"probe_accuracy_{name}"] = round(float(probe.score(transform(x_te), y_te)), 4)
    test_features = features(model, x_te).numpy()
    reduced = PCA(n_components=50, random_state=0).fit_transform(test_features)
    xy = TSNE(n_components=2, random_state=0, init="pca", perplexity=30).fit_transform(reduced)
    out["map_x"] = [round(float(v), 3) for v in xy[:, 0]]
    out["map_y"] = [round(float(v), 3) for v in xy[:, 1]]
    out["map_labels"] = y_te.tolist()
    return out


# --- sampling --------------------------------------------------------------------------------------


class Drawing(NamedTuple):
    images: torch.Tensor  # (N, 64) finished samples
    partial: torch.Tensor  # (64, 64): row i = the first sample after pixel i was drawn (-1: not yet)
    probs: torch.Tensor  # (64, 17): the distribution pixel i was drawn from (first sample)


@torch.inference_mode()
def sample(model: MADE, n: int, temperature: float = 1.0, seed: int = 0) -> Drawing:
    """Draw n images pixel by pixel in raster order; the first one is recorded step by step."""
    if temperature <= 0:
        raise InputError("Temperature must be above 0.")
    gen = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, PIXELS, dtype=torch.long)
    partial = torch.full((PIXELS, PIXELS), -1, dtype=torch.long)
    probs = torch.zeros(PIXELS, LEVELS)
    for i in range(PIXELS):
        p = F.softmax(model(x)[:, i] / temperature, -1)
        x[:, i] = torch.multinomial(p, 1, generator=gen).squeeze(1)
        probs[i] = p[0]
        partial[i, : i + 1] = x[0, : i + 1]
    return Drawing(x, partial, probs)


# --- any image -------------------------------------------------------------------------------------


class Prepared(NamedTuple):
    grey: np.ndarray  # (H, W) in [0, 1], light strokes on black
    crop: tuple[int, int, int, int]  # (top, bottom, left, right) of the content box in grey
    square: np.ndarray  # the content, padded to a square
    levels: torch.Tensor  # (64,) grey levels 0..16 after resizing to 8x8


def prepare(image: Image.Image) -> Prepared:
    """Greyscale, strokes made light on dark, cropped to content, squared, 8x8, 17 levels."""
    grey = strokes_on_black(to_grey(image))
    ink = np.argwhere(grey > 0.25)
    if len(ink):
        (top, left), (bottom, right) = ink.min(0), ink.max(0) + 1
    else:
        top, left, bottom, right = 0, 0, grey.shape[0], grey.shape[1]
    content = grey[top:bottom, left:right]
    side = max(content.shape)
    square = np.zeros((side, side), dtype=np.float32)
    r, c = (side - content.shape[0]) // 2, (side - content.shape[1]) // 2
    square[r : r + content.shape[0], c : c + content.shape[1]] = content
    small = Image.fromarray((square * 255).astype(np.uint8)).resize((SIDE, SIDE), Image.Resampling.BOX)
    values = np.asarray(small, dtype=np.float32) / 255.0
    if values.max() > 0:
        values = values / values.max()  # the digits' strokes reach level 16
    levels = torch.from_numpy(np.rint(values * (LEVELS - 1)).astype(np.int64)).flatten()
    return Prepared(grey, (int(top), int(bottom), int(left), int(right)), square, levels)


def image_bits_per_dim(trained: Trained, data: bytes) -> tuple[Prepared, torch.Tensor]:
    """Validated image bytes -> the preprocessing and (64,) per-pixel log-probabilities."""
    prepared = prepare(load_image(data))
    with torch.inference_mode():
        return prepared, pixel_log_probs(trained.made, prepared.levels[None])[0]


# --- checkpoint ------------------------------------------------------------------------------------


def save(trained: Trained, cfg: DensityConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    path = path or checkpoint_path(NAME)
    meta = {
        "name": NAME,
        "config": asdict(cfg),
        "smoothing": trained.baseline.k,
        "history": history,
        "metrics": metrics,
    }
    weights = {k: v.half() for k, v in trained.made.state_dict().items()}  # exact: training rounded them
    tensors = {**weights, "baseline_counts": trained.baseline.counts}
    save_checkpoint(path, tensors, meta)
    return path


def load(path: Path | None = None) -> tuple[Trained, dict]:
    tensors, meta = load_checkpoint(path or checkpoint_path(NAME), REBUILD)
    baseline = PixelHistogram(tensors.pop("baseline_counts").double(), meta["smoothing"])
    model = MADE(DensityConfig(**meta["config"]))
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    return Trained(model.eval().requires_grad_(False), baseline), meta


def evaluate(trained: Trained, data: bytes | dict[str, bytes] | None = None) -> dict:
    """Test bits per dimension of both models, or per image for an image file or a folder's files."""
    if data is None:
        x = load_levels()["test"][0]
        with torch.inference_mode():
            made = bits_per_dim(pixel_log_probs(trained.made, x))
        base = bits_per_dim(trained.baseline.pixel_log_probs(x))
        return {
            "bits_per_dim": round(float(made.mean()), 4),
            "baseline_bits_per_dim": round(float(base.mean()), 4),
            "n": len(x),
        }
    files = data if isinstance(data, dict) else {"image": data}
    rows = []
    for name, content in files.items():
        try:
            _, lp = image_bits_per_dim(trained, content)
            rows.append({"name": name, "bits_per_dim": round(float(bits_per_dim(lp)), 4)})
        except InputError as err:
            if not isinstance(data, dict):
                raise
            rows.append({"name": name, "error": str(err)})
    if not any("bits_per_dim" in r for r in rows):
        raise InputError("No file in the folder is a readable image.")
    return {"images": rows, "n": len(rows)}
