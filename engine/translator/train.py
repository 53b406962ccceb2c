"""Training, saving, loading and scoring the English->German translators (Transformer and GRU baseline).

Both models see the same data, the same BPE vocabulary and the same wall-clock budget, and record
validation loss and BLEU against training seconds, so the page can compare them honestly. The two
kinds differ only in the model class, its config and its decoder (engine.translator.decode).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from tokenizers import Tokenizer
from torch import nn

from engine.common.checkpoint import CheckpointError, load_trained, save_trained
from engine.common.metrics import bleu, chrf
from engine.common.training import History, optimiser_step
from engine.translator import decode
from engine.translator.data import bpe
from engine.translator.data.batches import encode_pairs, teacher_forcing, token_batches
from engine.translator.data.pairs import evaluation_pairs, training_pairs
from engine.translator.gru import GRUConfig, GRUTranslator
from engine.translator.transformer import Transformer, TransformerConfig

__all__ = ["GRU", "TRANSFORMER", "Kind", "Shipped", "Trained", "TranslatorTraining", "load_shipped"]
MAX_LEN = 128  # tokens kept per side of a training pair (TransformerConfig.max_len)
VAL_TRANSLATED = 300  # validation sentences translated for the BLEU recorded during training


@dataclass(frozen=True)
class TranslatorTraining:
    """The shared recipe: data mixture, vocabulary, batches, schedule and budget."""

    vocab_size: int = 6000  # shared BPE vocabulary
    sentence_repeats: int = 3  # Ding example sentences are repeated this often per epoch
    phrases: int = 80000  # dictionary phrase pairs sampled per epoch (vocabulary)
    synthetic: int = 40000  # grammar pairs (engine.translator.data.grammar), training only
    batch_tokens: int = 3000  # target tokens per batch
    lr: float = 1e-3  # peak learning rate
    warmup: int = 800  # linear warm-up steps, then inverse square root decay
    label_smoothing: float = 0.1  # paper, §5.4
    minutes: float = 45.0  # wall-clock training budget (evaluation pauses excluded)
    eval_every: int = 500  # steps between validation loss/BLEU measurements
    average_last: int = 4  # average the weights of this many last evaluations (paper, §6.1)
    seed: int = 0


@dataclass(frozen=True)
class Trained:
    """A trained translator and the tokenizer it reads and writes."""

    model: nn.Module
    tokenizer: Tokenizer


def _transformer_logits(model: Transformer, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
    return model(src, tgt_in).logits


def _gru_logits(model: GRUTranslator, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
    return model(src, tgt_in)[0]


@dataclass(frozen=True)
class Kind:
    """One translator kind: train, save, load, translate and evaluate it."""

    name: str  # checkpoint name
    config: type  # model config dataclass (vocab_size is set from the tokenizer)
    build: Callable[..., nn.Module]  # config -> model
    greedy: Callable[[nn.Module, torch.Tensor], list[list[int]]]  # (B, S) sources -> output ids
    logits: Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]  # (src, tgt_in) -> (B, T, V)

    def loss(self, model: nn.Module, batch: list, label_smoothing: float = 0.1) -> torch.Tensor:
        """Label-smoothed cross-entropy of next target tokens (teacher forcing)."""
        src, tgt_in, tgt_out = teacher_forcing(batch)
        logits = self.logits(model, src, tgt_in)
        return F.cross_entropy(
            logits.flatten(0, 1), tgt_out.flatten(), ignore_index=bpe.PAD, label_smoothing=label_smoothing
        )

    def translate(self, trained: Trained, sentences: list[str]) -> list[str]:
        """Greedy translations of many sentences."""
        sources = [decode.source_ids(trained.tokenizer, s) for s in sentences]
        ids = decode.greedy_batches(self.greedy, trained.model, sources)
        return [bpe.decode(trained.tokenizer, x) for x in ids]

    def train(self, cfg: TranslatorTraining, progress: Callable | None = None) -> tuple[Trained, dict]:
        """A new model and tokenizer trained on the recipe's pairs; the weights rounded as they are shipped."""
        data = training_pairs(cfg.seed, cfg.sentence_repeats, cfg.phrases, cfg.synthetic)
        tokenizer = bpe.train_bpe((x for e, d in data[0] for x in (e, d)), cfg.vocab_size)
        model = self.build(self.config(vocab_size=tokenizer.get_vocab_size()))
        model, history = _fit(self, model, cfg, tokenizer, data, progress)
        # Shipped in float16: round now so the metrics recorded after training are the shipped model's.
        model.load_state_dict(
            {k: v.half().float() if v.is_floating_point() else v for k, v in model.state_dict().items()}
        )
        return Trained(model, tokenizer), history

    def save(
        self, trained: Trained, cfg: TranslatorTraining, history: dict, metrics: dict, path: Path | None = None
    ) -> Path:
        """Weights in float16 (half the size), with config, recipe, tokenizer, history and metrics."""
        meta = {
            "config": asdict(trained.model.cfg),
            "training": asdict(cfg),
            "weights_dtype": "float16",
            "tokenizer": trained.tokenizer.to_str(),
            "history": history,
            "metrics": metrics,
        }
        state = trained.model.state_dict()
        return save_trained(
            self.name, {k: v.half() if v.is_floating_point() else v for k, v in state.items()}, meta, path
        )

    def load(self, path: Path | None = None) -> tuple[Trained, dict]:
        """The checkpoint's model (float16 weights read into float32) and tokenizer, and its meta."""
        model, meta = load_trained(
            self.name, f"python -m engine.train {self.name}", lambda m: self.build(self.config(**m["config"])), path
        )
        return Trained(model, bpe.from_json(meta["tokenizer"])), meta

    def evaluate(self, trained: Trained, data: bytes | None = None) -> dict:
        """Corpus BLEU and chrF (sacrebleu defaults) on the Ding test sentences or a user's TSV."""
        pairs = evaluation_pairs(data)
        hyps = self.translate(trained, [e for e, _ in pairs])
        refs = [d for _, d in pairs]
        return {"bleu": round(bleu(hyps, refs), 2), "chrf": round(chrf(hyps, refs), 2), "n": len(pairs)}


