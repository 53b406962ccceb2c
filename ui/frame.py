"""Keeps every page inside the app's frame (navigation, wide layout) however it is reached."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from engine.common.checkpoint import CheckpointError

T = TypeVar("T")

try:  # an internal of Streamlit 1.67 (pinned); without it the page still runs, only outside the frame
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # pragma: no cover
    PagesManager = None


def inside_frame() -> None:
    """Call first in every page.

    Because pages/ exists beside app.py, Streamlit starts each server in its old multipage mode and,
    until some session calls st.navigation, runs a page URL such as /convolution directly, without
    app.py. Leaving that mode and re-running sends the session through app.py's navigation.
    """
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def loaded(load: Callable[[], T]) -> T:
    """The page's models; if a checkpoint is missing or damaged, say so (with the rebuild command) and stop."""
    try:
        return load()
    except CheckpointError as err:
        st.error(str(err))
        st.stop()
