"""Charts for the RNN page: the unrolled network, states, outputs, memory and gradients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.charts import parameter_chart, plain, tidy
from ui.figures import figure
from ui.text import raw, t

TOP_CHARS = 12  # next characters drawn per model
TENSOR_COLOURS = {"W_xh": "#4c78a8", "W_hh": "#e4572e", "b": "#54a24b"}


WEIGHT_ANCHORS = {"W_xh": 0.55, "W_hh": 1.0, "b": 1.45}  # heights of the three tensors, left of step 1
CELL_HALF_WIDTH = 0.28
WEIGHT_X = -1.2
UPRIGHT_AFTER = 8  # with more steps, words and outputs are written vertically so that neighbours never overlap


def _weight_traces(tensors: pd.DataFrame, steps: int) -> list[go.Scatter]:
    """Each tensor once, as a square with hover text, and a line of its colour to every cell."""
    traces = []
    for row in tensors.itertuples():
        colour, y = TENSOR_COLOURS[row.tensor], WEIGHT_ANCHORS[row.tensor]
        xs = [v for i in range(steps) for v in (WEIGHT_X, i - CELL_HALF_WIDTH, None)]
        ys = [v for _ in range(steps) for v in (y, 1.0, None)]
        line = dict(color=colour, width=1)
        hover = t("rnn.unrolled.tensor_hover", tensor=row.tensor, shape=row.shape, n=row.parameters, steps=steps)
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", line=line, opacity=0.35))
        traces.append(
            go.Scatter(
                x=[WEIGHT_X],
                y=[y],
                mode="markers+text",
                text=[row.tensor],
                textposition="middle left",
                marker=dict(size=22, color=colour, symbol="square"),
                cliponaxis=False,  # on a phone the name spills into the left margin instead of being cut
                name=row.tensor,
                hovertemplate=hover + raw("<extra></extra>"),
            )
        )
    return traces


def _recurrence_trace(steps: int) -> go.Scatter:
    """The h_(t-1) -> h_t links between neighbouring cells."""
    return go.Scatter(
        x=[v for i in range(1, steps) for v in (i - 1 + CELL_HALF_WIDTH, i - CELL_HALF_WIDTH, None)],
        y=[v for _ in range(1, steps) for v in (1.0, 1.0, None)],
        mode="lines",
        line=dict(color="#888", width=2),
        hoverinfo="skip",
    )


def _cell(row, bold: bool, upright: bool = False) -> tuple[dict, list[dict]]:
    """One step's box, and its notes: h_t, the word below with its x_t -> h_t link, the output above (written
    vertically when `upright`, hanging below the cell and standing above it)."""
    x = row.step - 1  # the cell's centre
    box = dict(
        type="rect", x0=x - CELL_HALF_WIDTH, x1=x + CELL_HALF_WIDTH, y0=0.8, y1=1.2,
        line=dict(color="#222" if bold else "#999", width=3 if bold else 1),
        fillcolor="#fde0d9" if bold else "#f4f4f4",
    )  # fmt: skip
    arrow = dict(xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True, arrowhead=0, arrowcolor="#bbb")
    word = f"<b>{plain(row.word)}</b>" if bold else plain(row.word)
    below = dict(y=0.6, yanchor="top", textangle=-90) if upright else dict(y=0.45)
    above = dict(y=1.44, yanchor="bottom", textangle=-90) if upright else dict(y=1.55)
    notes = [
        dict(x=x, y=1.0, text=raw(f"h<sub>{row.step}</sub>"), showarrow=False),
        dict(x=x, text=word, showarrow=False, font=dict(size=13), **below),
        dict(x=x, y=0.62, ax=x, ay=0.8, **arrow),
    ]
    if row.shown:
        colour = "#222" if row.shown == "used" else "#aaa"
        output = f"<b>{row.output}</b>" if bold else row.output
        notes.append(dict(x=x, text=output, showarrow=False, font=dict(size=12, color=colour), **above))
        notes.append(dict(x=x, y=1.2, ax=x, ay=1.42, **arrow))
    return box, notes


@figure
def unrolled_network(cells: pd.DataFrame, tensors: pd.DataFrame, active: int) -> go.Figure:
    """One cell per step (columns step, word, output, shown), tied to the one set of weights.

    `tensors` has columns tensor, shape, parameters. Each tensor is drawn once, at the left, with a
    line of its own colour to every cell: the same weights at every step. Step `active` is bold.
    """
    steps = len(cells)
    upright = steps > UPRIGHT_AFTER  # a phone gives a long sentence's cells under 20 px each
    fig = go.Figure([*_weight_traces(tensors, steps), _recurrence_trace(steps)])
    drawn = [_cell(row, row.step == active, upright) for row in cells.itertuples()]
    notes = [note for _, cell_notes in drawn for note in cell_notes]
    fig.update_layout(shapes=[box for box, _ in drawn], annotations=notes)  # one update: add_shape per item is slow
    fig.update_xaxes(visible=False, range=[-2.2, steps - 0.4])
    fig.update_yaxes(visible=False, range=[0.0, 2.0] if upright else [0.3, 1.7])
    fig.update_layout(showlegend=False, plot_bgcolor="white")
    fig = tidy(fig, 380 if upright else 260)
    fig.update_layout(margin_l=50)  # room for the tensor names left of their squares, however narrow the chart
    return fig


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
        labels=dict(x=t("rnn.unrolled.step_word"), y=t("rnn.unrolled.hidden_unit"), color=raw("h")),
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
        labels=dict(x=t("rnn.unrolled.component"), color=t("rnn.unrolled.value")),
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
        labels={"label": t("rnn.unrolled.step_word"), y: y_title},
    )
    if reference is not None:
        fig.add_hline(y=reference, line_dash="dot", line_color="#999")
    return tidy(fig)


@figure
def next_char_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Top next characters (columns char, prob) as horizontal bars."""
    invisible = {"\n": t("rnn.markov.newline"), " ": t("rnn.markov.space")}
    shown = frame.assign(label=frame["char"].map(lambda c: invisible.get(c, plain(c))))
    labels = {"prob": t("rnn.markov.probability"), "label": ""}
    fig = px.bar(shown, x="prob", y="label", orientation="h", title=title, labels=labels)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(range=[0, 1])
    return tidy(fig, 380)


