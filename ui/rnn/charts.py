"""Charts for the RNN page: the unrolled network, states, outputs, memory and gradients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.charts import plain, tidy
from ui.figures import figure

TENSOR_COLOURS = {"W_xh": "#4c78a8", "W_hh": "#e4572e", "b": "#54a24b"}


@figure
def unrolled_network(cells: pd.DataFrame, tensors: pd.DataFrame, active: int) -> go.Figure:
    """One cell per step (columns step, word, output, shown), tied to the one set of weights.

    `tensors` has columns tensor, shape, parameters. Each tensor is drawn once, at the left, with a
    line of its own colour to every cell: the same weights at every step. Step `active` is bold.
    """
    fig = go.Figure()
    steps = len(cells)
    anchor = {"W_xh": 0.55, "W_hh": 1.0, "b": 1.45}
    for row in tensors.itertuples():
        xs, ys = [], []
        for t in range(steps):
            xs += [-1.2, t - 0.28, None]
            ys += [anchor[row.tensor], 1.0, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line=dict(color=TENSOR_COLOURS[row.tensor], width=1),
                opacity=0.35,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[-1.2],
                y=[anchor[row.tensor]],
                mode="markers+text",
                text=[row.tensor],
                textposition="middle left",
                marker=dict(size=22, color=TENSOR_COLOURS[row.tensor], symbol="square"),
                name=row.tensor,
                hovertemplate=f"{row.tensor}: one tensor of shape {row.shape} ({row.parameters:,} numbers), "
                f"used at all {steps} steps<extra></extra>",
            )
        )
    # h_(t-1) -> h_t arrows and x_t -> h_t -> y_t
    fig.add_trace(
        go.Scatter(
            x=[v for t in range(1, steps) for v in (t - 1 + 0.28, t - 0.28, None)],
            y=[v for _ in range(1, steps) for v in (1.0, 1.0, None)],
            mode="lines",
            line=dict(color="#888", width=2),
            hoverinfo="skip",
            showlegend=False,
        )
    )
    shapes, notes = [], []
    arrow = dict(xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True, arrowhead=0, arrowcolor="#bbb")
    for row in cells.itertuples():
        t = row.step - 1
        bold = row.step == active
        shapes.append(
            dict(
                type="rect",
                x0=t - 0.28,
                x1=t + 0.28,
                y0=0.8,
                y1=1.2,
                line=dict(color="#222" if bold else "#999", width=3 if bold else 1),
                fillcolor="#fde0d9" if bold else "#f4f4f4",
            )
        )
        notes.append(dict(x=t, y=1.0, text=f"h<sub>{row.step}</sub>", showarrow=False))
        notes.append(
            dict(
                x=t,
                y=0.45,
                text=f"<b>{plain(row.word)}</b>" if bold else plain(row.word),
                showarrow=False,
                font=dict(size=13),
            )
        )
        notes.append(dict(x=t, y=0.62, ax=t, ay=0.8, **arrow))
        if row.shown:
            notes.append(
                dict(
                    x=t,
                    y=1.55,
                    text=f"<b>{row.output}</b>" if bold else row.output,
                    showarrow=False,
                    font=dict(size=12, color="#222" if row.shown == "used" else "#aaa"),
                )
            )
            notes.append(dict(x=t, y=1.2, ax=t, ay=1.42, **arrow))
    fig.update_layout(shapes=shapes, annotations=notes)  # one update: add_shape per item is slow
    fig.update_xaxes(visible=False, range=[-2.2, steps - 0.4])
    fig.update_yaxes(visible=False, range=[0.3, 1.7])
    fig.update_layout(showlegend=False, plot_bgcolor="white")
    return tidy(fig, 260)


@figure
def hidden_heatmap(frame: pd.DataFrame, upto: int, title: str) -> go.Figure:
    """Hidden units x steps (columns step, word, unit, value), steps after `upto` left blank."""
    grid = frame.pivot(index="unit", columns="step", values="value")
    values = grid.to_numpy().copy()
    values[:, upto:] = np.nan
    words = frame.drop_duplicates("step").sort_values("step")["word"].tolist()
    labels = [f"{s}·{plain(w)}" for s, w in zip(grid.columns, words, strict=True)]
    fig = px.imshow(
        values,
        x=labels,
        color_continuous_scale="RdBu_r",
        zmin=-1,
        zmax=1,
        aspect="auto",
        labels=dict(x="step · word", y="hidden unit", color="h"),
        title=title,
    )
    return tidy(fig, 360)


@figure
def vector_strip(values: np.ndarray, title: str, limit: float | None = None) -> go.Figure:
    """One vector as a one-row heatmap."""
    limit = limit or float(np.abs(values).max()) or 1.0
    fig = px.imshow(
        values[None, :],
        color_continuous_scale="RdBu_r",
        zmin=-limit,
        zmax=limit,
        aspect="auto",
        labels=dict(x="component", color="value"),
        title=title,
    )
    fig.update_yaxes(visible=False)
    fig.update_layout(coloraxis_showscale=False)
    return tidy(fig, 130)


@figure
def step_line(
    frame: pd.DataFrame, y: str, title: str, y_title: str, log_y: bool = False, reference: float | None = None
) -> go.Figure:
    """A value per step (columns step, word, and `y`), labelled by word."""
    labels = [f"{s}·{plain(w)}" for s, w in zip(frame["step"], frame["word"], strict=True)]
    fig = px.line(
        frame.assign(label=labels),
        x="label",
        y=y,
        markers=True,
        log_y=log_y,
        title=title,
        labels={"label": "step · word", y: y_title},
    )
    if reference is not None:
        fig.add_hline(y=reference, line_dash="dot", line_color="#999")
    return tidy(fig)


@figure
def next_char_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Top next characters (columns char, prob) as horizontal bars."""
    shown = frame.assign(label=frame["char"].map(lambda c: {"\n": "⏎ newline", " ": "␣ space"}.get(c, plain(c))))
    fig = px.bar(shown, x="prob", y="label", orientation="h", title=title, labels={"prob": "probability", "label": ""})
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(range=[0, 1])
    return tidy(fig, 380)
