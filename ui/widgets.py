"""Widget helpers shared by pages: settings mirrored in the URL, CSV downloads, model-load errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from engine.common.inputs import MAX_UPLOAD_BYTES, InputError
from engine.common.scripts import ScriptReport
from ui.text import known, say, t

T = TypeVar("T")


@dataclass(frozen=True)
class Limit:
    """One numeric control's range, default and step: declared once, read by the URL check and the widget."""

    lo: int | float
    hi: int | float
    default: int | float
    step: int | float | None = None

    def valid(self, value: Any) -> bool:
        return self.lo <= value <= self.hi


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


def slider(label: str, key: str, param: str, limit: Limit, **kwargs: Any) -> Any:
    """A slider over `limit`, started once from the URL's `param` when that is a valid value."""
    seed_from_url(key, param, limit.default, limit.valid)
    return st.slider(label, limit.lo, limit.hi, step=limit.step, key=key, **kwargs)


def number(label: str, key: str, param: str, limit: Limit, **kwargs: Any) -> Any:
    """A number input over `limit`, started once from the URL's `param` when that is a valid value."""
    seed_from_url(key, param, limit.default, limit.valid)
    return st.number_input(label, limit.lo, limit.hi, step=limit.step, key=key, **kwargs)


def toggle(label: str, key: str, param: str, default: bool, **kwargs: Any) -> bool:
    """A checkbox, started once from the URL's `param` (1/0, true/false) when it holds one of those."""
    if key not in st.session_state:
        raw = str(st.query_params.get(param, "")).lower()
        st.session_state[key] = {"1": True, "true": True, "0": False, "false": False}.get(raw, default)
    return st.checkbox(label, key=key, **kwargs)


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


def uploaded(label: str, types: list[str], key: str, read: Callable[[bytes], T], help_text: str = "") -> T | None:
    """A file uploader whose file is validated by `read`; None (with a message) until a usable file arrives.

    The size limit is added to `label`; a refused file shows "Cannot use this file: ..." (in the session's
    language) and nothing else.
    """
    upload = st.file_uploader(t("common.upload.label", label=label, mb=MAX_UPLOAD_BYTES // 2**20), type=types, key=key)
    if upload is None:
        if help_text:
            st.info(help_text)
        return None
    st.text(t("common.upload.file", name=upload.name))  # st.text never renders markup, whatever the name holds
    try:
        return read(upload.getvalue())
    except InputError as err:
        st.error(t("common.upload.refused", reason=say(err)))
        return None


def drawing(key: str, width: int, height: int, stroke: int, caption: str, empty: str) -> bytes | None:
    """A canvas for white strokes on black: its PNG once something is drawn, else None (with `empty` shown)."""
    from streamlit_drawable_canvas import st_canvas

    st.caption(caption)
    result = st_canvas(
        stroke_width=stroke,
        stroke_color="#ffffff",
        background_color="#000000",
        width=width,
        height=height,
        drawing_mode="freedraw",
        return_image_data=True,
        key=key,
    )
    if not result.image_bytes or not (result.json_data or {}).get("objects"):
        st.info(empty)
        return None
    return result.image_bytes


def cannot_read(report: ScriptReport, reader: str) -> bool:
    """When most of an input is outside what the model reads, say so in one line and return True: the page
    then shows no result as if it meant something. `reader` says what the model reads, for example
    "This tagger was trained on English only" (in the session's language)."""
    if not report.unreadable:
        return False
    st.warning(t("common.reading.sentence", reader=reader, counted=counted(report)), icon=":material/translate:")
    return True


def counted(report: ScriptReport) -> str:
    """`report.counted()` in the session's language: "3 of 3 words are Korean (Hangul)"; a script the tables do
    not name keeps its Unicode name."""

    def script(name: str | None) -> str:
        return t(f"common.scripts.{name}") if known(f"common.scripts.{name}") else str(name)

    unit = t(f"common.units.{report.unit}{'' if report.units == 1 else 's'}")
    numbers = {"foreign": report.foreign, "units": report.units, "unit": unit}
    if len(report.by_script) > 1:
        parts = ", ".join(t("common.reading.part", n=n, script=script(name)) for name, n in report.by_script)
        return t("common.reading.mixed", parts=parts, **numbers)
    return t(
        "common.reading.is" if report.foreign == 1 else "common.reading.are", script=script(report.script), **numbers
    )
