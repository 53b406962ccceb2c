"""Which writing system a text is in, so a page can say when its model cannot read it.

A model trained on English reads Latin letters. Given Korean, Chinese, Cyrillic or emoji it still
returns numbers, and those numbers mean nothing; `check` counts how much of an input is outside what a
model reads, and names the script, so the page can say so instead of showing a result.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# The first word of a character's Unicode name, for the scripts a learner is likely to type.
_NAME_TO_SCRIPT = {
    "LATIN": "Latin",
    "HANGUL": "Hangul",
    "CJK": "Han",
    "HIRAGANA": "Kana",
    "KATAKANA": "Kana",
    "KATAKANA-HIRAGANA": "Kana",  # the prolonged sound mark ー
    "FEMININE": "Latin",  # ª and º, ordinal indicators
    "MASCULINE": "Latin",
    "CYRILLIC": "Cyrillic",
    "GREEK": "Greek",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "DEVANAGARI": "Devanagari",
    "THAI": "Thai",
}
# How a message names each script: the language a learner will recognise, then the script.
DESCRIBED = {
    "Hangul": "Korean (Hangul)",
    "Han": "Chinese characters (Han)",
    "Kana": "Japanese (kana)",
    "Cyrillic": "Cyrillic",
    "Greek": "Greek",
    "Arabic": "Arabic",
    "Hebrew": "Hebrew",
    "Devanagari": "Devanagari",
    "Thai": "Thai",
    "emoji": "emoji",
    "Latin": "Latin letters",
}


def script_of(ch: str) -> str | None:
    """The script of one character ("Latin", "Hangul", "Han", "emoji", ...); None for digits, punctuation and
    spaces, which every script shares."""
    category = unicodedata.category(ch)
    if category == "So" or (category == "Sk" and 0x1F3FB <= ord(ch) <= 0x1F3FF):  # symbols and skin tones
        return "emoji" if ord(ch) >= 0x2190 else None
    if not category.startswith("L"):  # marks (accents, variation selectors) belong to the letter before them
        return None
    words = unicodedata.name(ch, "").split()
    if not words or words[0] == "MODIFIER":
        return None
    if words[0] in ("FULLWIDTH", "HALFWIDTH") and len(words) > 1:  # "FULLWIDTH LATIN ...", "HALFWIDTH KATAKANA ..."
        words = words[1:]
    return _NAME_TO_SCRIPT.get(words[0], words[0].title())


def script_of_word(word: str) -> str | None:
    """The script most of a word's letters are in (None for a word of digits and punctuation only)."""
    counts = Counter(s for s in map(script_of, word) if s is not None)
    return counts.most_common(1)[0][0] if counts else None


@dataclass(frozen=True)
class ScriptReport:
    """How much of an input a model can read: `foreign` of `units` units (words or characters that hold a letter
    or emoji) are outside it; `script` names the commonest foreign script."""

    units: int
    foreign: int
    script: str | None
    unit: str = "word"
    by_script: tuple[tuple[str, int], ...] = ()  # the foreign units per script, commonest first

    @property
    def unreadable(self) -> bool:
        """Most of the input is outside what the model reads: a result would mean nothing."""
        return self.units > 0 and 2 * self.foreign > self.units

    def counted(self) -> str:
        """For example "3 of 3 words are Korean (Hangul)"."""
        plural = self.unit if self.units == 1 else self.unit + "s"
        if len(self.by_script) > 1:  # for example "6 of 6 characters are in other scripts (5 Korean (Hangul), 1 emoji)"
            parts = ", ".join(f"{n} {DESCRIBED.get(script, script)}" for script, n in self.by_script)
            return f"{self.foreign} of {self.units} {plural} are in other scripts ({parts})"
        verb = "is" if self.foreign == 1 else "are"
        return f"{self.foreign} of {self.units} {plural} {verb} {DESCRIBED.get(self.script, self.script)}"


def check(
    units: Iterable[str],
    reads: Callable[[str], bool] | None = None,
    unit: str = "word",
    scripts: tuple[str, ...] = ("Latin",),
) -> ScriptReport:
    """Count the units a model cannot read.

    A unit is foreign when its script (by `script_of_word`) is not in `scripts`, or when `reads` is given and
    says no. Units with no script at all (numbers, punctuation) count neither way.
    """
    total, foreign, seen = 0, 0, Counter()
    for u in units:
        script = script_of_word(u)
        if script is None:
            continue
        total += 1
        if script not in scripts or (reads is not None and not reads(u)):
            foreign += 1
            seen[script] += 1
    ranked = tuple(seen.most_common())
    return ScriptReport(total, foreign, ranked[0][0] if ranked else None, unit, ranked)


def check_words(text: str, scripts: tuple[str, ...] = ("Latin",)) -> ScriptReport:
    """`check` over a text's whitespace-separated words."""
    return check(text.split(), unit="word", scripts=scripts)


def check_characters(
    text: str, reads: Callable[[str], bool] | None = None, scripts: tuple[str, ...] = ("Latin",)
) -> ScriptReport:
    """`check` over a text's characters (for a model that reads characters)."""
    return check(text, reads=reads, unit="character", scripts=scripts)
