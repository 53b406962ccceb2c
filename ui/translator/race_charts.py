"""Charts of the live race: curves against each model's own training seconds, and the probe's attention.

Not memoised: while a race runs, every redraw has new numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.charts import tidy
from ui.text import raw, t
from ui.translator.labels import ENGLISH, model

NAMES = ENGLISH  # model id -> its name in the frames and CSV downloads
COLOURS = {"transformer": "#1f77b4", "gru": "#d62728"}


def _models() -> dict:
    """px arguments for one line per model: names on screen, their colours and order."""
    shown = [model(key) for key in NAMES]
    return {
        "color": "model",
        "color_discrete_map": {model(key): colour for key, colour in COLOURS.items()},
        "category_orders": {"model": shown},
    }


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its model column (ids or English names) named for the screen."""
    return frame.assign(model=frame["model"].map(model))


def measure_label(measure: str) -> str:
    """The y-axis title of a race curve: accuracy or loss."""
    return t(f"translator.race_charts.{measure}")


def curves(rows: pd.DataFrame, measure: str, seconds: float) -> go.Figure:
    """One line per model of `measure` (accuracy or loss) against its own training seconds."""
    fig = px.line(
        _shown(rows),
        x="seconds",
        y=measure,
        markers=True,
        title=t(f"translator.race_charts.{measure}_title"),
        labels={
            "seconds": t("translator.race_charts.seconds"),
            measure: measure_label(measure),
            "model": t("translator.charts.model"),
            "step": t("translator.charts.step"),
        },
        hover_data={"step": True},
        **_models(),
    )
    fig.update_xaxes(range=[0, seconds * 1.02])
    if measure == "accuracy":
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
        fig.add_hline(y=0.9, line_dash="dot", annotation_text="90%")
    return tidy(fig, 330)


def attention_frame(weights: np.ndarray, probe: str, answer: str, title: str) -> go.Figure:
    """(T, S) cross-attention on the probe: rows the letters written, columns the letters read."""
    end = t("translator.race_charts.end")
    rows = [f"{i}:{c}" for i, c in enumerate(answer)] + [f"{len(answer)}:{end}"]
    cols = [f"{i}:{c}" for i, c in enumerate(probe)] + [f"{len(probe)}:{end}"]
    fig = px.imshow(
        weights,
        x=cols,
        y=rows,
        color_continuous_scale="Blues",
        zmin=0,
        zmax=1,
        aspect="auto",
        title=title,
        labels=dict(
            x=t("translator.race_charts.read"),
            y=t("translator.race_charts.written"),
            color=t("translator.charts.weight"),
        ),
    )
    return tidy(fig, max(320, 80 + 22 * len(rows)))


def summary_frame(summary: dict) -> pd.DataFrame:
    """One row per model: what the race measured (English columns and names, as its CSV)."""
    return pd.DataFrame(
        [
            {
                "model": NAMES[name],
                "parameters": s["params"],
                raw("final accuracy"): s["accuracy"],
                raw("seconds to 90%"): s["seconds_to_90"],
                raw("steps to 90%"): s["steps_to_90"],
                "steps": s["steps"],
                raw("steps per second"): s["steps_per_s"],
            }
            for name, s in summary.items()
        ]
    )


def _legend_inside(fig: go.Figure, bottom_right: bool = False) -> go.Figure:
    """The legend inside the plot, in a corner the lines leave empty, so a narrow column keeps its width."""
    corner = dict(yanchor="bottom", y=0.01, xanchor="right", x=0.99) if bottom_right else dict(y=0.99, x=0.01)
    fig.update_layout(legend=dict(yanchor="top", xanchor="left", bgcolor="rgba(255,255,255,0.7)") | corner)
    return fig


def _by_length(frame: pd.DataFrame, y: str, title: str, y_label: str) -> go.Figure:
    """One line per race model of `y` against string length (columns length, model, y), from zero up."""
    fig = px.line(
        _shown(frame),
        x="length",
        y=y,
        markers=True,
        title=title,
        labels={"length": t("translator.race_charts.length"), y: y_label, "model": t("translator.charts.model")},
        **_models(),
    )
    fig.update_yaxes(rangemode="tozero")
    return tidy(_legend_inside(fig), 340)


def step_times(frame: pd.DataFrame, title: str) -> go.Figure:
    """Milliseconds per training step against string length, one line per model (columns length, model, ms)."""
    return _by_length(frame, "ms", title, t("translator.race_charts.ms"))


def sequential(frame: pd.DataFrame) -> go.Figure:
    """Computations per forward pass that must wait for the previous one (columns length, model, steps)."""
    return _by_length(frame, "steps", t("translator.race_charts.waits_title"), t("translator.race_charts.waits"))


def training_chrf(curves: pd.DataFrame) -> go.Figure:
    """Validation chrF against CPU seconds of training, one line per shipped translator (explain.training_curves)."""
    fig = px.line(
        _shown(curves),
        x="cpu_seconds",
        y="val_chrf",
        markers=True,
        title=t("translator.race_charts.chrf_title"),
        labels={
            "cpu_seconds": t("translator.charts.cpu_seconds"),
            "val_chrf": t("translator.race_charts.chrf"),
            "model": t("translator.charts.model"),
            "step": t("translator.charts.step"),
        },
        hover_data={"step": True},
        **_models(),
    )
    return tidy(_legend_inside(fig, bottom_right=True), 340)
