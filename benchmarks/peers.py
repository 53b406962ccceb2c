"""Our GPT against Hugging Face `transformers` GPT-2 of the same shape, and scoring against the
machine's own float32 matmul peak."""

from __future__ import annotations

import time

import torch

from benchmarks.harness import Row, interleaved_best, time_calls

PROMPT_CHARS = 24
# The window is 128 characters; GPT-2's learned positions stop there too, so both generate inside it.
NEW_TOKENS = 100


def matmul_peak_flops(quick: bool) -> float:
    """Best float32 FLOP/s of a square matmul on this machine, with torch's current thread count."""
    best = 0.0
    for n in (512, 1024) if quick else (512, 1024, 2048):
        a, b = torch.randn(n, n), torch.randn(n, n)
        torch.mm(a, b)
        reps = max(2, int(2e9 / (2 * n**3)))
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(reps):
                torch.mm(a, b)
            best = max(best, reps * 2 * n**3 / (time.perf_counter() - start))
    return best


def forward_flops(model, tokens: int, batch: int) -> float:
    """Matmul FLOPs of one forward pass over `batch` windows of `tokens` ids (a causal model
    still multiplies the full square of scores; the fused kernel may skip the masked half)."""
    cfg = model.cfg
    d, layers = cfg.d_model, cfg.n_layer
    per_token = layers * (2 * d * 3 * d + 2 * d * d + 2 * 2 * d * 4 * d) + 2 * d * model.embed.num_embeddings
    attention = layers * 2 * 2 * tokens * tokens * d  # QK^T and AV
    return batch * (tokens * per_token + attention)


def hf_twin(model, vocab_size: int):
    """A randomly initialised `GPT2LMHeadModel` with our layers, heads, width, context and vocabulary."""
    from transformers import GPT2Config, GPT2LMHeadModel

    cfg = model.cfg
    config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=cfg.context,
        n_embd=cfg.d_model,
        n_layer=cfg.n_layer,
        n_head=cfg.n_head,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=0,
    )
    torch.manual_seed(0)
    return GPT2LMHeadModel(config).eval()


def hf_generate(twin, prompt_ids: torch.Tensor, new_tokens: int) -> None:
    with torch.inference_mode():
        twin.generate(
            prompt_ids,
            attention_mask=torch.ones_like(prompt_ids),
            do_sample=True,
            top_k=0,
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            use_cache=True,
        )


def run(quick: bool) -> list[Row]:
    from engine.common.checkpoint import CheckpointError
    from engine.gpt.data import START, modern_text
    from engine.gpt.sample import sample
    from engine.gpt.score import score_text
    from engine.gpt.train import load_gpt

    try:
        trained = load_gpt().trained
    except CheckpointError as err:
        return [Row("gpt_sample_vs_hf", 0.0, "skipped", note=str(err))]
    model, vocab = trained.model, trained.vocab
    rows = []
    prompt = "ROMEO:\nBut soft, what ligh"[: PROMPT_CHARS - 1]  # + the start symbol = PROMPT_CHARS ids
    repeats = 1 if quick else 5
    try:
        import transformers

        twin = hf_twin(model, len(vocab))
    except ImportError:
        ours = min(time_calls(lambda: list(sample(trained, prompt, NEW_TOKENS, seed=0)), repeats, warmup=0))
        rows.append(Row("gpt_sample_vs_hf", NEW_TOKENS / ours, "tokens/s", note="transformers not installed"))
    else:
        prompt_ids = vocab.encode(START + prompt)[None]
        hf_generate(twin, prompt_ids, 4)  # warm-up
        best = interleaved_best(
            {
                "ours": lambda: list(sample(trained, prompt, NEW_TOKENS, seed=0)),
                "theirs": lambda: hf_generate(twin, prompt_ids, NEW_TOKENS),
            },
            repeats,
        )
        ours, theirs = best["ours"], best["theirs"]

        rows.append(
            Row(
                "gpt_sample_vs_hf",
                NEW_TOKENS / ours,
                "tokens/s",
                NEW_TOKENS / theirs,
                theirs / ours,
                f"{PROMPT_CHARS}-id prompt, {NEW_TOKENS} new tokens, {torch.get_num_threads()} threads; baseline "
                f"transformers {transformers.__version__} GPT2LMHeadModel.generate (same shape, random weights, "
                "KV cache, sampling)",
            )
        )
    peak = matmul_peak_flops(quick)
    text = modern_text("test") + "\n"
    size = 10_000 if quick else 1_000_000
    text = (text * (size // len(text) + 1))[:size]
    (seconds,) = time_calls(lambda: score_text(trained, text), 1, warmup=0)
    context = model.cfg.context
    stride = context // 8
    windows = 1 + max(0, -(-(len(text) - context) // stride))
    achieved = forward_flops(model, context, windows) / seconds
    rows.append(
        Row(
            "gpt_score_chars_per_s",
            len(text) / seconds,
            "chars/s",
            note=f"{len(text):,} characters of modern test text, windows of {context} moved by {stride}",
        )
    )
    rows.append(
        Row(
            "gpt_score_peak_fraction",
            achieved / peak,
            "fraction",
            peak / 1e9,
            achieved / peak,
            f"achieved {achieved / 1e9:.1f} GFLOP/s (matmul FLOPs of every window) over a float32 matmul "
            f"peak of {peak / 1e9:.1f} GFLOP/s measured in this run (baseline column, GFLOP/s)",
        )
    )
    return rows
