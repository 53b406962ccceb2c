"""The Convolution & FCN page's charts: a tidy DataFrame (or matrix) in, a plotly Figure out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.charts import tidy
from ui.convolution.names import names
from ui.figures import figure
from ui.text import t

ROLE_COLOURS = {"input": "#9db4d6", "in window": "#e4572e", "padding": "#d9d9d9"}
LAYER_COLOURS = {"dense": "#4c78a8", "convolution": "#e4572e"}
STEP_COLOURS = {"computed": "#9db4d6", "this step": "#e4572e", "not yet": "#eeeeee"}
BOX_COLOUR = "#e4572e"
# Found digits by verdict (engine.convolution.detect.judge), light enough to read on the black picture.
VERDICT_COLOURS = {
    "right": "#52b788",
    "misread": "#ff4d4d",
    "extra": "#ff4d4d",
    "unsure": "#ffb703",
    "unchecked": "#4cc9f0",
}
MISSED_COLOUR = "#bbbbbb"
SHOW_EVERY_TICK = 40  # up to this many bars, every index gets its tick
LABELS = {"x": "map_column", "y": "map_row", "color": "probability"}  # the score map's axes, by table key
PICTURE_LABELS = {"x": "picture_x", "y": "picture_y", "color": "picture_value"}  # the picture's hover


def _coloured_bars(frame: pd.DataFrame, x: str, y: str, colour: tuple[str, dict, str], title: str, **kw) -> go.Figure:
    """Bars of `y` by `x`, coloured by the column colour = (column, {value: colour}, kind of value) in the fixed
    order of its colours; the values read in the session's language (`kind` in the tables), and so do the
    columns' names (`convolution.charts.<column>`) on the axes and in the hover."""
    column, colours, kind = colour
    shown = names(kind, colours)
    frame = frame.assign(**{column: frame[column].map(shown)})
    labels = {c: t(f"convolution.charts.{c}") for c in (x, y, column, *kw.pop("hover_data", []))}
    return px.bar(
        frame,
        x=x,
        y=y,
        color=column,
        color_discrete_map={shown[v]: c for v, c in colours.items()},
        category_orders={column: list(shown.values())},
        hover_data=[c for c in labels if c not in (x, y, column)],
        labels=labels,
        title=title,
        **kw,
    )


@figure
def window_chart(frame: pd.DataFrame) -> go.Figure:
    """Bars of the padded input (columns index, value, role); the kernel's window in colour."""
    title = t("convolution.charts.window_title")  # short enough for a 390 px phone
    fig = _coloured_bars(frame, "index", "value", ("role", ROLE_COLOURS, "roles"), title, hover_data=["tap"])
    fig.update_xaxes(dtick=1 if len(frame) <= SHOW_EVERY_TICK else None)
    return tidy(fig)


@figure
def output_chart(values: np.ndarray, position: int) -> go.Figure:
    """Output y: positions before `position` computed, the current one highlighted, the rest empty."""
    frame = pd.DataFrame({"position": np.arange(len(values)), "output": values})
    done, now, later = STEP_COLOURS  # the statuses, as the table names them
    frame["status"] = np.where(frame["position"] < position, done, np.where(frame["position"] == position, now, later))
    frame.loc[frame["status"] == later, "output"] = 0.0
    title = t("convolution.charts.output_title")
    fig = _coloured_bars(frame, "position", "output", ("status", STEP_COLOURS, "statuses"), title)
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    pad = 0.1 * (high - low or 1.0)
    fig.update_yaxes(range=[low - pad, high + pad])  # fixed, so the axis does not jump while sliding
    fig.update_xaxes(dtick=1 if len(frame) <= SHOW_EVERY_TICK else None)
    return tidy(fig)


def _diverging_heatmap(values: np.ndarray, title: str, x_title: str, y_title: str, value_title: str) -> go.Figure:
    """`values` (rows by columns, as drawn) on a red-blue scale centred on zero."""
    limit = float(np.abs(values).max()) or 1.0
    return px.imshow(
        values,
        color_continuous_scale="RdBu_r",
        zmin=-limit,
        zmax=limit,
        aspect="auto",
        labels=dict(x=x_title, y=y_title, color=value_title),
        title=title,
    )


