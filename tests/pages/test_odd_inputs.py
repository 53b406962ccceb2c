"""Odd text typed into the pages: a clear message or a normal answer, never an exception; markup never rendered."""

import json

import pytest

from engine.common.scripts import check_words
from engine.rnn import sentiment, tagger
from engine.rnn.text import UPOS, tokenize
from engine.translator.decode import MAX_NEW
from tests.pages.conftest import texts, widget
from ui import loaders

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
HTML = ODD[0]


@pytest.fixture(scope="module")
def engines():
    return tagger.load()[0], sentiment.load()[0]


def _chart_spec(at, title_start: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if s["layout"].get("title", {}).get("text", "").startswith(title_start))


@pytest.mark.parametrize("text", ODD)
def test_rnn_page_survives_and_tags_every_word(run_page, engines, text):
    at = run_page("pages/rnn.py")
    widget(at, "text_input", "Your sentence (up to 40 words)").input(text)
    at.run()
    assert not at.exception
    words = tokenize(text)
    if not words or len(words) > 40:
        assert at.error  # a message instead of a judgement
        return
    if check_words(text).unreadable:  # mostly a script the tagger cannot read: a message, no tags
        assert any("English only" in w.value for w in at.warning)
        assert not any("tag" in d.value.columns for d in at.dataframe)  # no tag table
        return
    table = at.dataframe[0].value
    assert list(table["word"]) == words and set(table["tag"]) <= set(UPOS)
    assert list(table["tag"]) == [t for _, t, _ in tagger.tag(engines[0], words)]
    p_pos = sentiment.positive_after_each_word(engines[1], words)[-1]
    assert at.metric[0].value == ("positive" if p_pos >= 0.5 else "negative")


def test_rnn_page_shows_markup_as_text(run_page):
    at = run_page("pages/rnn.py", {"net": "tagger"})
    widget(at, "text_input", "Your sentence (up to 40 words)").input(HTML)
    at.run()
    assert not at.exception
    words = tokenize(HTML)
    assert words[:3] == ["<", "script", ">"]
    heatmap = _chart_spec(at, "Hidden states")
    assert heatmap["data"][0]["x"][0] == "1·‹" and all("<" not in x for x in heatmap["data"][0]["x"])
    diagram = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "annotations" in c.proto.spec)
    notes = [a["text"] for a in diagram["layout"]["annotations"] if a.get("text")]
    assert "‹" in notes or "<b>‹</b>" in notes
    assert not any("<script" in n or n in ("<", ">") for n in notes)
    assert "<script" not in texts(at)


@pytest.mark.parametrize("text", ODD)
def test_translator_page_survives(run_page, text):
    at = run_page("pages/transformer.py")
    widget(at, "text_input", "English sentence (up to 200 characters)").input(text[:200])
    at.run()
    assert not at.exception
    if check_words(text[:200]).unreadable:  # mostly a script the model cannot read: a message, no translation
        assert any("reads English only" in w.value for w in at.warning)
    else:
        assert at.text  # the greedy output box (possibly "(empty)")
    assert "<script" not in texts(at)  # markup typed in is never rendered as markdown


@pytest.mark.parametrize("text", [t for t in ODD if t.strip()])
def test_every_odd_sentence_gets_source_pieces_and_a_finished_translation(text):
    sentence = text[:200].strip()
    result = loaders.translation(sentence)
    assert result.source[-1] == "</s>"
    # every typed word starts one source piece (marked ▁), however odd its characters
    assert sum(p.startswith("▁") for p in result.source) == len(sentence.split())
    # finished, or cut at the length limit (beam search on a 170-letter nonsense word never ends)
    assert result.output[-1] == "</s>" or len(result.output) == MAX_NEW
    assert len(result.output) == len(result.target) >= 2
