"""A word-level Elman RNN: word + suffix + spelling features in, one output vector per step out.

The tagger reads an output at every step (many-to-many); the sentiment model reads only the last
step's (many-to-one). Unseen words still get their suffix and spelling features, and training
drops known words to <unk> now and then so the <unk> embedding is learned too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import torch
from torch import nn

from engine.rnn.elman import ElmanRNN
from engine.rnn.text import Vocab, word_shape

N_SHAPE = 5  # features from engine.rnn.text.word_shape


@dataclass(frozen=True)
class WordVocabs:
    """Lower-cased words and their last three and last two letters."""

    words: Vocab
    suffix3: Vocab
    suffix2: Vocab

    @classmethod
    def build(cls, sentences: list[list[str]], min_count: int, max_words: int) -> WordVocabs:
        lower = Counter(w.lower() for s in sentences for w in s)
        suffix3 = Counter(w.lower()[-3:] for s in sentences for w in s)
        suffix2 = Counter(w.lower()[-2:] for s in sentences for w in s)
        return cls(
            Vocab.build(lower, min_count, max_words), Vocab.build(suffix3, 2, 5000), Vocab.build(suffix2, 2, 2000)
        )

    def to_json(self) -> dict:
        return {
            "words": list(self.words.items),
            "suffix3": list(self.suffix3.items),
            "suffix2": list(self.suffix2.items),
        }

    @classmethod
    def from_json(cls, data: dict) -> WordVocabs:
        return cls(Vocab(tuple(data["words"])), Vocab(tuple(data["suffix3"])), Vocab(tuple(data["suffix2"])))

    def sizes(self) -> tuple[int, int, int]:
        return len(self.words), len(self.suffix3), len(self.suffix2)


@dataclass
class WordBatch:
    """Padded features of B sentences of at most T words."""

    words: torch.Tensor  # (B, T) word ids, 0 = padding
    suffix3: torch.Tensor  # (B, T)
    suffix2: torch.Tensor  # (B, T)
    shape: torch.Tensor  # (B, T, N_SHAPE (+1 with a lexicon)) spelling (and valence) features
    lengths: torch.Tensor  # (B,)

    def __len__(self) -> int:
        return len(self.lengths)


class Encoder:
    """Turns lists of words into WordBatches with a fixed set of vocabularies.

    With a lexicon (word -> valence in [-4, 4]), each word also gets its valence / 4 as a feature.
    """

    def __init__(self, vocabs: WordVocabs, lexicon: dict[str, float] | None = None) -> None:
        self.vocabs = vocabs
        self.lexicon = lexicon
        self._lookups = (vocabs.words.index(), vocabs.suffix3.index(), vocabs.suffix2.index())

    @property
    def n_features(self) -> int:
        """Spelling features (plus one for the lexicon valence)."""
        return N_SHAPE + (self.lexicon is not None)

    def __call__(self, sentences: list[list[str]]) -> WordBatch:
        steps = max(1, max(len(s) for s in sentences))
        batch = len(sentences)
        ids = torch.zeros(3, batch, steps, dtype=torch.long)
        shape = torch.zeros(batch, steps, self.n_features)
        for i, sentence in enumerate(sentences):
            lower = [w.lower() for w in sentence]
            for j, (vocab, lookup, keys) in enumerate(
                zip(
                    (self.vocabs.words, self.vocabs.suffix3, self.vocabs.suffix2),
                    self._lookups,
                    (lower, [w[-3:] for w in lower], [w[-2:] for w in lower]),
                    strict=True,
                )
            ):
                ids[j, i, : len(sentence)] = torch.tensor(vocab.encode(keys, lookup), dtype=torch.long)
            if sentence:
                rows = [word_shape(w) for w in sentence]
                if self.lexicon is not None:
                    rows = [[*r, self.lexicon.get(w, 0.0) / 4] for r, w in zip(rows, lower, strict=True)]
                shape[i, : len(sentence)] = torch.tensor(rows)
        lengths = torch.tensor([len(s) for s in sentences])
        return WordBatch(ids[0], ids[1], ids[2], shape, lengths)


@dataclass
class WordRNNOutput:
    """Everything the page draws: the inputs x_t, the hidden states h_t and the outputs y_t."""

    inputs: torch.Tensor  # (B, T, D)
    hidden: torch.Tensor  # (B, T, H)
    logits: torch.Tensor  # (B, T, C), an output at every step


class WordRNN(nn.Module):
    """Features -> ElmanRNN -> a linear read-out at every step."""

    def __init__(
        self, sizes: tuple[int, int, int], d_word: int, d_suffix: int, hidden: int, n_out: int, n_features: int
    ) -> None:
        super().__init__()
        n_words, n_suffix3, n_suffix2 = sizes
        self.word = nn.Embedding(n_words, d_word, padding_idx=0)
        self.suffix3 = nn.Embedding(n_suffix3, d_suffix, padding_idx=0)
        self.suffix2 = nn.Embedding(n_suffix2, d_suffix // 2, padding_idx=0)
        self.rnn = ElmanRNN(d_word + d_suffix + d_suffix // 2 + n_features, hidden)
        self.out = nn.Linear(hidden, n_out)

    def features(self, batch: WordBatch, word_dropout: float = 0.0) -> torch.Tensor:
        """(B, T, D) input vectors x_t."""
        words = batch.words
        if word_dropout > 0:
            drop = (torch.rand(words.shape) < word_dropout) & (words > Vocab.UNK)
            words = words.masked_fill(drop, Vocab.UNK)
        return torch.cat(
            [self.word(words), self.suffix3(batch.suffix3), self.suffix2(batch.suffix2), batch.shape], dim=-1
        )

    def forward(self, batch: WordBatch, word_dropout: float = 0.0, W_hh: torch.Tensor | None = None) -> WordRNNOutput:
        x = self.features(batch, word_dropout)
        hidden = self.rnn(x, W_hh=W_hh)
        return WordRNNOutput(x, hidden, self.out(hidden))


def last_step(values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(B, T, C) -> (B, C): each sentence's value at its own last word."""
    index = (lengths.clamp(min=1) - 1).view(-1, 1, 1).expand(-1, 1, values.shape[-1])
    return values.gather(1, index).squeeze(1)
