"""Sequences & RNNs: one cell, one set of weights, called at every step of a sentence."""

import streamlit as st

from ui import loaders
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link
from ui.rnn.reading import markov_vs_rnn, own_text
from ui.rnn.recall import recall_section
from ui.rnn.sections import memory, sentence_input, sharing, survey_note, two_heads, unrolled
from ui.text import t

inside_frame()
st.title(t("rnn.page.title"))
st.markdown(t("rnn.page.intro"))
with st.expander(t("rnn.page.read_more")):
    st.markdown(t("rnn.page.intro_more"))
models = loaded(lambda: {"tagger": loaders.tagger_model(), "sentiment": loaders.sentiment_model()})
tagger, sentiment = models["tagger"], models["sentiment"]

words, net = sentence_input()
if words is not None:  # sections 1 to 4 read the sentence; without one they are left out, 5 to 7 still run
    st.header(t("rnn.page.unrolled_header"))
    st.markdown(t("rnn.page.unrolled_intro"))
    unrolled(words, net, models[net])

    st.header(t("rnn.page.heads_header"))
    st.markdown(t("rnn.page.heads_intro"))
    two_heads(words, tagger, sentiment)

    st.header(t("rnn.page.sharing_header"))
    st.markdown(t("rnn.page.sharing_intro"))
    sharing(words, models[net])

    st.header(t("rnn.page.memory_header"))
    st.markdown(t("rnn.page.memory_intro"))
    with st.expander(t("rnn.page.read_more")):
        st.markdown(t("rnn.page.memory_more"))
        st.markdown(survey_note())
    memory(words, models[net])

st.header(t("rnn.page.recall_header"))
st.markdown(t("rnn.page.recall_intro"))
with st.expander(t("rnn.page.read_more")):
    st.markdown(t("rnn.page.recall_more"))
link("pages/transformer.py", t("rnn.page.transformer_link"), ":material/translate:")
recall_section()

st.header(t("rnn.page.markov_header"))
st.markdown(t("rnn.page.markov_intro"))
markov_vs_rnn()

st.header(t("rnn.page.own_header"))
own_text(tagger, sentiment)

with st.expander(t("rnn.page.how")):
    tag_metrics, sentiment_metrics = tagger.meta["metrics"], sentiment.meta["metrics"]
    st.markdown(
        t(
            "rnn.page.how_text",
            tag_accuracy=tag_metrics["accuracy"],
            tag_n=tag_metrics["n"],
            sentiment_accuracy=sentiment_metrics["accuracy"],
            sentiment_n=sentiment_metrics["n"],
        )
    )

learning_path("pages/rnn.py")
