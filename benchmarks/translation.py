"""The shipped Transformer translator: greedy decoding per test sentence, with and without the
key/value cache (as the page translates: one sentence at a time); the shipped decoding (beam 4 with its
guards) on 10-word sentences; the checkpoint's size on disk."""

from __future__ import annotations

import statistics
import time

import torch

from benchmarks.harness import Row

# Ten words each, written for this benchmark (not from any test split).
TEN_WORDS = [
    "My sister and I are going to the market tomorrow.",
    "The old man next door feeds the birds every day.",
    "Could you please tell me where the nearest station is?",
    "We did not have enough time to visit the museum.",
    "After dinner the children usually read a book in bed.",
]


def shipped_decoding(quick: bool) -> list[Row]:
    """Median milliseconds of the page's first translation for a 10-word sentence, and the checkpoint's MB."""
    from engine.common.checkpoint import checkpoint_path
    from engine.translator.train import TRANSFORMER

    trained, _ = TRANSFORMER.load()
    sentences = TEN_WORDS[:2] if quick else TEN_WORDS
    assert all(len(s.split()) == 10 for s in sentences)
    TRANSFORMER.best_ids(trained, sentences[0])  # warm-up
    times = []
    for sentence in sentences * (1 if quick else 3):
        start = time.perf_counter()
        TRANSFORMER.best_ids(trained, sentence)
        times.append(time.perf_counter() - start)
    size = sum(checkpoint_path("translator").with_suffix(x).stat().st_size for x in (".safetensors", ".json"))
    return [
        Row(
            "translator_shipped_decoding_ms",
            1000 * statistics.median(times),
            "ms",
            note=f"{TRANSFORMER.decoding}; median over {len(times)} runs on {len(sentences)} 10-word sentences, "
            f"{torch.get_num_threads()} threads",
        ),
        Row("translator_checkpoint_mb", size / 2**20, "MB", note="translator.safetensors + translator.json"),
    ]


def run(quick: bool) -> list[Row]:
    from engine.common.checkpoint import CheckpointError
    from engine.translator import decode
    from engine.translator.data.batches import pad
    from engine.translator.train import TRANSFORMER

    try:
        trained, _ = TRANSFORMER.load()
    except (CheckpointError, OSError) as err:  # no checkpoint
        return [Row("translator_greedy_ms", 0.0, "skipped", note=str(err).splitlines()[0])]
    model = trained.model
    sentences = TEN_WORDS * (1 if quick else 5)
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
        for src in sources[: len(TEN_WORDS)]:
            if decode.greedy_transformer(model, src) != decode.greedy_transformer(model, src, use_cache=False):
                raise RuntimeError("cached and uncached greedy decoding differ")
    cached, uncached = per_sentence(True), per_sentence(False)
    cached_ms, uncached_ms = 1000 * statistics.median(cached), 1000 * statistics.median(uncached)
    note = f"median over {len(sentences)} greedy decodes of {len(TEN_WORDS)} 10-word sentences, one at a time"
    return [
        *shipped_decoding(quick),
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
