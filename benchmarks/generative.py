"""The shipped GPT: sampling with the key/value cache against recomputing the context every token."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from benchmarks.harness import Row, interleaved_best
from engine.common.checkpoint import CheckpointError
from engine.gpt.data import START
from engine.gpt.model import Trained
from engine.gpt.sample import sample
from engine.gpt.train import load_gpt


def naive_sample(trained: Trained, prompt: str, length: int, seed: int = 0) -> str:
    """nanoGPT's sample.py loop: crop to the last `context` ids and run the whole window per token."""
    model, vocab = trained.model, trained.vocab
    ids = vocab.encode(START + prompt).tolist()
    generator = torch.Generator().manual_seed(seed)
    with torch.inference_mode():
        for _ in range(length):
            window = torch.tensor([ids[-model.cfg.context :]])
            probs = torch.softmax(model(window).logits[0, -1], -1)
            ids.append(int(torch.multinomial(probs, 1, generator=generator)))
    return "".join(vocab.chars[i] for i in ids)


def run(quick: bool) -> Iterator[Row]:
    try:
        trained = load_gpt().trained
    except CheckpointError as err:
        yield Row("gpt_sample_kv_vs_naive", 0.0, "skipped", note=str(err))
        return
    tokens = 200 if quick else 500
    prompt = "ROMEO:\nBut soft, what light"
    drawn, naive_text = list(sample(trained, prompt, tokens, seed=0)), naive_sample(trained, prompt, tokens)
    if (
        len(drawn) != tokens or len(naive_text) != len(START + prompt) + tokens
    ):  # both timed loops do what the note says
        raise RuntimeError(
            f"sampling drew {len(drawn)} and {len(naive_text) - len(START + prompt)} of {tokens} characters"
        )
    best = interleaved_best(
        {
            "cached": lambda: list(sample(trained, prompt, tokens, seed=0)),
            "naive": lambda: naive_sample(trained, prompt, tokens),
        },
        1 if quick else 4,
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
