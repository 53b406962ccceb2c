"""Each explainer page, at its defaults, asks a learner to read at most 350 words outside its expanders.

Counted: the text of every markdown, caption, info, warning, success and error element that is not
inside an expander, popover or dialog, as a learner sees it (link targets, markup and icons dropped).
Not counted: titles and headers, widget labels, tables, charts, metrics, code, model output shown as
plain text (st.text), and tokens without a letter (numbers, symbols).
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Divider, Latex, Markdown

from tests.pages.conftest import ROOT

BUDGET = 350  # words, issue 26 item 6
EXPLAINERS = ["rnn", "transformer", "gpt", "density", "convolution"]
FOLDED = {"expander", "popover", "dialog"}  # blocks a learner opens on purpose
ALERTS = ("info", "warning", "success", "error")
LETTER = re.compile(r"[^\W\d_]")


def plain(text: str) -> str:
    """Markdown as read: [label](url) -> label; HTML tags, :icon: codes, heading lines and markup dropped."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r":[a-z_]+/[a-z_]+:", " ", text)  # :material/translate:
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return re.sub(r"[*_`~>|]", " ", text)


def words(text: str) -> int:
    """Words a learner reads: whitespace-separated tokens holding at least one letter."""
    return sum(bool(LETTER.search(token)) for token in plain(text).split())


def prose(node, folded: bool = False) -> list[tuple[str, int, str]]:
    """(kind, words, text) of every prose element under `node` that shows without opening anything."""
    if isinstance(node, Block):
        hidden = folded or node.type in FOLDED
        return [item for child in node.children.values() for item in prose(child, hidden)]
    if folded:
        return []
    if isinstance(node, Markdown) and not isinstance(node, Divider | Latex):
        return [(node.type, words(node.value), node.value)]
    if node.type in ALERTS:
        return [(node.type, words(node.value), node.value)]
    return []


def prose_of(page: str) -> list[tuple[str, int, str]]:
    """The prose elements of pages/<page>.py at its defaults."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return prose(at._tree)


def test_the_counter_counts_what_a_learner_reads():
    assert words("**Bold** and *italic* [a link](https://example.org) `code`") == 6
    assert words("12.5 bits · 3 of 10 = 30%") == 2  # "bits" and "of": tokens without a letter are dropped
    assert words("### A heading\nTwo words") == 2
    assert words(":material/translate: <b>Hallo</b> Welt") == 2


def test_only_text_outside_expanders_is_counted():
    script = """
import streamlit as st
st.title("A title is not prose")
st.markdown("one two three")
with st.expander("Read more"):
    st.markdown("four five")
st.header("Nor is a header")
st.info("six")
st.caption("seven 8")
st.text_input("A label is not prose either")
"""
    at = AppTest.from_string(script)
    at.run()
    assert [(kind, n) for kind, n, _ in prose(at._tree)] == [("markdown", 3), ("info", 1), ("caption", 1)]


@pytest.mark.parametrize("page", EXPLAINERS)
def test_prose_outside_expanders_fits_the_budget(page):
    found = prose_of(page)
    total = sum(n for _, n, _ in found)
    largest = sorted(found, key=lambda item: -item[1])[:6]
    detail = "\n".join(f"  {n:4d} words, {kind}: {text[:90]!r}" for kind, n, text in largest)
    print(f"\n{page}: {total} words of prose outside expanders in {len(found)} elements")
    assert total <= BUDGET, f"{page}: {total} words outside expanders (budget {BUDGET}); the longest:\n{detail}"
