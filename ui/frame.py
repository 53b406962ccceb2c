"""Keeps every page inside the app's frame (navigation, wide layout) however it is reached."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from engine.common.checkpoint import CheckpointError
from ui.text import current_lang, say

T = TypeVar("T")

# Layout rules for every page, whatever a section draws (constant text, never user content):
# - plotly's toolbar would cover a chart's title: on wider windows it keeps three buttons (picture, reset,
#   full screen; dragging still zooms) in a strip of its own above the chart; on a phone-sized one, where a
#   tap shows it and it stays, it is hidden (pinch-zoom still works);
# - a table or formula wider than the page scrolls inside itself instead of being cut at the right.
LAYOUT_CSS = """<style>
[data-testid="stPlotlyChart"] .modebar-btn:is([data-title="Zoom"], [data-title="Pan"], [data-title="Zoom in"],
  [data-title="Zoom out"], [data-title="Autoscale"]) { display: none !important; }
@media (min-width: 641px) {
  [data-testid="stPlotlyChart"] { margin-top: 1.75rem; }
  [data-testid="stPlotlyChart"] .js-plotly-plot { overflow: visible !important; }
  [data-testid="stPlotlyChart"] .modebar-container { top: -1.75rem !important; }
}
@media (max-width: 640px) {
  [data-testid="stPlotlyChart"] .modebar-container { display: none !important; }
}
[data-testid="stMarkdownContainer"] table { display: block; max-width: 100%; overflow-x: auto; }
[data-testid="stTable"], [data-testid="stMarkdownContainer"] .katex-display { max-width: 100%; overflow-x: auto; }
</style>"""

try:  # an internal of Streamlit 1.67 (pinned); without it the page still runs, only outside the frame
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # pragma: no cover
    PagesManager = None


def inside_frame() -> None:
    """Call first in every page: the frame, and the layout rules every page shares (LAYOUT_CSS).

    Because pages/ exists beside app.py, Streamlit starts each server in its old multipage mode and,
    until some session calls st.navigation, runs a page URL such as /convolution directly, without
    app.py. Leaving that mode and re-running sends the session through app.py's navigation.
    """
    current_lang()  # the session's language is chosen before anything is drawn (a page run alone: from ?lang=)
    st.html(LAYOUT_CSS)  # style only: Streamlit puts it in the event container, where it takes no space
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def loaded(load: Callable[[], T]) -> T:
    """The page's models; if a checkpoint is missing or damaged, say so (with the rebuild command) and stop."""
    try:
        return load()
    except CheckpointError as err:
        st.error(say(err))
        st.stop()
