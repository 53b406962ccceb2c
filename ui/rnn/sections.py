"""The RNN page's controls and sections; each section a fragment: moving its widgets reruns only that section."""

from __future__ import annotations

import math
import re

import pandas as pd
import streamlit as st

from engine.common.inputs import InputError
from engine.common.scripts import check_words
from engine.rnn import explain as unroll
from engine.rnn import survey
from engine.rnn.train import Trained
from ui import charts, loaders
from ui.rnn import charts as rnn_charts
from ui.rnn.reading import reader
from ui.text import bound, raw, say, t
from ui.widgets import Limit, cannot_read, download_csv, mirror_to_url, seed_from_url, slider

# A turn from negative to positive (P(positive) moves), two words that can be nouns or verbs ("acting",
# "ending": the tagger is unsure of them), and 17 steps, over which both networks' gradients clearly fade.
# The models read English, so the sentence stays English in every language.
DEFAULT_SENTENCE = raw("The film starts badly, but the acting is great and the ending is a treat.")
NETS = ("tagger", "sentiment")  # the networks to unroll; their names are rnn.nets.<id>
# Factors on W_hh: 0 cuts the recurrence, 2 doubles it. Sharing starts at 0.5, since at 1 (the trained
# W_hh) nothing changes; the gradient starts at 1, the network as trained.
LIMITS = {"scale": Limit(0.0, 2.0, 0.5, 0.1), "grad_scale": Limit(0.0, 2.0, 1.0, 0.1)}
FADES = survey.CLEAR  # the first word's gradient under this share of the last word's counts as clearly fading
MAX_REPLACEMENT_CHARS = 30
EDITS = ("drop", "replace")  # the memory section's edits; their names are rnn.memory.<id>
REPLACEMENT = raw("great")  # the word the replacement box starts at: the models read English


def sentence_input() -> tuple[list[str] | None, str]:
    """The typed sentence as words (None, with a message, if unusable) and the network to unroll."""
    seed_from_url("rnn.sentence", "s", DEFAULT_SENTENCE, lambda s: len(s) <= unroll.MAX_SENTENCE_CHARS)
    seed_from_url("rnn.net", "net", "sentiment", NETS)
    a, b = st.columns([3, 1])
    sentence = a.text_input(
        t("rnn.sentence.label", most=unroll.MAX_WORDS), key="rnn.sentence", max_chars=unroll.MAX_SENTENCE_CHARS
    )
    net = b.radio(t("rnn.sentence.net"), NETS, key="rnn.net", format_func=bound(lambda n: t(f"rnn.nets.{n}")))
    mirror_to_url({"s": sentence, "net": net})
    if cannot_read(check_words(sentence), reader()):
        return None, net
    try:
        return unroll.sentence_words(sentence), net
    except InputError as err:
        st.error(say(err))
        return None, net


def _vector_strips(run: unroll.Trace, step: int) -> None:
    """x_t, h_(t-1) and h_t side by side."""
    i = step - 1
    prev = run.hidden[i - 1].numpy() if i else run.hidden[0].numpy() * 0
    strips = (
        (run.inputs[i].numpy(), t("rnn.unrolled.x_strip", step=step, word=charts.plain(run.words[i]))),
        (prev, t("rnn.unrolled.h_previous", step=step - 1)),
        (run.hidden[i].numpy(), raw(f"h_{step} = tanh(W_xh x_{step} + W_hh h_{step - 1} + b)")),
    )
    for n, (col, (vector, title)) in enumerate(zip(st.columns(3), strips, strict=True)):
        col.plotly_chart(rnn_charts.vector_strip(vector, title), key=f"rnn.strip{n}")


