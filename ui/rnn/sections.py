"""The RNN page's controls and sections; each section a fragment: moving its widgets reruns only that section."""

from __future__ import annotations

import math
import re

import pandas as pd
import streamlit as st

from engine.common.checkpoint import CheckpointError
from engine.common.inputs import InputError
from engine.common.scripts import check_words
from engine.rnn import charlm, survey
from engine.rnn import explain as unroll
from engine.rnn.train import Trained
from ui import charts, loaders
from ui.rnn import charts as rnn_charts
from ui.widgets import Limit, cannot_read, download_csv, mirror_to_url, seed_from_url, slider, uploaded

# A turn from negative to positive (P(positive) moves), two words that can be nouns or verbs ("acting",
# "ending": the tagger is unsure of them), and 17 steps, over which both networks' gradients clearly fade.
DEFAULT_SENTENCE = "The film starts badly, but the acting is great and the ending is a treat."
DEFAULT_PREFIX = "To be, or not to b"
NETS = {"tagger": "POS tagger (many-to-many)", "sentiment": "sentiment (many-to-one)"}
# Factors on W_hh: 0 cuts the recurrence, 2 doubles it. Sharing starts at 0.5, since at 1 (the trained
# W_hh) nothing changes; the gradient starts at 1, the network as trained.
LIMITS = {"scale": Limit(0.0, 2.0, 0.5, 0.1), "grad_scale": Limit(0.0, 2.0, 1.0, 0.1)}
READER = "Each RNN here (tagger, sentiment) was trained on English only"
FADES = survey.CLEAR  # the first word's gradient under this share of the last word's counts as clearly fading
MAX_REPLACEMENT_CHARS = 30


def sentence_input() -> tuple[list[str] | None, str]:
    """The typed sentence as words (None, with a message, if unusable) and the network to unroll."""
    seed_from_url("rnn.sentence", "s", DEFAULT_SENTENCE, lambda s: len(s) <= unroll.MAX_SENTENCE_CHARS)
    seed_from_url("rnn.net", "net", "sentiment", list(NETS))
    a, b = st.columns([3, 1])
    sentence = a.text_input(
        f"Your sentence (up to {unroll.MAX_WORDS} words)", key="rnn.sentence", max_chars=unroll.MAX_SENTENCE_CHARS
    )
    net = b.radio("Network to unroll", list(NETS), key="rnn.net", format_func=NETS.get)
    mirror_to_url({"s": sentence, "net": net})
    if cannot_read(check_words(sentence), READER):
        return None, net
    try:
        return unroll.sentence_words(sentence), net
    except InputError as err:
        st.error(str(err))
        return None, net


def _vector_strips(run: unroll.Trace, step: int) -> None:
    """x_t, h_(t-1) and h_t side by side."""
    t = step - 1
    prev = run.hidden[t - 1].numpy() if t else run.hidden[0].numpy() * 0
    strips = (
        (run.inputs[t].numpy(), f"x_{step}: features of '{charts.plain(run.words[t])}'"),
        (prev, f"h_{step - 1} (previous state)"),
        (run.hidden[t].numpy(), f"h_{step} = tanh(W_xh x_{step} + W_hh h_{step - 1} + b)"),
    )
    for i, (col, (vector, title)) in enumerate(zip(st.columns(3), strips, strict=True)):
        col.plotly_chart(rnn_charts.vector_strip(vector, title), key=f"rnn.strip{i}")


@st.fragment
def unrolled(words: list[str], net: str, trained: Trained) -> None:
    """The unrolled diagram, the vectors at one step, and the hidden states filling in."""
    if st.session_state.get("rnn.step_words") != words:  # a new sentence starts at its last step
        st.session_state["rnn.step_words"] = list(words)
        st.session_state["rnn.step"] = len(words)
    step = st.slider("Time step t", 1, len(words), key="rnn.step") if len(words) > 1 else 1
    run = unroll.trace(trained.model, trained.encoder, words)
    cells = unroll.step_outputs(net, run)
    diagram = rnn_charts.unrolled_network(cells, unroll.shared_weights(trained.model.rnn), step)
    st.plotly_chart(diagram, key="rnn.diagram")
    st.caption("Hover a coloured square: each is one tensor, drawn once and wired to every step.")
    _vector_strips(run, step)
    st.markdown(
        f"**Output at step {step}:** {cells['output'].iloc[step - 1]}"
        + ("" if net == "tagger" or step == len(words) else " (not used: only the last step judges)")
    )
    frame = unroll.hidden_frame(run.hidden, words)
    st.plotly_chart(rnn_charts.hidden_heatmap(frame, step, f"Hidden states h_1..h_{step}"), key="rnn.heat")
    download_csv(frame, "Hidden states (CSV)", "hidden_states.csv", "rnn.dl_hidden")


