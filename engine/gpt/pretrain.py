"""Pre-training a sub-word GPT on modern English, resumable across sittings, with what it buys recorded.

The page's character GPT learned Shakespeare's spelling, not the meaning a sentiment classifier needs. This
GPT reads byte-level BPE pieces (engine.gpt.pieces) of IMDB reviews, conversations, news and the sentiment
task's unlabelled training sentences, all through the leakage guard (engine.common.modern_corpora). Its
whole state is saved every few minutes (`--resume 1` continues); every evaluation records held-out bits
per character, a few-label linear probe and zero-shot accuracy (engine.gpt.probe); the state the
validation split liked best is shipped.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from engine.common.checkpoint import load_trained, save_trained
from engine.common.inputs import decode_text
from engine.common.training import optimiser_step
from engine.gpt import probe
from engine.gpt import train as gpt_train
from engine.gpt.data import modern_text
from engine.gpt.model import GPT, GPTConfig, Loaded, Trained
from engine.gpt.pieces import Pieces
from engine.gpt.pretrain_data import (  # noqa: F401 (the corpus's names, re-exported for callers and tests)
    CORPUS_FILE,
    _atomic_save,
    encode_corpus,
    parse_mix,
    prepare,
    training_documents,
    window_counts,
)
from engine.gpt.score import score_text

NAME = "gpt_pretrain"
REBUILD = "python -m engine.train gpt_pretrain"
STATE_FILE, CURVE_FILE = "state.pt", "curve.json"


@dataclass(frozen=True)
class PretrainConfig:
    """Sizes, corpus mix and schedule of the sub-word GPT; saved with the checkpoint."""

    minutes: float = 75.0  # training budget over all sittings (evaluation excluded); the cosine decays over it
    stop_at: str = ""  # "HH:MM" UTC: save and stop by then whatever the budget (empty: no deadline)
    resume: int = 0  # 1: continue from state_dir's saved state (weights, optimiser, schedule, generators)
    state_dir: str = "build/gpt_pretrain"  # where the resumable state, the encoded corpus and the live curve live
    mix: str = "imdb:0.55,vader:0.15,chitchat:0.1,news:0.1,bbc:0.1"  # share of each step's windows per source
    vocab_size: int = 8192  # byte-level BPE pieces
    n_layer: int = 4  # Transformer blocks
    n_head: int = 4  # attention heads per block
    d_model: int = 256  # width of the residual stream
    context: int = 64  # pieces read at once (a movie-review sentence is about 25)
    batch_size: int = 48  # windows per step
    lr: float = 1e-3  # peak learning rate (AdamW)
    min_lr: float = 1e-4  # learning rate at the end of the cosine decay
    warmup: int = 200  # linear warm-up steps
    weight_decay: float = 0.1  # AdamW weight decay on matrices
    save_minutes: float = 5.0  # training minutes between saved states
    eval_minutes: float = 10.0  # training minutes between probe / zero-shot / held-out evaluations
    max_steps: int = 0  # if > 0: stop after this many steps, decay over them, evaluate at the end only (tests)
    pause_at: int = 0  # if > 0: save the state and stop after this many steps, unfinished (resume later)
    probe_sizes: str = "100,500"  # label counts of the linear probe
    probe_seeds: int = 3  # label draws per probe size
    seed: int = 0  # initialisation and window order


def _deadline(stop_at: str) -> float | None:
    """Seconds since the epoch of the next `HH:MM` UTC (today's, or tomorrow's if it has passed)."""
    if not stop_at:
        return None
    now = dt.datetime.now(dt.UTC)
    hour, minute = (int(x) for x in stop_at.split(":"))
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return (at if at > now else at + dt.timedelta(days=1)).timestamp()


def _lr(cfg: PretrainConfig, step: int, fraction: float) -> float:
    cosine = cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * min(fraction, 1.0)))
    return cosine * min(1.0, (step + 1) / cfg.warmup)


class Run:
    """The model, optimiser, window generator and run record of one pre-training, saved and resumed as one."""

    def __init__(self, cfg: PretrainConfig, vocab_size: int) -> None:
        torch.manual_seed(cfg.seed)
        self.cfg = cfg
        self.model = GPT(vocab_size, model_config(cfg)).train()
        groups = gpt_train._decay_groups(self.model, cfg.weight_decay)
        self.opt = torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.99))
        self.rng = torch.Generator().manual_seed(cfg.seed)
        self.state = {"step": 0, "seconds": 0.0, "curve": [], "best": None, "best_score": float("-inf")}
        self.path = Path(cfg.state_dir) / STATE_FILE

    def resume(self) -> None:
        saved = torch.load(self.path, weights_only=False)  # our own file, written by save() below
        if saved["config"] != {k: v for k, v in asdict(self.cfg).items() if k in RECIPE}:
            raise ValueError(f"{self.path} was written by another recipe; remove it or pass --resume 0")
        self.model.load_state_dict(saved["model"])
        self.opt.load_state_dict(saved["opt"])
        self.rng.set_state(saved["rng"])
        torch.set_rng_state(saved["torch_rng"])
        self.state = saved["run"]

    def save(self) -> None:
        recipe = {k: v for k, v in asdict(self.cfg).items() if k in RECIPE}
        saved = {"model": self.model.state_dict(), "opt": self.opt.state_dict(), "rng": self.rng.get_state()}
        _atomic_save({**saved, "torch_rng": torch.get_rng_state(), "run": self.state, "config": recipe}, self.path)

    def fraction(self) -> float:
        cfg = self.cfg
        return self.state["step"] / cfg.max_steps if cfg.max_steps else self.state["seconds"] / (cfg.minutes * 60)

    def step(self, ids: dict[str, torch.Tensor], counts: dict[str, int]) -> float:
        tick = time.perf_counter()
        for group in self.opt.param_groups:
            group["lr"] = _lr(self.cfg, self.state["step"], self.fraction())
        n = self.cfg.context + 1
        batch = torch.cat(
            [
                torch.stack([ids[k][s : s + n] for s in torch.randint(0, len(ids[k]) - n, (c,), generator=self.rng)])
                for k, c in counts.items()
            ]
        ).long()
        logits = self.model(batch[:, :-1]).logits
        loss = F.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten())
        value = optimiser_step(loss, self.opt, clip=gpt_train.CLIP)
        self.state["step"] += 1
        self.state["seconds"] += time.perf_counter() - tick
        return value


RECIPE = tuple(k for k in PretrainConfig.__dataclass_fields__ if k not in ("minutes", "stop_at", "resume", "pause_at"))


def model_config(cfg: PretrainConfig) -> GPTConfig:
    return GPTConfig(n_layer=cfg.n_layer, n_head=cfg.n_head, d_model=cfg.d_model, context=cfg.context)


def _score_state(run: Run, pieces: Pieces, held: dict[str, str], evaluate: Callable | None, running: list) -> None:
    """Score the current state (held-out bits per character, probe, zero-shot), keep it if validation likes it best."""
    run.model.eval()
    row = {"step": run.state["step"], "train_seconds": round(run.state["seconds"], 1)}
    row["train_loss"] = round(sum(running) / len(running), 4) if running else None
    row.update({f"{k}_bits_per_char": round(probe.held_out_bits(run.model, pieces, v), 4) for k, v in held.items()})
    row.update(evaluate(run.model, pieces) if evaluate else {"val_score": -row["modern_bits_per_char"]})
    if row["val_score"] > run.state["best_score"]:
        run.state["best_score"], row["best"] = row["val_score"], True
        run.state["best"] = {k: v.clone() for k, v in run.model.state_dict().items()}
    run.state["curve"].append(row)
    Path(run.cfg.state_dir).mkdir(parents=True, exist_ok=True)
    (Path(run.cfg.state_dir) / CURVE_FILE).write_text(json.dumps(run.state["curve"], indent=1) + "\n")
    run.model.train()


def pretrain(cfg: PretrainConfig, corpus: dict, evaluate: Callable | None = None, progress: Callable | None = None):
    """Train (or resume) on the corpus in the mix's shares until the budget, deadline or pause; the best state."""
    run, pieces = Run(cfg, len(corpus["pieces"])), corpus["pieces"]
    if cfg.resume and run.path.is_file():
        run.resume()
    counts, deadline = window_counts(parse_mix(cfg.mix), cfg.batch_size), _deadline(cfg.stop_at)
    if not run.state["curve"]:
        _score_state(run, pieces, corpus["held"], evaluate, [])  # the random start: what the probe reads untrained
    running: list[float] = []
    last_save = last_eval = run.state["seconds"]
    while run.fraction() < 1 and (deadline is None or time.time() < deadline):
        if cfg.pause_at and run.state["step"] >= cfg.pause_at:
            run.save()
            return None, run.state
        running.append(run.step(corpus["ids"], counts))
        if not cfg.max_steps and run.state["seconds"] - last_eval >= cfg.eval_minutes * 60:
            _score_state(run, pieces, corpus["held"], evaluate, running)
            running, last_eval = [], run.state["seconds"]
        if not cfg.max_steps and run.state["seconds"] - last_save >= cfg.save_minutes * 60:
            run.save()
            last_save = run.state["seconds"]
        if progress and run.state["step"] % 50 == 0:
            progress(min(999, int(1000 * run.fraction())), 1000, {"step": run.state["step"], "loss": running[-1]})
    if running or run.state["curve"][-1]["step"] != run.state["step"]:
        _score_state(run, pieces, corpus["held"], evaluate, running)
    run.save()
    best = GPT(len(pieces), model_config(cfg))
    best.load_state_dict({k: v.half().float() for k, v in run.state["best"].items()})  # as shipped: half precision
    return best.eval().requires_grad_(False), run.state


