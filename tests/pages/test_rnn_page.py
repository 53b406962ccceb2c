"""The Sequences & RNNs page driven through AppTest; displayed tags and scores checked against the engine."""

import numpy as np
import pytest

from engine.rnn import charlm, sentiment, tagger
from engine.rnn import explain as unroll
from engine.rnn.explain import MAX_WORDS
from engine.rnn.text import tokenize
from tests.pages.conftest import charts, texts, widget

PAGE = "pages/rnn.py"
SENTENCE = "My sister bought a terrible old car in Paris."


@pytest.fixture(scope="module")
def engines():
    return tagger.load()[0], sentiment.load()[0]


def _typed(run_page, sentence: str = SENTENCE, **query):
    at = widget(run_page(PAGE, query), "text_input", f"Your sentence (up to {MAX_WORDS} words)").input(sentence).run()
    assert not at.exception
    return at


def test_tags_and_judgement_match_the_engine(run_page, engines):
    at = _typed(run_page)
    words = tokenize(SENTENCE)
    table = at.dataframe[0].value
    assert list(table["word"]) == words
    assert list(table["tag"]) == [t for _, t, _ in tagger.tag(engines[0], words)]
    p_pos = sentiment.positive_after_each_word(engines[1], words)[-1]
    metric = at.metric[0]
    assert metric.value == ("positive" if p_pos >= 0.5 else "negative")
    assert f"{p_pos:.2f}" in metric.delta


def test_step_slider_shows_that_steps_output(run_page, engines):
    at = _typed(run_page, net="tagger")
    widget(at, "slider", "Time step t").set_value(4)
    at.run()
    _, tag, prob = tagger.tag(engines[0], tokenize(SENTENCE))[3]
    assert f"**Output at step 4:** {tag} {prob:.2f}" in texts(at)


def test_sentiment_steps_before_the_last_are_marked_unused(run_page):
    at = _typed(run_page, net="sentiment")
    widget(at, "slider", "Time step t").set_value(2)
    at.run()
    assert "(not used: only the last step judges)" in texts(at)


def test_weight_scale_slider_changes_every_later_step(run_page, engines):
    at = _typed(run_page)
    widget(at, "slider", "Scale W_hh by").set_value(1.5)
    at.run()
    assert at.query_params["scale"] == "1.5"
    (chart,) = [c for c in charts(at) if c["title"] == "|h_t(W_hh × 1.5) − h_t| at every step"]
    model, encoder = engines[1].model, engines[1].encoder
    words = tokenize(SENTENCE)
    expected = (unroll.trace(model, encoder, words, 1.5).hidden - unroll.trace(model, encoder, words).hidden).norm(
        dim=1
    )
    np.testing.assert_allclose(np.asarray(chart["data"][0]["y"], dtype=float), expected.numpy(), atol=1e-5)
    assert expected[0] == 0 and (expected[1:] > 0).all()


def test_empty_and_long_sentences_get_messages(run_page):
    at = _typed(run_page, "   ")
    assert any("Type a sentence" in e.value for e in at.error)
    at = _typed(run_page, "word " * (MAX_WORDS + 5))
    assert any(f"{MAX_WORDS + 5} words" in e.value for e in at.error)


def test_markov_vs_rnn_numbers_come_from_the_checkpoints(run_page):
    at = run_page(PAGE)
    table = next(d.value for d in at.dataframe if "held-out bits per character" in d.value.columns)
    _, markov_meta = charlm.load_markov()
    _, rnn_meta = charlm.load_char_rnn()
    assert list(table["held-out bits per character"]) == [
        markov_meta["metrics"]["bits_per_char"],
        rnn_meta["metrics"]["bits_per_char"],
    ]


def test_uploaded_text_is_tagged_and_scored(run_page, engines):
    at = run_page(PAGE)
    data = "I loved it. The ending was awful!\n\nWhat a day.".encode("utf-16")
    at.file_uploader(key="rnn.upload").set_value(("notes <b>.txt", data, "text/plain"))
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value
    sentences = [tokenize(s) for s in ("I loved it.", "The ending was awful!", "What a day.")]
    expected = unroll.tag_and_score(engines[0], engines[1], sentences)
    assert list(table["tagged"]) == list(expected["tagged"])
    assert list(table["label"]) == list(expected["label"])


def test_binary_upload_gets_a_message(run_page):
    at = run_page(PAGE)
    at.file_uploader(key="rnn.upload").set_value(("x.txt", b"\x00\x01\x02binary", "text/plain"))
    at.run()
    assert not at.exception
    assert any("Cannot use this file" in e.value and "NUL" in e.value for e in at.error)


def _chart(at, title: str) -> np.ndarray:
    (chart,) = [c for c in charts(at) if c["title"] == title]
    return np.asarray(chart["data"][0]["y"], dtype=float)


def test_edit_a_word(run_page, engines):
    at = _typed(run_page)
    at.selectbox(key="rnn.edit_index").set_value(4)
    at.radio(key="rnn.edit_action").set_value("replace")
    at.run()
    widget(at, "text_input", "Replace with").input("wonderful")
    at.run()
    assert not at.exception
    model, encoder = engines[1].model, engines[1].encoder
    words = tokenize(SENTENCE)
    effect = unroll.change_after_edit(model, encoder, words, 4, "wonderful")
    np.testing.assert_allclose(_chart(at, "How far each later h_t moves"), effect["hidden_change"], rtol=1e-5)
    # reference for the effect: the hidden states of both sentences straight from the RNN
    edited = [*words[:4], "wonderful", *words[5:]]
    before, after = (model(encoder([w])).hidden[0] for w in (words, edited))
    np.testing.assert_allclose(effect["hidden_change"], (before - after).norm(dim=1)[5:].detach(), rtol=1e-5)
    target = int(model(encoder([words])).logits[0, -1].argmax())
    grads = unroll.gradient_norms(model, encoder, words, target)
    np.testing.assert_allclose(_chart(at, "|∂ log p(last output) / ∂h_t| (W_hh × 1)"), grads["grad_norm"], rtol=1e-5)


def test_weight_scale_reaches_the_gradient_chart(run_page, engines):
    at = _typed(run_page, scale="0.5")
    assert at.slider(key="rnn.scale").value == 0.5
    model, encoder = engines[1].model, engines[1].encoder
    words = tokenize(SENTENCE)
    target = int(model(encoder([words])).logits[0, -1].argmax())
    grads = unroll.gradient_norms(model, encoder, words, target, 0.5)
    np.testing.assert_allclose(_chart(at, "|∂ log p(last output) / ∂h_t| (W_hh × 0.5)"), grads["grad_norm"], rtol=1e-5)


def test_out_of_range_scale_in_the_url_is_ignored(run_page):
    at = _typed(run_page, scale="7")
    assert at.slider(key="rnn.scale").value == 1.0
