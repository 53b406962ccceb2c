"""The RNN page's sections 6 and 7: the next character from two character models, and a learner's own text
tagged and scored. Both models read English: what they read stays as it is, every note around it is translated."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.common.checkpoint import CheckpointError
from engine.common.inputs import decode_text
from engine.common.scripts import ScriptReport, check_words
from engine.rnn import charlm
from engine.rnn import explain as unroll
from engine.rnn.text import split_sentences
from engine.rnn.train import Trained
from ui import loaders
from ui.rnn import charts as rnn_charts
from ui.text import raw, say, t
from ui.widgets import cannot_read, counted, download_csv, mirror_to_url, seed_from_url, uploaded

DEFAULT_PREFIX = raw("To be, or not to b")  # the character models read Shakespeare, in every language


def reader() -> str:
    """What the word-level RNNs read, for the "cannot read" note: English only."""
    return t("rnn.sentence.reader")


def bits_table(models: charlm.CharModels) -> pd.DataFrame:
    """Held-out bits per character of both character models, from their checkpoints (on-screen headers)."""
    metas = (models.markov_meta["metrics"], models.rnn_meta["metrics"])
    return pd.DataFrame(
        {
            t("rnn.markov.model"): [t("rnn.markov.bigram"), t("rnn.markov.latent")],
            t("rnn.markov.bits"): [m["bits_per_char"] for m in metas],
            t("rnn.markov.scored"): [m["n_chars"] for m in metas],
        }
    )


def _char_models() -> charlm.CharModels | None:
    """Both character models, or None with the rebuild command shown: the rest of the page still works."""
    try:
        return loaders.char_models()
    except CheckpointError as err:
        st.error(say(err))
    return None


@st.fragment
def markov_vs_rnn() -> None:
    """The bigram model and the character RNN on the same prefix, and on the same held-out text."""
    models = _char_models()
    if models is None:
        return
    seed_from_url("rnn.prefix", "prefix", DEFAULT_PREFIX, lambda s: len(s) <= charlm.MAX_PREFIX_CHARS)
    prefix = st.text_input(t("rnn.markov.prefix"), key="rnn.prefix", max_chars=charlm.MAX_PREFIX_CHARS)
    mirror_to_url({"prefix": prefix})
    frame = charlm.next_char_frame(models.markov, models.char_rnn, prefix)
    a, b = st.columns(2)
    bigram, latent = rnn_charts.next_char_charts(frame, prefix)
    a.plotly_chart(bigram, key="rnn.mk")
    b.plotly_chart(latent, key="rnn.cr")
    st.dataframe(bits_table(models), hide_index=True)
    download_csv(frame, t("rnn.markov.csv"), "next_char.csv", "rnn.dl_next")


def read_own_text(data: bytes, tagger: Trained, sentiment: Trained) -> tuple[pd.DataFrame | None, int, ScriptReport]:
    """The engine's table of an uploaded text, the file's number of sentences when only the first
    MAX_SENTENCES are shown (else 0), and how much of it is outside English letters."""
    table, note, report = unroll.own_text_table(data, tagger, sentiment)
    return table, len(split_sentences(decode_text(data))) if note else 0, report


def own_table(table: pd.DataFrame) -> pd.DataFrame:
    """The tagged and scored sentences as shown: headers translated, and a sentence the tagger did not read
    (mostly another script; the engine leaves its tags empty) says so in the page's language."""
    unread = table["tagged"] == ""
    notes = [t("rnn.own.not_read", counted=counted(check_words(s))) for s in table.loc[unread, "sentence"]]
    shown = table.copy()
    shown.loc[unread, "label"] = notes
    return shown.rename(columns=lambda c: t(f"rnn.own.{c}"))


@st.fragment
def own_text(tagger: Trained, sentiment: Trained) -> None:
    """Upload a .txt: every sentence tagged and scored."""
    result = uploaded(
        t("rnn.own.upload", most=unroll.MAX_SENTENCES),
        ["txt"],
        "rnn.upload",
        lambda data: read_own_text(data, tagger, sentiment),
    )
    if result is None:
        return
    table, sentences, report = result
    if cannot_read(report, reader()):
        return
    if sentences:
        st.info(t("rnn.own.note", n=sentences, most=unroll.MAX_SENTENCES))
    st.dataframe(own_table(table), hide_index=True)
    download_csv(table, t("rnn.own.csv"), "my_text.csv", "rnn.dl_own")
