"""A shared English-German subword vocabulary (byte-pair encoding with the `tokenizers` library).

Metaspace pre-tokenization marks word starts with ▁, so decoding restores the spaces exactly.
The tokenizer is saved as JSON inside the translator's checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]  # ids 0, 1, 2, 3
PAD, BOS, EOS, UNK = range(4)


def train_bpe(texts: Iterable[str], vocab_size: int) -> Tokenizer:
    """Learn merges on `texts` (both languages together)."""
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.NFC()
    # Words start with ▁; punctuation is split off without one, so "Tisch." and "Tisch" share a piece.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace(), pre_tokenizers.Punctuation(behavior="isolated")]
    )
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, min_frequency=2, show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def from_json(text: str) -> Tokenizer:
    return Tokenizer.from_str(text)


def encode(tokenizer: Tokenizer, text: str, max_len: int) -> list[int]:
    """Token ids with </s> at the end (no <s>), cut to max_len."""
    return [*tokenizer.encode(text).ids[: max_len - 1], EOS]


def decode(tokenizer: Tokenizer, ids: list[int]) -> str:
    """Text of ids, stopping at </s>."""
    if EOS in ids:
        ids = ids[: ids.index(EOS)]
    return tokenizer.decode([i for i in ids if i > UNK or i == UNK])


def pieces(tokenizer: Tokenizer, ids: list[int]) -> list[str]:
    """The subword strings of ids, for axis labels."""
    return [tokenizer.id_to_token(i) or "?" for i in ids]
