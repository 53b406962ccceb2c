"""Sub-word pieces for the pre-trained GPT: byte-level BPE (Sennrich et al., 2016; GPT-2's byte form).

A character model spends its capacity spelling; a piece model reads " wonderful" as one id, so a short
pre-training can spend itself on which words go together. Every byte string has an encoding (no unknown
id), so the probability of any text is defined, and it is reported per character to stay comparable with
the character GPT. Training the merges uses the `tokenizers` library; the merges travel in the checkpoint
as JSON (never a pickle).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers


class Pieces:
    """A byte-level BPE vocabulary: text -> ids and back."""

    def __init__(self, spec: str) -> None:
        self.spec = spec  # the tokenizer's JSON, as saved in the checkpoint
        self._tok = Tokenizer.from_str(spec)

    def __len__(self) -> int:
        return self._tok.get_vocab_size()

    def encode(self, text: str) -> torch.Tensor:
        return torch.tensor(self._tok.encode(text).ids, dtype=torch.long)

    def encode_many(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tok.encode_batch(list(texts))]

    def decode(self, ids: Iterable[int]) -> str:
        return self._tok.decode(list(ids))

    def piece(self, i: int) -> str:
        """The text of one id (may be part of a character's bytes: then it shows as a replacement mark)."""
        return self._tok.decode([i])


def train_pieces(texts: Iterable[str], vocab_size: int) -> Pieces:
    """Learn `vocab_size` byte-level BPE pieces from `texts` (all 256 bytes are always pieces)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator(texts, trainer)
    return Pieces(tok.to_str())