@st.fragment
def two_heads(words: list[str], tagger: Trained, sentiment: Trained) -> None:
    """Tags under every word; P(positive) after every word, the last one being the judgement."""
    frame = unroll.two_heads_frame(tagger, sentiment, words)
    tags = frame[["word", "tag", "probability"]]
    a, b = st.columns([2, 3])
    a.markdown("**Tagger: an output at every step**")
    a.dataframe(tags.style.format({"probability": "{:.2f}"}), hide_index=True, height=min(560, 38 + 35 * len(tags)))
    last = frame["p_positive"].iloc[-1]
    verdict = "positive" if last >= 0.5 else "negative"
    b.metric("Sentiment, read at the last word only", verdict, f"P(positive) = {last:.2f}", delta_color="off")
    b.plotly_chart(rnn_charts.p_positive_chart(frame), key="rnn.curve")
    with b:
        download_csv(frame, "Tags and P(positive) per word (CSV)", "two_heads.csv", "rnn.dl_heads")


@st.fragment
def sharing(words: list[str], trained: Trained) -> None:
    """W_hh scaled by a slider: every step changes at once; the parameter count never depends on the length."""
    scale = slider("Scale W_hh by", "rnn.scale", "scale", LIMITS["scale"])
    mirror_to_url({"scale": scale})
    change = unroll.scale_change(trained.model, trained.encoder, words, scale)
    a, b = st.columns(2)
    title = f"|h_t(W_hh × {scale:g}) − h_t| at every step"
    a.plotly_chart(rnn_charts.step_line(change, "change", title, "L2 change of h_t"), key="rnn.scale_change")
    a.caption(
        "At × 1 (the trained W_hh) nothing changes."
        if scale == 1
        else "Step 1 never changes: h_0 is zero, "
        "so W_hh first acts at step 2. Every later step moves: they all use this one matrix."
    )
    a.dataframe(unroll.shared_weights(trained.model.rnn).astype({"shape": str}), hide_index=True)
    lengths = sorted({1, 5, 10, 20, unroll.MAX_WORDS, unroll.MAX_UPLOADED_WORDS, len(words)})
    counts = unroll.parameters_vs_length(trained.model.rnn, lengths)
    b.plotly_chart(rnn_charts.parameters_chart(counts, len(words)), key="rnn.params")
    with a:
        download_csv(change, "Change per step (CSV)", "w_hh_scale_change.csv", "rnn.dl_scale")
    with b:
        download_csv(counts, "Parameter counts (CSV)", "rnn_parameters.csv", "rnn.dl_params")


def _edit_controls(words: list[str]) -> tuple[int, str | None] | None:
    """The word to edit and its replacement (None: drop it); None while the replacement is empty."""
    a, b, c = st.columns([2, 1, 2])
    index = a.selectbox(
        "Word to edit", range(len(words)), format_func=lambda i: f"{i + 1}: {words[i]}", key="rnn.edit_index"
    )
    action = b.radio("Edit", ["drop", "replace"], key="rnn.edit_action", horizontal=True)
    if action == "drop":
        return index, None
    replacement = c.text_input("Replace with", "great", key="rnn.replacement", max_chars=MAX_REPLACEMENT_CHARS)
    if not replacement.strip():
        st.warning("Type a word to replace it with.")
        return None
    return index, replacement.strip()


def fade_note(grads: pd.DataFrame) -> str:
    """One line saying whether, and how fast, the gradient fades from the last word back to the first."""
    ratio, per_step = unroll.gradient_fade(grads)
    last = len(grads)
    if math.isnan(ratio):  # no gradient reaches even the last word
        return "**No gradient here:** the final output does not depend on these hidden states at this scale."
    if ratio == 0:  # W_hh scaled to 0: no step passes anything to the next
        return f"**No gradient reaches word 1:** with W_hh scaled to 0, only word {last} affects the output."
    if ratio < FADES:
        return (
            f"**The gradient fades:** word 1 receives 1/{1 / ratio:,.0f} of the gradient at word {last}, "
            f"about × {per_step:.2f} per step back."
        )
    if ratio < 1:
        return (
            f"**The gradient fades only a little on this sentence:** word 1 receives {ratio:.2f} × the gradient "
            f"at word {last}. Try a longer sentence or a smaller scale."
        )
    return (
        f"**The gradient does not fade on this sentence:** word 1 receives {ratio:.2f} × the gradient at word "
        f"{last}. Vanishing is a tendency of W_hh and tanh, not a law; try a smaller scale."
    )


