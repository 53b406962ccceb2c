"""Charts of the live race: curves against each model's own training seconds, and the probe's attention.

Not memoised: while a race runs, every redraw has new numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.charts import tidy

NAMES = {"transformer": "Transformer", "gru": "GRU + attention"}
COLOURS = {"Transformer": "#1f77b4", "GRU + attention": "#d62728"}
MEASURES = {
    "accuracy": "held-out strings right (greedy)",
    "loss": "training loss (nats per letter)",
}


def curves(rows: pd.DataFrame, measure: str, seconds: float) -> go.Figure:
    """One line per model of `measure` (accuracy or loss) against its own training seconds."""
    frame = rows.assign(model=rows["model"].map(NAMES))
    fig = px.line(
        frame,
        x="seconds",
        y=measure,
        color="model",
        markers=True,
        color_discrete_map=COLOURS,
        category_orders={"model": list(NAMES.values())},
        title="Accuracy while training" if measure == "accuracy" else "Loss while training",
        labels={"seconds": "training seconds (each model's own steps)", measure: MEASURES[measure]},
        hover_data={"step": True},
    )
    fig.update_xaxes(range=[0, seconds * 1.02])
    if measure == "accuracy":
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
        fig.add_hline(y=0.9, line_dash="dot", annotation_text="90%")
    return tidy(fig, 330)


def attention_frame(weights: np.ndarray, probe: str, answer: str, title: str) -> go.Figure:
    """(T, S) cross-attention on the probe: rows the letters written, columns the letters read."""
    rows = [f"{i}:{c}" for i, c in enumerate(answer)] + [f"{len(answer)}:end"]
    cols = [f"{i}:{c}" for i, c in enumerate(probe)] + [f"{len(probe)}:end"]
    fig = px.imshow(
        weights,
        x=cols,
        y=rows,
        color_continuous_scale="Blues",
        zmin=0,
        zmax=1,
        aspect="auto",
        title=title,
        labels=dict(x="letter read (the input)", y="letter written (the answer)", color="weight"),
    )
    return tidy(fig, max(320, 80 + 22 * len(rows)))


def summary_frame(summary: dict) -> pd.DataFrame:
    """One row per model: what the race measured."""
    return pd.DataFrame(
        [
            {
                "model": NAMES[name],
                "parameters": s["params"],
                "final accuracy": s["accuracy"],
                "seconds to 90%": s["seconds_to_90"],
                "steps to 90%": s["steps_to_90"],
                "steps": s["steps"],
                "steps per second": s["steps_per_s"],
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
        frame.assign(model=frame["model"].map(NAMES)),
        x="length",
        y=y,
        color="model",
        markers=True,
        color_discrete_map=COLOURS,
        category_orders={"model": list(NAMES.values())},
        title=title,
        labels={"length": "letters per string", y: y_label},
    )
    fig.update_yaxes(rangemode="tozero")
    return tidy(_legend_inside(fig), 340)


def step_times(frame: pd.DataFrame, title: str) -> go.Figure:
    """Milliseconds per training step against string length, one line per model (columns length, model, ms)."""
    return _by_length(frame, "ms", title, "CPU ms per step (one thread)")


def sequential(frame: pd.DataFrame) -> go.Figure:
    """Computations per forward pass that must wait for the previous one (columns length, model, steps)."""
    return _by_length(frame, "steps", "Steps that wait for the one before", "sequential steps (forward pass)")


def training_chrf(curves: pd.DataFrame) -> go.Figure:
    """Validation chrF against CPU seconds of training, one line per shipped translator (explain.training_curves)."""
    fig = px.line(
        curves,
        x="cpu_seconds",
        y="val_chrf",
        color="model",
        markers=True,
        color_discrete_map=COLOURS,
        category_orders={"model": list(NAMES.values())},
        title="Validation chrF by CPU time",
        labels={"cpu_seconds": "CPU seconds of training (one thread)", "val_chrf": "everyday chrF (greedy)"},
        hover_data={"step": True},
    )
    return tidy(_legend_inside(fig, bottom_right=True), 340)
