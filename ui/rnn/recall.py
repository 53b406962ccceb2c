"""How far back can it remember? Delayed recall learned live by an Elman RNN and a gated cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from engine.rnn import recall
from engine.rnn.recall import KINDS, RecallConfig, RecallResult
from ui import live
from ui.charts import tidy
from ui.widgets import Limit, download_csv, slider

KEY = "recall.run"
SECONDS = Limit(1.0, 5.0, 2.0, 0.5)  # per model and distance
NAMES = {"elman": "Elman RNN (this page's cell)", "gated": "GRU (gated)"}
COLOURS = {NAMES["elman"]: "#d62728", NAMES["gated"]: "#2ca02c"}
POLL = 2.0  # seconds between redraws while it trains


def recall_chart(rows: pd.DataFrame, measure: str, ks: list[int]) -> go.Figure:
    """Accuracy (or the first-state gradient norm, log scale) against the distance k, one line per cell."""
    frame = rows.assign(model=rows["model"].map(NAMES))
    accuracy = measure == "accuracy"
    fig = px.line(
        frame,
        x="k",
        y=measure,
        color="model",
        markers=True,
        log_y=not accuracy,
        color_discrete_map=COLOURS,
        category_orders={"model": list(NAMES.values())},
        title="Recall accuracy by distance" if accuracy else "Gradient reaching the first step",
        labels={
            "k": "k: distractors between the symbol and the question",
            "accuracy": "accuracy on held-out sequences",
            "grad_norm": "‖∂loss/∂h₁‖ before training (log)",
        },
        hover_data={"steps": True},
    )
    fig.update_xaxes(range=[0, max(ks) + 1])
    if accuracy:
        fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
        fig.add_hline(y=1 / 8, line_dash="dot", annotation_text="chance (1 in 8)")
    return tidy(fig, 340)


def falls_off(result: RecallResult, kind: str = "elman", threshold: float = 0.9) -> int | None:
    """The smallest k at which `kind` scored below `threshold` (None: it never did)."""
    return next((r["k"] for r in result.rows if r["model"] == kind and r["accuracy"] < threshold), None)


def summary(result: RecallResult) -> str:
    """What this run shows, from its numbers."""
    ks = [r["k"] for r in result.rows if r["model"] == "gated"]
    if not ks:
        return "The run stopped before the first distance finished."
    elman, gated = falls_off(result), falls_off(result, "gated")
    e_grad, g_grad = (result.column(kind, "grad_norm") for kind in KINDS)
    decay = (
        f"from k={ks[0]} to k={ks[-1]} the gradient reaching the first step shrank "
        f"{e_grad[0] / e_grad[-1]:,.0f}-fold for the Elman cell and {g_grad[0] / g_grad[-1]:,.0f}-fold for the GRU."
    )
    where = (
        f"The Elman RNN first fell below 90% at k = {elman}"
        if elman is not None
        else "The Elman RNN stayed above 90% at every distance tried"
    )
    other = f"; the GRU first did at k = {gated}." if gated is not None else "; the GRU never fell below 90%."
    return f"{where}{other} Before training, {decay}"


def recall_section() -> None:
    seconds = slider("Training time per model and distance (seconds)", "recall.seconds", "recall_s", SECONDS)
    cfg = RecallConfig(seconds=float(seconds))
    st.caption(
        f"For each of {len(cfg.ks)} distances k a fresh model of each kind learns for {cfg.seconds:g} s (in turns, "
        f"one training process): about {2 * len(cfg.ks) * cfg.seconds:.0f} s in all."
    )
    live.section(KEY, "Start training", 2 * len(cfg.ks) * cfg.seconds + 60, recall.live, cfg, _watch, _results)


def _charts(rows: pd.DataFrame, ks: list[int], tag: str) -> None:
    left, right = st.columns(2)
    left.plotly_chart(recall_chart(rows, "accuracy", ks), key=f"recall.acc_{tag}")
    right.plotly_chart(recall_chart(rows, "grad_norm", ks), key=f"recall.grad_{tag}")


@st.fragment(run_every=POLL)
def _watch() -> None:
    run = live.watched(KEY)
    cfg: RecallConfig = run.config
    rows = pd.DataFrame(list(run.events))
    finished = len(rows) // len(KINDS)
    st.progress(
        finished / len(cfg.ks),
        text=f"Distance {min(finished + 1, len(cfg.ks))} of {len(cfg.ks)}... {run.elapsed():.0f} s",
    )
    if len(rows):
        _charts(rows, list(cfg.ks), "live")


def _results(run: live.LiveRun) -> None:
    if run.error:
        st.error(f"The training stopped with an error: {run.error}")
        return
    result: RecallResult = run.result
    if result.stopped:
        st.info(f"Stopped after {run.elapsed():.0f} s; these are the distances finished until then.")
    rows = pd.DataFrame(result.rows)
    if rows.empty:
        return
    _charts(rows, list(result.config["ks"]), "final")
    st.markdown(f"**{summary(result)}**")
    table = rows.pivot(index="k", columns="model", values="accuracy").rename(columns=NAMES).reset_index()
    st.dataframe(table.style.format("{:.0%}", subset=[c for c in table.columns if c != "k"]), hide_index=True)
    st.caption(
        "Gradient: the norm of ∂loss/∂h₁, the part of the error signal that reaches the state that saw the symbol, "
        "averaged over held-out sequences, before any training. It is what learning has to work with at step 1. "
        f"Both cells have {result.config['hidden']} hidden units; the median of the steps each took: "
        + ", ".join(f"{NAMES[k]} {int(np.median(rows[rows['model'] == k]['steps'])):,}" for k in KINDS)
        + "."
    )
    download_csv(rows, "Every distance, both cells (CSV)", "recall.csv", "recall.dl")
