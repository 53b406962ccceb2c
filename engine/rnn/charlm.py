"""Two next-character models of the same Shakespeare text.

The Markov (bigram) model is a first-order autoregressive model: the next character depends on the
current one only. The character RNN is a latent autoregressive model: its hidden state summarises
everything read so far. Both report bits per character on the same held-out scenes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from engine.common import corpora
from engine.common.charvocab import UNKNOWN, CharVocab
from engine.common.checkpoint import checkpoint_path, load_checkpoint, load_trained, save_trained
from engine.common.inputs import InputError, decode_text
from engine.common.metrics import bits_per_char
from engine.common.training import History, optimiser_step
from engine.rnn.elman import ElmanRNN

MAX_PREFIX_CHARS = 200  # characters of a typed prefix


def _user_text(data: bytes) -> str:
    text = decode_text(data, "text file")
    if len(text) < 2:
        raise InputError("The text needs at least two characters.", key="rnn.errors.short_text")
    return text


# --- Markov (bigram) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkovConfig:
    """Add-k smoothing, with k chosen on the validation scenes from this grid."""

    smoothing: tuple[float, ...] = (0.001, 0.01, 0.03, 0.1, 0.3, 1.0)  # candidate k values


class BigramModel:
    """P(next | current) = (count(current, next) + k) / (count(current) + k V); P(first) = unigram."""

    def __init__(self, vocab: CharVocab, counts: torch.Tensor, k: float) -> None:
        self.vocab, self.counts, self.k = vocab, counts, k
        smoothed = counts + k
        self.log_probs = torch.log(smoothed / smoothed.sum(1, keepdim=True))  # (V, V)

    def next_char_probs(self, prefix: str) -> torch.Tensor:
        """(V,) distribution of the character after `prefix` (after its last character only)."""
        last = self.vocab.encode(prefix[-1:])[0] if prefix else 0
        return self.log_probs[last].exp()

    def log_likelihoods(self, ids: torch.Tensor) -> torch.Tensor:
        """(N-1,) natural-log probability of each character given the one before it."""
        return self.log_probs[ids[:-1], ids[1:]]


def bigram_counts(ids: torch.Tensor, size: int) -> torch.Tensor:
    return torch.bincount(ids[:-1] * size + ids[1:], minlength=size * size).view(size, size).double()


def train_markov(cfg: MarkovConfig, progress: Callable | None = None) -> tuple[BigramModel, dict]:
    train_text, val_text = corpora.shakespeare_text("train"), corpora.shakespeare_text("val")
    vocab = CharVocab.from_text(train_text)
    counts = bigram_counts(vocab.encode(train_text), len(vocab))
    val_ids = vocab.encode(val_text)
    history = {"k": [], "val_bits_per_char": []}
    for i, k in enumerate(cfg.smoothing, start=1):
        bpc = bits_per_char(BigramModel(vocab, counts, k).log_likelihoods(val_ids))
        history["k"].append(k)
        history["val_bits_per_char"].append(round(bpc, 5))
        if progress:
            progress(i, len(cfg.smoothing), {"k": k, "val_bpc": bpc})
    best = cfg.smoothing[int(np.argmin(history["val_bits_per_char"]))]
    return BigramModel(vocab, counts, best), history


def save_markov(model: BigramModel, cfg: MarkovConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """Save as the `markov` checkpoint: the counts, the vocabulary and the chosen k."""
    meta = {
        "config": asdict(cfg),
        "chars": list(model.vocab.chars),
        "k": model.k,
        "history": history,
        "metrics": metrics,
    }
    return save_trained("markov", {"counts": model.counts}, meta, path)


def load_markov(path: Path | None = None) -> tuple[BigramModel, dict]:
    tensors, meta = load_checkpoint(path or checkpoint_path("markov"), "python -m engine.train markov")
    return BigramModel(CharVocab(tuple(meta["chars"])), tensors["counts"], meta["k"]), meta


def evaluate_markov(model: BigramModel, data: bytes | None = None) -> dict:
    text = corpora.shakespeare_text("test") if data is None else _user_text(data)
    lls = model.log_likelihoods(model.vocab.encode(text))
    return {"bits_per_char": round(bits_per_char(lls), 4), "n_chars": len(lls)}


# --- Character RNN ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CharRNNConfig:
    """Sizes and recipe of the character RNN; saved with the checkpoint."""

    d_embed: int = 48  # character embedding size
    hidden: int = 256  # hidden units of the Elman RNN
    seq_len: int = 100  # steps of backpropagation through time per batch
    streams: int = 64  # parallel streams of text in a batch (hidden state carried between batches)
    steps: int = 4000  # optimiser steps
    lr: float = 2e-3  # peak learning rate (one-cycle schedule)
    clip: float = 1.0  # gradient-norm clip, against exploding gradients
    seed: int = 0  # initialisation and stream offsets


class CharRNN(nn.Module):
    """Character embedding -> ElmanRNN -> next-character logits."""

    def __init__(self, vocab_size: int, cfg: CharRNNConfig) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, cfg.d_embed)
        self.rnn = ElmanRNN(cfg.d_embed, cfg.hidden)
        self.out = nn.Linear(cfg.hidden, vocab_size)

    def forward(self, ids: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T) ids -> (B, T, V) logits for the next character, (B, T, H) hidden states."""
        hidden = self.rnn(self.embed(ids), h0)
        return self.out(hidden), hidden


