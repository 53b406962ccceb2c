"""Tables that explain the GPT: one sampled step's candidates, a text's per-character score, texts to
compare it with, and the ladder of character models by how much context each one uses."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

from engine.common.inputs import decode_text
from engine.common.metrics import bits_per_char
from engine.common.scripts import ScriptReport, check_characters
from engine.gpt.model import Trained
from engine.gpt.sample import Step
from engine.gpt.score import Score, score_text

MAX_LADDER_CHARS = 5_000  # longest text the comparison reads live
MAX_SCORE_CHARS = 20_000  # longest text scored on the page (the rest of a file is left out, with a note)
MAX_ADAPT_CHARS = 200_000  # longest text a copy is fine-tuned on
CANDIDATES = 15  # most likely characters shown for one step
# Under this share of the GPT's training text a character is rare for the GPT; the bigram counted 61 pairs
# after one of them (—), so `rare_characters` asks the bigram's counts too.
RARE = 1e-5
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


def script_report(trained: Trained, text: str) -> ScriptReport:
    """How many of `text`'s letters and emoji are outside the GPT's vocabulary, and in which script."""
    known = set(trained.vocab.chars[1:])  # index 0 is the stand-in for every unseen character
    return check_characters(text, reads=known.__contains__)


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
            f"GPT (attention, {trained.model.cfg.context} characters)",
            meta["metrics"]["bits_per_char"],
            lambda t: score_text(trained, t).log_likelihoods if known is None else known,
        ),
    ]


def ladder_log_likelihoods(text: str, rungs: list[Rung]) -> list[torch.Tensor]:
    """Each rung's (len(text[:MAX_LADDER_CHARS]),) natural-log probabilities of the ladder's text."""
    return [rung.log_likelihoods(text[:MAX_LADDER_CHARS]) for rung in rungs]


def ladder(text: str, rungs: list[Rung], scored: list[torch.Tensor] | None = None) -> pd.DataFrame:
    """Columns model, text, bits per char: every rung on the held-out scenes and on text[:MAX_LADDER_CHARS].

    `scored`: the rungs' `ladder_log_likelihoods` if the caller has them already.
    """
    out = []
    for rung, lls in zip(rungs, scored or ladder_log_likelihoods(text, rungs), strict=True):
        out.append({"model": rung.name, "text": HELD_OUT, "bits per char": rung.held_out_bits_per_char})
        out.append({"model": rung.name, "text": YOUR_TEXT, "bits per char": bits_per_char(lls) if len(lls) else None})
    return pd.DataFrame(out)


def rare_characters(trained: Trained, meta: dict, text: str, bigram_counted: Collection[str]) -> torch.Tensor:
    """(len(text),) bool: neither model saw the character much.

    The bigram counted no pair starting with it (it is not in `bigram_counted`), and the GPT never saw it or
    saw it in under RARE of its training text. Only for such characters is the bigram's row of counts empty.
    """
    ids = trained.vocab.encode(text)
    unigram = torch.tensor(meta["history"]["unigram_log_probs"])  # (V,) log p of each character in training
    gpt_rare = (ids == 0) | (unigram[ids] < math.log(RARE))
    return gpt_rare & torch.tensor([c not in bigram_counted for c in text], dtype=torch.bool)


@dataclass(frozen=True)
class RareWin:
    """Why a bigram model beats the GPT on a text: characters neither saw much, priced differently."""

    rare: int  # characters of the text neither model saw much
    gpt_rare_bits: float  # the GPT's mean surprisal on those characters
    bigram_after_bits: float  # the bigram's mean surprisal on the characters right after one of them
    bigram_bits_per_char: float  # both models on the whole text
    gpt_bits_per_char: float


def why_bigram_wins(rare: torch.Tensor, bigram_lls: torch.Tensor, gpt_lls: torch.Tensor) -> RareWin | None:
    """The rare characters' account of a bigram win, or None when the bigram does not win or they do not explain it.

    A character the bigram never counted leaves its row of counts empty, so add-k smoothing makes the next
    character uniform, however unlikely; the GPT learned that such characters almost never come. The account
    holds only if, on the other characters (not rare, not right after a rare one), the GPT is the better model.
    """
    n = min(len(rare), len(bigram_lls), len(gpt_lls))
    rare, bigram_lls, gpt_lls = rare[:n], bigram_lls[:n], gpt_lls[:n]
    after = torch.zeros_like(rare)
    after[1:] = rare[:-1]
    if not after.any() or bits_per_char(bigram_lls) >= bits_per_char(gpt_lls):
        return None
    rest = ~rare & ~after
    if rest.any() and bits_per_char(bigram_lls[rest]) <= bits_per_char(gpt_lls[rest]):
        return None  # the bigram wins on ordinary characters too: the rare ones are not the reason
    return RareWin(
        int(rare.sum()),
        bits_per_char(gpt_lls[rare]),
        bits_per_char(bigram_lls[after]),
        bits_per_char(bigram_lls),
        bits_per_char(gpt_lls),
    )
