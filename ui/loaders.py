"""Cached loaders: every model is loaded once per server and shared, read-only, by all sessions."""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
import torch

from engine.convolution import digits
from engine.density import data as density_data
from engine.density import draw as density_draw
from engine.density import explain as density_explain
from engine.density import train as density_train
from engine.gpt import finetune as gpt_finetune
from engine.gpt import train as gpt_train
from engine.gpt.data import START
from engine.gpt.explain import Rung
from engine.gpt.model import Loaded
from engine.rnn import charlm, sentiment, tagger
from engine.rnn import train as rnn_train
from engine.translator import explain as translator_explain
from engine.translator.guards import Guards
from engine.translator.train import TRANSFORMER, Shipped, load_shipped
from ui.text import raw, t

try:  # an internal of Streamlit 1.67 (pinned): True while a cached function runs
    from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function
except ImportError:  # pragma: no cover
    in_cached_function = None

# Set once per server process, on first import, never per request. UNROLLED_THREADS=1 suits a server
# shared by many people (each session's forward passes then use one core, side by side).
THREADS = int(os.environ.get("UNROLLED_THREADS") or 0) or torch.get_num_threads()
torch.set_num_threads(THREADS)
T = TypeVar("T")


def loading(key: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """st.cache_resource for a loader, with a spinner saying `t(key)` in the session's language while it loads
    (the cache's own spinner text would be fixed, in one language, when this module is imported). The spinner
    shows only if the call takes over half a second, so a loaded model shows none. `.cached` is the cached
    function itself, for a loader that calls another inside its own cache."""

    def wrap(load: Callable[[], T]) -> Callable[[], T]:
        cached = st.cache_resource(show_spinner=False)(load)

        @functools.wraps(load)
        def call() -> T:
            if in_cached_function is not None and in_cached_function.get():
                return cached()  # inside another cached function: no element may be drawn there
            with st.spinner(t(key)):
                return cached()

        call.cached = cached
        return call

    return wrap


@loading("common.loading.digits")
def digits_models() -> digits.Trained:
    """The shipped classifier, its convolutionized twin and the checkpoint's meta."""
    return digits.load_both()


@st.cache_resource
def digits_test_split() -> digits.HeldOut:
    """Held-out digit images (N, 8, 8) and labels, never seen in training."""
    return digits.held_out()


@loading("common.loading.tagger")
def tagger_model() -> rnn_train.Trained:
    """The shipped tagger: WordRNN, Encoder and meta."""
    trained, _ = tagger.load()  # the meta is also trained.meta
    return trained


@loading("common.loading.sentiment")
def sentiment_model() -> rnn_train.Trained:
    """The shipped sentiment model: WordRNN, Encoder and meta."""
    trained, _ = sentiment.load()  # the meta is also trained.meta
    return trained


@loading("common.loading.char_models")
def char_models() -> charlm.CharModels:
    """The bigram model, the character RNN, and both metas."""
    return charlm.load_char_models()


def char_model_rungs() -> list[Rung]:
    """The RNN page's bigram and character RNN as rungs of the GPT page's ladder (same START convention)."""
    models = char_models()
    markov, char_rnn = models.markov, models.char_rnn

    def markov_lls(text: str) -> torch.Tensor:
        return markov.log_likelihoods(markov.vocab.encode(START + text))

    def rnn_lls(text: str) -> torch.Tensor:
        ids = char_rnn.vocab.encode(START + text)
        return charlm.char_rnn_log_likelihoods(char_rnn.model, ids, streams=1) if len(ids) > 1 else torch.zeros(0)

    return [
        # stable English names (the GPT page shows its own text for each, `gpt.rungs.*`)
        Rung(raw("bigram Markov (one character)"), models.markov_meta["metrics"]["bits_per_char"], markov_lls),
        Rung(raw("character RNN (latent state)"), models.rnn_meta["metrics"]["bits_per_char"], rnn_lls),
    ]


@loading("common.loading.translators")
def translators() -> Shipped:
    """The shipped Transformer and its meta; the GRU baseline and its meta, or None if it is missing."""
    return load_shipped()


@st.cache_data(max_entries=256, show_spinner=False)
def translation(sentence: str) -> translator_explain.Translation:
    """The shipped decoding with all attention, computed once per sentence (shared model, no user files)."""
    transformer = translators.cached().transformer
    return translator_explain.trace(transformer, sentence, TRANSFORMER.best_ids(transformer, sentence))


@st.cache_data(max_entries=256, show_spinner=False)
def greedy(sentence: str) -> str:
    """The greedy translation (no guards), once per sentence."""
    return TRANSFORMER.translate(translators.cached().transformer, [sentence])[0]


@st.cache_data(max_entries=256, show_spinner=False)
def beams(sentence: str, width: int, alpha: float, guards: Guards) -> pd.DataFrame:
    """Beam-search hypotheses, once per sentence and setting (a chart-only rerun repeats no search)."""
    return translator_explain.beams(translators.cached().transformer, sentence, width, alpha, guards)


@st.cache_data(max_entries=256, show_spinner=False)
def guard_effects(sentence: str, width: int, alpha: float, guards: Guards) -> pd.DataFrame:
    """Plain beam search, each chosen guard alone and all of them, once per sentence and setting."""
    return translator_explain.guard_effects(translators.cached().transformer, sentence, width, alpha, guards)


@loading("common.loading.gpt")
def gpt_model() -> Loaded:
    """The shipped character GPT (model and vocabulary) and its meta."""
    return gpt_train.load_gpt()


@loading("common.loading.gpt_classifier")
def gpt_classifier() -> Loaded:
    """The GPT fine-tuned on movie-review sentiment (classifier and vocabulary) and its meta."""
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


@loading("common.loading.density")
def density_model() -> density_train.Shipped:
    """The shipped density model (PixelCNN, independent-pixel baseline, judge, test digits) and its meta."""
    return density_train.load_shipped()


@st.cache_resource
def density_test() -> density_data.Split:
    """The held-out digits the checkpoint carries, as (N, 1, 28, 28) binary pixels and their labels."""
    return density_model.cached().trained.test


@st.cache_resource
def density_gallery() -> density_draw.Drawing | None:
    """The page's default grid of samples as the checkpoint stores it (None if it has none)."""
    stored = (density_model.cached().meta.get("shown") or {}).get("gallery")
    return None if stored is None else density_explain.unpack_gallery(stored)


@loading("common.loading.density_reference")
def density_reference() -> pd.DataFrame:
    """Bits per dimension of every test digit and of as many noise images, under both models (stored if recorded)."""
    shipped = density_model.cached()
    stored = (shipped.meta.get("shown") or {}).get("reference")
    if stored is not None:
        return density_explain.unpack_reference(stored)
    return density_explain.reference_scores(shipped.trained)
