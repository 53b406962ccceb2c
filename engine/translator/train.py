"""Training and decoding for the English->German translators (Transformer and GRU baseline).

Both models see the same data, the same BPE vocabulary and the same wall-clock budget, and record
validation loss and BLEU against elapsed seconds, so the page can compare them honestly.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer

from engine.common.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from engine.common.inputs import InputError, decode_text
from engine.common.metrics import bleu, chrf
from engine.translator import bpe, ding, grammar


@dataclass(frozen=True)
class TranslatorTraining:
    """The shared recipe: data mixture, vocabulary, batches, schedule and budget."""

    vocab_size: int = 6000  # shared BPE vocabulary
    sentence_repeats: int = 3  # Ding example sentences are repeated this often per epoch
    phrases: int = 80000  # dictionary phrase pairs sampled per epoch (vocabulary)
    synthetic: int = 40000  # grammar pairs (engine.translator.grammar), training only
    batch_tokens: int = 3000  # target tokens per batch
    lr: float = 1e-3  # peak learning rate
    warmup: int = 800  # linear warm-up steps, then inverse square root decay
    label_smoothing: float = 0.1  # paper, §5.4
    minutes: float = 45.0  # wall-clock training budget (evaluation pauses excluded)
    eval_every: int = 500  # steps between validation loss/BLEU measurements
    average_last: int = 4  # average the weights of this many last evaluations (paper, §6.1)
    seed: int = 0


def training_pairs(
    cfg: TranslatorTraining,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, val, test) English-German pairs; val and test are held-out Ding sentences only."""
    rng = random.Random(cfg.seed)
    pairs = ding.ding_pairs()
    sentences = [(e, d) for e, d, k in pairs if k == "sentence"]
    split = {p: ding.sentence_split(p[0]) for p in sentences}
    held = {p[0].lower() for p, s in split.items() if s != "train"}
    phrases = [(e, d) for e, d, k in pairs if k == "phrase" and e.lower() not in held]
    train = [p for p in sentences if split[p] == "train"] * cfg.sentence_repeats
    train += rng.sample(phrases, min(cfg.phrases, len(phrases)))
    train += grammar.synthetic_pairs(cfg.synthetic, cfg.seed)
    rng.shuffle(train)
    return train, [p for p in sentences if split[p] == "val"], [p for p in sentences if split[p] == "test"]


def encode_pairs(tokenizer: Tokenizer, pairs: list[tuple[str, str]], max_len: int) -> list[tuple[list[int], list[int]]]:
    src = tokenizer.encode_batch([e for e, _ in pairs])
    tgt = tokenizer.encode_batch([d for _, d in pairs])
    return [([*s.ids[: max_len - 1], bpe.EOS], [*t.ids[: max_len - 2], bpe.EOS]) for s, t in zip(src, tgt, strict=True)]


