"""The GPT page's controls: one limits table (URL validation and widgets) and the two sampling settings."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from engine.gpt.model import Trained
from engine.gpt.score import least_context
from engine.gpt.train import ADAPT_BATCH
from ui.text import raw, t, t_in
from ui.widgets import Limit, mirror_to_url, slider

MAX_PROMPT_CHARS = 500  # longest prompt (and longest one read from the URL)
MAX_URL_TEXT = 2_000  # longest text to score that is mirrored into (and read from) the URL
MAX_REVIEW_CHARS = 300  # longest sentence for the classifier
MAX_ADAPT_PROMPT_CHARS = 200  # longest prompt for the original and the fine-tuned copy
# What the models read by default: English in every language (the models read English).
DEFAULT_PROMPT = raw("ROMEO:\nBut soft, what light")
DEFAULT_SCORE_TEXT = raw("The quick brown fox jumps over the lazy dog, and the dog does not mind at all.")
DEFAULT_REVIEW = raw("A warm, funny and beautifully acted film.")
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

    def label(self, lang: str = "en") -> str:
        """For example "temperature 0.8, no top-k, top-p 0.9", in `lang` (the samples' CSV keeps English)."""
        k = t_in(lang, "gpt.settings.top_k_on", k=self.top_k) if self.top_k else t_in(lang, "gpt.settings.top_k_off")
        top_p = self.top_p < 1
        p = t_in(lang, "gpt.settings.top_p_on", p=self.top_p) if top_p else t_in(lang, "gpt.settings.top_p_off")
        return t_in(lang, "gpt.settings.label", t=self.temperature, k=k, p=p)


def setting_controls(side: str, table: dict[str, Limit]) -> Setting:
    """Temperature, top-k and top-p sliders of setting `side` ("a" or "b"), mirrored to the URL."""
    temperature = slider(
        t("gpt.settings.temperature"),
        f"gpt.t_{side}",
        f"t{side}",
        table[f"t{side}"],
        help=t("gpt.settings.temperature_help"),
    )
    k = slider(
        t("gpt.settings.top_k"),
        f"gpt.k_{side}",
        f"k{side}",
        table[f"k{side}"],
        help=t("gpt.settings.top_k_help"),
    )
    p = slider(
        t("gpt.settings.top_p"),
        f"gpt.p_{side}",
        f"p{side}",
        table[f"p{side}"],
        help=t("gpt.settings.top_p_help"),
    )
    mirror_to_url({f"t{side}": temperature, f"k{side}": k, f"p{side}": p})
    return Setting(temperature, k, p)


def two_settings(table: dict[str, Limit]) -> tuple[Setting, Setting]:
    """Settings A and B side by side."""
    chosen = []
    for side, col in zip(SIDES, st.columns(2), strict=True):
        with col:
            st.markdown(t("gpt.settings.heading", side=side.upper()))
            chosen.append(setting_controls(side, table))
    return chosen[0], chosen[1]


def least_context_of(trained: Trained) -> int:
    """Earlier characters every scored character sees at least, in the page's sliding windows."""
    return least_context(trained.model.cfg.context)


def adapt_steps_label(trained: Trained) -> str:
    return t("gpt.adapt.steps", batch=ADAPT_BATCH, context=trained.model.cfg.context)
