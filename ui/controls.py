"""Widget helpers shared by pages: settings mirrored in the URL, CSV downloads, model-load errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import streamlit as st


def seed_from_url(key: str, param: str, default: Any, valid: Callable[[Any], bool] | Iterable[Any]) -> None:
    """Once per session, start widget `key` at the URL's `param` if it parses and is valid.

    Values are parsed with the type of `default`; anything else in the URL is ignored.
    """
    if key in st.session_state:
        return
    value = default
    raw = st.query_params.get(param)
    if raw is not None:
        try:
            parsed = type(default)(raw)
            ok = valid(parsed) if callable(valid) else parsed in list(valid)
            value = parsed if ok else default
        except (TypeError, ValueError):
            value = default
    st.session_state[key] = value


def in_range(lo: float, hi: float) -> Callable[[Any], bool]:
    """A validator for seed_from_url: lo <= value <= hi."""
    return lambda v: lo <= v <= hi


def mirror_to_url(params: dict[str, Any]) -> None:
    """Write the current settings into the URL so that a copied link reproduces the view."""
    for name, value in params.items():
        if st.query_params.get(name) != str(value):
            st.query_params[name] = str(value)


def download_csv(frame: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A button that downloads `frame` as CSV."""
    st.download_button(
        label,
        frame.to_csv(index=False).encode(),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
    )
