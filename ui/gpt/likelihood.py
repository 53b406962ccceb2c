"""The GPT page's likelihood sections: how likely a text is, and the ladder of character models on it."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from engine.common.checkpoint import CheckpointError
from engine.gpt.explain import (
    HELD_OUT,
    MAX_LADDER_CHARS,
    MAX_SCORE_CHARS,
    RareWin,
    comparison_frame,
    comparison_texts,
    gpt_rungs,
    ladder,
    ladder_log_likelihoods,
    rare_characters,
    read_upload,
    score_frame,
    script_report,
    why_bigram_wins,
)
from engine.gpt.model import Loaded, Trained
from engine.gpt.score import Score, score_text
from ui import loaders
from ui.gpt import charts as gpt_charts
from ui.gpt.controls import DEFAULT_SCORE_TEXT, MAX_URL_TEXT
from ui.widgets import cannot_read, download_csv, mirror_to_url, seed_from_url, uploaded

SHOWN_CHARS = 600  # characters drawn in the surprisal grid
UPLOAD_KEY = "gpt.score_upload"
READER = "This GPT was trained on English text only"
LADDER_TITLE = "Bits per character, by how much context"


def readable(trained: Trained, text: str) -> bool:
    """False, after a one-line warning, when most of `text` is letters or emoji the GPT never read."""
    return not cannot_read(script_report(trained, text), READER)


def score_input() -> str | None:
    """The typed text, or the uploaded file's (its first MAX_SCORE_CHARS characters); None if there is none."""
    seed_from_url("gpt.score_text", "text", DEFAULT_SCORE_TEXT, lambda s: len(s) <= MAX_URL_TEXT)
    typed = st.text_area("Text to score", key="gpt.score_text", max_chars=MAX_SCORE_CHARS, height=100)
    upload = uploaded(
        f"...or a UTF-8/UTF-16 .txt file, of which the first {MAX_SCORE_CHARS:,} characters are scored",
        ["txt"],
        UPLOAD_KEY,
        lambda data: read_upload(data, MAX_SCORE_CHARS),
    )
    if len(typed) <= MAX_URL_TEXT:
        mirror_to_url({"text": typed})
    if upload is None and st.session_state.get(UPLOAD_KEY) is not None:
        return None  # a file was refused, and `uploaded` said why
    text, note = upload or (typed, None)
    if note:
        st.info(note)
    if not text:
        st.warning("Type or upload some text to score.")
        return None
    return text


@st.cache_data(max_entries=128, show_spinner=False)
def _score(text: str) -> Score:
    """A text's score under the shared model (keyed by content; nothing of one session is shown to another)."""
    return score_text(loaders.gpt_model().trained, text)


def _score_caption(mine: Score) -> str:
    unknown = int((~mine.known).sum())
    tail = (
        f"{unknown:,} character(s) never appeared in training; they all share one stand-in symbol, which the "
        "model almost never predicts, so they cost many bits each."
        if unknown
        else "Every character appeared in training."
    )
    return f"log₂ p(text) = {mine.total_nats / math.log(2):,.1f} bits. " + tail


def likelihood(text: str) -> None:
    """A text's log-likelihood, bits per character, perplexity and surprisal map, among other texts."""
    with st.spinner("Scoring..."):
        scores = {name: _score(t) for name, t in comparison_texts(text).items()}
    mine = scores["your text"]
    cols = st.columns(4)
    cols[0].metric("log p(text)", f"{mine.total_nats:,.1f} nats")
    cols[1].metric("Bits per character", f"{mine.bits_per_char:.3f}")
    cols[2].metric("Perplexity", f"{mine.perplexity:.2f}")
    cols[3].metric("Characters", f"{len(text):,}")
    st.caption(_score_caption(mine))
    frame = score_frame(mine)
    shown = min(len(text), SHOWN_CHARS)
    st.plotly_chart(gpt_charts.surprisal_grid(frame.head(shown)), key="gpt.grid")
    if shown < len(text):
        st.caption(f"The first {shown:,} of {len(text):,} characters are drawn; the CSV has them all.")
    compare = comparison_frame(scores)
    st.plotly_chart(
        gpt_charts.bpc_bars(compare, "text", "Bits per character: your text vs others"),
        key="gpt.compare",
    )
    a, b = st.columns(2)
    with a:
        download_csv(frame, "Per-character log-probabilities (CSV)", "per_char.csv", "gpt.dl_chars")
    with b:
        download_csv(compare, "Comparison (CSV)", "comparison.csv", "gpt.dl_compare")


@st.cache_data(max_entries=32, show_spinner=False)
def _ladder(text: str) -> tuple[pd.DataFrame, RareWin | None, str | None]:
    """The four models on the held-out scenes and on `text`, why the bigram wins (if it does because of rare
    characters), and a note if some models are missing."""
    loaded = loaders.gpt_model()
    gpt_lls = _score(text[:MAX_LADDER_CHARS]).log_likelihoods  # section 3 has scored it already if it is short
    unigram, transformer = gpt_rungs(loaded.trained, loaded.meta, gpt_lls)
    try:
        char_rungs = loaders.char_model_rungs()  # the bigram first, then the character RNN
    except CheckpointError as err:
        return ladder(text, [unigram, transformer]), None, f"The bigram and RNN rows are missing: {err}"
    rungs = [unigram, *char_rungs, transformer]
    scored = ladder_log_likelihoods(text, rungs)
    markov = loaders.char_models().markov
    counted = {c for c, n in zip(markov.vocab.chars, markov.counts.sum(1).tolist(), strict=True) if n > 0}
    rare = rare_characters(loaded.trained, loaded.meta, text[:MAX_LADDER_CHARS], counted)
    return ladder(text, rungs, scored), why_bigram_wins(rare, scored[1], scored[-1]), None


def rare_line(win: RareWin) -> str:
    """One line on why the bigram beats the GPT on characters neither saw much."""
    rare = f"{win.rare:,} character{'s' if win.rare != 1 else ''}"
    return (
        f"Why the bigram wins here ({win.bigram_bits_per_char:.1f} against {win.gpt_bits_per_char:.1f} bits/char): "
        f"{rare} neither model saw much. The GPT learned such characters almost never come "
        f"({win.gpt_rare_bits:.1f} bits each); the bigram has no counts after one, so its smoothing makes every next "
        f"character, rare or not, cost the same {win.bigram_after_bits:.1f} bits."
    )


def markov_to_attention(loaded: Loaded, text: str | None, readable_text: bool = True) -> None:
    """Unigram, bigram, character RNN and GPT on the same held-out scenes and on the scored text (left out when
    the GPT cannot read it)."""
    frame, win, note = _ladder(text or DEFAULT_SCORE_TEXT)
    if note:
        st.warning(note)
    if not readable_text:
        frame = frame[frame["text"] == HELD_OUT]
    st.plotly_chart(
        gpt_charts.bpc_bars(frame, "model", LADDER_TITLE, color="text", x_title="bits/char (lower = better)"),
        key="gpt.ladder",
    )
    yours = (
        f"your text: its first {MAX_LADDER_CHARS:,} characters."
        if readable_text
        else "your text is left out: most of it is characters these models never read."
    )
    held_out = loaded.meta["metrics"]["n_chars"]
    st.caption(f"Held-out: {held_out:,} characters of Shakespeare no model trained on; {yours}")
    if win is not None and readable_text:  # the line quotes the text's bars, which unreadable text does not get
        st.info(rare_line(win), icon=":material/help:")
    download_csv(frame, "Bits per character by model (CSV)", "models.csv", "gpt.dl_ladder")