@figure
def matrix_heatmap(
    matrix: np.ndarray | pd.DataFrame,
    title: str,
    highlight_row: int | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    value_title: str | None = None,
) -> go.Figure:
    """A weight matrix (rows by columns, as drawn) as a diverging heatmap; an optional row outlined. The axes
    are input index, output position and weight unless named."""
    values = np.asarray(matrix, dtype=np.float64)
    x_title = x_title or t("convolution.charts.input_index")
    y_title = y_title or t("convolution.charts.output_position")
    fig = _diverging_heatmap(values, title, x_title, y_title, value_title or t("convolution.charts.weight"))
    if highlight_row is not None and 0 <= highlight_row < values.shape[0]:
        fig.add_shape(
            type="rect",
            x0=-0.5,
            x1=values.shape[1] - 0.5,
            y0=highlight_row - 0.5,
            y1=highlight_row + 0.5,
            line=dict(color="#222", width=2),
        )
    return tidy(fig, 320)


@figure
def score_grid_heatmap(frame: pd.DataFrame, unit: int, title: str) -> go.Figure:
    """One output unit of a score grid (columns unit, window_row, window_col, output) at every window."""
    rows = frame[frame["unit"] == unit].pivot(index="window_row", columns="window_col", values="output")
    axes = (t(f"convolution.charts.{name}") for name in ("window_column", "window_row", "output"))
    return tidy(_diverging_heatmap(rows.to_numpy(), title, *axes), 320)


@figure
def compare_outputs_chart(frame: pd.DataFrame) -> go.Figure:
    """Grouped bars of the dense and convolution outputs (columns output, dense, convolution)."""
    long = frame.melt(id_vars="output", value_vars=["dense", "convolution"], var_name="layer", value_name="value")
    title = t("convolution.charts.compare_title")
    fig = _coloured_bars(long, "output", "value", ("layer", LAYER_COLOURS, "layers"), title, barmode="group")
    fig.update_xaxes(dtick=1)
    return tidy(fig)


def box_label(label: str, verdict: str, placed: str) -> str:
    """What a box says: the reading, with what was placed if it is wrong, or a ? if it is unsure."""
    return {"misread": f"{label}≠{placed}", "extra": f"{label}✗", "unsure": f"{label}?"}.get(verdict, label)


def _box(fig: go.Figure, top: int, left: int, size: int, text: str, colour: str, dash: str = "solid") -> None:
    """One square window on the picture with its label above it."""
    fig.add_shape(
        type="rect",
        x0=left - 0.5,
        x1=left + size - 0.5,
        y0=top - 0.5,
        y1=top + size - 0.5,
        line=dict(color=colour, width=2, dash=dash),
    )
    fig.add_annotation(
        x=left + size / 2 - 0.5, y=top - 0.5, text=text, showarrow=False, yshift=8, font=dict(color=colour, size=14)
    )


@figure
def image_with_boxes(
    image: np.ndarray, boxes: pd.DataFrame, size: int, title: str, missed: pd.DataFrame | None = None
) -> go.Figure:
    """A grey image (strokes light) with a square per found digit (label, top, left; verdict, placed if judged).

    Each box is coloured by its verdict and says what is wrong with it; placed digits nobody found
    (`missed`: label, top, left) get a dashed grey box.
    """
    labels = {k: t(f"convolution.charts.{name}") for k, name in PICTURE_LABELS.items()}
    fig = px.imshow(image, color_continuous_scale="gray", zmin=0, zmax=1, labels=labels, title=title)
    for row in boxes.itertuples():
        verdict = getattr(row, "verdict", "unchecked")
        text = box_label(str(row.label), verdict, str(getattr(row, "placed", "")))
        _box(fig, row.top, row.left, size, text, VERDICT_COLOURS.get(verdict, BOX_COLOUR))
    for row in (missed if missed is not None else pd.DataFrame()).itertuples():
        _box(fig, row.top, row.left, size, t("convolution.charts.missed", label=row.label), MISSED_COLOUR, "dash")
    fig.update_layout(coloraxis_showscale=False, xaxis_title=None, yaxis_title=None)  # the labels are for the hover
    fig.update_yaxes(nticks=4)  # a wide, short picture: more row labels would overlap on a phone
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
        labels={k: t(f"convolution.charts.{name}") for k, name in LABELS.items()},
        title=title,
    )
    fig.update_yaxes(nticks=3)  # the map is a short strip: more row labels would overlap
    return tidy(fig, 320)
