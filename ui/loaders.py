"""Cached loaders: every model is loaded once per server and shared, read-only, by all sessions."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st
import torch

from engine.common.checkpoint import CheckpointError
from engine.convolution import digits
from engine.density import model as density
from engine.gpt import finetune as gpt_finetune
from engine.gpt import model as gpt
from engine.gpt.explain import Rung
from engine.rnn import charlm, sentiment, tagger
from engine.translator import explain as mt_explain
from engine.translator import models as mt_models

# Set once per server process, on first import, never per request. UNROLLED_THREADS=1 suits a server
# shared by many people (each session's forward passes then use one core, side by side).
THREADS = int(os.environ.get("UNROLLED_THREADS") or 0) or torch.get_num_threads()
torch.set_num_threads(THREADS)


@st.cache_resource(show_spinner="Loading the digits CNN...")
def digits_models() -> tuple[digits.DigitsCNN, digits.DigitsFCN, dict]:
    """The shipped classifier, its convolutionized twin and the checkpoint's meta."""
    cnn, meta = digits.load()
    fcn = digits.DigitsFCN(cnn).eval().requires_grad_(False)
    return cnn, fcn, meta


@st.cache_resource
def digits_test_split() -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out digit images (N, 8, 8) and labels, never seen in training."""
    _, _, x, y = digits.load_split(digits.DigitsConfig())
    return x, y


@st.cache_resource(show_spinner="Loading the POS tagger...")
def tagger_model() -> tuple[tuple, dict]:
    """((WordRNN, Encoder), meta) of the shipped tagger."""
    return tagger.load()


@st.cache_resource(show_spinner="Loading the sentiment RNN...")
def sentiment_model() -> tuple[tuple, dict]:
    """((WordRNN, Encoder), meta) of the shipped sentiment model."""
    return sentiment.load()


@st.cache_resource(show_spinner="Loading the character models...")
def char_models() -> tuple[charlm.BigramModel, tuple, dict, dict]:
    """The bigram model, (CharRNN, CharVocab), and both metas."""
    markov, markov_meta = charlm.load_markov()
    rnn, rnn_meta = charlm.load_char_rnn()
    return markov, rnn, markov_meta, rnn_meta


def char_model_rungs() -> list[Rung]:
    """The RNN page's bigram and character RNN as rungs of the GPT page's ladder (same START convention)."""
    markov, char_rnn, markov_meta, rnn_meta = char_models()

    def markov_lls(text: str) -> torch.Tensor:
        return markov.log_likelihoods(markov.vocab.encode(gpt.START + text))

    def rnn_lls(text: str) -> torch.Tensor:
        ids = char_rnn[1].encode(gpt.START + text)
        return charlm.char_rnn_log_likelihoods(char_rnn[0], ids, streams=1) if len(ids) > 1 else torch.zeros(0)

    return [
        Rung("bigram Markov (one character)", markov_meta["metrics"]["bits_per_char"], markov_lls),
        Rung("character RNN (latent state)", rnn_meta["metrics"]["bits_per_char"], rnn_lls),
    ]


@st.cache_resource(show_spinner="Loading the translators...")
def translators() -> tuple[tuple, dict, tuple | None, dict | None]:
    """(Transformer, tokenizer) and meta; the GRU baseline and its meta, or None if it is missing."""
    transformer, meta = mt_models.load_transformer()
    try:
        recurrent, gru_meta = mt_models.load_gru()
    except CheckpointError:
        recurrent, gru_meta = None, None
    return transformer, meta, recurrent, gru_meta


@st.cache_data(max_entries=256, show_spinner=False)
def translation(sentence: str) -> mt_explain.Translation:
    """Greedy translation with all attention, computed once per sentence (shared model, no user files)."""
    return mt_explain.translate(translators()[0], sentence)


@st.cache_data(max_entries=256, show_spinner=False)
def beams(sentence: str, width: int, alpha: float) -> pd.DataFrame:
    """Beam-search hypotheses, once per sentence and setting (a chart-only rerun repeats no search)."""
    return mt_explain.beams(translators()[0], sentence, width, alpha)


@st.cache_resource(show_spinner="Loading the GPT...")
def gpt_model() -> tuple[tuple, dict]:
    """((GPT, CharVocab), meta) of the shipped character GPT."""
    return gpt.load_gpt()


@st.cache_resource(show_spinner="Loading the fine-tuned classifier...")
def gpt_classifier() -> tuple[tuple, dict]:
    """((Classifier, CharVocab), meta) of the GPT fine-tuned on movie-review sentiment."""
    return gpt_finetune.load()


class SharedSamples:
    """The last few finished GPT samples, by (prompt, length, seed, settings), for every session.

    Sampling is deterministic for a seed, so a visitor asking for what another already drew gets
    it at once instead of drawing it again. Entries are read-only once stored; the oldest go first.
    """

    def __init__(self, size: int = 8) -> None:
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
            return self.entries.get(key)

    def put(self, key: tuple, value) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


@st.cache_resource
def shared_samples() -> SharedSamples:
    return SharedSamples()


@st.cache_resource
def finetune_lock() -> threading.Lock:
    """One fine-tune at a time per server: the others are told to wait."""
    return threading.Lock()


@st.cache_resource(show_spinner="Loading the density model...")
def density_model() -> tuple[density.Trained, dict]:
    """(MADE and independent-pixel baseline, meta) of the shipped density model."""
    return density.load()


@st.cache_resource
def density_test() -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out digits as (N, 64) grey levels 0..16 and their labels."""
    return density.load_levels()["test"]
