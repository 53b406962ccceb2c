"""What the GPT page shows for the engine's own values (a candidate's status, a run's start, a text's or a
model's name). The frames and their CSV files keep the engine's English values, stable for scripts; a chart
or a table on screen shows them in the session's language. The English table holds the engine's values
verbatim, so a value with no text under `gpt.<group>` fails loudly rather than showing English."""

from __future__ import annotations

import pandas as pd

from ui.text import t, t_in

STATUSES = ("drawn", "kept", "cut_away")
TEXTS = ("your_text", "shuffled", "held_out", "hamlet", "german")
RUNGS = ("unigram", "bigram", "rnn")  # and "gpt", whose name holds its context


def shown(group: str, keys: tuple[str, ...], **params) -> dict[str, str]:
    """{the engine's English value: the text shown for it} for `gpt.<group>.<key>` of every key."""
    return {t_in("en", f"gpt.{group}.{k}", **params): t(f"gpt.{group}.{k}", **params) for k in keys}


def statuses() -> dict[str, str]:
    return shown("status", STATUSES)


def texts() -> dict[str, str]:
    return shown("texts", TEXTS)


def rungs(context: int) -> dict[str, str]:
    return shown("rungs", RUNGS) | shown("rungs", ("gpt",), context=context)


def renamed(frame: pd.DataFrame, names: dict[str, dict[str, str]]) -> pd.DataFrame:
    """`frame` with each column of `names` shown: {column: {English value: shown}}; an unknown value raises."""
    return frame.assign(**{column: frame[column].map(lambda v, m=m: m[v]) for column, m in names.items()})
