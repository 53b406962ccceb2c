"""A character-level GPT (Radford et al., 2018): a decoder-only Transformer language model.

Pre-trained generatively on the Shakespeare plays (plus a little modern English, see
`GPTConfig.modern_share`), it samples text with temperature, top-k and top-p, and scores any text:
log p(text) = sum_i log p(c_i | c_<i), each character conditioned on up to `context - 1` earlier
ones. Attention weights are returned in the output (never kept on the module: one cached model
serves every session); sampling caches past keys and values, so each new character costs one
position instead of the whole context.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.common import corpora
from engine.common.charvocab import CharVocab
from engine.common.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from engine.common.inputs import InputError, decode_text
from engine.common.metrics import bits_per_char

NAME = "gpt"
REBUILD = "python -m engine.train gpt"
START = "\n"  # every text is scored and sampled as if it began a new line


@dataclass(frozen=True)
class GPTConfig:
    """Sizes and recipe of the character GPT; saved with the checkpoint."""

    n_layer: int = 4  # Transformer blocks
    n_head: int = 6  # attention heads per block (d_model / n_head = 32 per head)
    d_model: int = 192  # width of the residual stream
    context: int = 128  # longest run of characters the model reads at once
    batch_size: int = 48  # windows of `context` characters per step
    lr: float = 2e-3  # peak learning rate (AdamW)
    min_lr: float = 1e-4  # learning rate at the end of the cosine decay
    warmup: int = 200  # linear warm-up steps
    weight_decay: float = 0.1  # AdamW weight decay on matrices (not on norms, biases, positions)
    minutes: float = 30.0  # wall-clock training budget (evaluation pauses excluded)
    max_steps: int = 0  # if > 0: stop after this many steps and decay over them instead of over time
    modern_share: float = 0.35  # share of windows drawn from modern English (VADER's snippets, unlabelled)
    eval_every: int = 250  # steps between validation scores
    seed: int = 0  # initialisation and window order


class GPTOutput(NamedTuple):
    logits: torch.Tensor  # (B, T, V) scores of the next character
    hidden: torch.Tensor  # (B, T, d) final residual stream after the last layer norm
    attentions: list[torch.Tensor]  # per layer (B, n_head, T, T_keys) if asked for, else empty


class CausalSelfAttention(nn.Module):
    """softmax(Q K^T / sqrt(d_k) + causal mask) V for n_head heads."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.n_head, self.d_k = cfg.n_head, cfg.d_model // cfg.n_head
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)

    def forward(
        self, x: torch.Tensor, cache: dict | None = None, need_weights: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        batch, length, width = x.shape
        qkv = F.linear(x, self.qkv.weight, self.qkv.bias)  # F.*, not module calls: decoding is per-call bound
        q, k, v = (t.view(batch, length, self.n_head, self.d_k).transpose(1, 2) for t in qkv.split(width, -1))
        if cache is not None:  # write into buffers sized for the whole context: no copy of the past per step
            n = cache.get("length", 0)
            if n == 0:
                shape = (batch, self.n_head, cache["context"], self.d_k)
                cache["k"], cache["v"] = k.new_empty(shape), v.new_empty(shape)
            cache["k"][:, :, n : n + length], cache["v"][:, :, n : n + length] = k, v
            cache["length"] = n + length
            k, v = cache["k"][:, :, : n + length], cache["v"][:, :, : n + length]
        keys = k.shape[2]
        past = keys - length  # queries sit at positions past .. keys-1
        if need_weights:
            scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)
            allowed = torch.ones(length, keys, dtype=torch.bool).tril(past)
            weights = scores.masked_fill(~allowed, float("-inf")).softmax(-1)
            y = weights @ v
        else:
            weights = None
            if length == 1:
                y = F.scaled_dot_product_attention(q, k, v)
            elif past == 0:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                allowed = torch.ones(length, keys, dtype=torch.bool).tril(past)
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        return F.linear(y.transpose(1, 2).reshape(batch, length, width), self.proj.weight, self.proj.bias), weights


