"""A shared English-German subword vocabulary (byte-pair encoding with the `tokenizers` library).

Metaspace pre-tokenization marks word starts with ▁, so decoding restores the spaces exactly.
The tokenizer is saved as JSON inside the translator's checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]  # ids 0, 1, 2, 3
PAD, BOS, EOS, UNK = range(4)


def train_bpe(texts: Iterable[str], vocab_size: int, tags: Iterable[str] = ()) -> Tokenizer:
    """Learn merges on `texts` (both languages together); `tags` become single tokens after SPECIALS."""
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.NFC()
    # Words start with ▁; punctuation is split off without one, so "Tisch." and "Tisch" share a piece.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace(), pre_tokenizers.Punctuation(behavior="isolated")]
    )
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[*SPECIALS, *tags], min_frequency=2, show_progress=False
    )
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def from_json(text: str) -> Tokenizer:
    return Tokenizer.from_str(text)


def with_dropout(tokenizer: Tokenizer, p: float) -> Tokenizer:
    """A copy whose BPE skips each merge with probability p (BPE-dropout, Provilkov et al., 2020)."""
    if p <= 0:
        return tokenizer
    spec = json.loads(tokenizer.to_str())
    spec["model"]["dropout"] = p
    return Tokenizer.from_str(json.dumps(spec))


def tag_id(tokenizer: Tokenizer, tag: str) -> int | None:
    """The id of a source tag such as <ev>, or None for a tokenizer trained without tags."""
    return tokenizer.token_to_id(tag)


def encode(tokenizer: Tokenizer, text: str, max_len: int, tag: str | None = None) -> list[int]:
    """Token ids with </s> at the end (no <s>), cut to max_len; the tag's id first if the tokenizer has it."""
    first = tag_id(tokenizer, tag) if tag else None
    prefix = [] if first is None else [first]
    return [*prefix, *tokenizer.encode(text).ids[: max_len - 1 - len(prefix)], EOS]


def decode(tokenizer: Tokenizer, ids: list[int]) -> str:
    """Text of ids, stopping at </s>."""
    if EOS in ids:
        ids = ids[: ids.index(EOS)]
    return tokenizer.decode([i for i in ids if i > UNK or i == UNK])


def vocabulary(tokenizer: Tokenizer) -> list[str]:
    """Every piece by id (what the beam search guards read)."""
    return [tokenizer.id_to_token(i) or "" for i in range(tokenizer.get_vocab_size())]


def pieces(tokenizer: Tokenizer, ids: list[int]) -> list[str]:
    """The subword strings of ids, for axis labels."""
    return [tokenizer.id_to_token(i) or "?" for i in ids]