def train(cfg: PretrainConfig, progress: Callable | None = None) -> tuple[Trained, dict]:
    """Build or reload the corpus, pre-train, return the best state and its history."""
    corpus = prepare(cfg)
    model, state = pretrain(cfg, corpus, probe.sentiment_evaluation(cfg.probe_sizes, cfg.probe_seeds), progress)
    if model is None:
        raise SystemExit(f"paused at step {state['step']}; continue with --resume 1")
    history = {
        "pretrain_curve": state["curve"],
        "steps": state["step"],
        "leakage_dropped": corpus["dropped"],
        "training_chars": corpus["chars"],
        "training_pieces": {k: len(v) for k, v in corpus["ids"].items()},
    }
    return Trained(model, corpus["pieces"]), history


def save(trained: Trained, cfg: PretrainConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """The checkpoint: half-precision weights; model config, pieces (JSON), recipe, history and metrics."""
    tensors = {k: v.half() for k, v in trained.model.state_dict().items()}
    meta = {"config": asdict(trained.model.cfg), "pieces": trained.vocab.spec, "recipe": asdict(cfg)}
    return save_trained(NAME, tensors, {**meta, "history": history, "metrics": metrics}, path)


def load(path: Path | None = None) -> Loaded:
    """The shipped sub-word GPT and its meta."""
    model, meta = load_trained(NAME, REBUILD, lambda m: GPT(len(Pieces(m["pieces"])), GPTConfig(**m["config"])), path)
    return Loaded(Trained(model, Pieces(meta["pieces"])), meta)


def evaluate(model: Trained, data: bytes | None = None) -> dict:
    """Bits per character of the held-out modern English (VADER validation snippets; with the character GPT's
    figure on the same text), or of a user's text."""
    text = modern_text("val") if data is None else decode_text(data, "text file")
    metrics = {"bits_per_char": round(probe.held_out_bits(model.model, model.vocab, text), 4), "n_chars": len(text)}
    if data is None:  # the page's character GPT on the same held-out text, for comparison
        metrics["char_gpt_bits_per_char"] = round(score_text(gpt_train.load_gpt().trained, text).bits_per_char, 4)
    return metrics


def record(path: Path | None = None) -> dict:
    """Score the held-out text again and write the figures into the checkpoint's meta (weights untouched)."""
    loaded = load(path)
    metrics = {**loaded.meta["metrics"], **evaluate(loaded.trained)}
    save(loaded.trained, PretrainConfig(**loaded.meta["recipe"]), loaded.meta["history"], metrics, path)
    return metrics