def p_positive_chart(frame: pd.DataFrame) -> go.Figure:
    """P(positive) after each word, from the two-heads frame."""
    title, axis = t("rnn.heads.curve_title"), t("rnn.heads.curve_axis")
    return step_line(frame, "p_positive", title, axis, reference=0.5)


@figure
def parameters_chart(counts: pd.DataFrame, words: int) -> go.Figure:
    """Weights of the RNN vs a dense layer over a window, as sentences get longer; the legend inside the plot.
    The columns' names are the axis title and the hover text's, so they are shown translated."""
    y, color = t("rnn.sharing.parameters"), t("rnn.sharing.model")
    fig = go.Figure(parameter_chart(
        counts.rename(columns={"parameters": y, "model": color}), words, x="length", y=y, color=color,
        title=t("rnn.sharing.params_title"), x_label=t("rnn.sharing.words"), log_x=False,
    ))  # fmt: skip  # a copy: the shared chart's Figure is cached and never changed
    # inside the plot's empty top-left corner (the dense line starts low), so a phone-wide plot keeps its width
    fig.update_layout(legend=dict(yanchor="top", y=0.98, x=0.02, bgcolor="rgba(255,255,255,0.8)"), margin_b=40)
    return fig


def memory_charts(frame: pd.DataFrame, scale: float) -> tuple[go.Figure | None, go.Figure]:
    """The edit's effect on each later h_t (None if nothing follows) and the gradient reaching each h_t."""
    effect = frame.dropna(subset=["hidden_change"])
    changes = None
    if not effect.empty:
        changes = step_line(effect, "hidden_change", t("rnn.memory.changes_title"), t("rnn.memory.changes_axis"))
    title = t("rnn.memory.grads_title", scale=scale)
    return changes, step_line(frame, "grad_norm", title, t("rnn.memory.grads_axis"), log_y=True)


def next_char_charts(frame: pd.DataFrame, prefix: str) -> tuple[go.Figure, go.Figure]:
    """The top next characters of each model, from the frame that is also downloaded."""
    last = repr(prefix[-1:]) if prefix else t("rnn.markov.nothing")
    bigram = frame.nlargest(TOP_CHARS, "prob_bigram").rename(columns={"prob_bigram": "prob"})
    latent = frame.nlargest(TOP_CHARS, "prob_rnn").rename(columns={"prob_rnn": "prob"})
    return (
        next_char_bars(bigram[["char", "prob"]], t("rnn.markov.bigram_title", last=last)),
        next_char_bars(latent[["char", "prob"]], t("rnn.markov.latent_title")),
    )
