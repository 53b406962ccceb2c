"""The translator's data: batches pad as the model expects, tagged pairs start with their tag, BPE-dropout
changes only the training encodes, and the benchmark skips (not crashes) without a checkpoint."""

import random

import torch

from benchmarks import translation as benchmark
from engine.translator.data import batches, bpe
from engine.translator.data.tags import DICTIONARY, EVERYDAY, TAGS


def test_teacher_forcing_shifts_the_target_by_one():
    src, tgt_in, tgt_out = batches.teacher_forcing([([5, 6, 2], [7, 2]), ([8, 2], [9, 10, 11, 2])])
    assert src.tolist() == [[5, 6, 2], [8, 2, bpe.PAD]]
    assert tgt_in.tolist() == [[bpe.BOS, 7, 2, 0], [bpe.BOS, 9, 10, 11]]
    assert tgt_out.tolist() == [[7, 2, 0, 0], [9, 10, 11, 2]]
    assert batches.pad([[1], [2, 3]], prefix=[4]).dtype == torch.long


def test_token_batches_keep_every_pair_once_within_the_budget():
    rng = random.Random(0)
    encoded = [([4] * rng.randint(1, 9), [5] * rng.randint(1, 9)) for _ in range(200)]
    made = batches.token_batches(encoded, 60, random.Random(1))
    assert sorted(map(str, (p for b in made for p in b))) == sorted(map(str, encoded))
    for b in made:
        longest = max(max(len(s), len(t)) for s, t in b)
        assert len(b) == 1 or len(b) * longest * 2 <= 60


def test_benchmark_skips_without_a_checkpoint(monkeypatch):
    from engine.common.checkpoint import CheckpointError
    from engine.translator.train import TRANSFORMER, Kind

    def missing(self, path=None):
        raise CheckpointError(
            "assets/translator.safetensors is missing; rebuild it with: python -m engine.train translator"
        )

    monkeypatch.setattr(Kind, "load", missing)
    (row,) = benchmark.run(quick=True)
    assert row.unit == "skipped" and "python -m engine.train translator" in row.note
    assert TRANSFORMER.name == "translator"


def test_tagged_pairs_start_with_their_tag_and_dropout_only_varies_training_encodes():
    texts = ["The book is on the table.", "Das Buch ist auf dem Tisch."] * 30
    tokenizer = bpe.train_bpe(texts, 80, TAGS)
    assert [bpe.tag_id(tokenizer, t) for t in TAGS] == [4, 5, 6]  # right after <pad> <s> </s> <unk>
    (src, tgt), (src2, _) = batches.encode_tagged(
        tokenizer, [(EVERYDAY, texts[0], texts[1]), (DICTIONARY, "x", "y")], 64
    )
    assert src[0] == 4 and src2[0] == 5 and src[-1] == bpe.EOS and tgt[-1] == bpe.EOS
    assert src[1:-1] == tokenizer.encode(texts[0]).ids and tgt[:-1] == tokenizer.encode(texts[1]).ids
    assert bpe.encode(tokenizer, texts[0], 64, EVERYDAY) == src  # how the page and the CLI read a sentence
    noisy = bpe.with_dropout(tokenizer, 0.5)
    cuts = {tuple(noisy.encode(texts[0]).ids) for _ in range(20)}
    assert len(cuts) > 1 and {tuple(tokenizer.encode(texts[0]).ids)} == {
        tuple(tokenizer.encode(texts[0]).ids) for _ in range(5)
    }
    assert all(bpe.decode(tokenizer, list(c)) == texts[0] for c in cuts)  # every cut spells the same text
    assert bpe.with_dropout(tokenizer, 0.0) is tokenizer
