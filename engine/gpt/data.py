"""The GPT's text: Shakespeare plus a little modern English, the start convention, and random windows."""

from __future__ import annotations

import torch

from engine.common import corpora
from engine.common.charvocab import CharVocab

START = "\n"  # every text is scored and sampled as if it began a new line
HELD_OUT_CHARS = 60_000  # validation characters scored during pre-training


def modern_text(split: str) -> str:
    """Modern English for pre-training, all from the VADER study (no labels are used).

    The Amazon, editorial and tweet snippets of `split` (by a hash of the sentence), and the movie-review
    sentences of the sentiment task's own split `split` (engine.rnn.sentiment's 80/10/10 by hash), so the
    sentences the classifier is tested on are never read in pre-training.
    """
    lines = [
        t
        for name in ("amazon", "nyt", "tweets")
        for _, t in corpora.vader_snippets(name)
        if corpora.split_of(t) == split
    ]
    lines += [t for _, t in corpora.vader_snippets("movie") if corpora.split_of(t, 0.1, 0.1) == split]
    return "\n".join(lines) + "\n"


def windows(ids: torch.Tensor, count: int, length: int, rng: torch.Generator) -> torch.Tensor:
    """(count, length + 1) random runs of `ids`: inputs are [:, :-1], next-character targets [:, 1:]."""
    starts = torch.randint(0, len(ids) - length - 1, (count,), generator=rng)
    return torch.stack([ids[s : s + length + 1] for s in starts.tolist()])


def unigram_log_probs(vocab: CharVocab, text: str) -> torch.Tensor:
    """(V,) log p(character) from counts in `text`, add-one smoothed: the model with no context."""
    counts = torch.bincount(vocab.encode(text), minlength=len(vocab)).double() + 1
    return torch.log(counts / counts.sum()).float()


def pretraining_text(modern_share: float) -> tuple[str, str]:
    """The Shakespeare training scenes and the modern English mixed in (empty if its share is 0)."""
    return corpora.shakespeare_text("train"), modern_text("train") if modern_share > 0 else ""
