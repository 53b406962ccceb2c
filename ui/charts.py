"""Charts: a tidy DataFrame in, a plotly Figure out. No Streamlit here, so tests inspect Figures."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.figures import figure


def plain(text: str) -> str:
    """Text safe for plotly labels, which render a subset of HTML: angle brackets become ‹ ›."""
    return str(text).replace("&", "＆").replace("<", "‹").replace(">", "›")


def tidy(fig: go.Figure, height: int = 300) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), legend_title_text="")
    return fig


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
