"""Tables and texts for the GPT page, kept free of Streamlit so tests call them directly."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pandas as pd
import torch

from engine.common.charvocab import CharVocab
from engine.common.inputs import decode_text
from engine.gpt import model as gpt

MAX_SCORE_CHARS = 20_000  # longest text scored on the page (the rest of a file is left out, with a note)
MAX_ADAPT_CHARS = 200_000  # longest text a copy is fine-tuned on
SHOWN_CHARS = 1_200  # characters drawn in the surprisal grid

# Comparison texts written for this page (the Shakespeare lines are the opening of Hamlet's soliloquy).
SHAKESPEARE_LINES = (
    "HAMLET:\nTo be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n"
    "The slings and arrows of outrageous fortune,\nOr to take arms against a sea of troubles\n"
)
GERMAN_LINES = (
    "Der Zug nach Berlin hatte heute Morgen wieder zwanzig Minuten Verspätung, und niemand auf dem "
    "Bahnsteig war überrascht. Meine Schwester trinkt ihren Kaffee trotzdem in aller Ruhe.\n"
)


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


def candidates(trained: tuple, step: gpt.Step, count: int = 15) -> pd.DataFrame:
    """The `count` most likely characters at one step: probability, whether kept or drawn."""
    vocab: CharVocab = trained[1]
    order = torch.argsort(step.probs, descending=True, stable=True)[:count].tolist()
    status = ["drawn" if i == step.chosen else "kept" if step.sampled_from[i] > 0 else "cut away" for i in order]
    return pd.DataFrame(
        {
            "char": [vocab.chars[i] for i in order],
            "probability": [float(step.probs[i]) for i in order],
            "probability after top-k/top-p": [float(step.sampled_from[i]) for i in order],
            "status": status,
        }
    )


def chosen_rank(step: gpt.Step) -> int:
    """1 for the most likely character, 2 for the next, ..."""
    return int((step.probs > step.probs[step.chosen]).sum()) + 1


def read_upload(data: bytes, cap: int) -> tuple[str, str | None]:
    """A validated text file, cut to `cap` characters; the note says if it was cut."""
    text = decode_text(data, "text file")  # refuses empty and white-space-only files
    if len(text) > cap:
        return text[:cap], f"The file has {len(text):,} characters; only the first {cap:,} are used."
    return text, None


def score_frame(score: gpt.Score) -> pd.DataFrame:
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
    return {
        "your text": text,
        "your text, shuffled": shuffled(text),
        "Shakespeare (Hamlet)": SHAKESPEARE_LINES,
        "German prose": GERMAN_LINES,
    }