def token_batches(encoded: list, batch_tokens: int, rng: random.Random) -> list[list]:
    """Batches of pairs of similar length holding about batch_tokens target+source tokens each."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]), rng.random()))
    batches, current, longest = [], [], 0
    for i in order:
        longest = max(longest, len(encoded[i][0]), len(encoded[i][1]))
        if current and (len(current) + 1) * longest * 2 > batch_tokens:
            batches.append(current)
            current, longest = [], max(len(encoded[i][0]), len(encoded[i][1]))
        current.append(encoded[i])
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def pad(seqs: list[list[int]], prefix: list[int] | None = None) -> torch.Tensor:
    prefix = prefix or []
    width = max(len(s) for s in seqs) + len(prefix)
    out = torch.full((len(seqs), width), bpe.PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(prefix) + len(s)] = torch.tensor(prefix + s)
    return out


def train_translator(
    kind: str,
    model: torch.nn.Module,
    loss_of_batch: Callable[[torch.nn.Module, list], torch.Tensor],
    translate_batch: Callable[[torch.nn.Module, list[list[int]]], list[list[int]]],
    cfg: TranslatorTraining,
    tokenizer: Tokenizer,
    data: tuple,
    progress: Callable | None = None,
) -> tuple[torch.nn.Module, dict]:
    """Adam with warm-up and inverse-square-root decay until the time budget runs out."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    train, val, _ = data
    encoded = encode_pairs(tokenizer, train, 128)
    val_encoded = encode_pairs(tokenizer, val, 128)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), eps=1e-9)
    schedule = lambda step: min((step + 1) / cfg.warmup, math.sqrt(cfg.warmup / (step + 1)))  # noqa: E731
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    history: dict[str, list[float]] = {"step": [], "seconds": [], "train_loss": [], "val_loss": [], "val_bleu": []}
    snapshots: list[dict] = []
    start, step, budget = time.perf_counter(), 0, cfg.minutes * 60
    running: list[float] = []
    eval_seconds = 0.0
    while True:
        for batch in token_batches(encoded, cfg.batch_tokens, rng):
            model.train()
            loss = loss_of_batch(model, batch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            running.append(loss.item())
            elapsed = time.perf_counter() - start - eval_seconds  # training time only
            done = elapsed >= budget
            if step % cfg.eval_every == 0 or done:
                t0 = time.perf_counter()
                model.eval()
                with torch.inference_mode():
                    val_loss = sum(
                        loss_of_batch(model, b).item() * len(b)
                        for b in token_batches(val_encoded, 4000, random.Random(0))
                    ) / len(val_encoded)
                    hyps = [
                        bpe.decode(tokenizer, ids) for ids in translate_batch(model, [s for s, _ in val_encoded[:300]])
                    ]
                val_bleu = bleu(hyps, [d for _, d in val[:300]])
                for key, value in (
                    ("step", step),
                    ("seconds", elapsed),
                    ("train_loss", sum(running) / len(running)),
                    ("val_loss", val_loss),
                    ("val_bleu", val_bleu),
                ):
                    history[key].append(round(float(value), 4))
                running = []
                snapshots = ([*snapshots, {k: v.detach().clone() for k, v in model.state_dict().items()}])[
                    -cfg.average_last :
                ]
                eval_seconds += time.perf_counter() - t0
                if progress:
                    progress(
                        min(int(elapsed), int(budget)),
                        int(budget),
                        {"step": step, "val_loss": val_loss, "val_bleu": val_bleu},
                    )
            if done:
                averaged = {k: sum(s[k].float() for s in snapshots) / len(snapshots) for k in snapshots[0]}
                model.load_state_dict({k: v.to(snapshots[-1][k].dtype) for k, v in averaged.items()})
                model.eval()
                history["averaged_checkpoints"] = len(snapshots)
                return model, history


def parse_pairs_tsv(text: str) -> list[tuple[str, str]]:
    """`english<TAB>german` per line; blank lines skipped."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise InputError(f"Line {number}: expected english<TAB>german, found no tab.")
        english, german = (x.strip() for x in line.split("\t", 1))
        if not english or not german:
            raise InputError(f"Line {number}: {'the English' if not english else 'the German'} side is empty.")
        pairs.append((english, german))
    if not pairs:
        raise InputError("The file has no sentence pairs.")
    return pairs


def save_translator(
    name: str,
    model: torch.nn.Module,
    model_cfg: Any,
    train_cfg: TranslatorTraining,
    tokenizer: Tokenizer,
    history: dict,
    metrics: dict,
    path: Path | None,
) -> Path:
    path = path or checkpoint_path(name)
    meta = {
        "name": name,
        "config": asdict(model_cfg),
        "training": asdict(train_cfg),
        "weights_dtype": "float16",
        "tokenizer": tokenizer.to_str(),
        "history": history,
        "metrics": metrics,
    }
    # Shipped in float16 (half the size; the model is rounded to it before evaluation, see mt_models.train).
    save_checkpoint(path, {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}, meta)
    return path


def load_translator(name: str, path: Path | None, build: Callable[[dict], torch.nn.Module]) -> tuple[Any, dict]:
    tensors, meta = load_checkpoint(path or checkpoint_path(name), f"python -m engine.train {name}")
    model = build(meta["config"])
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in tensors.items()})
    model.eval().requires_grad_(False)
    return (model, bpe.from_json(meta["tokenizer"])), meta


def evaluate_translations(translate_all: Callable[[list[str]], list[str]], data: bytes | None) -> dict:
    """Corpus BLEU and chrF (sacrebleu defaults) on the Ding test sentences or a user's TSV."""
    pairs = ding.sentence_pairs("test") if data is None else parse_pairs_tsv(decode_text(data, "data file"))
    hyps = translate_all([e for e, _ in pairs])
    refs = [d for _, d in pairs]
    return {"bleu": round(bleu(hyps, refs), 2), "chrf": round(chrf(hyps, refs), 2), "n": len(pairs)}
