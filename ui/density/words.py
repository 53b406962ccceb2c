"""Words the density page makes from the engine's ids and numbers, in the session's language."""

from __future__ import annotations

from engine.density import explain, judge
from ui.text import t

READINGS = {judge.NO_DIGIT: "no_digit", judge.NO_CLEAR_DIGIT: "no_clear_digit"}  # the judge's ids -> table keys


def digit(d: int) -> str:
    """A digit as a sentence names it ('a 7', 'an 8' in English)."""
    return t(f"density.digit.{int(d)}")


def caption(reading: str, number: int, probability: float) -> str:
    """The judge's verdict under an image: '7 · 0.98' (explain.caption), or its reading when it names no digit."""
    if reading in READINGS:
        return t(f"density.reading.{READINGS[reading]}")
    return explain.caption(reading, number, probability)


def comparison(study: dict) -> str:
    """How the linear probe on the model's features compares with the one on raw pixels, in words."""
    return t(f"density.representation.comparison.{explain.probe_comparison(explain.probe_gain(study))}")
