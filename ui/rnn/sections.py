"""The RNN page's sections, each a fragment: moving its widgets reruns only that section."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.common.checkpoint import CheckpointError
from engine.common.inputs import InputError
from engine.rnn import charlm, sentiment, tagger
from engine.rnn import explain as unroll
from ui import charts, loaders
from ui.rnn import charts as rnn_charts
from ui.rnn.tables import next_char_table, own_text_table, step_outputs
from ui.widgets import download_csv, in_range, mirror_to_url, seed_from_url


@st.fragment
def unrolled(words: list[str], net: str, trained: tuple, meta: dict) -> None:
    """The unrolled diagram, the vectors at one step, and the hidden states filling in."""
    model, encoder = trained
    st.session_state["rnn.step"] = min(st.session_state.get("rnn.step", len(words)), len(words))
    step = st.slider("Time step t", 1, len(words), key="rnn.step") if len(words) > 1 else 1
    run = unroll.trace(model, encoder, words)
    cells = step_outputs(net, run, meta)
    st.plotly_chart(rnn_charts.unrolled_network(cells, unroll.shared_weights(model.rnn), step), key="rnn.diagram")
    st.caption("Hover a coloured square: each is one tensor, drawn once and wired to every step.")
    t = step - 1
    cols = st.columns(3)
    prev = run.hidden[t - 1].numpy() if t else run.hidden[0].numpy() * 0
    strips = (
        (run.inputs[t].numpy(), f"x_{step}: features of '{charts.plain(words[t])}'"),
        (prev, f"h_{step - 1} (previous state)"),
        (run.hidden[t].numpy(), f"h_{step} = tanh(W_xh x_{step} + W_hh h_{step - 1} + b)"),
    )
    for i, (col, (vector, title)) in enumerate(zip(cols, strips, strict=True)):
        col.plotly_chart(rnn_charts.vector_strip(vector, title), key=f"rnn.strip{i}")
    st.markdown(
        f"**Output at step {step}:** {cells['output'].iloc[t]}"
        + ("" if net == "tagger" or step == len(words) else " (not used: only the last step judges)")
    )
    frame = unroll.hidden_frame(run.hidden, words)
    st.plotly_chart(rnn_charts.hidden_heatmap(frame, step, f"Hidden states h_1..h_{step}"), key="rnn.heat")
    download_csv(frame, "Hidden states (CSV)", "hidden_states.csv", "rnn.dl_hidden")


@st.fragment
def two_heads(words: list[str], models: dict) -> None:
    """Tags under every word; P(positive) after every word, the last one being the judgement."""
    tags = pd.DataFrame(tagger.tag(models["tagger"][0], words), columns=["word", "tag", "probability"])
    positive = sentiment.positive_after_each_word(models["sentiment"][0], words)
    curve = pd.DataFrame({"step": range(1, len(words) + 1), "word": words, "p_positive": positive})
    a, b = st.columns([2, 3])
    a.markdown("**Tagger: an output at every step**")
    a.dataframe(tags.style.format({"probability": "{:.2f}"}), hide_index=True, height=min(560, 38 + 35 * len(tags)))
    verdict = "positive" if positive[-1] >= 0.5 else "negative"
    b.metric("Sentiment, read at the last word only", verdict, f"P(positive) = {positive[-1]:.2f}", delta_color="off")
    b.plotly_chart(
        rnn_charts.step_line(
            curve, "p_positive", "P(positive) if the sentence stopped here", "P(positive)", reference=0.5
        ),
        key="rnn.curve",
    )
    with b:
        download_csv(
            tags.merge(curve, left_index=True, right_index=True, suffixes=("", "_s")).drop(columns="word_s"),
            "Tags and P(positive) per word (CSV)",
            "two_heads.csv",
            "rnn.dl_heads",
        )


@st.fragment
def sharing(words: list[str], trained: tuple) -> None:
    """Scale W_hh: every step changes at once; the parameter count never depends on the length."""
    model, encoder = trained
    seed_from_url("rnn.scale", "scale", 1.0, in_range(0.0, 2.0))
    scale = st.slider("Scale W_hh by", 0.0, 2.0, step=0.1, key="rnn.scale")
    mirror_to_url({"scale": scale})
    base, scaled = unroll.trace(model, encoder, words), unroll.trace(model, encoder, words, scale)
    change = pd.DataFrame(
        {"step": range(1, len(words) + 1), "word": words, "change": (scaled.hidden - base.hidden).norm(dim=1).tolist()}
    )
    a, b = st.columns(2)
    a.plotly_chart(
        rnn_charts.step_line(change, "change", f"|h_t(W_hh × {scale:g}) − h_t| at every step", "L2 change of h_t"),
        key="rnn.scale_change",
    )
    a.dataframe(unroll.shared_weights(model.rnn).astype({"shape": str}), hide_index=True)
    lengths = sorted({1, 5, 10, 20, 40, 80, len(words)})
    counts = unroll.parameters_vs_length(model.rnn, lengths)
    b.plotly_chart(
        charts.parameter_chart(
            counts,
            len(words),
            x="length",
            y="parameters",
            color="model",
            title="Weights needed as sentences get longer",
            x_label="words",
            log_x=False,
        ),
        key="rnn.params",
    )
    b.caption("Step 1 never changes: h_0 is zero, so W_hh first acts at step 2.")
    with a:
        download_csv(change, "Change per step (CSV)", "w_hh_scale_change.csv", "rnn.dl_scale")
    with b:
        download_csv(counts, "Parameter counts (CSV)", "rnn_parameters.csv", "rnn.dl_params")


@st.fragment
def memory(words: list[str], trained: tuple) -> None:
    """Drop or replace one word; gradients of the final output with respect to each h_t."""
    model, encoder = trained
    if len(words) < 2:
        st.info("Type at least two words to edit one.")
        return
    a, b, c = st.columns([2, 1, 2])
    index = a.selectbox(
        "Word to edit", range(len(words)), format_func=lambda i: f"{i + 1}: {words[i]}", key="rnn.edit_index"
    )
    action = b.radio("Edit", ["drop", "replace"], key="rnn.edit_action", horizontal=True)
    replacement = (
        c.text_input("Replace with", "great", key="rnn.replacement", max_chars=30) if action == "replace" else None
    )
    if action == "replace" and not (replacement or "").strip():
        st.warning("Type a word to replace it with.")
        return
    effect = unroll.change_after_edit(model, encoder, words, index, replacement.strip() if replacement else None)
    scale = st.session_state.get("rnn.scale", 1.0)
    target = int(unroll.trace(model, encoder, words).probs[-1].argmax())
    grads = unroll.gradient_norms(model, encoder, words, target, scale)
    a, b = st.columns(2)
    if effect.empty:
        a.info("No word follows this one, so nothing later can change.")
    else:
        a.plotly_chart(
            rnn_charts.step_line(effect, "hidden_change", "How far each later h_t moves", "L2 change"), key="rnn.effect"
        )
    b.plotly_chart(
        rnn_charts.step_line(
            grads, "grad_norm", f"|∂ log p(last output) / ∂h_t| (W_hh × {scale:g})", "gradient norm", log_y=True
        ),
        key="rnn.grads",
    )
    download_csv(
        effect.merge(grads, on=["step", "word"], how="right"),
        "Changes and gradients (CSV)",
        "memory.csv",
        "rnn.dl_memory",
    )


@st.fragment
def markov_vs_rnn() -> None:
    """The bigram model and the character RNN on the same prefix, and on the same held-out text."""
    try:
        markov, char_rnn, markov_meta, rnn_meta = loaders.char_models()
    except CheckpointError as err:
        st.error(str(err))
        return
    seed_from_url("rnn.prefix", "prefix", "To be, or not to b", lambda s: len(s) <= 200)
    prefix = st.text_input("Prefix (the models read Shakespeare)", key="rnn.prefix", max_chars=200)
    mirror_to_url({"prefix": prefix})
    bigram = next_char_table(markov.vocab, markov.next_char_probs(prefix))
    latent = next_char_table(char_rnn[1], charlm.char_rnn_next_probs(char_rnn, prefix))
    a, b = st.columns(2)
    last = repr(prefix[-1:]) if prefix else "nothing"
    a.plotly_chart(rnn_charts.next_char_bars(bigram.head(12), f"Markov (bigram): sees only {last}"), key="rnn.mk")
    b.plotly_chart(rnn_charts.next_char_bars(latent.head(12), "Character RNN: its state has read it all"), key="rnn.cr")
    st.dataframe(
        pd.DataFrame(
            {
                "model": ["bigram Markov (first-order)", "character RNN (latent state)"],
                "held-out bits per character": [
                    markov_meta["metrics"]["bits_per_char"],
                    rnn_meta["metrics"]["bits_per_char"],
                ],
                "characters scored": [markov_meta["metrics"]["n_chars"], rnn_meta["metrics"]["n_chars"]],
            }
        ),
        hide_index=True,
    )
    download_csv(
        bigram.merge(latent, on="char", suffixes=("_bigram", "_rnn")),
        "Both distributions (CSV)",
        "next_char.csv",
        "rnn.dl_next",
    )


@st.fragment
def own_text(models: dict) -> None:
    """Upload a .txt: every sentence tagged and scored."""
    upload = st.file_uploader(
        "A UTF-8 or UTF-16 text file (up to 10 MB; the first 500 sentences are read)", type=["txt"], key="rnn.upload"
    )
    if upload is None:
        return
    st.text(f"File: {upload.name}")
    try:
        table, note = own_text_table(upload.getvalue(), models["tagger"][0], models["sentiment"][0])
    except InputError as err:
        st.error(f"Cannot use this file: {err}")
        return
    if note:
        st.info(note)
    st.dataframe(table, hide_index=True)
    download_csv(table, "Tagged and scored sentences (CSV)", "my_text.csv", "rnn.dl_own")