@st.cache_data(show_spinner=False)
def _survey() -> pd.DataFrame:
    """The fade survey of both shipped networks, computed once per server."""
    return survey.fade_survey({"tagger": loaders.tagger_model(), "sentiment": loaders.sentiment_model()})


CONTRAST = re.compile(r"\b(but|yet)\b")


def survey_note() -> str:
    """How often the gradient clearly fades over the survey's fixed sentences, for each network."""
    frame = _survey()
    parts = [
        f"{int((g['ratio'] < FADES).sum())} of {len(g)} with the {name} network (median {g['ratio'].median():.2g} ×)"
        for name, g in frame.groupby("network", sort=False)
    ]
    grew = frame[frame["ratio"] >= 1].groupby("network", sort=False).size()
    larger = "; ".join(
        f"on {n} the {name} network's gradient was larger at word 1 than at the last" for name, n in grew.items()
    )
    n = frame["sentence"].nunique()
    contrasts = sum(1 for sentence in frame["sentence"].unique() if CONTRAST.search(sentence))
    return (
        f"Measured on this page's fixed set of {n} sentences ({contrasts} of them, the default among them, reviews "
        f"that turn on a 'but' or 'yet', so this is a narrow sample): word 1 received under {FADES:g} of the last "
        "word's gradient for " + " and ".join(parts) + (f"; {larger}." if larger else ".")
    )


@st.fragment
def memory(words: list[str], trained: Trained) -> None:
    """Drop or replace one word; gradients of the final output with respect to each h_t."""
    if len(words) < 2:
        st.info("Type at least two words to edit one.")
        return
    edit = _edit_controls(words)
    if edit is None:
        return
    scale = slider("Scale W_hh in the gradient by", "rnn.grad_scale", "gscale", LIMITS["grad_scale"])
    mirror_to_url({"gscale": scale})
    frame = unroll.memory_frame(trained.model, trained.encoder, words, *edit, scale)
    changes, grads = rnn_charts.memory_charts(frame, scale)
    a, b = st.columns(2)
    if changes is None:
        a.info("No word follows this one, so nothing later can change.")
    else:
        a.plotly_chart(changes, key="rnn.effect")
    b.plotly_chart(grads, key="rnn.grads")
    b.markdown(fade_note(frame))
    download_csv(frame, "Changes and gradients (CSV)", "memory.csv", "rnn.dl_memory")


def bits_table(models: charlm.CharModels) -> pd.DataFrame:
    """Held-out bits per character of both character models, from their checkpoints."""
    metas = (models.markov_meta["metrics"], models.rnn_meta["metrics"])
    return pd.DataFrame(
        {
            "model": ["bigram Markov (first-order)", "character RNN (latent state)"],
            "held-out bits per character": [m["bits_per_char"] for m in metas],
            "characters scored": [m["n_chars"] for m in metas],
        }
    )


def _char_models() -> charlm.CharModels | None:
    """Both character models, or None with the rebuild command shown: the rest of the page still works."""
    try:
        return loaders.char_models()
    except CheckpointError as err:
        st.error(str(err))
    return None


@st.fragment
def markov_vs_rnn() -> None:
    """The bigram model and the character RNN on the same prefix, and on the same held-out text."""
    models = _char_models()
    if models is None:
        return
    seed_from_url("rnn.prefix", "prefix", DEFAULT_PREFIX, lambda s: len(s) <= charlm.MAX_PREFIX_CHARS)
    prefix = st.text_input("Prefix (the models read Shakespeare)", key="rnn.prefix", max_chars=charlm.MAX_PREFIX_CHARS)
    mirror_to_url({"prefix": prefix})
    frame = charlm.next_char_frame(models.markov, models.char_rnn, prefix)
    a, b = st.columns(2)
    bigram, latent = rnn_charts.next_char_charts(frame, prefix)
    a.plotly_chart(bigram, key="rnn.mk")
    b.plotly_chart(latent, key="rnn.cr")
    st.dataframe(bits_table(models), hide_index=True)
    download_csv(frame, "Both distributions (CSV)", "next_char.csv", "rnn.dl_next")


@st.fragment
def own_text(tagger: Trained, sentiment: Trained) -> None:
    """Upload a .txt: every sentence tagged and scored."""
    result = uploaded(
        f"A UTF-8 or UTF-16 text file (the first {unroll.MAX_SENTENCES} sentences are read)",
        ["txt"],
        "rnn.upload",
        lambda data: unroll.own_text_table(data, tagger, sentiment),
    )
    if result is None:
        return
    table, note, report = result
    if cannot_read(report, READER):
        return
    if note:
        st.info(note)
    st.dataframe(table, hide_index=True)
    download_csv(table, "Tagged and scored sentences (CSV)", "my_text.csv", "rnn.dl_own")
