"""Sequences & RNNs: one cell, one set of weights, called at every step of a sentence."""

import streamlit as st

from ui import loaders
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link
from ui.rnn.recall import recall_section
from ui.rnn.sections import (
    markov_vs_rnn,
    memory,
    own_text,
    sentence_input,
    sharing,
    survey_note,
    two_heads,
    unrolled,
)

inside_frame()
st.title("Sequences & RNNs")
st.markdown(
    "**A recurrent network calls the same cell, with one set of weights W, at every word**, and carries what it "
    "has read so far in its hidden state h."
)
with st.expander("Read more"):
    st.markdown(
        "Word order matters: *not good* and *good, not* differ only in order, so sentences are not a bag of "
        "independent items. Tagging each word reads an output at every step (many-to-many); judging the whole "
        "sentence reads only the last one (many-to-one). Unrolling draws the one cell once per word; nothing is "
        "copied, and only the hidden state changes from step to step."
    )
models = loaded(lambda: {"tagger": loaders.tagger_model(), "sentiment": loaders.sentiment_model()})
tagger, sentiment = models["tagger"], models["sentiment"]

words, net = sentence_input()
if words is not None:  # sections 1 to 4 read the sentence; without one they are left out, 5 to 7 still run
    st.header("1. Unrolled, live")
    st.markdown("The same three tensors do the work at every step; only h changes.")
    unrolled(words, net, models[net])

    st.header("2. Many-to-many vs many-to-one, on the same sentence")
    st.markdown("The tagger reads an output at every step; the sentiment model only after the last word.")
    two_heads(words, tagger, sentiment)

    st.header("3. Proof of sharing: one W_hh for every step")
    st.markdown(
        "Scale the one recurrent matrix and every step from 2 on changes with it. Longer sentences need no new "
        "weights, unlike a dense layer over a fixed window."
    )
    sharing(words, models[net])

    st.header("4. Memory over time")
    st.markdown(
        "The hidden state is the only memory. Drop or replace a word and see how long its effect lasts; the "
        "gradient of the last output shows how much reaches each earlier word."
    )
    with st.expander("Read more"):
        st.markdown(
            "The gradient reaching h_t is multiplied by W_hh and by the slope of tanh once for every later step, "
            "so it tends to shrink geometrically with distance (vanishing gradients), or, with a large W_hh, to "
            "grow. How fast depends on the network and the sentence, so the line under the chart measures it "
            "for the sentence above. This weakness is what gated cells and, later, attention were built to get "
            "around."
        )
        st.markdown(survey_note())
    memory(words, models[net])

st.header("5. How far back can it remember? (live)")
st.markdown(
    "What a fading gradient costs: report the first symbol of a sequence after k distractors. This page's Elman "
    "cell and a GRU learn it from scratch, side by side, on this server."
)
with st.expander("Read more"):
    st.markdown(
        "A GRU's update gate can carry the state unchanged from step to step, so its gradient need not pass "
        "through tanh at every step. Attention, on the Transformer page, reads any earlier position directly "
        "instead of through every step in between; that page trains a translator, and this recall task is not "
        "run on a Transformer here."
    )
link("pages/transformer.py", "Transformer translator: watch attention learn", ":material/translate:")
recall_section()

st.header("6. Markov vs latent state: the next character")
st.markdown(
    "A Markov model sees only the last character (first-order autoregressive); a latent-state model keeps a "
    "summary of everything before it."
)
markov_vs_rnn()

st.header("7. Your own text")
own_text(tagger, sentiment)

with st.expander("How it works"):
    tag_meta, sent_meta = tagger.meta, sentiment.meta
    st.markdown(
        "Both word-level networks are `engine.rnn.elman.ElmanRNN`: a loop over t computing "
        "h_t = tanh(W_xh x_t + W_hh h_(t-1) + b) with the same three tensors. x_t joins a word embedding, "
        "embeddings of the word's last two and three letters (so unseen words still carry clues) and five "
        "spelling features; the sentiment model adds the word's valence from the VADER lexicon. "
        f"The tagger scores {tag_meta['metrics']['accuracy']:.1%} against spaCy's silver tags on "
        f"{tag_meta['metrics']['n']:,} held-out words; the sentiment model {sent_meta['metrics']['accuracy']:.1%} on "
        f"{sent_meta['metrics']['n']:,} held-out movie-review sentences rated by people. The character models "
        "read Shakespeare; bits per character is the average surprise, −log₂ p, of each next character."
    )

learning_path("pages/rnn.py")
