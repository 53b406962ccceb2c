"""The chart memoiser: `@figure` on a builder keeps the Figures it made, per server.

Building a plotly Figure runs plotly's property validation in Python (10-60 ms a chart), which was
most of a page's rerun. With `@figure`, moving a slider rebuilds only the charts whose inputs changed;
the others come back from the cache as the same object. Builders never mutate what they return and
callers never mutate it either, so sharing is safe. Only builders that take data (never a Figure)
and return a new Figure are decorated.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import ParamSpec

import plotly.graph_objects as go
import streamlit as st

from ui.text import FONT_STACK, current_lang

MAX_FIGURES = 64  # per builder
P = ParamSpec("P")


def with_fonts(fig: go.Figure) -> go.Figure:
    """The Hangul-capable font stack (FONT_STACK) for the layout's text, its title, legend and hover labels,
    wherever the builder set no font of its own. Streamlit's chart theme sets the title's font unless the
    figure names one, and its default fonts draw Hangul as boxes where no Korean font is installed."""
    layout = fig.layout
    fig.update_layout(
        font_family=layout.font.family or FONT_STACK,
        title_font_family=layout.title.font.family or FONT_STACK,
        legend_font_family=layout.legend.font.family or FONT_STACK,
        hoverlabel_font_family=layout.hoverlabel.font.family or FONT_STACK,
    )
    return fig


def figure(builder: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """`builder`, memoised per server on its arguments and the session's language (st.cache_resource): a chart
    whose titles were looked up in English is never served to a session reading Korean. Every Figure it
    builds gets the Hangul-capable fonts (`with_fonts`)."""

    @functools.wraps(builder)
    def in_language(lang: str, *args, **kwargs) -> go.Figure:
        built = builder(*args, **kwargs)
        return with_fonts(built) if isinstance(built, go.Figure) else built

    signature = inspect.signature(builder)  # Streamlit reads argument names from it ("_name" is not hashed)
    lang = inspect.Parameter("lang", inspect.Parameter.POSITIONAL_ONLY)
    in_language.__signature__ = signature.replace(parameters=[lang, *signature.parameters.values()])
    cached = st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False)(in_language)

    @functools.wraps(builder)
    def call(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return cached(current_lang(), *args, **kwargs)

    return call
