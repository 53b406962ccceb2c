"""The Transformer translator: attention heatmaps from an English-to-German model trained here."""

import streamlit as st

from ui import loaders
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link
from ui.translator.decoding import TATOEBA_CREDIT, cannot_translate, decoding_section, shipped_translation
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
st.title("Transformer translator")
st.markdown(
    "The Transformer drops recurrence and keeps only attention: every position looks at every other at once, so "
    "training runs in parallel and takes less time. This small English-to-German one was trained here."
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

if not cannot_translate(sentence):  # most words foreign: one line says so, and no translation is shown
    with st.spinner("Translating..."):
        result = loaders.translation(sentence)  # the shipped decoding, traced once and explained by every section

    st.header("1. Translate")
    shipped_translation(result, shipped, sentence)
    st.caption(
        "Greedy decoding keeps the likeliest piece at each step; beam search keeps several partial translations."
    )
    decoding_section(sentence)

    st.header("2. Attention heatmaps")
    st.caption("Each row is one query position; its weights over the keys sum to 1.")
    attention_section(result, cfg["n_decoder"], cfg["n_head"])

    st.header("3. Step through decoding")
    st.caption("The decoder writes one piece at a time, looking back at the English through cross-attention.")
    steps_section(result, shipped.transformer.tokenizer)

    st.header("4. Positional encoding")
    st.caption("Attention alone ignores order, so each position adds sines and cosines of different wavelengths.")
    positions_section(result, cfg["d_model"])

    st.header("5. Score it")
    st.caption(
        "BLEU counts 1- to 4-word sequences shared with a reference; chrF counts character sequences, kinder to "
        "German endings."
    )
    score_section(result, shipped)

st.header("6. What parallel training buys")
st.markdown(
    "Two translators trained side by side for the same CPU time; the Transformer got further. Why: a GRU's "
    "training step grows with the string, one position after another; attention takes all positions at once."
)
parallel_section(shipped)

st.header("7. Live toy race: faster or fewer steps?")
st.markdown(
    "A tiny Transformer and a GRU with attention learn a toy task from scratch, the same training time each: "
    "does attention's faster step beat the number of steps each needs?"
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
        f"the whole prefix. The translation shown first uses {shipped.meta['metrics']['decoding']}. "
        "Training data: everyday sentence pairs from Tatoeba "
        f"({TATOEBA_CREDIT}) and the auf-deutsch course (MIT), most of each epoch; the Ding dictionary's "
        "example sentences and phrases (GPL-2+, TU Chemnitz) and generated grammar sentences at small shares. "
        "The first token of the English says where a pair came from; everything you type is read as an "
        "everyday sentence. The recipe is in docs/models.md."
    )

learning_path("pages/transformer.py")
