"""The translator page's sections, each a fragment over the one traced translation the page passes in."""

from __future__ import annotations

import streamlit as st

from engine.common.metrics import parameter_count
from engine.translator import evaluation, explain
from engine.translator.data import bpe
from engine.translator.data.pairs import read_pairs
from engine.translator.train import TRANSFORMER, Shipped
from ui.charts import plain
from ui.translator import charts
from ui.widgets import download_csv, mirror_to_url, seed_from_url, uploaded

MAX_SENTENCE = 200  # characters of the English sentence
MAX_REFERENCE = 300  # characters of a typed German reference
MAX_PAIRS = 500  # uploaded pairs scored
POSITIONS = 48  # rows of the sinusoid table shown
PAPER_PARAMETERS = 65_000_000  # the paper's base model (Table 3)
KINDS = {
    "cross": "decoder → encoder (cross)",
    "encoder": "encoder self-attention",
    "decoder": "decoder self-attention (masked)",
}
AXES = {  # attention kind -> (query axis, key axis)
    "cross": ("German (decoder input)", "English (encoder)"),
    "encoder": ("English (query)", "English (key)"),
    "decoder": ("German (query)", "German (key)"),
}


def _head_label(head: int) -> str:
    return "mean of heads" if head == -1 else f"head {head}"


@st.fragment
def attention_section(result: explain.Translation, layers: int, heads: int) -> None:
    """Heatmaps of one layer and head (or their mean) for any of the three attentions."""
    seed_from_url("mt.kind", "kind", "cross", list(KINDS))
    seed_from_url("mt.layer", "layer", layers - 1, range(layers))
    seed_from_url("mt.head", "head", -1, range(-1, heads))
    a, b, c = st.columns(3)
    kind = a.selectbox("Attention", list(KINDS), format_func=KINDS.get, key="mt.kind")
    layer = b.selectbox("Layer", range(layers), key="mt.layer")
    head = c.selectbox("Head", [-1, *range(heads)], format_func=_head_label, key="mt.head")
    mirror_to_url({"kind": kind, "layer": layer, "head": head})
    frame = explain.attention_of(result, kind)
    title = f"{KINDS[kind]}, layer {layer}, {_head_label(head)}"
    st.plotly_chart(charts.attention_heatmap(explain.head_of(frame, layer, head), title, *AXES[kind]), key="mt.heatmap")
    if kind == "decoder":
        st.caption("The upper triangle is zero: the causal mask lets each position see only earlier outputs.")
    download_csv(frame, "All layers and heads of this attention (CSV)", f"attention_{kind}.csv", "mt.dl_attention")


@st.fragment
def steps_section(result: explain.Translation, tokenizer) -> None:
    """Step through decoding: output so far, top next pieces, the cross-attention row."""
    count = len(result.output)
    if count == 0:
        st.info("The model produced no tokens for this input.")
        return
    st.session_state["mt.step"] = min(st.session_state.get("mt.step", 1), count)
    step = st.slider("Decoding step", 1, count, key="mt.step") if count > 1 else 1
    t = step - 1
    st.markdown(f"**Output before step {step}:**")
    st.text(bpe.decode(tokenizer, result.output_ids[:t]) or "(nothing yet: the decoder starts from <s>)")
    top = explain.top_next(tokenizer, result.next_probs[t])
    a, b = st.columns(2)
    title = f"Top {explain.TOP_K} next pieces (chosen: {plain(result.output[t])})"
    a.plotly_chart(charts.probability_bars(top, "token", title), key="mt.top")
    row = explain.cross_row(explain.attention_of(result, "cross"), len(result.cross) - 1, t)
    b.plotly_chart(
        charts.probability_bars(row, "label", "Where step looks in the English (last layer, mean)"), key="mt.row"
    )
    download_csv(top, f"Top {explain.TOP_K} at this step (CSV)", f"top{explain.TOP_K}.csv", "mt.dl_top")


@st.fragment
def positions_section(result: explain.Translation, d_model: int) -> None:
    """The sinusoid table, and attention by relative position in the encoder's first layer."""
    a, b = st.columns(2)
    table = explain.positional_frame(POSITIONS, d_model)
    a.plotly_chart(charts.positional_heatmap(table), key="mt.pe")
    first = explain.head_of(explain.attention_of(result, "encoder"), 0, -1)
    b.plotly_chart(
        charts.offset_chart(explain.offsets(first), "Encoder layer 0: how much each query attends at each distance"),
        key="mt.offsets",
    )
    download_csv(table, "Positional encodings (CSV)", "positional_encoding.csv", "mt.dl_pe")


