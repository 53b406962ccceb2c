"""The GPT among simpler character models: bits per character by how much context each one uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch

from engine.common.metrics import bits_per_char
from engine.gpt import model as gpt

MAX_LADDER_CHARS = 5_000  # longest text the comparison reads live


@dataclass(frozen=True)
class Rung:
    """One character model of the ladder: its name, its held-out figure and how it scores a text."""

    name: str
    held_out_bits_per_char: float | None
    log_likelihoods: Callable[[str], torch.Tensor]  # text -> (len(text),) natural-log p of each character


def gpt_rungs(trained: tuple, meta: dict, log_likelihoods: torch.Tensor | None = None) -> list[Rung]:
    """The unigram model (no context) and the GPT; `log_likelihoods`: the GPT's score if the caller has it."""
    vocab = trained[1]
    unigram = torch.tensor(meta["history"]["unigram_log_probs"])
    known = log_likelihoods
    return [
        Rung("unigram (no context)", meta["metrics"].get("unigram_bits_per_char"), lambda t: unigram[vocab.encode(t)]),
        Rung(
            f"GPT (attention over {trained[0].cfg.context} characters)",
            meta["metrics"]["bits_per_char"],
            lambda t: gpt.score_text(trained, t).log_likelihoods if known is None else known,
        ),
    ]


def ladder(text: str, rungs: list[Rung]) -> pd.DataFrame:
    """Columns model, text, bits per char: every rung on the held-out scenes and on text[:MAX_LADDER_CHARS]."""
    text = text[:MAX_LADDER_CHARS]
    out = []
    for rung in rungs:
        lls = rung.log_likelihoods(text)
        out.append(
            {"model": rung.name, "text": "held-out Shakespeare scenes", "bits per char": rung.held_out_bits_per_char}
        )
        out.append({"model": rung.name, "text": "your text", "bits per char": bits_per_char(lls) if len(lls) else None})
    return pd.DataFrame(out)
