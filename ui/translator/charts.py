"""Charts for the translator page: attention heatmaps, next-token bars, positions and training curves."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.charts import plain, tidy
from ui.figures import figure
from ui.text import raw, t
from ui.translator.labels import model


def _label(pieces: pd.Series, positions: pd.Series) -> list[str]:
    """Unique axis labels: position and piece (the ▁ word-start mark kept visible)."""
    return [f"{p}:{plain(t)}" for p, t in zip(positions, pieces, strict=True)]


@figure
def attention_heatmap(frame: pd.DataFrame, title: str, query_title: str, key_title: str) -> go.Figure:
    """One layer and head of a long attention frame (query_pos, key_pos, query_token, key_token, weight)."""
    frame = frame.sort_values(["query_pos", "key_pos"])
    grid = frame.pivot(index="query_pos", columns="key_pos", values="weight")
    queries = frame.drop_duplicates("query_pos")
    keys = frame.drop_duplicates("key_pos").sort_values("key_pos")
    fig = px.imshow(
        grid.to_numpy(),
        x=_label(keys["key_token"], keys["key_pos"]),
        y=_label(queries["query_token"], queries["query_pos"]),
        color_continuous_scale="Blues",
        zmin=0,
        zmax=1,
        aspect="auto",
        title=title,
        labels=dict(x=key_title, y=query_title, color=t("translator.charts.weight")),
    )
    fig.update_xaxes(tickangle=-45)
    return tidy(fig, max(320, 60 + 22 * len(queries)))


@figure
def probability_bars(frame: pd.DataFrame, label: str, title: str) -> go.Figure:
    """Horizontal bars of `prob` by `label`, most likely on top."""
    frame = frame.assign(**{label: frame[label].map(plain)})
    labels = {"prob": t("translator.charts.probability"), label: ""}
    fig = px.bar(frame, x="prob", y=label, orientation="h", title=title, labels=labels)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(range=[0, 1])
    return tidy(fig, 360)


@figure
def positional_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Sinusoidal encodings (columns position, dimension, value)."""
    grid = frame.pivot(index="position", columns="dimension", values="value")
    fig = px.imshow(
        grid.to_numpy(),
        color_continuous_scale="RdBu_r",
        zmin=-1,
        zmax=1,
        aspect="auto",
        labels=dict(
            x=t("translator.charts.dimension"), y=t("translator.charts.position"), color=t("translator.charts.value")
        ),
        title=raw("PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(...)"),
    )
    return tidy(fig, 360)


@figure
def offset_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Mean attention weight by relative position (columns offset, weight)."""
    fig = px.bar(
        frame,
        x="offset",
        y="weight",
        title=title,
        labels={"offset": t("translator.charts.offset"), "weight": t("translator.charts.mean_attention")},
    )
    return tidy(fig)


@figure
def curves(frame: pd.DataFrame, y: str, title: str, y_title: str) -> go.Figure:
    """Training curves against CPU seconds of training, one thread each (columns cpu_seconds, model and `y`)."""
    fig = px.line(
        frame.assign(model=frame["model"].map(model)),
        x="cpu_seconds",
        y=y,
        color="model",
        markers=True,
        title=title,
        labels={"cpu_seconds": t("translator.charts.cpu_seconds"), y: y_title, "model": t("translator.charts.model")},
    )
    return tidy(fig)
