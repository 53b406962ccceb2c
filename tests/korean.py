"""Checks that a page reads in Korean: what share of its visible letters are Hangul, and whether any sentence
of the English tables slipped through."""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

from ui.text import table

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
WIDGETS = ("slider", "select_slider", "selectbox", "radio", "text_input", "text_area", "number_input", "checkbox")


def hangul_share(text: str) -> float:
    """Hangul letters over all letters (digits, symbols and spaces are not letters); 0 for no letters."""
    letters = [c for c in text if c.isalpha()]
    return sum(bool(HANGUL.match(c)) for c in letters) / len(letters) if letters else 0.0


def visible_text(at: AppTest) -> list[str]:
    """Every piece of prose a learner reads on the page: headings, markdown, captions, alerts, widget labels
    and help, chart titles and axis titles."""
    out = [e.value for kind in KINDS for e in at.get(kind)]
    for kind in WIDGETS:
        for w in at.get(kind):
            out += [w.label, getattr(w, "help", "") or ""]
    for chart in at.get("plotly_chart"):
        layout = json.loads(chart.proto.spec).get("layout", {})
        out.append(layout.get("title", {}).get("text", ""))
        out += [v.get("title", {}).get("text", "") for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))]
    return [s for s in out if isinstance(s, str) and s.strip()]


def english_sentences(min_words: int = 5) -> set[str]:
    """Stretches of the English tables' texts (between placeholders) of at least `min_words` words: none may
    appear on a Korean page."""
    out = set()
    for text in table("en").values():
        for part in re.split(r"\{[^}]*\}", text):
            part = part.strip()
            if len(part.split()) >= min_words and not HANGUL.search(part):
                out.add(part)
    return out
