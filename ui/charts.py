"""Charts: a tidy DataFrame in, a plotly Figure out. No Streamlit here, so tests inspect Figures."""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.figures import figure, with_fonts
from ui.text import t


def plain(text: str) -> str:
    """Text safe for plotly labels, which render a subset of HTML: angle brackets become ‹ ›."""
    return str(text).replace("&", "＆").replace("<", "‹").replace(">", "›")


def tidy(fig: go.Figure, height: int = 300) -> go.Figure:
    """The shared styling: height, margins, no legend title, and the Hangul-capable font stack for every text
    of the layout (title, axes, legend, hover labels)."""
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), legend_title_text="")
    return with_fonts(fig)


def legend_on_top(fig: go.Figure) -> go.Figure:
    """The legend in a row between the title and the plot: beside the plot it takes half a phone's width."""
    fig.update_layout(
        title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 10}},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "title": ""},
        margin_t=90,  # the title's line, then up to two lines of legend on a phone
    )
    return fig


@figure
def parameter_chart(
    frame: pd.DataFrame,
    current: int | None = None,
    x: str = "input_length",
    y: str = "weights",
    color: str = "layer",
    title: str | None = None,
    x_label: str | None = None,
    log_x: bool = True,
    legend_above: bool = False,
) -> go.Figure:
    """Parameter counts vs input length, one line per model (log y); a dotted line at `current`. The title and
    the x axis's title default to the shared ones, in the session's language."""
    title = t("common.charts.parameters_title") if title is None else title
    x_label = t("common.charts.input_length") if x_label is None else x_label
    fig = px.line(frame, x=x, y=y, color=color, markers=True, log_x=log_x, log_y=True, title=title, labels={x: x_label})
    if log_x:  # the x range spans the data (and `current`), with a margin of 4% of that span on each side
        ends = [frame[x].min(), frame[x].max(), *([] if current is None else [current])]
        low, high = math.log10(min(ends)), math.log10(max(ends))
        margin = 0.04 * (high - low or 1.0)
        fig.update_xaxes(range=[low - margin, high + margin], dtick=1)  # a label per decade: 10, 100, 1000
    if current is not None:
        fig.add_vline(x=current, line_dash="dot")
        # On a log axis an annotation's x is log10 of the value (a shape's is the value itself): a bare
        # `current` there put the label at 10^current and stretched the axis to fit it.
        at = math.log10(current) if log_x else current
        fig.add_annotation(
            x=at,
            y=1,
            xref="x",
            yref="y domain",
            text=t("common.charts.now", value=current),
            showarrow=False,
            xanchor="left",
            yanchor="top",
        )
    if legend_above:  # long layer names beside the plot would leave it a sliver on a phone
        return legend_on_top(tidy(fig, 380))
    return tidy(fig)
