"""The shipped Transformer translator: greedy decoding per test sentence, with and without the
key/value cache (as the page translates: one sentence at a time)."""

from __future__ import annotations

import statistics
import time

import torch

from benchmarks.harness import Row


def run(quick: bool) -> list[Row]:
    from engine.common.checkpoint import CheckpointError
    from engine.common.corpora import CorpusError
    from engine.translator import decode
    from engine.translator.data import ding
    from engine.translator.data.batches import pad
    from engine.translator.train import TRANSFORMER

    try:
        trained, _ = TRANSFORMER.load()
        sentences = [english for english, _ in ding.sentence_pairs("test")]
    except (CheckpointError, CorpusError, OSError) as err:  # no checkpoint, or no Ding dictionary (trans-de-en)
        return [Row("translator_greedy_ms", 0.0, "skipped", note=str(err).splitlines()[0])]
    model = trained.model
    sentences = sentences[:: max(1, len(sentences) // (20 if quick else 100))]
    sources = [pad([decode.source_ids(trained.tokenizer, s)]) for s in sentences]

    def per_sentence(use_cache: bool) -> list[float]:
        times = []
        with torch.inference_mode():
            decode.greedy_transformer(model, sources[0], use_cache=use_cache)  # warm-up
            for src in sources:
                start = time.perf_counter()
                decode.greedy_transformer(model, src, use_cache=use_cache)
                times.append(time.perf_counter() - start)
        return times

    with torch.inference_mode():  # the two timed decodings must agree, or the ratio compares different work
        for src in sources:
            if decode.greedy_transformer(model, src) != decode.greedy_transformer(model, src, use_cache=False):
                raise RuntimeError("cached and uncached greedy decoding differ")
    cached, uncached = per_sentence(True), per_sentence(False)
    cached_ms, uncached_ms = 1000 * statistics.median(cached), 1000 * statistics.median(uncached)
    note = f"median over {len(sentences)} held-out Ding sentences, one at a time, up to 60 tokens"
    return [
        Row("translator_greedy_ms", cached_ms, "ms", note=note + ", key/value cache"),
        Row(
            "translator_cached_vs_uncached",
            uncached_ms / cached_ms,
            "ratio",
            uncached_ms,
            uncached_ms / cached_ms,
            "uncached median ms (baseline column) over cached: the decoder re-reads every earlier output token "
            "at each step without the cache",
        ),
    ]
