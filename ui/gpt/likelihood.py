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
    YOUR_TEXT,
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
from ui.gpt import names
from ui.gpt.controls import DEFAULT_SCORE_TEXT, MAX_URL_TEXT
from ui.text import say, t
from ui.widgets import cannot_read, download_csv, mirror_to_url, seed_from_url, uploaded

SHOWN_CHARS = 600  # characters drawn in the surprisal grid
UPLOAD_KEY = "gpt.score_upload"


def readable(trained: Trained, text: str) -> bool:
    """False, after a one-line warning, when most of `text` is letters or emoji the GPT never read."""
    return not cannot_read(script_report(trained, text), t("gpt.page.reader"))


def read_text(data: bytes, cap: int) -> tuple[str, str | None]:
    """A validated text file, cut to `cap` characters; the note (in the page's language) says if it was cut."""
    text, _ = read_upload(data, len(data))  # whole: a file has no more characters than bytes
    if len(text) > cap:
        return text[:cap], t("gpt.score.cut", n=len(text), cap=cap)
    return text, None


def score_input() -> str | None:
    """The typed text, or the uploaded file's (its first MAX_SCORE_CHARS characters); None if there is none."""
    seed_from_url("gpt.score_text", "text", DEFAULT_SCORE_TEXT, lambda s: len(s) <= MAX_URL_TEXT)
    typed = st.text_area(t("gpt.score.text"), key="gpt.score_text", max_chars=MAX_SCORE_CHARS, height=100)
    upload = uploaded(
        t("gpt.score.upload", n=MAX_SCORE_CHARS), ["txt"], UPLOAD_KEY, lambda data: read_text(data, MAX_SCORE_CHARS)
    )
    if len(typed) <= MAX_URL_TEXT:
        mirror_to_url({"text": typed})
    if upload is None and st.session_state.get(UPLOAD_KEY) is not None:
        return None  # a file was refused, and `uploaded` said why
    text, note = upload or (typed, None)
    if note:
        st.info(note)
    if not text:
        st.warning(t("gpt.score.empty"))
        return None
    return text


@st.cache_data(max_entries=128, show_spinner=False)
def _score(text: str) -> Score:
    """A text's score under the shared model (keyed by content; nothing of one session is shown to another)."""
    return score_text(loaders.gpt_model().trained, text)


def _score_caption(mine: Score) -> str:
    unknown = int((~mine.known).sum())
    tail = t("gpt.score.unknown", n=unknown) if unknown else t("gpt.score.all_known")
    return t("gpt.score.caption", bits=mine.total_nats / math.log(2), tail=tail)


def likelihood(text: str) -> None:
    """A text's log-likelihood, bits per character, perplexity and surprisal map, among other texts."""
    with st.spinner(t("gpt.score.spinner")):
        scores = {name: _score(other) for name, other in comparison_texts(text).items()}
    mine = scores[YOUR_TEXT]
    cols = st.columns(4)
    cols[0].metric(t("gpt.score.log_p"), t("gpt.score.log_p_value", nats=mine.total_nats))
    cols[1].metric(t("gpt.score.bits_per_char"), f"{mine.bits_per_char:.3f}")
    cols[2].metric(t("gpt.score.perplexity"), f"{mine.perplexity:.2f}")
    cols[3].metric(t("gpt.score.characters"), f"{len(text):,}")
    st.caption(_score_caption(mine))
    frame = score_frame(mine)
    shown = min(len(text), SHOWN_CHARS)
    st.plotly_chart(gpt_charts.surprisal_grid(frame.head(shown)), key="gpt.grid")
    if shown < len(text):
        st.caption(t("gpt.score.first_drawn", shown=shown, n=len(text)))
    compare = comparison_frame(scores)
    on_screen = names.renamed(compare, {"text": names.texts()})
    st.plotly_chart(gpt_charts.bpc_bars(on_screen, "text", t("gpt.score.compare_title")), key="gpt.compare")
    a, b = st.columns(2)
    with a:
        download_csv(frame, t("gpt.score.download_chars"), "per_char.csv", "gpt.dl_chars")
    with b:
        download_csv(compare, t("gpt.score.download_compare"), "comparison.csv", "gpt.dl_compare")


@st.cache_data(max_entries=32, show_spinner=False)
def _ladder(text: str) -> tuple[pd.DataFrame, RareWin | None, bool]:
    """The four models on the held-out scenes and on `text`, why the bigram wins (if it does because of rare
    characters), and whether the bigram and the RNN are missing (`_missing` says why, in the page's language)."""
    loaded = loaders.gpt_model()
    gpt_lls = _score(text[:MAX_LADDER_CHARS]).log_likelihoods  # section 3 has scored it already if it is short
    unigram, transformer = gpt_rungs(loaded.trained, loaded.meta, gpt_lls)
    try:
        char_rungs = loaders.char_model_rungs()  # the bigram first, then the character RNN
    except CheckpointError:
        return ladder(text, [unigram, transformer]), None, True
    rungs = [unigram, *char_rungs, transformer]
    scored = ladder_log_likelihoods(text, rungs)
    markov = loaders.char_models().markov
    counted = {c for c, n in zip(markov.vocab.chars, markov.counts.sum(1).tolist(), strict=True) if n > 0}
    rare = rare_characters(loaded.trained, loaded.meta, text[:MAX_LADDER_CHARS], counted)
    return ladder(text, rungs, scored), why_bigram_wins(rare, scored[1], scored[-1]), False


def _missing() -> str:
    """Why the bigram and RNN rows are missing, in the page's language."""
    try:
        loaders.char_model_rungs()
    except CheckpointError as err:
        return t("gpt.ladder.missing", why=say(err))
    return t("gpt.ladder.missing", why="")  # loaded since the ladder was cached: the next text has them


def rare_line(win: RareWin) -> str:
    """One line on why the bigram beats the GPT on characters neither saw much."""
    rare = t("gpt.ladder.rare_one" if win.rare == 1 else "gpt.ladder.rare_many", n=win.rare)
    return t(
        "gpt.ladder.rare",
        bigram=win.bigram_bits_per_char,
        gpt=win.gpt_bits_per_char,
        rare=rare,
        gpt_rare=win.gpt_rare_bits,
        after=win.bigram_after_bits,
    )


def markov_to_attention(loaded: Loaded, text: str | None, readable_text: bool = True) -> None:
    """Unigram, bigram, character RNN and GPT on the same held-out scenes and on the scored text (left out when
    the GPT cannot read it)."""
    frame, win, missing = _ladder(text or DEFAULT_SCORE_TEXT)
    if missing:
        st.warning(_missing())
    if not readable_text:
        frame = frame[frame["text"] == HELD_OUT]
    on_screen = names.renamed(frame, {"model": names.rungs(loaded.trained.model.cfg.context), "text": names.texts()})
    title, x_title = t("gpt.ladder.title"), t("gpt.ladder.x_title")
    st.plotly_chart(gpt_charts.bpc_bars(on_screen, "model", title, color="text", x_title=x_title), key="gpt.ladder")
    yours = t("gpt.ladder.yours_read", n=MAX_LADDER_CHARS) if readable_text else t("gpt.ladder.yours_left")
    st.caption(t("gpt.ladder.caption", n=loaded.meta["metrics"]["n_chars"], yours=yours))
    if win is not None and readable_text:  # the line quotes the text's bars, which unreadable text does not get
        st.info(rare_line(win), icon=":material/help:")
    download_csv(frame, t("gpt.ladder.download"), "models.csv", "gpt.dl_ladder")
