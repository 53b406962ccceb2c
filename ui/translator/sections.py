"""The translator page's sections, each a fragment over the one traced translation the page passes in."""

from __future__ import annotations

import streamlit as st

from engine.common.metrics import parameter_count
from engine.translator import evaluation, explain
from engine.translator.data import bpe
from engine.translator.data.pairs import read_pairs
from engine.translator.train import TRANSFORMER, Shipped
from ui.charts import plain
from ui.text import bound, raw, t
from ui.translator import charts
from ui.translator.labels import decoding, header, headers
from ui.widgets import download_csv, mirror_to_url, seed_from_url, uploaded

MAX_SENTENCE = 200  # characters of the English sentence
MAX_REFERENCE = 300  # characters of a typed German reference
MAX_PAIRS = 500  # uploaded pairs scored
POSITIONS = 48  # rows of the sinusoid table shown
PAPER_PARAMETERS = 65_000_000  # the paper's base model (Table 3)
KINDS = ("cross", "encoder", "decoder")  # the three attentions, named by translator.attention.kinds


def _kind_label(kind: str) -> str:
    return t(f"translator.attention.kinds.{kind}")


def _axes(kind: str) -> tuple[str, str]:
    """The query axis and the key axis of one attention's heatmap."""
    return t(f"translator.attention.axes.{kind}_query"), t(f"translator.attention.axes.{kind}_key")


def _head_label(head: int) -> str:
    return t("translator.attention.mean") if head == -1 else t("translator.attention.head_n", head=head)


@st.fragment
def attention_section(result: explain.Translation, layers: int, heads: int) -> None:
    """Heatmaps of one layer and head (or their mean) for any of the three attentions."""
    seed_from_url("mt.kind", "kind", "cross", KINDS)
    seed_from_url("mt.layer", "layer", layers - 1, range(layers))
    seed_from_url("mt.head", "head", -1, range(-1, heads))
    a, b, c = st.columns(3)
    kind = a.selectbox(t("translator.attention.kind"), KINDS, format_func=bound(_kind_label), key="mt.kind")
    layer = b.selectbox(t("translator.attention.layer"), range(layers), key="mt.layer")
    head = c.selectbox(
        t("translator.attention.head"), [-1, *range(heads)], format_func=bound(_head_label), key="mt.head"
    )
    mirror_to_url({"kind": kind, "layer": layer, "head": head})
    frame = explain.attention_of(result, kind)
    title = t("translator.attention.title", kind=_kind_label(kind), layer=layer, head=_head_label(head))
    heatmap = charts.attention_heatmap(explain.head_of(frame, layer, head), title, *_axes(kind))
    st.plotly_chart(heatmap, key="mt.heatmap")
    if kind == "decoder":
        st.caption(t("translator.attention.masked"))
    download_csv(frame, t("translator.attention.download"), f"attention_{kind}.csv", "mt.dl_attention")


@st.fragment
def steps_section(result: explain.Translation, tokenizer) -> None:
    """Step through decoding: output so far, top next pieces, the cross-attention row."""
    count = len(result.output)
    if count == 0:
        st.info(t("translator.steps.none"))
        return
    st.session_state["mt.step"] = min(st.session_state.get("mt.step", 1), count)
    step = st.slider(t("translator.steps.step"), 1, count, key="mt.step") if count > 1 else 1
    before = step - 1
    st.markdown(t("translator.steps.before", step=step))
    st.text(bpe.decode(tokenizer, result.output_ids[:before]) or t("translator.steps.nothing"))
    top = explain.top_next(tokenizer, result.next_probs[before])
    a, b = st.columns(2)
    title = t("translator.steps.top", k=explain.TOP_K, chosen=plain(result.output[before]))
    a.plotly_chart(charts.probability_bars(top, "token", title), key="mt.top")
    row = explain.cross_row(explain.attention_of(result, "cross"), len(result.cross) - 1, before)
    b.plotly_chart(charts.probability_bars(row, "label", t("translator.steps.looks")), key="mt.row")
    download_csv(top, t("translator.steps.download", k=explain.TOP_K), f"top{explain.TOP_K}.csv", "mt.dl_top")