class Block(nn.Module):
    """Pre-norm residual block: x + attention(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.attn = CausalSelfAttention(cfg)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(), nn.Linear(4 * cfg.d_model, cfg.d_model)
        )

    def forward(self, x: torch.Tensor, cache: dict | None, need_weights: bool):
        ln1, ln2, (fc, _, out) = self.ln1, self.ln2, self.mlp
        a, weights = self.attn.forward(
            F.layer_norm(x, ln1.normalized_shape, ln1.weight, ln1.bias, ln1.eps), cache, need_weights
        )
        x = x + a
        h = F.gelu(F.linear(F.layer_norm(x, ln2.normalized_shape, ln2.weight, ln2.bias, ln2.eps), fc.weight, fc.bias))
        return x + F.linear(h, out.weight, out.bias), weights


class GPT(nn.Module):
    """Character and position embeddings, n_layer blocks, a final norm, a head tied to the embedding."""

    def __init__(self, vocab_size: int, cfg: GPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(vocab_size, cfg.d_model)
        self.position = nn.Embedding(cfg.context, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.apply(self._init)
        for block in self.blocks:  # GPT-2: scale the residual projections by depth
            for proj in (block.attn.proj, block.mlp[2]):
                nn.init.normal_(proj.weight, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor, caches: list[dict] | None = None, need_weights: bool = False) -> GPTOutput:
        """(B, T) ids -> next-character logits; with caches, ids continue what the caches hold."""
        start = caches[0].get("length", 0) if caches else 0
        if start + ids.shape[1] > self.cfg.context:
            raise ValueError(f"{start + ids.shape[1]} positions exceed the context of {self.cfg.context}")
        x = self.embed(ids) + self.position(torch.arange(start, start + ids.shape[1]))
        attentions = []
        for i, block in enumerate(self.blocks):
            x, weights = block.forward(x, caches[i] if caches is not None else None, need_weights)
            if need_weights:
                attentions.append(weights)
        hidden = self.ln_f(x)
        return GPTOutput(hidden @ self.embed.weight.T, hidden, attentions)

    def new_caches(self) -> list[dict]:
        """One key/value cache per block, filled as ids are fed (at most `context` positions)."""
        return [{"context": self.cfg.context} for _ in self.blocks]


def unigram_log_probs(vocab: CharVocab, text: str) -> torch.Tensor:
    """(V,) log p(character) from counts in `text`, add-one smoothed: the model with no context."""
    counts = torch.bincount(vocab.encode(text), minlength=len(vocab)).double() + 1
    return torch.log(counts / counts.sum()).float()


# --- data ------------------------------------------------------------------------------------------


def modern_text(split: str) -> str:
    """Modern English for pre-training, all from the VADER study (no labels are used).

    The Amazon, editorial and tweet snippets of `split` (by a hash of the sentence), and the movie-review
    sentences of the sentiment task's own split `split` (engine.rnn.sentiment's 80/10/10 by hash), so the
    sentences the classifier is tested on are never read in pre-training.
    """
    lines = [
        t
        for name in ("amazon", "nyt", "tweets")
        for _, t in corpora.vader_snippets(name)
        if corpora.split_of(t) == split
    ]
    lines += [t for _, t in corpora.vader_snippets("movie") if corpora.split_of(t, 0.1, 0.1) == split]
    return "\n".join(lines) + "\n"


def _windows(ids: torch.Tensor, count: int, length: int, rng: torch.Generator) -> torch.Tensor:
    starts = torch.randint(0, len(ids) - length - 1, (count,), generator=rng)
    return torch.stack([ids[s : s + length + 1] for s in starts.tolist()])


def _decay_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and not n.startswith("position")]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and not n.startswith("position"))]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]


def train_gpt(cfg: GPTConfig, progress: Callable | None = None) -> tuple[tuple[GPT, CharVocab], dict]:
    """AdamW, warm-up then cosine decay over the time budget (or over max_steps)."""
    torch.manual_seed(cfg.seed)
    rng = torch.Generator().manual_seed(cfg.seed)
    train_text, val_text = corpora.shakespeare_text("train"), corpora.shakespeare_text("val")
    modern = modern_text("train") if cfg.modern_share > 0 else ""
    vocab = CharVocab.from_text(train_text + modern)
    shakespeare_ids, modern_ids = vocab.encode(train_text), vocab.encode(modern)
    val_ids = vocab.encode(START + val_text[:60_000])
    model = GPT(len(vocab), cfg)
    opt = torch.optim.AdamW(_decay_groups(model, cfg.weight_decay), lr=cfg.lr, betas=(0.9, 0.99))
    history: dict[str, list[float]] = {
        "step": [],
        "seconds": [],
        "train_loss": [],
        "val_loss": [],
        "val_bits_per_char": [],
    }
    budget = cfg.minutes * 60
    n_modern = round(cfg.batch_size * cfg.modern_share) if len(modern_ids) > cfg.context + 1 else 0
    step, trained, running = 0, 0.0, []
    while True:
        fraction = step / cfg.max_steps if cfg.max_steps else trained / budget
        if fraction >= 1:
            break
        lr = cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * min(fraction, 1.0)))
        for group in opt.param_groups:
            group["lr"] = lr * min(1.0, (step + 1) / cfg.warmup)
        tick = time.perf_counter()
        batch = _windows(shakespeare_ids, cfg.batch_size - n_modern, cfg.context, rng)
        if n_modern:
            batch = torch.cat([batch, _windows(modern_ids, n_modern, cfg.context, rng)])
        logits = model(batch[:, :-1]).logits
        loss = F.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        trained += time.perf_counter() - tick
        step += 1
        running.append(loss.item())
        done = (cfg.max_steps and step >= cfg.max_steps) or (not cfg.max_steps and trained >= budget)
        if step % cfg.eval_every == 0 or done:
            model.eval()
            val = -float(window_log_likelihoods(model, val_ids, stride=cfg.context).mean())
            model.train()
            for key, value in (
                ("step", step),
                ("seconds", trained),
                ("train_loss", sum(running) / len(running)),
                ("val_loss", val),
                ("val_bits_per_char", val / math.log(2)),
            ):
                history[key].append(round(float(value), 5))
            running = []
            if progress:
                total = cfg.max_steps or max(step + 1, round(step * budget / max(trained, 1e-9)))
                progress(min(step, total), total, {"val_loss": val, "lr": lr})
    model.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})  # as shipped: half precision
    model.eval()
    history["unigram_log_probs"] = [round(x, 5) for x in unigram_log_probs(vocab, train_text + modern).tolist()]
    return (model, vocab), history


# --- scoring ---------------------------------------------------------------------------------------


@torch.inference_mode()
def window_log_likelihoods(model: GPT, ids: torch.Tensor, stride: int | None = None, batch: int = 32) -> torch.Tensor:
    """(len(ids) - 1,) natural-log p(ids[t] | ids[s:t]) for t >= 1, in windows of `context` ids.

    The first window scores all its positions; each later window moves by `stride` and scores only
    its last `stride` positions, so every id after the first `context` is conditioned on at least
    `context - stride` earlier ones (stride 1: exactly context - 1, the most the model can read).
    """
    context = model.cfg.context
    stride = max(1, min(stride or context // 8, context))
    n = len(ids) - 1
    if n < 1:
        return torch.zeros(0)
    spans = [(0, min(context, n), 1)]  # (first input, end input, first target kept); targets s+1..end
    while spans[-1][1] < n:
        end = min(spans[-1][1] + stride, n)
        spans.append((end - context, end, spans[-1][1] + 1))
    out = torch.empty(n, dtype=torch.float32)
    for i in range(0, len(spans), batch):
        group = spans[i : i + batch]  # spans share one length
        logits = model(torch.stack([ids[s:e] for s, e, _ in group])).logits
        targets = torch.stack([ids[s + 1 : e + 1] for s, e, _ in group])
        lp = torch.log_softmax(logits.float(), -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        for (s, e, keep), row in zip(group, lp, strict=True):
            out[keep - 1 : e] = row[keep - 1 - s :]
    return out


class Score(NamedTuple):
    text: str
    log_likelihoods: torch.Tensor  # (len(text),) natural log of each character's probability
    known: torch.Tensor  # (len(text),) bool: the character is in the model's vocabulary

    @property
    def total_nats(self) -> float:
        return float(self.log_likelihoods.double().sum())

    @property
    def bits_per_char(self) -> float:
        return bits_per_char(self.log_likelihoods)

    @property
    def perplexity(self) -> float:
        return math.exp(-float(self.log_likelihoods.double().mean()))


def score_text(trained: tuple[GPT, CharVocab], text: str, stride: int | None = None) -> Score:
    """Log-likelihood of each character of `text` (which is read as starting a new line)."""
    model, vocab = trained
    if not text:
        raise InputError("There is no text to score.")
    chars = set(vocab.chars[1:])
    known = torch.tensor([c in chars for c in text])
    return Score(text, window_log_likelihoods(model, vocab.encode(START + text), stride), known)


# --- sampling --------------------------------------------------------------------------------------


def filter_probs(probs: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> tuple[torch.Tensor, float]:
    """Keep the top_k most likely, then the smallest head whose mass reaches top_p; renormalise.

    Returns the renormalised (V,) distribution and the probability mass that was cut away.
    """
    if not 0 < top_k < len(probs) and top_p >= 1.0:  # nothing to cut: skip the sort
        total = probs.sum()
        return probs / total, float(1 - total)
    keep = torch.ones_like(probs, dtype=torch.bool)
    order = torch.argsort(probs, descending=True, stable=True)
    if 0 < top_k < len(probs):
        keep[order[top_k:]] = False
    if top_p < 1.0:
        sorted_probs = torch.where(keep[order], probs[order], torch.zeros_like(probs))
        before = torch.cumsum(sorted_probs, 0) - sorted_probs  # mass of the more likely ones
        keep[order[before >= top_p * sorted_probs.sum()]] = False
        keep[order[0]] = True
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum(), float(1 - kept.sum())


@dataclass
class Step:
    """What the model did at one sampled position."""

    probs: torch.Tensor  # (V,) after temperature, before top-k/top-p
    sampled_from: torch.Tensor  # (V,) after top-k/top-p, renormalised
    cut_mass: float  # probability mass top-k/top-p removed
    chosen: int  # id of the character drawn
    attention: list[torch.Tensor] = field(default_factory=list)  # per layer (n_head, keys) of this position
    context: str = ""  # the characters the model could see, oldest first


def sample(
    trained: tuple[GPT, CharVocab],
    prompt: str,
    length: int,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int = 0,
    use_cache: bool = True,
    record: bool = False,
) -> Iterator[tuple[str, Step | None]]:
    """Yield each new character (and, if record, what the model saw and weighed), one at a time.

    The same seed gives the same text. When the window fills, the model keeps reading the last 3/4
    of the context (the cache is rebuilt from those characters); without the cache the same window
    is recomputed from scratch at every step, so both give the same text.
    """
    model, vocab = trained
    if temperature <= 0:
        raise InputError("Temperature must be above 0.")
    context, keep = model.cfg.context, model.cfg.context * 3 // 4
    ids = vocab.encode(START + prompt).tolist()
    start = max(0, len(ids) - context)  # the model reads ids[start:]
    generator = torch.Generator().manual_seed(seed)
    caches, fed = None, 0  # fed: ids already in the caches (counted from start)
    with torch.inference_mode():
        for _ in range(length):
            if len(ids) - start > context:
                start, caches = len(ids) - keep, None
            if use_cache:
                if caches is None:
                    caches, fed = model.new_caches(), 0
                out = model(torch.tensor([ids[start + fed :]]), caches, need_weights=record)
                fed = len(ids) - start
            else:
                out = model(torch.tensor([ids[start:]]), need_weights=record)
            logits = out.logits[0, -1].double() / temperature
            logits[0] = float("-inf")  # never write the stand-in for characters training never had
            probs = torch.softmax(logits, -1).float()
            kept, cut = filter_probs(probs, top_k, top_p)
            u = float(torch.rand((), generator=generator, dtype=torch.float64))
            mass = np.cumsum(kept.numpy(), dtype=np.float64)  # numpy: a few microseconds, not a few kernels
            chosen = min(int(np.searchsorted(mass, u * mass[-1])), len(kept) - 1)
            while kept[chosen] == 0:  # never land on a cut character through rounding
                chosen -= 1
            step = None
            if record:
                attention = [a[0, :, -1].clone() for a in out.attentions]
                step = Step(probs, kept, cut, chosen, attention, "".join(vocab.chars[i] for i in ids[start:]))
            ids.append(chosen)
            yield vocab.chars[chosen], step


def entropy_bits(probs: torch.Tensor) -> float:
    p = probs[probs > 0].double()
    return float(-(p * p.log2()).sum())


# --- checkpoint ------------------------------------------------------------------------------------


def save_gpt(trained, cfg: GPTConfig, history: dict, metrics: dict, path: Path | None = None) -> Path:
    model, vocab = trained
    path = path or checkpoint_path(NAME)
    meta = {"name": NAME, "config": asdict(cfg), "chars": list(vocab.chars), "history": history, "metrics": metrics}
    save_checkpoint(path, {k: v.half() for k, v in model.state_dict().items()}, meta)
    return path


def build(meta: dict, tensors: dict) -> tuple[GPT, CharVocab]:
    vocab = CharVocab(tuple(meta["chars"]))
    model = GPT(len(vocab), GPTConfig(**meta["config"]))
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    return model.eval().requires_grad_(False), vocab


def load_gpt(path: Path | None = None) -> tuple[tuple[GPT, CharVocab], dict]:
    tensors, meta = load_checkpoint(path or checkpoint_path(NAME), REBUILD)
    return build(meta, tensors), meta


def evaluate_gpt(trained, data: bytes | None = None) -> dict:
    """Bits per character on the held-out Shakespeare scenes, or on a user's text file."""
    text = corpora.shakespeare_text("test") if data is None else decode_text(data, "text file")
    score = score_text(trained, text)
    metrics = {
        "bits_per_char": round(score.bits_per_char, 4),
        "nats_per_char": round(score.bits_per_char * math.log(2), 4),
        "n_chars": len(text),
    }
    if data is None:  # the same held-out scenes under the model with no context at all
        vocab = trained[1]
        unigram = unigram_log_probs(vocab, corpora.shakespeare_text("train") + modern_text("train"))
        metrics["unigram_bits_per_char"] = round(bits_per_char(unigram[vocab.encode(text)]), 4)
    return metrics


