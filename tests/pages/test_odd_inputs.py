"""Odd text typed into the pages: a clear message or a normal answer, never an exception."""

import pytest

from tests.pages.conftest import widget

ODD = [
    "<script>alert('x')</script>",
    "!!! ??? ...",
    "I ❤️ this film 😀",
    "\u202eevil right-to-left\u202c text",
    "zero\u200bwidth joiner",
    "e\u0301te\u0301 cafe\u0301",
    "Supercalifragilisticexpialidocious" * 5,
    "١٢٣ مرحبا",
    "word",
]


@pytest.mark.parametrize("text", ODD)
def test_rnn_page_survives(run_page, text):
    at = run_page("pages/rnn.py")
    widget(at, "text_input", "Your sentence (up to 40 words)").input(text)
    at.run()
    assert not at.exception
    assert at.error or at.metric  # either a message or the judgement


@pytest.mark.parametrize("text", ODD)
def test_translator_page_survives(run_page, text):
    at = run_page("pages/transformer.py")
    widget(at, "text_input", "English sentence (up to 200 characters)").input(text[:200])
    at.run()
    assert not at.exception
    assert at.text  # the greedy output box (possibly "(empty)")
