"""Charts of the density page: arrays or tidy DataFrames in, plotly Figures out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from engine.density.explain import DIGITS, NOISE
from engine.density.pixelcnn import PIXELS, SIDE
from ui.charts import tidy
from ui.figures import figure
from ui.text import raw, t

GREYS = [[0, "#000000"], [1, "#ffffff"]]
GAP = 2  # grid units (image pixels) between tiles
CAPTION_BAND = 8  # grid units under each tile that hold its caption
CAPTION_FONT = {"color": "#1f2230", "size": 14}  # near-black on white: 15.9:1 contrast
UNSURE_FONT = {"color": "#4a4d5a", "size": 14}  # captions that name no digit: 8.6:1, still readable
GRID_BACKGROUND = "#ffffff"
EXTRA = raw("<extra></extra>")  # no trace name beside a hover label


def hover(key: str, z: str = "%{z}") -> str:
    """A heatmap's hover text in the session's language: row, column and the value `z` (a plotly template)."""
    return t(f"density.charts.{key}", y="%{y}", x="%{x}", z=z) + EXTRA


def caption_font(caption: str) -> dict:
    """Dark text for a named digit ('7 · 0.98'), a softer dark grey for 'no digit' or 'no clear digit'."""
    return CAPTION_FONT if "·" in caption else UNSURE_FONT


@figure
def image_grid(
    images: np.ndarray,
    columns: int,
    title: str,
    captions: tuple[str, ...] = (),
    counted: tuple[bool, ...] = (),
    subtitle: str = "",
) -> go.Figure:
    """(N, 28, 28) binary images as tiles on white, each captioned in a band underneath if given (in bold where
    `counted`)."""
    rows = -(-len(images) // columns)
    pitch_x, pitch_y = SIDE + GAP, SIDE + (CAPTION_BAND if captions else GAP)
    canvas = np.full((rows * pitch_y - GAP, columns * pitch_x - GAP), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[r * pitch_y : r * pitch_y + SIDE, c * pitch_x : c * pitch_x + SIDE] = image
    fig = go.Figure(
        go.Heatmap(z=canvas, colorscale=GREYS, zmin=0, zmax=1, showscale=False, hovertemplate=raw("%{z}") + EXTRA)
    )
    for i, caption in enumerate(captions):
        r, c = divmod(i, columns)
        fig.add_annotation(
            x=c * pitch_x + SIDE / 2 - 0.5,
            y=r * pitch_y + SIDE - 0.5 + (CAPTION_BAND - GAP) / 2,
            text=caption,
            showarrow=False,
            yanchor="middle",
            font=caption_font(caption) | {"weight": "bold" if i < len(counted) and counted[i] else "normal"},
        )
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(title={"text": title, "subtitle": {"text": subtitle}}, plot_bgcolor=GRID_BACKGROUND)
    top = 70 if subtitle else 40
    fig = tidy(fig, top + 20 + int(3.3 * rows * pitch_y))  # about 3.3 screen pixels per image pixel
    return fig.update_layout(margin={"t": top})


@figure
def partial_image(image: np.ndarray, step: int) -> go.Figure:
    """A sample after `step` pixels were drawn (the rest grey); the next pixel outlined in red."""
    z = image.astype(float).flatten()
    z[step:] = np.nan
    fig = go.Figure(
        go.Heatmap(
            z=z.reshape(SIDE, SIDE),
            colorscale=GREYS,
            zmin=0,
            zmax=1,
            showscale=False,
            hovertemplate=hover("pixel_hover"),
        )
    )
    if step < PIXELS:
        r, c = divmod(step, SIDE)
        fig.add_shape(
            type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line={"color": "#e4572e", "width": 3}
        )
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(title=t("density.charts.partial_title", step=step, pixels=PIXELS), plot_bgcolor="#c8ccd4")
    return tidy(fig, 340)


@figure
def pixel_bars(p_one: float, drawn: int | None, title: str) -> go.Figure:
    """The Bernoulli the next pixel is drawn from: p(off) and p(on), the drawn value marked."""
    word = {k: t(f"density.charts.{k}") for k in ("pixel", "probability", "drawn", "not_drawn", "off", "on")}
    frame = pd.DataFrame({"pixel": [word["off"], word["on"]], "probability": [1 - p_one, p_one]})
    frame["drawn"] = np.where(np.arange(2) == drawn, word["drawn"], word["not_drawn"])
    fig = px.bar(
        frame,
        x="pixel",
        y="probability",
        color="drawn",
        color_discrete_map={word["drawn"]: "#e4572e", word["not_drawn"]: "#4c78a8"},
        title=title,
        text_auto=".3f",
        labels={k: word[k] for k in ("pixel", "probability", "drawn")},
    )
    fig.update_yaxes(range=[0, 1])
    return tidy(fig, 340)


@figure
def probability_map(p_one: np.ndarray, title: str) -> go.Figure:
    """(28, 28) p(pixel = 1 | pixels before it) at every pixel of one sample."""
    fig = go.Figure(
        go.Heatmap(
            z=p_one,
            colorscale="Viridis",
            zmin=0,
            zmax=1,
            colorbar={"title": raw("p(on)")},
            hovertemplate=hover("p_on_hover", "%{z:.3f}"),
        )
    )
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(title=title)
    return tidy(fig, 340)


@figure
def small_image(values: np.ndarray, title: str, zmax: float = 1.0, box: tuple | None = None) -> go.Figure:
    fig = go.Figure(go.Heatmap(z=values, colorscale=GREYS, zmin=0, zmax=zmax, showscale=False, hoverinfo="skip"))
    if box is not None:
        top, bottom, left, right = box
        fig.add_shape(
            type="rect",
            x0=left - 0.5,
            x1=right - 0.5,
            y0=top - 0.5,
            y1=bottom - 0.5,
            line={"color": "#e4572e", "width": 2},
        )
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(title=title)
    return tidy(fig, 260)


@figure
def bpd_histogram(frame: pd.DataFrame, marks: dict[str, float]) -> go.Figure:
    """Histograms of bits per dimension by group (columns group, bits per dim) with marked values."""
    groups = {DIGITS: t("density.charts.test_digits"), NOISE: t("density.charts.uniform_noise")}
    frame = frame.assign(group=frame["group"].map(lambda g: groups.get(g, g)))
    labels = {
        "bits per dim": t("density.charts.bits_per_dim"),
        "group": t("density.charts.group"),
        "count": t("density.charts.count"),
    }
    fig = px.histogram(frame, x="bits per dim", color="group", nbins=60, barmode="overlay", opacity=0.6, labels=labels)
    count = labels["count"]  # px names the counted axis "count" whatever `labels` says
    fig.for_each_trace(lambda trace: trace.update(hovertemplate=trace.hovertemplate.replace("count=", f"{count}=")))
    fig.update_yaxes(title=count)
    for i, (name, value) in enumerate(marks.items()):
        fig.add_vline(x=value, line_color="#e4572e" if i == 0 else "#333333", line_dash="solid" if i == 0 else "dot")
        fig.add_annotation(
            x=value, y=0.97 - 0.09 * i, yref="paper", text=name, showarrow=False, xanchor="left", xshift=4
        )
    fig.update_layout(title=t("density.charts.histogram_title"))
    return tidy(fig, 360)


@figure
def pixel_surprise(pixels: pd.DataFrame) -> go.Figure:
    """The cost of every pixel (columns row, column, nll_bits) as a heatmap in image coordinates."""
    grid = pixels.pivot(index="row", columns="column", values="nll_bits")
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            colorscale="YlOrRd",
            zmin=0,
            colorbar={"title": t("density.charts.bits")},
            hovertemplate=hover("surprise_hover", "%{z:.2f}"),
        )
    )
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(title=t("density.charts.surprise_title"))
    return tidy(fig, 380)


@figure
def feature_map(frame: pd.DataFrame) -> go.Figure:
    """The test digits (columns x, y, digit) where the t-SNE map of hidden features puts them."""
    digits = {"digit": [str(d) for d in range(10)]}  # legend in digit order, whichever digit comes first
    fig = px.scatter(
        frame,
        "x",
        "y",
        "digit",
        category_orders=digits,
        color_discrete_sequence=px.colors.qualitative.T10,
        labels={"digit": t("density.charts.digit")},
    )
    fig.update_layout(title=t("density.charts.map_title"))
    fig.update_traces(marker={"size": 7})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return tidy(fig, 460)


@figure
def probe_bars(frame: pd.DataFrame) -> go.Figure:
    """The linear probes' accuracies (columns input: an id of explain.PROBE_INPUTS, accuracy), inputs in words."""
    frame = frame.assign(input=[t(f"density.representation.inputs.{i}") for i in frame["input"]])
    fig = px.bar(
        frame,
        x="accuracy",
        y="input",
        orientation="h",
        text_auto=".3f",
        title=t("density.charts.probe_title"),
        labels={k: t(f"density.charts.{k}") for k in ("accuracy", "input")},
    )
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(title="")
    return tidy(fig, 220)
