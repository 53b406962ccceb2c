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
from ui.text import t
from ui.widgets import Limit, download_csv, slider

KEY = "recall.run"
SECONDS = Limit(1.0, 5.0, 2.0, 0.5)  # per model and distance
COLOURS = {"elman": "#d62728", "gated": "#2ca02c"}  # per kind of cell; their names are rnn.recall.<kind>
POLL = 2.0  # seconds between redraws while it trains


def names() -> dict[str, str]:
    """Each kind of cell's name, as the charts, the table and the summary give it."""
    return {kind: t(f"rnn.recall.{kind}") for kind in KINDS}


def recall_chart(rows: pd.DataFrame, measure: str, ks: list[int]) -> go.Figure:
    """Accuracy (or the first-state gradient norm, log scale) against the distance k, one line per cell."""
    named = names()
    frame = rows.assign(model=rows["model"].map(named))
    accuracy = measure == "accuracy"
    fig = px.line(
        frame,
        x="k",
        y=measure,
        color="model",
        markers=True,
        log_y=not accuracy,
        color_discrete_map={named[kind]: colour for kind, colour in COLOURS.items()},
        category_orders={"model": list(named.values())},
        title=t("rnn.recall.accuracy_title") if accuracy else t("rnn.recall.gradient_title"),
        labels={
            "k": t("rnn.recall.k_axis"),
            "accuracy": t("rnn.recall.accuracy_axis"),
            "grad_norm": t("rnn.recall.gradient_axis"),
            "model": t("rnn.recall.model"),
            "steps": t("rnn.recall.steps"),
        },
        hover_data={"steps": True},
    )
    fig.update_xaxes(range=[0, max(ks) + 1])
    if accuracy:
        fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
        fig.add_hline(y=1 / 8, line_dash="dot", annotation_text=t("rnn.recall.chance"))
    return tidy(fig, 340)


def falls_off(result: RecallResult, kind: str = "elman", threshold: float = 0.9) -> int | None:
    """The smallest k at which `kind` scored below `threshold` (None: it never did)."""
    return next((r["k"] for r in result.rows if r["model"] == kind and r["accuracy"] < threshold), None)


def summary(result: RecallResult) -> str:
    """What this run shows, from its numbers."""
    ks = [r["k"] for r in result.rows if r["model"] == "gated"]
    if not ks:
        return t("rnn.recall.stopped_early")
    elman, gated = falls_off(result), falls_off(result, "gated")
    e_grad, g_grad = (result.column(kind, "grad_norm") for kind in KINDS)
    decay = t("rnn.recall.decay", first=ks[0], last=ks[-1], elman=e_grad[0] / e_grad[-1], gated=g_grad[0] / g_grad[-1])
    where = t("rnn.recall.elman_fell", k=elman) if elman is not None else t("rnn.recall.elman_held")
    other = t("rnn.recall.gated_fell", k=gated) if gated is not None else t("rnn.recall.gated_held")
    return t("rnn.recall.summary", where=where, other=other, decay=decay)


def recall_section() -> None:
    seconds = slider(t("rnn.recall.seconds"), "recall.seconds", "recall_s", SECONDS)
    cfg = RecallConfig(seconds=float(seconds))
    total = 2 * len(cfg.ks) * cfg.seconds
    st.caption(t("rnn.recall.plan", n=len(cfg.ks), seconds=cfg.seconds, total=total))
    live.section(KEY, t("rnn.recall.start"), total + 60, recall.live, cfg, _watch, _results)


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
        text=t("rnn.recall.progress", i=min(finished + 1, len(cfg.ks)), n=len(cfg.ks), elapsed=run.elapsed()),
    )
    if len(rows):
        _charts(rows, list(cfg.ks), "live")


def _results(run: live.LiveRun) -> None:
    if run.error:
        st.error(t("rnn.recall.error", error=live.why(run)))
        return
    result: RecallResult = run.result
    if result.stopped:
        st.info(t("rnn.recall.stopped", elapsed=run.elapsed()))
    rows = pd.DataFrame(result.rows)
    if rows.empty:
        return
    _charts(rows, list(result.config["ks"]), "final")
    st.markdown(f"**{summary(result)}**")
    named = names()
    table = rows.pivot(index="k", columns="model", values="accuracy").rename(columns=named).reset_index()
    st.dataframe(table.style.format("{:.0%}", subset=[c for c in table.columns if c != "k"]), hide_index=True)
    medians = ", ".join(
        t("rnn.recall.median", name=named[k], steps=int(np.median(rows[rows["model"] == k]["steps"]))) for k in KINDS
    )
    st.caption(t("rnn.recall.gradient_note", hidden=result.config["hidden"], medians=medians))
    download_csv(rows, t("rnn.recall.csv"), "recall.csv", "recall.dl")
