"""Charts of the GPT page: a tidy DataFrame or plain arrays in, a plotly Figure out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.charts import legend_on_top, plain, tidy
from ui.figures import figure
from ui.gpt import names
from ui.text import FONT_STACK, raw, t

# By the engine's values (English, as in the frames and CSVs); the legends show them translated.
STATUS_COLOURS = {"drawn": "#e4572e", "kept": "#4c78a8", raw("cut away"): "#d9d9d9"}
# The four ways to read the labels, by the engine's ids (engine.gpt.curve); the legend shows them translated.
START_COLOURS = {"pretrained": "#e4572e", "probe": "#f2a541", "scratch": "#4c78a8", "tfidf": "#54a24b"}
PROGRESS_COLOURS = {"probe_test_100": "#f2a541", "probe_test_500": "#e4572e", "zero_shot_test": "#777777"}
BPC = raw("bits per char")  # a column of the frames the bars draw
LABELS = {"label": "candidate", "probability": "probability", "status": "status"}  # column: its key in gpt.chart


def show_char(c: str) -> str:
    """A character as a visible label: newline ↵, space ␣, tab ⇥, markup-safe."""
    return {"\n": "↵", " ": "␣", "\t": "⇥", "\r": "␍"}.get(c, plain(c))


@figure
def candidates_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Bars of the most likely next characters (columns char, probability, status)."""
    status = names.statuses()
    shown = frame.assign(
        label=[f"{i + 1}. {show_char(c)}" for i, c in enumerate(frame["char"])],
        status=frame["status"].map(status.__getitem__),
    )
    fig = px.bar(
        shown,
        x="label",
        y="probability",
        color="status",
        color_discrete_map={status[k]: colour for k, colour in STATUS_COLOURS.items()},
        category_orders={"status": [status[k] for k in STATUS_COLOURS], "label": list(shown["label"])},
        title=title,
        labels={name: t(f"gpt.chart.{key}") for name, key in LABELS.items()},
    )
    fig.update_yaxes(range=[0, 1])
    return legend_on_top(tidy(fig, 360))


@figure
def attention_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """How much the newest position attends to each character it can see (columns position, char, attention)."""
    shown = frame.assign(char=[show_char(c) for c in frame["char"]])
    labels = {k: t(f"gpt.chart.{k}") for k in ("position", "attention", "char")}
    fig = px.bar(shown, x="position", y="attention", hover_data=["char"], title=title, labels=labels)
    fig.update_traces(marker_color="#4c78a8")
    if len(shown) <= 40:  # one character per tick still fits a 390 px phone
        fig.update_xaxes(tickmode="array", tickvals=shown["position"], ticktext=shown["char"], tickangle=0)
    return tidy(fig, 300)


