"""The Transformer translator: attention heatmaps from an English-to-German model trained here."""

import streamlit as st

from ui import loaders
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link
from ui.translator.decoding import TATOEBA_CREDIT, decoding_section, shipped_translation
from ui.translator.race import race_section
from ui.translator.sections import (
    MAX_SENTENCE,
    attention_section,
    positions_section,
    recurrence_section,
    score_section,
    steps_section,
)
from ui.widgets import mirror_to_url, seed_from_url

inside_frame()
st.title("Transformer translator")
st.markdown(
    "Before the Transformer, translation models read a sentence with a recurrent or convolutional encoder "
    "and wrote it out with a decoder that attended back to it. The Transformer keeps only the attention: "
    "every position looks at every other in one step, so training runs in parallel and takes less time. "
    "It reached 28.4 BLEU on WMT 2014 English-German, 2 BLEU above the best earlier results, ensembles included. "
    "This one is small and was trained here, for English to German."
)
shipped = loaded(loaders.translators)
cfg, training = shipped.meta["config"], shipped.meta["training"]

seed_from_url("mt.sentence", "en", "The book is on the table.", lambda s: 0 < len(s) <= MAX_SENTENCE)
label = f"English sentence (up to {MAX_SENTENCE} characters)"
sentence = st.text_input(label, key="mt.sentence", max_chars=MAX_SENTENCE).strip()
mirror_to_url({"en": sentence})
if not sentence:
    st.error("Type an English sentence to translate.")
    st.stop()
with st.spinner("Translating..."):
    result = loaders.translation(sentence)  # the shipped decoding, traced once and explained by every section

st.header("1. Translate")
shipped_translation(result, shipped, sentence)
st.markdown(
    "Greedy decoding takes the most likely piece at every step; beam search keeps several partial "
    "translations and picks the best complete one, with a penalty that keeps it from favouring short ones. "
    "Change the settings to see what each part of the decoding does (the sections below keep explaining the "
    "translation above)."
)
decoding_section(sentence, result)

st.header("2. Attention heatmaps")
st.markdown(
    "Each row is one query position; its weights over the keys sum to 1. Choose which attention, which "
    "layer and which head (or their mean): the chart changes, the model does not run again."
)
attention_section(result, cfg["n_decoder"], cfg["n_head"])

st.header("3. Step through decoding")
st.markdown(
    "The decoder writes one piece at a time, each time reading what it has written and looking back at the "
    "English through cross-attention."
)
steps_section(result, shipped.transformer.tokenizer)

st.header("4. Positional encoding")
st.markdown(
    "Attention alone ignores order, so each position adds a vector of sines and cosines of different "
    "wavelengths; nearby positions get similar vectors."
)
positions_section(result, cfg["d_model"])

st.header("5. Score it")
st.markdown(
    "BLEU counts how many of the output's 1- to 4-word sequences appear in a reference; chrF does the same "
    "with character sequences and is kinder to German word endings."
)
score_section(result, shipped)

st.header("6. Why attention replaced recurrence")
st.markdown(
    "Both models were trained side by side on the same data for the same CPU time, one thread each. A "
    "recurrent encoder must read one token after another; self-attention handles all positions at once."
)
recurrence_section(shipped)

st.header("7. Watch attention learn (live)")
st.markdown(
    "The claims above were measured offline. Here you can watch them happen on this server, in about a minute: "
    "a tiny Transformer (one layer each side, width 64) and a GRU encoder-decoder with attention of similar size "
    "learn a toy task from scratch, generated on the fly, for the same training time. Accuracy is measured by "
    "decoding held-out strings greedily, the way a translation is written. Longer strings make the recurrent "
    "step's one-letter-at-a-time cost visible. The RNN page shows the other side: how far back a recurrent "
    "state can remember at all."
)
link("pages/rnn.py", "Sequences & RNNs: how far back can it remember?", ":material/repeat:")
race_section()

with st.expander("How it works"):
    st.markdown(
        f"Encoder and decoder have {cfg['n_encoder']} and {cfg['n_decoder']} layers of width {cfg['d_model']} with "
        f"{cfg['n_head']} heads and feed-forward width {cfg['d_ff']}; sinusoidal positions; residual connections "
        "with layer norm (applied before each sub-layer, a variant that trains more steadily on a short budget); "
        f"one shared {cfg['vocab_size']:,}-piece BPE vocabulary whose embedding is also the output layer; label "
        f"smoothing {training['label_smoothing']}; Adam with warm-up and inverse-square-root decay; the last "
        f"{shipped.meta['history']['averaged_checkpoints']} final-phase snapshots averaged (0: the last weights "
        "scored better). Decoding caches each layer's keys and values, so a new piece costs one position, not "
        "the whole prefix. Training data: everyday sentence pairs from Tatoeba "
        f"({TATOEBA_CREDIT}) and the auf-deutsch course (MIT), most of each epoch; the Ding dictionary's "
        "example sentences and phrases (GPL-2+, TU Chemnitz) and generated grammar sentences at small shares. "
        "The first token of the English says where a pair came from; everything you type is read as an "
        "everyday sentence. See the README for the recipe."
    )

learning_path("pages/transformer.py")
