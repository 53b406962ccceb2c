"""The Sequences & RNNs page driven through AppTest; displayed tags and scores checked against the engine."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.rnn import charlm, sentiment, survey, tagger
from engine.rnn import explain as unroll
from engine.rnn.explain import MAX_WORDS
from engine.rnn.text import tokenize
from tests.pages.conftest import charts, texts, widget
from ui.rnn.sections import FADES

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
    at = _typed(run_page, gscale="0.5")
    assert at.slider(key="rnn.grad_scale").value == 0.5
    assert at.query_params["gscale"] == "0.5"
    model, encoder = engines[1].model, engines[1].encoder
    words = tokenize(SENTENCE)
    target = int(model(encoder([words])).logits[0, -1].argmax())
    grads = unroll.gradient_norms(model, encoder, words, target, 0.5)
    np.testing.assert_allclose(_chart(at, "|∂ log p(last output) / ∂h_t| (W_hh × 0.5)"), grads["grad_norm"], rtol=1e-5)


def test_out_of_range_scale_in_the_url_is_ignored(run_page):
    at = _typed(run_page, scale="7", gscale="-1")
    assert at.slider(key="rnn.scale").value == 0.5
    assert at.slider(key="rnn.grad_scale").value == 1.0


def _result_shown(at) -> bool:
    """Anything of sections 1 to 4: a tag table, the sentiment metric, a chart of steps."""
    tables = [d.value for d in at.dataframe if "tag" in d.value.columns]
    steps = [c for c in charts(at) if "h_t" in c["title"] or "P(positive)" in c["title"]]
    return bool(tables or at.metric or steps or "Output at step" in texts(at))


@pytest.mark.parametrize(
    ("sentence", "counted"),
    [("나는 학교에 간다", "3 of 3 words are Korean (Hangul)"), ("😀 😂 🎉 👍", "4 of 4 words are emoji")],
)
def test_foreign_sentences_get_one_line_and_no_result(run_page, sentence, counted):
    at = _typed(run_page, sentence)
    (warning,) = at.warning
    assert "trained on English only" in warning.value and counted in warning.value
    assert not _result_shown(at)
    assert not at.error
    # the sections that do not read the sentence still run
    assert any("held-out bits per character" in d.value.columns for d in at.dataframe)


def test_an_english_sentence_with_one_foreign_name_is_read(run_page, engines):
    sentence = "Yesterday my friend 김민수 watched a wonderful film."
    at = _typed(run_page, sentence)
    assert not at.warning
    assert _result_shown(at)
    words = tokenize(sentence)
    assert list(at.dataframe[0].value["tag"]) == [t for _, t, _ in tagger.tag(engines[0], words)]


def test_uploaded_foreign_text_gets_one_line_and_no_table(run_page):
    at = run_page(PAGE)
    korean = "나는 학교에 간다. 그는 영화를 좋아한다.".encode()
    at.file_uploader(key="rnn.upload").set_value(("ko.txt", korean, "text/plain"))
    at.run()
    assert not at.exception
    assert any("6 of 6 words are Korean (Hangul)" in w.value for w in at.warning)
    assert not any("tagged" in d.value.columns for d in at.dataframe)


def test_time_step_follows_a_new_sentence(run_page):
    at = _typed(run_page, "I liked it")
    assert at.slider(key="rnn.step").value == 3
    at = widget(at, "text_input", f"Your sentence (up to {MAX_WORDS} words)").input("We all liked the film a lot").run()
    assert at.slider(key="rnn.step").value == 7
    assert any(c["title"] == "Hidden states h_1..h_7" for c in charts(at))
    # a step chosen by hand stays while the sentence stays
    widget(at, "slider", "Time step t").set_value(2)
    at.run()
    assert at.slider(key="rnn.step").value == 2


def test_defaults_show_each_sections_claim(run_page, engines):
    """At the defaults: some tags are uncertain, scaling W_hh moves every step from 2 on, and the gradient of the
    last output fades with distance; each number checked against a direct computation."""
    at = run_page(PAGE)
    words = tokenize(at.text_input(key="rnn.sentence").value)
    tag_model = engines[0]
    # tag probabilities: a direct forward pass and softmax; an ambiguous word keeps them off 1.00
    probs = F.softmax(tag_model.model(tag_model.encoder([words])).logits[0], dim=-1).max(-1).values
    shown = at.dataframe[0].value["probability"].to_numpy()
    np.testing.assert_allclose(shown, probs.detach().numpy(), rtol=1e-5)
    assert (np.round(shown, 2) < 0.9).sum() >= 1
    # sharing: the hidden states run again by hand with W_hh scaled
    net = at.radio(key="rnn.net").value
    trained = engines[0] if net == "tagger" else engines[1]
    scale = at.slider(key="rnn.scale").value
    change = _chart(at, f"|h_t(W_hh × {scale:g}) − h_t| at every step")
    x = trained.model.features(trained.encoder([words]))[0].detach()
    cell = trained.model.rnn

    def states(factor: float) -> torch.Tensor:
        h, out = torch.zeros(cell.hidden_size), []
        for t in range(len(words)):
            h = torch.tanh(cell.W_xh @ x[t] + factor * cell.W_hh @ h + cell.b)
            out.append(h)
        return torch.stack(out).detach()

    np.testing.assert_allclose(change, (states(scale) - states(1.0)).norm(dim=1).numpy(), atol=1e-5)
    assert change[0] == 0 and (change[1:] > 0.5).all()
    # memory: the gradient at word 1 is a small share of the one at the last word, and the page says so
    grads = _chart(at, "|∂ log p(last output) / ∂h_t| (W_hh × 1)")
    assert grads[0] < FADES * grads[-1]
    assert f"word 1 receives 1/{grads[-1] / grads[0]:,.0f} of the gradient at word {len(words)}" in texts(at)


def test_a_sentence_whose_gradient_does_not_fade_says_so(run_page, engines):
    sentence = "Time flies like an arrow; fruit flies like a banana."
    at = _typed(run_page, sentence, net="sentiment")
    grads = _chart(at, "|∂ log p(last output) / ∂h_t| (W_hh × 1)")
    assert grads[0] > grads[-1]  # measured: this sentence's gradient is larger at word 1 than at the last word
    assert "**The gradient does not fade on this sentence:**" in texts(at)


def test_prose_outside_expanders_stays_under_350_words(run_page):
    at = run_page(PAGE)
    words = 0

    def walk(node, inside: bool = False) -> None:
        nonlocal words
        inside = inside or getattr(node, "type", None) == "expander"
        if getattr(node, "type", None) in ("markdown", "caption", "info", "warning", "success") and not inside:
            words += len(re.findall(r"[A-Za-z0-9][\w'’.,-]*", node.value))
        for child in getattr(node, "children", {}).values():
            walk(child, inside)

    walk(at._tree)
    assert 100 < words <= 350


def test_the_fade_survey_note_counts_the_surveyed_sentences(run_page, engines):
    at = run_page(PAGE)
    frame = survey.fade_survey({"tagger": engines[0], "sentiment": engines[1]})
    clear = {name: int((g["ratio"] < FADES).sum()) for name, g in frame.groupby("network")}
    (note,) = [m.value for m in at.markdown if m.value.startswith("Measured on")]
    n = len(survey.SENTENCES)
    contrasts = sum(" but " in s or ", but" in s or " yet " in s for s in survey.SENTENCES)  # counted by hand
    assert f"fixed set of {n} sentences ({contrasts} of them" in note
    assert f"{clear['tagger']} of {n} with the tagger network" in note
    assert f"{clear['sentiment']} of {n} with the sentiment network" in note
    assert at.text_input(key="rnn.sentence").value in survey.SENTENCES