# --- make it yours ---------------------------------------------------------------------------------

MIN_ADAPT_CHARS = 500  # shortest text a copy is fine-tuned on (90% to train, 10% to measure)


@dataclass
class Adapted:
    """A fine-tuned copy and what the fine-tune measured on the user's held-out tail."""

    trained: tuple[GPT, CharVocab]
    losses: list[float]  # training loss (nats per character) at every step
    before_bpc: float  # bits per character of the held-out 10% before fine-tuning
    after_bpc: float  # ... and after


def adapt(
    trained: tuple[GPT, CharVocab],
    text: str,
    steps: int,
    lr: float = 1e-3,
    batch_size: int = 16,
    seed: int = 0,
    on_step: Callable[[int, int, float], None] | None = None,
) -> Adapted:
    """Fine-tune a deep copy on `text` (the shared model is never touched) for `steps` steps."""
    if len(text) < MIN_ADAPT_CHARS:
        raise InputError(f"Fine-tuning needs at least {MIN_ADAPT_CHARS} characters; this text has {len(text)}.")
    base, vocab = trained
    model = GPT(len(vocab), base.cfg)
    model.load_state_dict(base.state_dict())
    cut = int(len(text) * 0.9)
    train_ids, held_ids = vocab.encode(START + text[:cut]), vocab.encode(START + text[cut:])
    length = min(model.cfg.context, len(train_ids) - 2)
    before = bits_per_char(window_log_likelihoods(model.eval(), held_ids, stride=model.cfg.context))
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    losses = []
    model.train()
    for step in range(1, steps + 1):
        for group in opt.param_groups:
            group["lr"] = lr * min(1.0, step / 10) * (1 - (step - 1) / steps)
        batch = _windows(train_ids, batch_size, length, rng)
        loss = F.cross_entropy(model(batch[:, :-1]).logits.flatten(0, 1), batch[:, 1:].flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if on_step:
            on_step(step, steps, losses[-1])
    model.eval().requires_grad_(False)
    after = bits_per_char(window_log_likelihoods(model, held_ids, stride=model.cfg.context))
    return Adapted((model, vocab), losses, before, after)
