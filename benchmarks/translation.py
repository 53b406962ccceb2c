"""The shipped Transformer translator: greedy decoding per test sentence, with and without the
key/value cache (as the page translates: one sentence at a time)."""

from __future__ import annotations

import statistics
import time

import torch

from benchmarks.harness import Row


def run(quick: bool) -> list[Row]:
    from engine.common.checkpoint import CheckpointError
    from engine.translator import ding
    from engine.translator import models as mt_models
    from engine.translator import transformer as tf
    from engine.translator.train import pad

    try:
        (model, tokenizer), _ = mt_models.load_transformer()
        sentences = [english for english, _ in ding.sentence_pairs("test")]
    except (CheckpointError, OSError) as err:
        return [Row("translator_greedy_ms", 0.0, "skipped", note=str(err).splitlines()[0])]
    sentences = sentences[:: max(1, len(sentences) // (20 if quick else 100))]
    sources = [pad([mt_models.source_ids(tokenizer, s)]) for s in sentences]

    def per_sentence(use_cache: bool) -> list[float]:
        times = []
        with torch.inference_mode():
            tf.greedy(model, sources[0], use_cache=use_cache)  # warm-up
            for src in sources:
                start = time.perf_counter()
                tf.greedy(model, src, use_cache=use_cache)
                times.append(time.perf_counter() - start)
        return times

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
