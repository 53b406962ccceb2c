"""The chart memoiser: `@figure` on a builder keeps the Figures it made, per server.

Building a plotly Figure runs plotly's property validation in Python (10-60 ms a chart), which was
most of a page's rerun. With `@figure`, moving a slider rebuilds only the charts whose inputs changed;
the others come back from the cache as the same object. Builders never mutate what they return and
callers never mutate it either, so sharing is safe. Only builders that take data (never a Figure)
and return a new Figure are decorated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec

import plotly.graph_objects as go
import streamlit as st

MAX_FIGURES = 64  # per builder
P = ParamSpec("P")


def figure(builder: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """`builder`, memoised per server on its arguments (st.cache_resource)."""
    return st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False)(builder)
