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
from ui.gpt.finetuning import make_it_yours
from ui.gpt.likelihood import likelihood, markov_to_attention, readable, score_input
from ui.gpt.pays import how_pieces, pretraining_pays
from ui.gpt.sections import Request, one_step, sampling
from ui.navigation import learning_path, link
from ui.text import t
from ui.widgets import mirror_to_url, number, seed_from_url, slider

inside_frame()
st.title(t("gpt.page.title"))
st.markdown(t("gpt.page.intro"))
with st.expander(t("gpt.page.read_more")):
    st.markdown(t("gpt.page.more"))
gpt = loaded(loaders.gpt_model)
trained, meta, table = gpt.trained, gpt.meta, limits(gpt.trained)

st.header(t("gpt.sample.header"))
seed_from_url("gpt.prompt", "prompt", DEFAULT_PROMPT, lambda s: len(s) <= MAX_PROMPT_CHARS)
prompt = st.text_area(t("gpt.sample.prompt"), key="gpt.prompt", max_chars=MAX_PROMPT_CHARS, height=90)
drawn_here = st.container()  # the samples come first; the settings that drew them sit below
st.markdown(t("gpt.sample.how"))
left, right = st.columns(2)
with left:
    length = slider(t("gpt.sample.length"), "gpt.length", "n", table["n"])
with right:
    seed = number(t("gpt.sample.seed"), "gpt.seed", "seed", table["seed"])
mirror_to_url({"prompt": prompt, "n": length, "seed": seed})
settings = two_settings(table)
with drawn_here:
    drawn = sampling(trained, Request(prompt, length, seed, settings)) if readable(trained, prompt) else None

st.header(t("gpt.step.header"))
st.markdown(t("gpt.step.intro"))
one_step(trained, drawn, table["pos"])

st.header(t("gpt.score.header"))
st.markdown(t("gpt.score.intro"))
with st.expander(t("gpt.page.read_more")):
    st.markdown(t("gpt.score.more", least=least_context_of(trained)))
link("pages/density.py", t("gpt.score.link"), ":material/blur_on:")
text = score_input()
readable_text = text is not None and readable(trained, text)
if readable_text:
    likelihood(text)

st.header(t("gpt.ladder.header"))
st.markdown(t("gpt.ladder.intro", context=trained.model.cfg.context))
markov_to_attention(gpt, text, readable_text or text is None)

st.header(t("gpt.pays.header"))
st.markdown(t("gpt.pays.intro"))
pretraining_pays()

st.header(t("gpt.adapt.header"))
st.markdown(t("gpt.adapt.intro"))
make_it_yours(trained, table)

with st.expander(t("gpt.how.title")):
    cfg, metrics = meta["config"], meta["metrics"]
    architecture = {k: cfg[k] for k in ("n_layer", "d_model", "n_head", "context")}
    scores = {"n_chars": metrics["n_chars"], "nats": metrics["nats_per_char"], "bits": metrics["bits_per_char"]}
    minutes, threads = metrics["train_seconds"] / 60, metrics["threads"]
    st.markdown(t("gpt.how.body", **architecture, **scores, minutes=minutes, threads=threads))
    how_pieces()

learning_path("pages/gpt.py")