TRANSFORMER = Kind("translator", TransformerConfig, Transformer, decode.greedy_transformer, _transformer_logits)
GRU = Kind("rnn_translator", GRUConfig, GRUTranslator, decode.greedy_gru, _gru_logits)


@dataclass(frozen=True)
class Shipped:
    """The shipped Transformer and its meta; the GRU baseline and its meta, or None if it is missing."""

    transformer: Trained
    meta: dict
    gru: Trained | None
    gru_meta: dict | None


def load_shipped() -> Shipped:
    """Both shipped translators; a missing GRU baseline is allowed (the page says how to rebuild it)."""
    transformer, meta = TRANSFORMER.load()
    try:
        recurrent, gru_meta = GRU.load()
    except CheckpointError:
        recurrent, gru_meta = None, None
    return Shipped(transformer, meta, recurrent, gru_meta)


def _validate(
    kind: Kind, model: nn.Module, tokenizer: Tokenizer, val: list, val_encoded: list, label_smoothing: float
) -> tuple[float, float]:
    """Validation loss (all pairs, label-smoothed as in training) and BLEU (the first VAL_TRANSLATED, greedy)."""
    model.eval()
    with torch.inference_mode():
        batches = token_batches(val_encoded, 4000, random.Random(0))
        val_loss = sum(kind.loss(model, b, label_smoothing).item() * len(b) for b in batches) / len(val_encoded)
        sources = [s for s, _ in val_encoded[:VAL_TRANSLATED]]
        hyps = [bpe.decode(tokenizer, ids) for ids in decode.greedy_batches(kind.greedy, model, sources)]
    return val_loss, bleu(hyps, [d for _, d in val[:VAL_TRANSLATED]])


def _average(model: nn.Module, snapshots: list[dict]) -> None:
    """Load the mean of the snapshots' weights into model (paper, §6.1)."""
    averaged = {k: sum(s[k].float() for s in snapshots) / len(snapshots) for k in snapshots[0]}
    model.load_state_dict({k: v.to(snapshots[-1][k].dtype) for k, v in averaged.items()})
    model.eval()


def _fit(kind: Kind, model: nn.Module, cfg: TranslatorTraining, tokenizer: Tokenizer, data: tuple, progress) -> tuple:
    """Adam with warm-up and inverse-square-root decay until the time budget runs out."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    train, val, _ = data
    encoded, val_encoded = encode_pairs(tokenizer, train, MAX_LEN), encode_pairs(tokenizer, val, MAX_LEN)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), eps=1e-9)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min((step + 1) / cfg.warmup, math.sqrt(cfg.warmup / (step + 1)))
    )
    snapshots: list[dict] = []  # the weights at the last `average_last` evaluations
    step, running, budget = 0, [], cfg.minutes * 60
    # `seconds` counts training time only: each evaluation pause moves the history's start forward.
    history = History("step", "train_loss", "val_loss", "val_bleu", digits=4)
    while True:
        for batch in token_batches(encoded, cfg.batch_tokens, rng):
            model.train()
            running.append(
                optimiser_step(kind.loss(model, batch, cfg.label_smoothing), opt, sched, 1.0, model.parameters())
            )
            step += 1
            elapsed = history.elapsed()
            done = elapsed >= budget
            if step % cfg.eval_every == 0 or done:
                t0 = time.perf_counter()
                val_loss, val_bleu = _validate(kind, model, tokenizer, val, val_encoded, cfg.label_smoothing)
                snapshots.append({k: v.detach().clone() for k, v in model.state_dict().items()})
                del snapshots[: -cfg.average_last]
                history.start += time.perf_counter() - t0
                history.record(step=step, train_loss=sum(running) / len(running), val_loss=val_loss, val_bleu=val_bleu)
                running = []
                if progress:
                    info = {"step": step, "val_loss": val_loss, "val_bleu": val_bleu}
                    progress(min(int(elapsed), int(budget)), int(budget), info)
            if done:
                _average(model, snapshots)
                return model, {**history.as_dict(), "averaged_checkpoints": len(snapshots)}
