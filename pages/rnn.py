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
    scale_control,
    sentence_input,
    sharing,
    two_heads,
    unrolled,
)

inside_frame()
st.title("Sequences & RNNs")
st.markdown(
    "Word order matters: *not good* and *good, not* differ only in order, so sentences are not a bag of "
    "independent items. A recurrent network reads them one word at a time and calls **the same cell** at "
    "every step, with one set of weights W. Its hidden state h carries a summary of everything read so far. "
    "Tagging each word reads an output at every step (many-to-many); judging the whole sentence reads only "
    "the last one (many-to-one)."
)
models = loaded(lambda: {"tagger": loaders.tagger_model(), "sentiment": loaders.sentiment_model()})
tagger, sentiment = models["tagger"], models["sentiment"]

words, net = sentence_input()
if words is None:
    st.stop()
st.header("1. Unrolled, live")
st.markdown(
    "Unrolling draws the one cell once per word. Nothing is copied: the same three tensors do the work "
    "at every step, and only the hidden state changes."
)
unrolled(words, net, models[net])

st.header("2. Many-to-many vs many-to-one, on the same sentence")
st.markdown(
    "The tagger reads an output at every step; the sentiment model reads one, after the last word. "
    "Watch P(positive) change as words arrive."
)
two_heads(words, tagger, sentiment)

st.header("3. Proof of sharing: one W_hh for every step")
st.markdown(
    "Change the one recurrent matrix and every step changes with it; add words and the network needs "
    "no new weights, unlike a dense layer that reads a fixed window."
)
scale = scale_control()  # the sharing and the memory sections both use it
sharing(words, models[net], scale)

st.header("4. Memory over time")
st.markdown(
    "The hidden state is the only memory. Edit one word and see how long its effect lasts; the gradient "
    "of the final output shows how little of it reaches the early words: vanishing gradients, the "
    "weakness attention was invented to fix."
)
memory(words, models[net], scale)

st.header("5. How far back can it remember? (live)")
st.markdown(
    "The gradient above fades with distance. Here is what that costs: a network must report the first symbol "
    "of a sequence after k distractors. For each k, this page's Elman cell and a gated cell (a GRU, whose update "
    "gate can carry the state unchanged) learn the task from scratch, side by side, on this server. The Elman "
    "curve falls off with distance; a Transformer does not have this problem, since attention looks back at any "
    "position directly."
)
link("pages/transformer.py", "Transformer translator: watch attention learn", ":material/translate:")
recall_section()

st.header("6. Markov vs latent state: the next character")
st.markdown(
    "A Markov model predicts from the last character alone (first-order autoregressive). A latent "
    "autoregressive model keeps a state that summarises everything before it."
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