@figure
def surprisal_grid(frame: pd.DataFrame, width: int = 30) -> go.Figure:
    """The characters in rows of `width`, each cell coloured by its surprisal (columns char, surprisal_bits).

    30 to a row keeps a cell about 11 px wide on a 390 px phone, enough for its character.
    """
    text, bits = "".join(frame["char"]), frame["surprisal_bits"].to_numpy()
    n = len(text)
    rows = max(1, -(-n // width))
    z = np.full((rows, width), np.nan)
    labels = np.full((rows, width), "", dtype=object)
    hover = np.full((rows, width), "", dtype=object)
    for i, (c, b) in enumerate(zip(text, bits, strict=True)):
        r, k = divmod(i, width)
        z[r, k], labels[r, k] = b, show_char(c)
        hover[r, k] = t("gpt.chart.surprisal_hover", i=i, char=show_char(c), bits=b, p=2.0**-b)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=labels,
            texttemplate="%{text}",
            textfont={"size": 12, "family": f"monospace, {FONT_STACK}"},  # the text's own Hangul, if it has any
            customdata=hover,
            hovertemplate=raw("%{customdata}<extra></extra>"),
            colorscale="YlOrRd",
            zmin=0,
            zmax=max(8.0, float(np.nanpercentile(z, 99)) if n else 8.0),
            colorbar={
                "title": {"text": t("gpt.chart.bits"), "side": "right"},
                "orientation": "h",
                "y": -0.02,
                "yanchor": "top",
                "thickness": 10,
                "len": 0.6,
            },
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed", visible=False)
    fig.update_xaxes(visible=False)
    fig.update_layout(title=t("gpt.chart.surprisal_title"))
    return tidy(fig, 150 + 26 * rows).update_layout(margin_b=45)  # room for the colour bar's numbers


@figure
def bpc_bars(
    frame: pd.DataFrame,
    x: str,
    title: str,
    color: str | None = None,
    x_title: str | None = None,
) -> go.Figure:
    """Horizontal bars of bits per character (columns: x, bits per char, optional colour; `x` and `color` are
    "text" or "model"). `x_title`: the bits axis's title, "bits/char (lower = more expected)" if None.

    A label's bracketed part goes on a second line and the legend above the bars, so a phone keeps them whole.
    """
    labels = {BPC: t("gpt.chart.bits_per_char")} | {c: t(f"gpt.chart.{c}") for c in (x, color) if c}
    fig = px.bar(
        frame,
        y=x,
        x=BPC,
        color=color,
        orientation="h",
        barmode="group",
        title=title,
        text_auto=".2f",
        labels=labels,
    )
    labels = list(frame[x].unique())
    wrapped = [plain(str(label)).replace(" (", "<br>(") for label in labels]
    fig.update_yaxes(autorange="reversed", title="", tickmode="array", tickvals=labels, ticktext=wrapped)
    fig.update_xaxes(title=x_title or t("gpt.chart.bpc_x"))
    bars = frame[x].nunique() * (1 if color is None else frame[color].nunique())
    fig = tidy(fig, 130 + (0 if color is None else 40) + 40 * bars).update_layout(margin_b=50)  # the axis title
    return fig if color is None else legend_on_top(fig)


@figure
def finetune_curve(frame: pd.DataFrame, zero_shot: float) -> go.Figure:
    """Mean test accuracy of each way (column `start`: the engine's ids) against labels used (log axis), with the
    min-max range over seeds, and zero-shot (no labels) as a dashed line."""
    fig = go.Figure()
    for start, colour in START_COLOURS.items():
        part = frame[frame["start"] == start].sort_values("labels")
        if part.empty:
            continue
        name = t(f"gpt.start.{start}")
        fig.add_scatter(
            x=list(part["labels"]) + list(part["labels"])[::-1],
            y=list(part["max"]) + list(part["min"])[::-1],
            fill="toself",
            fillcolor=colour,
            opacity=0.15,
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
        )
        dash = "dot" if start in ("probe", "tfidf") else "solid"
        fig.add_scatter(
            x=part["labels"],
            y=part["mean"],
            mode="lines+markers",
            name=name,
            line={"color": colour, "dash": dash},
            hovertemplate=t("gpt.chart.curve_hover", name=name),
        )
    fig.add_hline(y=zero_shot, line={"color": "#777", "dash": "dash", "width": 1})
    fig.add_annotation(
        x=0,
        xref="paper",
        y=zero_shot,
        yanchor="bottom",
        xanchor="left",
        showarrow=False,
        text=t("gpt.chart.zero_shot_line", accuracy=zero_shot),
        font={"size": 11, "color": "#555"},
    )
    sizes = sorted(frame["labels"].unique())
    fig.update_xaxes(type="log", title=t("gpt.chart.curve_x"), tickvals=sizes, ticktext=[f"{n:,}" for n in sizes])
    fig.update_yaxes(title=t("gpt.chart.curve_y"), range=[0.45, 0.9])
    fig.update_layout(title=t("gpt.chart.curve_title"))
    # room for the axis title below, and above for the title and four legend entries, one per line on a phone
    return legend_on_top(tidy(fig, 480)).update_layout(margin_b=50, margin_t=150)


@figure
def pretrain_progress(frame: pd.DataFrame) -> go.Figure:
    """What the pre-training bought as it went (columns minutes, probe_test_100, probe_test_500, zero_shot_test)."""
    fig = go.Figure()
    for column, colour in PROGRESS_COLOURS.items():
        name = t(f"gpt.chart.progress_{column}")
        fig.add_scatter(
            x=frame["minutes"],
            y=frame[column],
            mode="lines+markers",
            name=name,
            line={"color": colour},
            hovertemplate=t("gpt.chart.progress_hover", name=name),
        )
    fig.add_hline(y=0.5, line={"color": "#999", "dash": "dot", "width": 1})
    fig.update_xaxes(title=t("gpt.chart.progress_x"))
    fig.update_yaxes(title=t("gpt.chart.curve_y"), range=[0.45, 0.85])
    fig.update_layout(title=t("gpt.chart.progress_title"))
    return legend_on_top(tidy(fig, 360)).update_layout(margin_b=50)


@figure
def loss_curve(losses: list[float], total: int) -> go.Figure:
    frame = pd.DataFrame({"step": np.arange(1, len(losses) + 1), BPC: np.array(losses) / np.log(2)})
    labels = {"step": t("gpt.chart.step"), BPC: t("gpt.chart.bits_per_char")}
    fig = px.line(frame, x="step", y=BPC, title=t("gpt.chart.loss_title"), labels=labels)
    fig.update_xaxes(range=[0, total])
    return tidy(fig, 280)