def _streams(ids: torch.Tensor, n: int) -> torch.Tensor:
    """(n, L) contiguous slices of the text, one per stream."""
    length = len(ids) // n
    return ids[: n * length].view(n, length)


@torch.inference_mode()
def char_rnn_log_likelihoods(model: CharRNN, ids: torch.Tensor, streams: int = 16, chunk: int = 256) -> torch.Tensor:
    """Natural-log probability of every character after the first of each stream (state carried)."""
    streams = max(1, min(streams, len(ids) // 64))
    data = _streams(ids, streams)
    h, out = None, []
    for start in range(0, data.shape[1] - 1, chunk):
        x = data[:, start : start + chunk]
        y = data[:, start + 1 : start + chunk + 1]
        logits, hidden = model(x[:, : y.shape[1]], h)
        h = hidden[:, -1]
        out.append(torch.log_softmax(logits, -1).gather(-1, y.unsqueeze(-1)).squeeze(-1))
        if y.shape[1] < x.shape[1]:
            break
    return torch.cat(out, dim=1).flatten()


@dataclass(frozen=True, eq=False)
class CharTrained:
    """A character RNN with the vocabulary it reads."""

    model: CharRNN
    vocab: CharVocab


def _char_rnn_step(model: CharRNN, x: torch.Tensor, y: torch.Tensor, h: torch.Tensor | None) -> tuple:
    """Loss of one (B, T) window and the last hidden state, detached: truncated backpropagation through time."""
    logits, hidden = model(x, h)
    return F.cross_entropy(logits.flatten(0, 1), y.flatten()), hidden[:, -1].detach()


def train_char_rnn(cfg: CharRNNConfig, progress: Callable | None = None) -> tuple[CharTrained, dict]:
    """Train on the training scenes with truncated BPTT; bits per character on the validation scenes ten times."""
    torch.manual_seed(cfg.seed)
    train_text, val_text = corpora.shakespeare_text("train"), corpora.shakespeare_text("val")
    vocab = CharVocab.from_text(train_text)
    data = _streams(vocab.encode(train_text), cfg.streams)
    val_ids = vocab.encode(val_text)[:40_000]
    model = CharRNN(len(vocab), cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=cfg.steps, pct_start=0.05)
    history = History("step", "train_bits_per_char", "val_bits_per_char")
    h, pos, running = None, 0, []
    report_every = max(1, cfg.steps // 10)
    for step in range(1, cfg.steps + 1):
        if pos + cfg.seq_len + 1 > data.shape[1]:
            h, pos = None, 0
        x, y = data[:, pos : pos + cfg.seq_len], data[:, pos + 1 : pos + cfg.seq_len + 1]
        pos += cfg.seq_len
        loss, h = _char_rnn_step(model, x, y, h)
        running.append(optimiser_step(loss, opt, sched, cfg.clip))
        if step % report_every == 0 or step == cfg.steps:
            model.eval()
            val_bpc = bits_per_char(char_rnn_log_likelihoods(model, val_ids))
            model.train()
            train_bpc = float(np.mean(running)) / math.log(2)
            running = []
            history.record(step=step, train_bits_per_char=train_bpc, val_bits_per_char=val_bpc)
            if progress:
                progress(step, cfg.steps, {"train_bpc": train_bpc, "val_bpc": val_bpc})
    model.eval()
    return CharTrained(model, vocab), history.as_dict()


def save_char_rnn(
    trained: CharTrained, cfg: CharRNNConfig, history: dict, metrics: dict, path: Path | None = None
) -> Path:
    """Save as the `char_rnn` checkpoint, with the vocabulary."""
    meta = {"config": asdict(cfg), "chars": list(trained.vocab.chars), "history": history, "metrics": metrics}
    return save_trained("char_rnn", trained.model.state_dict(), meta, path)


def load_char_rnn(path: Path | None = None) -> tuple[CharTrained, dict]:
    """The shipped character RNN (or the one at `path`) and its meta."""

    def build(meta: dict) -> CharRNN:
        return CharRNN(len(meta["chars"]), CharRNNConfig(**meta["config"]))

    model, meta = load_trained("char_rnn", "python -m engine.train char_rnn", build, path)
    return CharTrained(model, CharVocab(tuple(meta["chars"]))), meta


def evaluate_char_rnn(trained: CharTrained, data: bytes | None = None) -> dict:
    """Bits per character on the test scenes, or on a user's text."""
    text = corpora.shakespeare_text("test") if data is None else _user_text(data)
    lls = char_rnn_log_likelihoods(trained.model, trained.vocab.encode(text))
    return {"bits_per_char": round(bits_per_char(lls), 4), "n_chars": len(lls)}


@torch.inference_mode()
def char_rnn_next_probs(trained: CharTrained, prefix: str) -> torch.Tensor:
    """(V,) distribution of the character after `prefix`, the hidden state having read all of it."""
    logits, _ = trained.model(trained.vocab.encode(prefix or "\n").unsqueeze(0))
    return F.softmax(logits[0, -1], -1)


def next_char_table(vocab: CharVocab, probs: torch.Tensor) -> pd.DataFrame:
    """Columns char, prob, most likely first."""
    frame = pd.DataFrame({"char": list(vocab.chars), "prob": probs.double().numpy()})
    frame = frame[frame["char"] != UNKNOWN]
    return frame.sort_values("prob", ascending=False, ignore_index=True)


def next_char_frame(markov: BigramModel, char_rnn: CharTrained, prefix: str) -> pd.DataFrame:
    """Columns char, prob_bigram, prob_rnn: both next-character distributions after `prefix`, bigram's order."""
    bigram = next_char_table(markov.vocab, markov.next_char_probs(prefix))
    latent = next_char_table(char_rnn.vocab, char_rnn_next_probs(char_rnn, prefix))
    return bigram.merge(latent, on="char", suffixes=("_bigram", "_rnn"))


@dataclass(frozen=True, eq=False)
class CharModels:
    """The two shipped next-character models of the same Shakespeare text, with their metas."""

    markov: BigramModel
    char_rnn: CharTrained
    markov_meta: dict
    rnn_meta: dict


def load_char_models() -> CharModels:
    """Both shipped character models; CheckpointError if either is missing."""
    markov, markov_meta = load_markov()
    char_rnn, rnn_meta = load_char_rnn()
    return CharModels(markov, char_rnn, markov_meta, rnn_meta)