def match_colour(longest: int) -> str:
    """CSS for a longest_match cell: no colour at 0, a deeper green up to 4 (pandas' gradients need matplotlib)."""
    return f"background-color: rgba(46, 160, 67, {0.7 * min(longest, 4) / 4:.2f})"


def _reference_scores(hypothesis: str, reference: str) -> None:
    """Sentence BLEU, chrF and brevity penalty, and which words are in a matching n-gram."""
    scores = explain.sentence_scores(hypothesis, reference)
    a, b, c = st.columns(3)
    a.metric("Sentence BLEU", f"{scores['bleu']:.1f}")
    b.metric("chrF", f"{scores['chrf']:.1f}")
    c.metric("Brevity penalty", f"{scores['brevity_penalty']:.2f}")
    st.caption("n-gram precisions (1 to 4): " + ", ".join(f"{p:.0f}%" for p in scores["precisions"]))
    words = scores["words"]
    st.dataframe(words.style.map(match_colour, subset=["longest_match"]), hide_index=True)
    st.caption("longest_match: the longest n-gram (up to 4) containing the word that also occurs in the reference.")


@st.fragment
def score_section(result: explain.Translation, shipped: Shipped) -> None:
    """Sentence BLEU/chrF against a typed reference; corpus BLEU on an uploaded TSV."""
    reference = st.text_input("Your reference translation (German)", key="mt.reference", max_chars=MAX_REFERENCE)
    if reference.strip():
        _reference_scores(result.text, reference)
    m = shipped.meta["metrics"]
    smaller = PAPER_PARAMETERS / parameter_count(shipped.transformer.model)
    with st.expander("The shipped model's test scores, and why they are not the paper's 28.4 BLEU"):
        _shipped_scores(m, smaller)
    label = (
        f"A TSV of english<TAB>german[<TAB>german ...] lines (several references allowed), the first {MAX_PAIRS} scored"
    )
    pairs = uploaded(label, ["tsv", "txt"], "mt.upload", read_pairs)
    if pairs is not None:
        _corpus_scores(pairs, shipped)


def _shipped_scores(m: dict, smaller: float) -> None:
    """The recorded test figures of the shipped decoding, and how they differ from the paper's setting."""
    st.markdown(
        f"**Shipped model, {m['decoding']}:** on {m['n']} held-out everyday sentences (Tatoeba's test split, "
        f"every German translation a reference) {m['exact']:.0%} exact, chrF {m['chrf']:.1f}, BLEU {m['bleu']:.1f}; "
        f"on {m['ding']['n']} held-out dictionary example sentences (Ding, many idioms) chrF {m['ding']['chrf']:.1f}, "
        f"BLEU {m['ding']['bleu']:.1f}. Not comparable with the paper's 28.4 BLEU on WMT 2014 news: different "
        "sentences, far less data (about 65 thousand pairs an epoch, not 4.5 million) and a model about "
        f"{smaller:.0f}x smaller, trained for {m['train_seconds'] / 60:.0f} minutes on one CPU "
        "thread instead of 12 hours on 8 GPUs."
    )


def _corpus_scores(pairs: list, shipped: Shipped) -> None:
    """Exact, corpus chrF and BLEU of the shipped decoding on uploaded pairs, with a row per sentence."""
    if len(pairs) > MAX_PAIRS:
        st.info(f"The file has {len(pairs):,} sentences; the first {MAX_PAIRS} are scored.")
    with st.spinner(f"Translating ({TRANSFORMER.decoding})..."):
        scores = evaluation.score(lambda xs: TRANSFORMER.best(shipped.transformer, xs), pairs[:MAX_PAIRS], True)
    a, b, c = st.columns(3)
    a.metric("Exact", f"{scores['exact']:.0%}")
    b.metric("Corpus chrF", f"{scores['chrf']:.2f}")
    c.metric("Corpus BLEU", f"{scores['bleu']:.2f}")
    table = explain.scored_rows(scores["rows"])
    st.dataframe(table, hide_index=True)
    download_csv(table, "Translations and scores (CSV)", "my_pairs_scored.csv", "mt.dl_corpus")
