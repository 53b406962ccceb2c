"""The chart modules with every figure builder memoised per server.

Building a plotly Figure runs plotly's property validation in Python (10-60 ms a chart), which was
most of a page's rerun. Sections import the chart modules from here, so moving a slider rebuilds
only the charts whose inputs changed; the others come back from the cache as the same object.
Builders never mutate what they return and callers never mutate it either, so sharing is safe.
"""

from __future__ import annotations

import inspect
from types import ModuleType, SimpleNamespace

import plotly.graph_objects as go
import streamlit as st

from ui import charts as _charts
from ui import density_charts as _density_charts
from ui import gpt_charts as _gpt_charts
from ui import mt_charts as _mt_charts
from ui import rnn_charts as _rnn_charts

MAX_FIGURES = 64  # per builder


def memoised(module: ModuleType) -> SimpleNamespace:
    """The module's public functions, with those that return a Figure wrapped in st.cache_resource."""
    names = {}
    for name, fn in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
            continue
        signature = inspect.signature(fn)
        takes_figure = any(p.annotation in (go.Figure, "go.Figure") for p in signature.parameters.values())
        if signature.return_annotation in (go.Figure, "go.Figure") and not takes_figure:
            fn = st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False)(fn)
        names[name] = fn
    return SimpleNamespace(**names)


charts = memoised(_charts)
density_charts = memoised(_density_charts)
gpt_charts = memoised(_gpt_charts)
mt_charts = memoised(_mt_charts)
rnn_charts = memoised(_rnn_charts)
