"""Characters as ids: the vocabulary every character model (Markov, RNN, GPT) reads."""

from __future__ import annotations

from dataclasses import dataclass

import torch

UNKNOWN = "\ufffd"  # stands for every character the training text never had


@dataclass(frozen=True)
class CharVocab:
    """The training text's characters; index 0 is UNKNOWN."""

    chars: tuple[str, ...]

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        return cls((UNKNOWN, *sorted(set(text) - {UNKNOWN})))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        index = {c: i for i, c in enumerate(self.chars)}
        return torch.tensor([index.get(c, 0) for c in text], dtype=torch.long)
