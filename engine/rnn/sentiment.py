"""Many-to-one: positive or negative from the RNN's output at the last word only.

Trained on the 10,605 movie-review sentences of the VADER study (Hutto & Gilbert, 2014), each
rated by about 20 people on a -4..4 scale. A sentence with mean rating above +0.5 is positive,
below -0.5 negative; the neutral middle is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from engine.common import corpora
from engine.common.corpora import LABELS, NEUTRAL_BAND
from engine.common.inputs import InputError, decode_text, parse_labelled_lines
from engine.rnn.text import tokenize
from engine.rnn.train import Item, Trained, WordRNNConfig, batches, load_word_rnn, save_word_rnn, train_word_rnn
from engine.rnn.words import Encoder, WordRNN, last_step

NAME = "sentiment"
REBUILD = "python -m engine.train sentiment"


@dataclass(frozen=True)
class SentimentConfig(WordRNNConfig):
    """Sizes and recipe of the sentiment RNN; saved with the checkpoint."""

    d_suffix: int = 16  # suffix-3 embedding size (suffix-2 gets half)
    hidden: int = 96  # hidden units of the Elman RNN
    epochs: int = 12  # passes over the training sentences
    lr: float = 2e-3  # peak learning rate (one-cycle schedule)
    weight_decay: float = 1e-2  # AdamW weight decay (the data set is small)
    word_dropout: float = 0.2  # share of known words replaced by <unk> in training
    lexicon: int = 1  # 1: each word also carries its VADER lexicon valence as an input feature
    step_loss_weight: float = 1.0  # weight of the every-step loss that helps gradients reach early words


def split_items(split: str) -> list[Item]:
    """Tokenized movie-review sentences of one split (by a hash of the sentence) with 0/1 labels."""
    return [(tokenize(text), label) for text, label in corpora.movie_review_split(split)]


def _loss_fn(step_weight: float):
    """Cross-entropy of the last step's output, plus `step_weight` times that of every earlier step.

    The judgement is read from the last step only; the extra term (deep supervision) gives every
    step a short path for its gradient, which a plain tanh RNN otherwise loses over a long sentence.
    """

    def loss(model: WordRNN, batch, targets: list[int], word_dropout: float) -> torch.Tensor:
        logits = model(batch, word_dropout).logits  # (B, T, 2)
        gold = torch.tensor(targets)
        final = F.cross_entropy(last_step(logits, batch.lengths), gold)
        if step_weight == 0:
            return final
        mask = torch.arange(logits.shape[1])[None, :] < batch.lengths[:, None]  # (B, T)
        per_step = F.cross_entropy(logits.transpose(1, 2), gold[:, None].expand_as(mask), reduction="none")
        return final + step_weight * (per_step * mask).sum() / mask.sum()

    return loss


@torch.inference_mode()
def accuracy(model: WordRNN, encoder: Encoder, items: Sequence[Item]) -> float:
    """Share of sentences whose last-step prediction is the reference label."""
    right = 0
    for group in batches(items, 256):
        batch = encoder([w for w, _ in group])
        predicted = last_step(model(batch).logits, batch.lengths).argmax(-1)
        right += int((predicted == torch.tensor([t for _, t in group])).sum())
    return right / max(len(items), 1)


def train(cfg: SentimentConfig, progress: Callable | None = None) -> tuple[Trained, dict]:
    """Train on the training sentences, keeping the epoch best on the validation sentences."""
    lexicon = corpora.vader_lexicon() if cfg.lexicon else None
    return train_word_rnn(
        cfg,
        split_items("train"),
        split_items("val"),
        len(LABELS),
        _loss_fn(cfg.step_loss_weight),
        accuracy,
        progress,
        lexicon,
    )


def save(trained: Trained, cfg: SentimentConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    """Save as the `sentiment` checkpoint, with the label names and the neutral band left out."""
    return save_word_rnn(NAME, trained, cfg, history, metrics, {"labels": LABELS, "neutral_band": NEUTRAL_BAND}, path)


def load(path: Path | None = None) -> tuple[Trained, dict]:
    """The shipped sentiment model (or the one at `path`) and its meta."""
    return load_word_rnn(NAME, REBUILD, SentimentConfig, len(LABELS), path)


def parse_labelled_tsv(text: str) -> list[Item]:
    """`pos|neg<TAB>sentence` per line, tokenized; blank lines are skipped."""
    items = []
    for sentence, label, number in parse_labelled_lines(text, numbered=True):
        words = tokenize(sentence)
        if not words:
            raise InputError("Line {number}: the sentence has no words.", key="rnn.errors.line_no_words", number=number)
        items.append((words, label))
    return items


def evaluate(trained: Trained, data: bytes | None = None) -> dict:
    """Accuracy on the held-out test sentences, or on a user's labelled TSV."""
    items = split_items("test") if data is None else parse_labelled_tsv(decode_text(data, "data file"))
    return {"accuracy": round(accuracy(trained.model, trained.encoder, items), 4), "n": len(items)}


@torch.inference_mode()
def positive_after_each_word(trained: Trained, words: list[str]) -> list[float]:
    """P(positive) read out after each word; the last one is the model's judgement."""
    return F.softmax(trained.model(trained.encoder([words])).logits[0], dim=-1)[:, 1].tolist()
