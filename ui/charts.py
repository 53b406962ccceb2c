"""Charts: a tidy DataFrame in, a plotly Figure out. No Streamlit here, so tests inspect Figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.figures import figure

ROLE_COLOURS = {"input": "#9db4d6", "in window": "#e4572e", "padding": "#d9d9d9"}
LAYER_COLOURS = {"dense": "#4c78a8", "convolution": "#e4572e"}


def plain(text: str) -> str:
    """Text safe for plotly labels, which render a subset of HTML: angle brackets become ‹ ›."""
    return str(text).replace("&", "＆").replace("<", "‹").replace(">", "›")


def tidy(fig: go.Figure, height: int = 300) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), legend_title_text="")
    return fig


@figure
def window_chart(frame: pd.DataFrame) -> go.Figure:
    """Bars of the padded input (columns index, value, role); the kernel's window in colour."""
    fig = px.bar(
        frame,
        x="index",
        y="value",
        color="role",
        color_discrete_map=ROLE_COLOURS,
        title="Input x (the kernel's window in red, padding zeros in grey)",
        category_orders={"role": list(ROLE_COLOURS)},
        hover_data=["tap"],
    )
    fig.update_xaxes(dtick=1 if len(frame) <= 40 else None)
    return tidy(fig)


@figure
def output_chart(values: np.ndarray, position: int) -> go.Figure:
    """Output y: positions before `position` computed, the current one highlighted, the rest empty."""
    frame = pd.DataFrame({"position": np.arange(len(values)), "output": values})
    frame["status"] = np.where(
        frame["position"] < position, "computed", np.where(frame["position"] == position, "this step", "not yet")
    )
    frame.loc[frame["status"] == "not yet", "output"] = 0.0
    fig = px.bar(
        frame,
        x="position",
        y="output",
        color="status",
        title="Output y, filled in step by step",
        color_discrete_map={"computed": "#9db4d6", "this step": "#e4572e", "not yet": "#eeeeee"},
        category_orders={"status": ["computed", "this step", "not yet"]},
    )
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    pad = 0.1 * (high - low or 1.0)
    fig.update_yaxes(range=[low - pad, high + pad])  # fixed, so the axis does not jump while sliding
    fig.update_xaxes(dtick=1 if len(frame) <= 40 else None)
    return tidy(fig)


@figure
def matrix_heatmap(
    matrix: np.ndarray,
    title: str,
    highlight_row: int | None = None,
    x_title: str = "input index",
    y_title: str = "output position",
    value_title: str = "weight",
) -> go.Figure:
    """A weight matrix as a diverging heatmap; an optional row outlined."""
    limit = float(np.abs(matrix).max()) or 1.0
    fig = px.imshow(
        matrix,
        color_continuous_scale="RdBu_r",
        zmin=-limit,
        zmax=limit,
        aspect="auto",
        labels=dict(x=x_title, y=y_title, color=value_title),
        title=title,
    )
    if highlight_row is not None and 0 <= highlight_row < matrix.shape[0]:
        fig.add_shape(
            type="rect",
            x0=-0.5,
            x1=matrix.shape[1] - 0.5,
            y0=highlight_row - 0.5,
            y1=highlight_row + 0.5,
            line=dict(color="#222", width=2),
        )
    return tidy(fig, 320)


@figure
def parameter_chart(
    frame: pd.DataFrame,
    current: int | None = None,
    x: str = "input_length",
    y: str = "weights",
    color: str = "layer",
    title: str = "Weights needed as the input grows",
    x_label: str = "input length n",
    log_x: bool = True,
) -> go.Figure:
    """Parameter counts vs input length, one line per model (log y); a dotted line at `current`."""
    fig = px.line(frame, x=x, y=y, color=color, markers=True, log_x=log_x, log_y=True, title=title, labels={x: x_label})
    if current is not None:
        fig.add_vline(x=current, line_dash="dot", annotation_text=f"now: {current}")
    return tidy(fig)


@figure
def compare_outputs_chart(frame: pd.DataFrame) -> go.Figure:
    """Grouped bars of the dense and convolution outputs (columns output, dense, convolution)."""
    long = frame.melt(id_vars="output", value_vars=["dense", "convolution"], var_name="layer", value_name="value")
    fig = px.bar(
        long,
        x="output",
        y="value",
        color="layer",
        barmode="group",
        color_discrete_map=LAYER_COLOURS,
        title="The same input through both layers",
    )
    fig.update_xaxes(dtick=1)
    return tidy(fig)


@figure
def image_with_boxes(image: np.ndarray, boxes: pd.DataFrame, size: int, title: str) -> go.Figure:
    """A grey image (strokes light) with a labelled square per row of boxes (label, top, left)."""
    fig = px.imshow(image, color_continuous_scale="gray", zmin=0, zmax=1, title=title)
    for row in boxes.itertuples():
        fig.add_shape(
            type="rect",
            x0=row.left - 0.5,
            x1=row.left + size - 0.5,
            y0=row.top - 0.5,
            y1=row.top + size - 0.5,
            line=dict(color="#e4572e", width=2),
        )
        fig.add_annotation(
            x=row.left + size / 2 - 0.5,
            y=row.top - 0.5,
            text=str(row.label),
            showarrow=False,
            yshift=8,
            font=dict(color="#e4572e", size=14),
        )
    fig.update_layout(coloraxis_showscale=False)
    return tidy(fig, 320)


@figure
def score_map_heatmap(frame: pd.DataFrame, title: str) -> go.Figure:
    """Probability per window (columns row, col, prob) as a heatmap in score-map coordinates."""
    grid = frame.pivot(index="row", columns="col", values="prob")
    fig = px.imshow(
        grid.to_numpy(),
        color_continuous_scale="Viridis",
        zmin=0,
        zmax=1,
        aspect="equal",
        labels=dict(x="score-map column", y="score-map row", color="probability"),
        title=title,
    )
    return tidy(fig, 320)
