"""The translator page's sections, each a fragment over one cached translation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.common.inputs import InputError, decode_text
from engine.translator import bpe
from engine.translator import explain as mt_explain
from engine.translator import models as mt_models
from engine.translator import train as translator
from ui import loaders
from ui.charts import plain
from ui.translator import charts as mt_charts
from ui.widgets import download_csv, in_range, mirror_to_url, seed_from_url

KINDS = {
    "cross": "decoder → encoder (cross)",
    "encoder": "encoder self-attention",
    "decoder": "decoder self-attention (masked)",
}
MAX_PAIRS = 500


def _head_label(head: int) -> str:
    return "mean of heads" if head == -1 else f"head {head}"


@st.fragment
def translate_section(sentence: str) -> None:
    """Greedy next to beam search, with the beam's hypotheses and scores."""
    result = loaders.translation(sentence)
    seed_from_url("mt.width", "w", 4, in_range(1, 8))
    seed_from_url("mt.alpha", "alpha", 0.6, in_range(0.0, 2.0))
    a, b = st.columns(2)
    width = a.slider("Beam width", 1, 8, key="mt.width")
    alpha = b.slider("Length penalty α (score = log p / ((5 + length) / 6)^α)", 0.0, 2.0, step=0.1, key="mt.alpha")
    mirror_to_url({"w": width, "alpha": alpha})
    hyps = loaders.beams(sentence, width, alpha)
    a, b = st.columns(2)
    a.markdown("**Greedy** (the most likely piece at each step)")
    a.text(result.text or "(empty)")
    b.markdown(f"**Beam search**, width {width}")
    b.text(hyps["translation"].iloc[0] or "(empty)")
    st.dataframe(hyps, hide_index=True)
    download_csv(hyps, "Beam hypotheses (CSV)", "beams.csv", "mt.dl_beams")


@st.fragment
def attention_section(sentence: str, layers: int, heads: int) -> None:
    """Heatmaps of one layer and head (or their mean) for any of the three attentions."""
    result = loaders.translation(sentence)
    seed_from_url("mt.kind", "kind", "cross", list(KINDS))
    seed_from_url("mt.layer", "layer", layers - 1, in_range(0, layers - 1))
    seed_from_url("mt.head", "head", -1, in_range(-1, heads - 1))
    a, b, c = st.columns(3)
    kind = a.selectbox("Attention", list(KINDS), format_func=KINDS.get, key="mt.kind")
    layer = b.selectbox("Layer", range(layers), key="mt.layer")
    head = c.selectbox("Head", [-1, *range(heads)], format_func=_head_label, key="mt.head")
    mirror_to_url({"kind": kind, "layer": layer, "head": head})
    weights, queries, keys, q_title, k_title = {
        "cross": (result.cross, result.target, result.source, "German (decoder input)", "English (encoder)"),
        "encoder": (result.encoder, result.source, result.source, "English (query)", "English (key)"),
        "decoder": (result.decoder, result.target, result.target, "German (query)", "German (key)"),
    }[kind]
    frame = mt_explain.attention_frame(weights, queries, keys)
    shown = frame[(frame["layer"] == layer) & (frame["head"] == head)]
    st.plotly_chart(
        mt_charts.attention_heatmap(shown, f"{KINDS[kind]}, layer {layer}, {_head_label(head)}", q_title, k_title),
        key="mt.heatmap",
    )
    if kind == "decoder":
        st.caption("The upper triangle is zero: the causal mask lets each position see only earlier outputs.")
    download_csv(frame, "All layers and heads of this attention (CSV)", f"attention_{kind}.csv", "mt.dl_attention")


@st.fragment
def steps_section(sentence: str, tokenizer) -> None:
    """Step through decoding: output so far, top-10 next pieces, the cross-attention row."""
    result = loaders.translation(sentence)
    count = len(result.output)
    if count == 0:
        st.info("The model produced no tokens for this input.")
        return
    st.session_state["mt.step"] = min(st.session_state.get("mt.step", 1), count)
    step = st.slider("Decoding step", 1, count, key="mt.step") if count > 1 else 1
    t = step - 1
    so_far = bpe.decode(tokenizer, result.output_ids[:t])
    st.markdown(f"**Output before step {step}:**")
    st.text(so_far or "(nothing yet: the decoder starts from <s>)")
    top = mt_explain.top_next(tokenizer, result.next_probs[t])
    a, b = st.columns(2)
    a.plotly_chart(
        mt_charts.probability_bars(top, "token", f"Top 10 next pieces (chosen: {plain(result.output[t])})"),
        key="mt.top",
    )
    cross = mt_explain.attention_frame(result.cross, result.target, result.source)
    row = cross[(cross["layer"] == len(result.cross) - 1) & (cross["head"] == -1) & (cross["query_pos"] == t)]
    b.plotly_chart(
        mt_charts.probability_bars(
            row.rename(columns={"weight": "prob"}).assign(
                label=lambda f: [f"{p}:{k}" for p, k in zip(f["key_pos"], f["key_token"], strict=True)]
            ),
            "label",
            "Where step looks in the English (last layer, mean)",
        ),
        key="mt.row",
    )
    download_csv(top, "Top 10 at this step (CSV)", "top10.csv", "mt.dl_top")


