"""The translator's data: the generated grammar is pinned to its seed, batches pad as the model expects,
and the benchmark skips (not crashes) without the Ding dictionary."""

import hashlib
import json
import random

import torch

from benchmarks import translation as benchmark
from engine.common.corpora import CorpusError
from engine.translator.data import batches, bpe, ding, grammar

# sha256 of json.dumps(synthetic_pairs(2000, 0)), taken before the word lists moved to grammar.json:
# the same seed must keep giving the same training pairs.
PAIRS_2000_SEED_0 = "645c0d59a591ca7cd45ffbd846051f170465b5b615a618bdf2e5261201b69503"


def test_synthetic_pairs_are_pinned_to_their_seed():
    pairs = grammar.synthetic_pairs(2000, 0)
    assert hashlib.sha256(json.dumps(pairs).encode()).hexdigest() == PAIRS_2000_SEED_0
    assert pairs[:2] != grammar.synthetic_pairs(2, 1)


def test_every_template_is_used_and_ends_like_a_sentence():
    rng = random.Random(3)
    pairs = [grammar.sentence_pair(rng) for _ in range(600)]
    assert any(e.endswith("?") for e, _ in pairs) and any(", dass " in d for _, d in pairs)
    assert all(e[-1] in ".?" and d[-1] == e[-1] for e, d in pairs)


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


def test_benchmark_skips_without_the_dictionary(monkeypatch):
    def missing():
        raise CorpusError("/usr/share/trans/de-en is missing; install it with: sudo apt-get install -y trans-de-en")

    monkeypatch.setattr(ding, "ding_pairs", missing)
    (row,) = benchmark.run(quick=True)
    assert row.unit == "skipped" and "trans-de-en" in row.note
