"""The Transformer translator: attention heatmaps from an English-to-German model trained here."""

import streamlit as st

from ui import loaders
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link
from ui.text import raw, t
from ui.translator.decoding import TATOEBA_CREDIT, cannot_translate, decoding_section, shipped_translation
from ui.translator.labels import decoding
from ui.translator.parallel import parallel_section
from ui.translator.race import race_section
from ui.translator.sections import (
    MAX_SENTENCE,
    attention_section,
    positions_section,
    score_section,
    steps_section,
)
from ui.widgets import mirror_to_url, seed_from_url

inside_frame()
st.title(t("translator.page.title"))
st.markdown(t("translator.page.intro"))
shipped = loaded(loaders.translators)
cfg, training = shipped.meta["config"], shipped.meta["training"]

FIRST = raw("The book is on the table.")  # the model reads English: the first sentence is English in every language
seed_from_url("mt.sentence", "en", FIRST, lambda s: 0 < len(s) <= MAX_SENTENCE)
label = t("translator.page.sentence", n=MAX_SENTENCE)
sentence = st.text_input(label, key="mt.sentence", max_chars=MAX_SENTENCE).strip()
mirror_to_url({"en": sentence})
if not sentence:
    st.error(t("translator.page.empty"))
    st.stop()

if not cannot_translate(sentence):  # most words foreign: one line says so, and no translation is shown
    with st.spinner(t("translator.page.translating")):
        result = loaders.translation(sentence)  # the shipped decoding, traced once and explained by every section

    st.header(t("translator.page.translate"))
    shipped_translation(result, shipped, sentence)
    st.caption(t("translator.page.translate_caption"))
    decoding_section(sentence)

    st.header(t("translator.page.attention"))
    st.caption(t("translator.page.attention_caption"))
    attention_section(result, cfg["n_decoder"], cfg["n_head"])

    st.header(t("translator.page.steps"))
    st.caption(t("translator.page.steps_caption"))
    steps_section(result, shipped.transformer.tokenizer)

    st.header(t("translator.page.positions"))
    st.caption(t("translator.page.positions_caption"))
    positions_section(result, cfg["d_model"])

    st.header(t("translator.page.score"))
    st.caption(t("translator.page.score_caption"))
    score_section(result, shipped)

st.header(t("translator.page.parallel"))
st.markdown(t("translator.page.parallel_intro"))
parallel_section(shipped)

st.header(t("translator.page.race"))
st.markdown(t("translator.page.race_intro"))
link("pages/rnn.py", t("translator.page.rnn_link"), ":material/repeat:")
race_section()

with st.expander(t("translator.page.how")):
    st.markdown(
        t(
            "translator.page.how_body",
            n_encoder=cfg["n_encoder"],
            n_decoder=cfg["n_decoder"],
            d_model=cfg["d_model"],
            n_head=cfg["n_head"],
            d_ff=cfg["d_ff"],
            vocab=cfg["vocab_size"],
            smoothing=training["label_smoothing"],
            averaged=shipped.meta["history"]["averaged_checkpoints"],
            decoding=decoding(shipped.meta["metrics"]["decoding"]),
            credit=TATOEBA_CREDIT,
        )
    )

learning_path("pages/transformer.py")
