"""GPT: generative pre-training, sampling controls, and how likely any text is."""

import streamlit as st

from ui import loaders
from ui.frame import inside_frame, loaded
from ui.gpt.controls import (
    DEFAULT_PROMPT,
    MAX_PROMPT_CHARS,
    least_context_of,
    limits,
    two_settings,
)
from ui.gpt.finetuning import make_it_yours, pretraining_pays
from ui.gpt.likelihood import likelihood, markov_to_attention, readable, score_input
from ui.gpt.sections import Request, one_step, sampling
from ui.navigation import learning_path, link
from ui.widgets import mirror_to_url, number, seed_from_url, slider

inside_frame()
st.title("GPT: generative pre-training")
st.markdown(
    "GPT pre-trains a Transformer on plentiful unlabelled text just by predicting each next token (here, each "
    "character), then fine-tunes it for a task: that pays off where labelled data is scarce."
)
with st.expander("Read more"):
    st.markdown(
        "The paper fine-tunes one pre-trained model for inference, question answering, similarity and "
        "classification. The model here is small and reads characters: it was pre-trained on a laptop CPU on "
        "Shakespeare's plays and on modern English sentences from reviews, editorials and tweets."
    )
gpt = loaded(loaders.gpt_model)
trained, meta, table = gpt.trained, gpt.meta, limits(gpt.trained)

st.header("1. Sample")
seed_from_url("gpt.prompt", "prompt", DEFAULT_PROMPT, lambda s: len(s) <= MAX_PROMPT_CHARS)
prompt = st.text_area("Prompt (the model continues it)", key="gpt.prompt", max_chars=MAX_PROMPT_CHARS, height=90)
drawn_here = st.container()  # the samples come first; the settings that drew them sit below
st.markdown(
    "Each character is drawn from the model's next-character distribution: **temperature** sharpens or "
    "flattens it, **top-k** and **top-p** cut its tail. Both samples share one seed."
)
left, right = st.columns(2)
with left:
    length = slider("Characters to generate", "gpt.length", "n", table["n"])
with right:
    seed = number("Seed (the same seed draws the same text)", "gpt.seed", "seed", table["seed"])
mirror_to_url({"prompt": prompt, "n": length, "seed": seed})
settings = two_settings(table)
with drawn_here:
    drawn = sampling(trained, Request(prompt, length, seed, settings)) if readable(trained, prompt) else None

st.header("2. Inside one step")
st.markdown(
    "Pick a character of sample A: what the model weighed, how unsure it was, and where it looked (causal "
    "attention: only backwards)."
)
one_step(trained, drawn, table["pos"])

st.header("3. How likely is this text?")
st.markdown(
    "A language model gives every text a probability, one factor per character: "
    "p(text) = p(c₁) · p(c₂ | c₁) · p(c₃ | c₁c₂) ⋯ . **Bits per character** is the average surprise."
)
with st.expander("Read more"):
    st.markdown(
        "The logarithm of p(text) is a sum of one term per character. **Perplexity** is the number of equally "
        "likely characters that would surprise as much. Texts longer than the context are read in overlapping "
        f"windows, so each character still sees at least {least_context_of(trained)} before it."
    )
link("pages/density.py", "The same chain rule for images: exact p(x), pixel by pixel", ":material/blur_on:")
text = score_input()
readable_text = text is not None and readable(trained, text)
if readable_text:
    likelihood(text)

st.header("4. From Markov to attention")
st.markdown(
    "The more context a model uses, the fewer bits each character costs: none (unigram), one character "
    f"(bigram), a hidden state (RNN), attention over {trained.model.cfg.context} characters (GPT)."
)
markov_to_attention(gpt, text, readable_text or text is None)

st.header("5. Pre-training pays")
st.markdown(
    "The same network fine-tuned for movie-review sentiment from the pre-trained weights or from a random "
    "start, with the same recipe, as labelled sentences grow."
)
pretraining_pays()

st.header("6. Make it yours")
st.markdown("Upload a text, fine-tune a private copy of the GPT on it, then sample from both.")
make_it_yours(trained, table)

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

learning_path("pages/gpt.py")
