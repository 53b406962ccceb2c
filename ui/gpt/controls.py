"""The GPT page's controls: one limits table (URL validation and widgets) and the two sampling settings."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from engine.gpt.model import Trained
from engine.gpt.score import least_context
from engine.gpt.train import ADAPT_BATCH
from ui.widgets import Limit, mirror_to_url, slider

MAX_PROMPT_CHARS = 500  # longest prompt (and longest one read from the URL)
MAX_URL_TEXT = 2_000  # longest text to score that is mirrored into (and read from) the URL
MAX_REVIEW_CHARS = 300  # longest sentence for the classifier
MAX_ADAPT_PROMPT_CHARS = 200  # longest prompt for the original and the fine-tuned copy
DEFAULT_PROMPT = "ROMEO:\nBut soft, what light"
DEFAULT_SCORE_TEXT = "The quick brown fox jumps over the lazy dog, and the dog does not mind at all."
DEFAULT_REVIEW = "A warm, funny and beautifully acted film."
SIDES = {"a": (0.8, 1.0), "b": (1.2, 0.9)}  # each setting's default temperature and top-p (top-k off)


def limits(trained: Trained) -> dict[str, Limit]:
    """Every numeric control of the page by URL parameter (or widget name), from the model where it sets them."""
    table = {
        "n": Limit(20, 1000, 300, 10),
        "seed": Limit(0, 2**31 - 1, 0, 1),
        "pos": Limit(1, 1000, 12, 1),  # upper end: the sample's length
        "steps": Limit(10, 300, 100, 10),
        "adapt_seed": Limit(0, 2**31 - 1, 0, 1),
        "adapt_chars": Limit(20, 1000, 300, 10),  # characters sampled from the original and the copy
    }
    for side, (temperature, top_p) in SIDES.items():
        table[f"t{side}"] = Limit(0.1, 2.0, temperature, 0.05)
        table[f"k{side}"] = Limit(0, len(trained.vocab), 0)
        table[f"p{side}"] = Limit(0.05, 1.0, top_p, 0.05)
    return table


@dataclass(frozen=True)
class Setting:
    """One column of sampling controls."""

    temperature: float
    top_k: int
    top_p: float

    def label(self) -> str:
        k = f"top-k {self.top_k}" if self.top_k else "no top-k"
        p = f"top-p {self.top_p:g}" if self.top_p < 1 else "no top-p"
        return f"temperature {self.temperature:g}, {k}, {p}"


def setting_controls(side: str, table: dict[str, Limit]) -> Setting:
    """Temperature, top-k and top-p sliders of setting `side` ("a" or "b"), mirrored to the URL."""
    t = slider(
        "Temperature",
        f"gpt.t_{side}",
        f"t{side}",
        table[f"t{side}"],
        help="Divides the logits: <1 sharper, >1 flatter.",
    )
    k = slider(
        "Top-k (0 = off)",
        f"gpt.k_{side}",
        f"k{side}",
        table[f"k{side}"],
        help="Keep only the k most likely characters.",
    )
    p = slider(
        "Top-p (1 = off)",
        f"gpt.p_{side}",
        f"p{side}",
        table[f"p{side}"],
        help="Keep the most likely characters until their mass reaches p (nucleus sampling).",
    )
    mirror_to_url({f"t{side}": t, f"k{side}": k, f"p{side}": p})
    return Setting(t, k, p)


def two_settings(table: dict[str, Limit]) -> tuple[Setting, Setting]:
    """Settings A and B side by side."""
    chosen = []
    for side, col in zip(SIDES, st.columns(2), strict=True):
        with col:
            st.markdown(f"**Setting {side.upper()}**")
            chosen.append(setting_controls(side, table))
    return chosen[0], chosen[1]


def least_context_of(trained: Trained) -> int:
    """Earlier characters every scored character sees at least, in the page's sliding windows."""
    return least_context(trained.model.cfg.context)


def adapt_steps_label(trained: Trained) -> str:
    return f"Fine-tuning steps ({ADAPT_BATCH} windows of {trained.model.cfg.context} characters each)"
