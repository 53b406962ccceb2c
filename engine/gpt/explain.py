"""Tables that explain the GPT: one sampled step's candidates, a text's per-character score, texts to
compare it with, and the ladder of character models by how much context each one uses."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

from engine.common.inputs import decode_text
from engine.common.metrics import bits_per_char
from engine.gpt.model import Trained
from engine.gpt.sample import Step
from engine.gpt.score import Score, score_text

MAX_LADDER_CHARS = 5_000  # longest text the comparison reads live
MAX_SCORE_CHARS = 20_000  # longest text scored on the page (the rest of a file is left out, with a note)
MAX_ADAPT_CHARS = 200_000  # longest text a copy is fine-tuned on
CANDIDATES = 15  # most likely characters shown for one step
HELD_OUT = "held-out Shakespeare scenes"
YOUR_TEXT = "your text"
COMPARISON_TEXTS = {
    k: v for k, v in json.loads((Path(__file__).parent / "comparison_texts.json").read_text()).items() if k[0] != "_"
}


def candidates(trained: Trained, step: Step, count: int = CANDIDATES) -> pd.DataFrame:
    """The `count` most likely characters at one step: probability, whether kept or drawn."""
    order = torch.argsort(step.probs, descending=True, stable=True)[:count].tolist()
    status = ["drawn" if i == step.chosen else "kept" if step.sampled_from[i] > 0 else "cut away" for i in order]
    return pd.DataFrame(
        {
            "char": [trained.vocab.chars[i] for i in order],
            "probability": [float(step.probs[i]) for i in order],
            "probability after top-k/top-p": [float(step.sampled_from[i]) for i in order],
            "status": status,
        }
    )


def attention_frame(step: Step, layer: int, head: int) -> pd.DataFrame:
    """Columns position, char, attention: where the newest position of one step looked (layer, head from 1)."""
    weights = step.attention[layer - 1][head - 1]
    return pd.DataFrame(
        {
            "position": range(len(step.context)),
            "char": list(step.context),
            "attention": weights[: len(step.context)].double().numpy(),
        }
    )


def read_upload(data: bytes, cap: int) -> tuple[str, str | None]:
    """A validated text file, cut to `cap` characters; the note says if it was cut."""
    text = decode_text(data, "text file")  # refuses empty and white-space-only files
    if len(text) > cap:
        return text[:cap], f"The file has {len(text):,} characters; only the first {cap:,} are used."
    return text, None


def score_frame(score: Score) -> pd.DataFrame:
    """One row per character: its log-probability and surprisal."""
    ll = score.log_likelihoods.double().numpy()
    return pd.DataFrame(
        {
            "position": range(len(score.text)),
            "char": list(score.text),
            "known": score.known.numpy(),
            "log_prob_nats": ll,
            "surprisal_bits": -ll / math.log(2),
        }
    )


def shuffled(text: str, seed: int = 0) -> str:
    chars = list(text)
    random.Random(seed).shuffle(chars)
    return "".join(chars)


def comparison_texts(text: str) -> dict[str, str]:
    """The user's text and three others to place it among."""
    return {YOUR_TEXT: text, "your text, shuffled": shuffled(text), **COMPARISON_TEXTS}


def comparison_frame(scores: dict[str, Score]) -> pd.DataFrame:
    """Columns text, bits per char, characters: one row per scored text."""
    return pd.DataFrame(
        [{"text": name, "bits per char": s.bits_per_char, "characters": len(s.text)} for name, s in scores.items()]
    )


@dataclass(frozen=True)
class Rung:
    """One character model of the ladder: its name, its held-out figure and how it scores a text."""

    name: str
    held_out_bits_per_char: float | None
    log_likelihoods: Callable[[str], torch.Tensor]  # text -> (len(text),) natural-log p of each character


def gpt_rungs(trained: Trained, meta: dict, log_likelihoods: torch.Tensor | None = None) -> list[Rung]:
    """The unigram model (no context) and the GPT; `log_likelihoods`: the GPT's score if the caller has it."""
    vocab, unigram, known = trained.vocab, torch.tensor(meta["history"]["unigram_log_probs"]), log_likelihoods
    return [
        Rung("unigram (no context)", meta["metrics"].get("unigram_bits_per_char"), lambda t: unigram[vocab.encode(t)]),
        Rung(
            f"GPT (attention over {trained.model.cfg.context} characters)",
            meta["metrics"]["bits_per_char"],
            lambda t: score_text(trained, t).log_likelihoods if known is None else known,
        ),
    ]


def ladder(text: str, rungs: list[Rung]) -> pd.DataFrame:
    """Columns model, text, bits per char: every rung on the held-out scenes and on text[:MAX_LADDER_CHARS]."""
    text = text[:MAX_LADDER_CHARS]
    out = []
    for rung in rungs:
        lls = rung.log_likelihoods(text)
        out.append({"model": rung.name, "text": HELD_OUT, "bits per char": rung.held_out_bits_per_char})
        out.append({"model": rung.name, "text": YOUR_TEXT, "bits per char": bits_per_char(lls) if len(lls) else None})
    return pd.DataFrame(out)