@st.fragment
def positions_section(result: explain.Translation, d_model: int) -> None:
    """The sinusoid table, and attention by relative position in the encoder's first layer."""
    a, b = st.columns(2)
    table = explain.positional_frame(POSITIONS, d_model)
    a.plotly_chart(charts.positional_heatmap(table), key="mt.pe")
    first = explain.head_of(explain.attention_of(result, "encoder"), 0, -1)
    b.plotly_chart(charts.offset_chart(explain.offsets(first), t("translator.positions.offsets")), key="mt.offsets")
    download_csv(table, t("translator.positions.download"), "positional_encoding.csv", "mt.dl_pe")


def match_colour(longest: int) -> str:
    """CSS for a longest_match cell: no colour at 0, a deeper green up to 4 (pandas' gradients need matplotlib)."""
    return raw("background-color: rgba(46, 160, 67, {alpha:.2f})").format(alpha=0.7 * min(longest, 4) / 4)


def _reference_scores(hypothesis: str, reference: str) -> None:
    """Sentence BLEU, chrF and brevity penalty, and which words are in a matching n-gram."""
    scores = explain.sentence_scores(hypothesis, reference)
    a, b, c = st.columns(3)
    a.metric(t("translator.score.bleu"), f"{scores['bleu']:.1f}")
    b.metric(raw("chrF"), f"{scores['chrf']:.1f}")
    c.metric(t("translator.score.brevity"), f"{scores['brevity_penalty']:.2f}")
    st.caption(t("translator.score.precisions", values=", ".join(f"{p:.0f}%" for p in scores["precisions"])))
    longest = header("longest_match")
    st.dataframe(headers(scores["words"]).style.map(match_colour, subset=[longest]), hide_index=True)
    st.caption(t("translator.score.longest", column=longest))


@st.fragment
def score_section(result: explain.Translation, shipped: Shipped) -> None:
    """Sentence BLEU/chrF against a typed reference; corpus BLEU on an uploaded TSV."""
    reference = st.text_input(t("translator.score.reference"), key="mt.reference", max_chars=MAX_REFERENCE)
    if reference.strip():
        _reference_scores(result.text, reference)
    m = shipped.meta["metrics"]
    smaller = PAPER_PARAMETERS / parameter_count(shipped.transformer.model)
    with st.expander(t("translator.score.shipped")):
        _shipped_scores(m, smaller)
    pairs = uploaded(t("translator.score.upload", n=MAX_PAIRS), ["tsv", "txt"], "mt.upload", read_pairs)
    if pairs is not None:
        _corpus_scores(pairs, shipped)


def _shipped_scores(m: dict, smaller: float) -> None:
    """The recorded test figures of the shipped decoding, and how they differ from the paper's setting."""
    ding = m["ding"]
    st.markdown(
        t(
            "translator.score.shipped_body",
            decoding=decoding(m["decoding"]),
            n=m["n"],
            exact=m["exact"],
            chrf=m["chrf"],
            bleu=m["bleu"],
            ding_n=ding["n"],
            ding_chrf=ding["chrf"],
            ding_bleu=ding["bleu"],
            smaller=smaller,
            minutes=m["train_seconds"] / 60,
        )
    )


def _corpus_scores(pairs: list, shipped: Shipped) -> None:
    """Exact, corpus chrF and BLEU of the shipped decoding on uploaded pairs, with a row per sentence."""
    if len(pairs) > MAX_PAIRS:
        st.info(t("translator.score.first", n=len(pairs), max=MAX_PAIRS))
    with st.spinner(t("translator.score.translating", decoding=decoding(TRANSFORMER.decoding))):
        scores = evaluation.score(lambda xs: TRANSFORMER.best(shipped.transformer, xs), pairs[:MAX_PAIRS], True)
    a, b, c = st.columns(3)
    a.metric(t("translator.score.exact"), f"{scores['exact']:.0%}")
    b.metric(t("translator.score.corpus_chrf"), f"{scores['chrf']:.2f}")
    c.metric(t("translator.score.corpus_bleu"), f"{scores['bleu']:.2f}")
    table = explain.scored_rows(scores["rows"])
    st.dataframe(headers(table), hide_index=True)
    download_csv(table, t("translator.score.download"), "my_pairs_scored.csv", "mt.dl_corpus")
