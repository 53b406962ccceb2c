"""What the engine writes in English, shown in the learner's language: table headers, model names, decoding
settings and the guard table's rows. The engine's frames (and so the CSV downloads) keep their English; only
what is drawn on screen is looked up here. In English every function returns its input unchanged."""

from __future__ import annotations

import re

import pandas as pd

from ui.text import raw, t

# The two translators' names in the engine's frames and the CSV downloads (English in every language), by id.
ENGLISH = {"transformer": raw("Transformer"), "gru": raw("GRU + attention")}
MODELS = {name: key for key, name in ENGLISH.items()}
# The shipped decoding as the engine describes it (engine.translator.train.Kind.decoding).
_GUARDS = [
    (raw(r"no word repeated back to back"), "no_repeat"),
    (raw(r"no repeated word trigram"), "no_trigram"),
    (raw(r"minimum length (?P<ratio>\S+) × source"), "min_ratio"),
    (raw(r"coverage penalty β (?P<beta>\S+)"), "coverage"),
]
_BEAM = re.compile(raw(r"beam (?P<width>\d+), length penalty α (?P<alpha>\S+), guards: (?P<guards>.*)"))
# The rows of the guard table (engine.translator.explain.guard_effects).
_EFFECTS = [
    (raw(r"plain beam search"), "plain"),
    (raw(r"only: no word repeated back to back"), "no_repeat"),
    (raw(r"only: no repeated word trigram"), "no_trigram"),
    (raw(r"only: minimum length (?P<ratio>\S+) x source"), "min_ratio"),
    (raw(r"only: coverage penalty beta (?P<beta>\S+)"), "coverage"),
    (raw(r"all the guards chosen"), "all"),
]


def _slug(column: str) -> str:
    """A column's key in the tables: "seconds to 90%" -> "seconds_to_90"."""
    return re.sub(r"\W+", "_", column).strip("_").lower()


def header(column: str) -> str:
    """A table column's header on screen."""
    return t(f"translator.columns.{_slug(column)}")


def headers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its columns named for the screen (a copy; the frame itself, for the CSV, is unchanged)."""
    return frame.rename(columns=header)


def model(name: str) -> str:
    """A translator's name on screen, from its id ("gru") or the engine's English name ("GRU + attention");
    any other name as it is."""
    key = MODELS.get(name, name)
    return t(f"translator.models.{key}") if key in MODELS.values() else name


def _matched(text: str, patterns: list[tuple[str, str]], section: str) -> str | None:
    for pattern, key in patterns:
        found = re.fullmatch(pattern, text)
        if found:
            return t(f"translator.{section}.{key}", **found.groupdict())
    return None


def decoding(text: str) -> str:
    """A recorded decoding ("greedy", "beam 4, length penalty α 0.6, guards: ...") on screen."""
    if text == "greedy":
        return t("translator.decoding_names.greedy")
    found = _BEAM.fullmatch(text)
    if not found:
        return text
    listed = found["guards"]
    if listed == "none":
        guards = t("translator.decoding_names.none")
    else:
        named = [_matched(g, _GUARDS, "decoding_names") for g in listed.split("; ")]
        if None in named:
            return text
        guards = t("translator.decoding_names.separator").join(named)
    return t("translator.decoding_names.beam", width=found["width"], alpha=found["alpha"], guards=guards)


def effect(name: str) -> str:
    """A row name of the guard table on screen."""
    return _matched(name, _EFFECTS, "effects") or name
