"""Helpers for the RNN page: sentence checks, per-step output labels, tables built from the engine."""

from __future__ import annotations

import pandas as pd
import torch

from engine.common.charvocab import UNKNOWN, CharVocab
from engine.common.inputs import InputError, decode_text
from engine.rnn import explain as unroll
from engine.rnn.text import UPOS, split_sentences, tokenize

MAX_WORDS = 40
MAX_SENTENCES = 500


def sentence_words(sentence: str) -> list[str]:
    """Tokens of the typed sentence, or an InputError saying what to change."""
    words = tokenize(sentence)
    if not words:
        raise InputError("Type a sentence to unroll the network over.")
    if len(words) > MAX_WORDS:
        raise InputError(f"That is {len(words)} words; please keep it to {MAX_WORDS}.")
    return words


def step_outputs(net: str, run: unroll.Trace, meta: dict) -> pd.DataFrame:
    """Columns step, word, output, shown ("used", "unused" or ""): the label drawn above each cell."""
    rows = []
    for t, word in enumerate(run.words):
        probs = run.probs[t]
        if net == "tagger":
            i = int(probs.argmax())
            rows.append((t + 1, word, f"{UPOS[i]} {float(probs[i]):.2f}", "used"))
        else:
            last = t == len(run.words) - 1
            rows.append((t + 1, word, f"P(pos) {float(probs[1]):.2f}", "used" if last else "unused"))
    return pd.DataFrame(rows, columns=["step", "word", "output", "shown"])


def next_char_table(vocab: CharVocab, probs: torch.Tensor) -> pd.DataFrame:
    """Columns char, prob, most likely first."""
    frame = pd.DataFrame({"char": list(vocab.chars), "prob": probs.double().numpy()})
    frame = frame[frame["char"] != UNKNOWN]
    return frame.sort_values("prob", ascending=False, ignore_index=True)


def own_text_table(data: bytes, tagger_model: tuple, sentiment_model: tuple) -> tuple[pd.DataFrame, str]:
    """Every sentence of an uploaded text tagged and scored, and a note if some were left out."""
    sentences = split_sentences(decode_text(data))
    tokenized = [tokenize(s)[: MAX_WORDS * 2] for s in sentences[:MAX_SENTENCES]]
    tokenized = [w for w in tokenized if w]
    if not tokenized:
        raise InputError("No sentences with words were found in the file.")
    note = ""
    if len(sentences) > MAX_SENTENCES:
        note = f"The file has {len(sentences):,} sentences; the first {MAX_SENTENCES} are shown."
    return unroll.tag_and_score(tagger_model, sentiment_model, tokenized), note