@st.fragment
def unrolled(words: list[str], net: str, trained: Trained) -> None:
    """The unrolled diagram, the vectors at one step, and the hidden states filling in."""
    if st.session_state.get("rnn.step_words") != words:  # a new sentence starts at its last step
        st.session_state["rnn.step_words"] = list(words)
        st.session_state["rnn.step"] = len(words)
    step = st.slider(t("rnn.unrolled.step"), 1, len(words), key="rnn.step") if len(words) > 1 else 1
    run = unroll.trace(trained.model, trained.encoder, words)
    cells = unroll.step_outputs(net, run)
    diagram = rnn_charts.unrolled_network(cells, unroll.shared_weights(trained.model.rnn), step)
    st.plotly_chart(diagram, key="rnn.diagram")
    st.caption(t("rnn.unrolled.hover"))
    _vector_strips(run, step)
    unused = "" if net == "tagger" or step == len(words) else t("rnn.unrolled.unused")
    st.markdown(t("rnn.unrolled.output", step=step, output=cells["output"].iloc[step - 1]) + unused)
    frame = unroll.hidden_frame(run.hidden, words)
    title = t("rnn.unrolled.hidden_title", step=step)
    st.plotly_chart(rnn_charts.hidden_heatmap(frame, step, title), key="rnn.heat")
    download_csv(frame, t("rnn.unrolled.hidden_csv"), "hidden_states.csv", "rnn.dl_hidden")


@st.fragment
def two_heads(words: list[str], tagger: Trained, sentiment: Trained) -> None:
    """Tags under every word; P(positive) after every word, the last one being the judgement."""
    frame = unroll.two_heads_frame(tagger, sentiment, words)
    tags = frame[["word", "tag", "probability"]].rename(columns=lambda c: t(f"rnn.heads.{c}"))
    a, b = st.columns([2, 3])
    a.markdown(t("rnn.heads.tagger"))
    shown = tags.style.format({t("rnn.heads.probability"): "{:.2f}"})
    a.dataframe(shown, hide_index=True, height=min(560, 38 + 35 * len(tags)))
    last = frame["p_positive"].iloc[-1]
    verdict = t("rnn.heads.positive") if last >= 0.5 else t("rnn.heads.negative")
    b.metric(t("rnn.heads.metric"), verdict, t("rnn.heads.delta", p=last), delta_color="off")
    b.plotly_chart(rnn_charts.p_positive_chart(frame), key="rnn.curve")
    with b:
        download_csv(frame, t("rnn.heads.csv"), "two_heads.csv", "rnn.dl_heads")


def tensors_table(tensors: pd.DataFrame) -> pd.DataFrame:
    """The shared tensors (columns tensor, shape, parameters, role) as shown: roles and headers translated."""
    shown = tensors.astype({"shape": str}).assign(role=[t(f"rnn.sharing.role_{n}") for n in tensors["tensor"]])
    return shown.rename(columns=lambda c: t(f"rnn.sharing.{c}"))


@st.fragment
def sharing(words: list[str], trained: Trained) -> None:
    """W_hh scaled by a slider: every step changes at once; the parameter count never depends on the length."""
    scale = slider(t("rnn.sharing.scale"), "rnn.scale", "scale", LIMITS["scale"])
    mirror_to_url({"scale": scale})
    change = unroll.scale_change(trained.model, trained.encoder, words, scale)
    a, b = st.columns(2)
    title = t("rnn.sharing.title", scale=scale)
    a.plotly_chart(rnn_charts.step_line(change, "change", title, t("rnn.sharing.axis")), key="rnn.scale_change")
    a.caption(t("rnn.sharing.trained") if scale == 1 else t("rnn.sharing.step_one"))
    a.dataframe(tensors_table(unroll.shared_weights(trained.model.rnn)), hide_index=True)
    lengths = sorted({1, 5, 10, 20, unroll.MAX_WORDS, unroll.MAX_UPLOADED_WORDS, len(words)})
    counts = unroll.parameters_vs_length(trained.model.rnn, lengths)
    # the engine names the RNN first, then the dense layer, at every length
    names = dict(zip(counts["model"].unique(), (t("rnn.sharing.rnn"), t("rnn.sharing.dense")), strict=True))
    b.plotly_chart(rnn_charts.parameters_chart(counts.replace({"model": names}), len(words)), key="rnn.params")
    with a:
        download_csv(change, t("rnn.sharing.change_csv"), "w_hh_scale_change.csv", "rnn.dl_scale")
    with b:
        download_csv(counts, t("rnn.sharing.params_csv"), "rnn_parameters.csv", "rnn.dl_params")


