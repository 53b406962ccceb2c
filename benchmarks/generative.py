"""The shipped GPT: sampling with the key/value cache against recomputing the context every token,
and density scoring speed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import torch

from benchmarks.harness import Row
from engine import gpt
from engine.checkpoint import CheckpointError

SCORED = "HAMLET:\nTo be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n"


def naive_sample(trained: tuple, prompt: str, length: int, seed: int = 0) -> str:
    """nanoGPT's sample.py loop: crop to the last `context` ids and run the whole window per token."""
    model, vocab = trained
    ids = vocab.encode(gpt.START + prompt).tolist()
    generator = torch.Generator().manual_seed(seed)
    with torch.inference_mode():
        for _ in range(length):
            window = torch.tensor([ids[-model.cfg.context :]])
            probs = torch.softmax(model(window).logits[0, -1], -1)
            ids.append(int(torch.multinomial(probs, 1, generator=generator)))
    return "".join(vocab.chars[i] for i in ids)


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(quick: bool) -> Iterator[Row]:
    try:
        trained, _ = gpt.load_gpt()
    except CheckpointError as err:
        yield Row("gpt_sample_kv_vs_naive", 0.0, "skipped", note=str(err))
        return
    tokens = 200 if quick else 500
    prompt = "ROMEO:\nBut soft, what light"
    cached = min(_seconds(lambda: list(gpt.sample(trained, prompt, tokens, seed=0))) for _ in range(2))
    naive = min(_seconds(lambda: naive_sample(trained, prompt, tokens)) for _ in range(2))
    yield Row(
        "gpt_sample_kv_vs_naive",
        tokens / cached,
        "tokens/s",
        tokens / naive,
        naive / cached,
        f"{tokens} characters; baseline recomputes the cropped window for every token (nanoGPT sample.py)",
    )
    text = SCORED * (20 if quick else 200)
    seconds = _seconds(lambda: gpt.score_text(trained, text))
    yield Row("gpt_score_chars_per_s", len(text) / seconds, "chars/s", note=f"{len(text):,} characters, stride 16")