@st.fragment
def positions_section(sentence: str, d_model: int) -> None:
    """The sinusoid table, and attention by relative position in the encoder's first layer."""
    result = loaders.translation(sentence)
    a, b = st.columns(2)
    table = mt_explain.positional_frame(48, d_model)
    a.plotly_chart(mt_charts.positional_heatmap(table), key="mt.pe")
    frame = mt_explain.attention_frame(result.encoder, result.source, result.source)
    first = frame[(frame["layer"] == 0) & (frame["head"] == -1)]
    b.plotly_chart(
        mt_charts.offset_chart(
            mt_explain.offsets(first), "Encoder layer 0: how much each query attends at each distance"
        ),
        key="mt.offsets",
    )
    download_csv(table, "Positional encodings (CSV)", "positional_encoding.csv", "mt.dl_pe")


@st.fragment
def score_section(sentence: str, trained: tuple, meta: dict) -> None:
    """Sentence BLEU/chrF against a typed reference; corpus BLEU on an uploaded TSV."""
    result = loaders.translation(sentence)
    reference = st.text_input("Your reference translation (German)", key="mt.reference", max_chars=300)
    if reference.strip():
        scores = mt_explain.sentence_scores(result.text, reference)
        a, b, c = st.columns(3)
        a.metric("Sentence BLEU", f"{scores['bleu']:.1f}")
        b.metric("chrF", f"{scores['chrf']:.1f}")
        c.metric("Brevity penalty", f"{scores['brevity_penalty']:.2f}")
        st.caption("n-gram precisions (1 to 4): " + ", ".join(f"{p:.0f}%" for p in scores["precisions"]))
        words = scores["words"]
        st.dataframe(
            words.style.background_gradient(subset=["longest_match"], cmap="Greens", vmin=0, vmax=4), hide_index=True
        )
        st.caption("longest_match: the longest n-gram (up to 4) containing the word that also occurs in the reference.")
    m = meta["metrics"]
    st.markdown(
        f"**Shipped model on {m['n']} held-out dictionary sentences:** BLEU {m['bleu']:.2f}, chrF {m['chrf']:.2f} "
        "(sacrebleu corpus BLEU, 13a tokenization, one reference, greedy decoding). This is not comparable with "
        "the paper's 28.4 on WMT 2014 English-German: a different test set (dictionary examples, many idioms), "
        "far less training data (thousands of sentences, not 4.5 million) and a model about 10x smaller, trained "
        "for minutes on a CPU instead of 12 hours on 8 GPUs."
    )
    upload = st.file_uploader(
        f"A TSV of english<TAB>german pairs (up to {MAX_PAIRS} lines are scored)", type=["tsv", "txt"], key="mt.upload"
    )
    if upload is None:
        return
    st.text(f"File: {upload.name}")
    try:
        pairs = translator.parse_pairs_tsv(decode_text(upload.getvalue()))
    except InputError as err:
        st.error(f"Cannot use this file: {err}")
        return
    if len(pairs) > MAX_PAIRS:
        st.info(f"The file has {len(pairs):,} pairs; the first {MAX_PAIRS} are scored.")
    with st.spinner("Translating..."):
        table, corpus_bleu, corpus_chrf = mt_explain.corpus_table(
            lambda xs: mt_models.translate_transformer(trained, xs), pairs[:MAX_PAIRS]
        )
    a, b = st.columns(2)
    a.metric("Corpus BLEU", f"{corpus_bleu:.2f}")
    b.metric("Corpus chrF", f"{corpus_chrf:.2f}")
    st.dataframe(table, hide_index=True)
    download_csv(table, "Translations and scores (CSV)", "my_pairs_scored.csv", "mt.dl_corpus")


@st.fragment
def recurrence_section(trained: tuple, meta: dict, recurrent: tuple | None, gru_meta: dict | None) -> None:
    """Recorded BLEU and loss against training time; a live encoder timing on this machine."""
    if recurrent is None:
        st.warning("The GRU baseline checkpoint is missing; rebuild it with: python -m engine.train rnn_translator")
        return
    curves = mt_explain.training_curves({"Transformer": meta["history"], "GRU + attention": gru_meta["history"]})
    a, b = st.columns(2)
    a.plotly_chart(mt_charts.curves(curves, "val_bleu", "Validation BLEU during training", "BLEU"), key="mt.bleu")
    b.plotly_chart(mt_charts.curves(curves, "val_loss", "Validation loss (label-smoothed)", "loss"), key="mt.loss")
    st.dataframe(
        pd.DataFrame(
            {
                "model": ["Transformer", "GRU + attention"],
                "parameters": [
                    sum(p.numel() for p in trained[0].parameters()),
                    sum(p.numel() for p in recurrent[0].parameters()),
                ],
                "training steps": [meta["history"]["step"][-1], gru_meta["history"]["step"][-1]],
                "test BLEU": [meta["metrics"]["bleu"], gru_meta["metrics"]["bleu"]],
                "test chrF": [meta["metrics"]["chrf"], gru_meta["metrics"]["chrf"]],
            }
        ),
        hide_index=True,
    )
    download_csv(curves, "Training curves (CSV)", "training_curves.csv", "mt.dl_curves")
    if st.button("Measure encoder time vs sentence length on this machine", key="mt.measure"):
        with st.spinner("Timing both encoders..."):
            st.session_state["mt.timings"] = mt_explain.encoder_timings(
                trained[0], recurrent[0], [5, 10, 20, 40, 80, 120]
            )
    if "mt.timings" in st.session_state:
        st.plotly_chart(mt_charts.timing_chart(st.session_state["mt.timings"]), key="mt.timing")
        download_csv(st.session_state["mt.timings"], "Timings (CSV)", "encoder_timings.csv", "mt.dl_timings")