def _edit_controls(words: list[str]) -> tuple[int, str | None] | None:
    """The word to edit and its replacement (None: drop it); None while the replacement is empty."""
    a, b, c = st.columns([2, 1, 2])
    index = a.selectbox(
        t("rnn.memory.word"), range(len(words)), format_func=lambda i: f"{i + 1}: {words[i]}", key="rnn.edit_index"
    )
    action = b.radio(
        t("rnn.memory.action"),
        EDITS,
        key="rnn.edit_action",
        horizontal=True,
        format_func=bound(lambda e: t(f"rnn.memory.{e}")),
    )
    if action == "drop":
        return index, None
    replacement = c.text_input(
        t("rnn.memory.replacement"), REPLACEMENT, key="rnn.replacement", max_chars=MAX_REPLACEMENT_CHARS
    )
    if not replacement.strip():
        st.warning(t("rnn.memory.empty"))
        return None
    return index, replacement.strip()


def fade_note(grads: pd.DataFrame) -> str:
    """One line saying whether, and how fast, the gradient fades from the last word back to the first."""
    ratio, per_step = unroll.gradient_fade(grads)
    last = len(grads)
    if math.isnan(ratio):  # no gradient reaches even the last word
        return t("rnn.fade.none")
    if ratio == 0:  # W_hh scaled to 0: no step passes anything to the next
        return t("rnn.fade.cut", last=last)
    if ratio < FADES:
        return t("rnn.fade.fades", inverse=1 / ratio, last=last, per_step=per_step)
    if ratio < 1:
        return t("rnn.fade.little", ratio=ratio, last=last)
    return t("rnn.fade.grows", ratio=ratio, last=last)


@st.cache_data(show_spinner=False)
def _survey() -> pd.DataFrame:
    """The fade survey of both shipped networks, computed once per server."""
    return survey.fade_survey({"tagger": loaders.tagger_model(), "sentiment": loaders.sentiment_model()})


CONTRAST = re.compile(r"\b(but|yet)\b")


def survey_note() -> str:
    """How often the gradient clearly fades over the survey's fixed sentences, for each network."""
    frame = _survey()
    parts = [
        t(
            "rnn.survey.part",
            clear=int((g["ratio"] < FADES).sum()),
            n=len(g),
            name=t(f"rnn.network.{name}"),
            median=g["ratio"].median(),
        )
        for name, g in frame.groupby("network", sort=False)
    ]
    grew = frame[frame["ratio"] >= 1].groupby("network", sort=False).size()
    larger = t("rnn.survey.larger_joiner").join(
        t("rnn.survey.larger", n=n, name=t(f"rnn.network.{name}")) for name, n in grew.items()
    )
    n = frame["sentence"].nunique()
    contrasts = sum(1 for sentence in frame["sentence"].unique() if CONTRAST.search(sentence))
    note = t("rnn.survey.note", n=n, contrasts=contrasts, fades=FADES, parts=t("rnn.survey.joiner").join(parts))
    return note + (t("rnn.survey.end_larger", larger=larger) if larger else t("rnn.survey.end"))


@st.fragment
def memory(words: list[str], trained: Trained) -> None:
    """Drop or replace one word; gradients of the final output with respect to each h_t."""
    if len(words) < 2:
        st.info(t("rnn.memory.too_short"))
        return
    edit = _edit_controls(words)
    if edit is None:
        return
    scale = slider(t("rnn.memory.scale"), "rnn.grad_scale", "gscale", LIMITS["grad_scale"])
    mirror_to_url({"gscale": scale})
    frame = unroll.memory_frame(trained.model, trained.encoder, words, *edit, scale)
    changes, grads = rnn_charts.memory_charts(frame, scale)
    a, b = st.columns(2)
    if changes is None:
        a.info(t("rnn.memory.nothing_after"))
    else:
        a.plotly_chart(changes, key="rnn.effect")
    b.plotly_chart(grads, key="rnn.grads")
    b.markdown(fade_note(frame))
    download_csv(frame, t("rnn.memory.csv"), "memory.csv", "rnn.dl_memory")
