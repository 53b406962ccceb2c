"""The shipped GPT: sampling with the key/value cache against recomputing the context every token."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from benchmarks.harness import Row, interleaved_best
from engine.common.checkpoint import CheckpointError
from engine.gpt import model as gpt


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


def run(quick: bool) -> Iterator[Row]:
    try:
        trained, _ = gpt.load_gpt()
    except CheckpointError as err:
        yield Row("gpt_sample_kv_vs_naive", 0.0, "skipped", note=str(err))
        return
    tokens = 200 if quick else 500
    prompt = "ROMEO:\nBut soft, what light"
    best = interleaved_best(
        {
            "cached": lambda: list(gpt.sample(trained, prompt, tokens, seed=0)),
            "naive": lambda: naive_sample(trained, prompt, tokens),
        },
        2 if quick else 4,
    )
    cached, naive = best["cached"], best["naive"]
    yield Row(
        "gpt_sample_kv_vs_naive",
        tokens / cached,
        "tokens/s",
        tokens / naive,
        naive / cached,
        f"{tokens} characters; baseline recomputes the cropped window for every token (nanoGPT sample.py)",
    )
