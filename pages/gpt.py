"""GPT: generative pre-training, sampling controls, and how likely any text is."""

import streamlit as st

from ui import loaders
from ui.frame import inside_frame, loaded
from ui.gpt.sections import likelihood, make_it_yours, one_step, pretraining_pays, sampling

inside_frame()
st.title("GPT: generative pre-training")
st.markdown(
    "GPT pre-trains a Transformer language model on plentiful unlabelled text, just by predicting each next "
    "token, and then fine-tunes it for a task (inference, question answering, similarity, classification). "
    "That pays off where labelled data is scarce. The model here is small and reads characters: it was "
    "pre-trained on a laptop CPU on Shakespeare's plays and on modern English sentences from reviews, "
    "editorials and tweets."
)
trained, meta = loaded(loaders.gpt_model)

st.header("1. Sample")
st.markdown(
    "Each character is drawn from the model's distribution over the next one. **Temperature** rescales it, "
    "**top-k** keeps only the k most likely characters and **top-p** the smallest set whose probability "
    "reaches p. Both columns use the same seed, so only the settings differ."
)
sampling(trained)

st.header("2. Inside one step")
st.markdown(
    "Pick a character of sample A: what the model weighed, what the filters cut away, how unsure it was "
    "(entropy), and where its newest position looked in the context (causal attention: only backwards)."
)
one_step(trained)

st.header("3. How likely is this text?")
st.markdown(
    "A language model assigns every text a probability: p(text) = p(c₁) · p(c₂ | c₁) · p(c₃ | c₁c₂) ⋯ . "
    "Its logarithm is a sum of one term per character; **bits per character** is the average surprise, "
    "and **perplexity** the number of equally likely characters that would surprise as much. Texts longer "
    "than the context are read in overlapping windows, so each character still sees at least 112 before it."
)
likelihood(trained, meta)

st.header("5. Pre-training pays")
st.markdown(
    "The same network, fine-tuned for movie-review sentiment from the pre-trained weights or trained from a "
    "random start, with the same recipe, for a growing number of labelled sentences."
)
pretraining_pays()

st.header("6. Make it yours")
st.markdown(
    "Upload a text and fine-tune a private copy of the GPT on it for a bounded number of steps; then sample "
    "from both. The shared model is never modified, and one fine-tune runs at a time per server."
)
make_it_yours(trained)

with st.expander("How it works"):
    cfg, metrics = meta["config"], meta["metrics"]
    st.markdown(
        f"`engine.gpt.model.GPT`: {cfg['n_layer']} pre-norm Transformer blocks of width {cfg['d_model']} with "
        f"{cfg['n_head']} causal attention heads, learned positions over {cfg['context']} characters, and an "
        "output layer tied to the character embedding. Sampling caches each layer's keys and values, so a new "
        "character costs one position; when the window is full the model keeps reading the last three quarters "
        f"of it. On {metrics['n_chars']:,} held-out characters of Shakespeare it scores "
        f"{metrics['nats_per_char']:.3f} nats ({metrics['bits_per_char']:.3f} bits) per character, after "
        f"{metrics['train_seconds'] / 60:.0f} minutes of training on {metrics['threads']} CPU threads."
    )
