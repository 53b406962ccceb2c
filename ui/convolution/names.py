"""What a learner reads for the engine's stable values: kernel presets, layers, roles, verdicts, table columns.

The engine names things in English (a CSV file and a link carry those names); the page shows each through
the tables, `convolution.<kind>.<value>`, so the same value reads in the session's language.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ui.text import t


def named(kind: str, value: object) -> str:
    """The text of one engine value of `kind` (kernels, layers, roles, statuses, classes, verdicts)."""
    return t(f"convolution.{kind}.{value}")


def names(kind: str, values: Iterable) -> dict:
    """{value: its text} for a widget's `format_func=names(...).get`: the options stay the stable values."""
    return {v: named(kind, v) for v in values}


def on_screen(frame: pd.DataFrame, **kinds: str) -> pd.DataFrame:
    """A table as shown: the columns in `kinds` (column=kind) read through `named`, every header translated.
    Downloads keep the frame itself, with its English columns."""
    shown = frame.assign(**{col: frame[col].map(names(kind, frame[col].unique())) for col, kind in kinds.items()})
    return shown.rename(columns={col: t(f"convolution.table.{col}") for col in frame.columns})
