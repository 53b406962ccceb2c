"""The translator page driven through AppTest; translations, attention and scores checked against the engine."""

import numpy as np
import pytest
import sacrebleu

from engine.translator import explain
from engine.translator.train import TRANSFORMER, load_shipped
from tests.pages.conftest import charts, texts, widget
from ui.charts import plain

PAGE = "pages/transformer.py"
SENTENCE = "My brother reads the newspaper."


@pytest.fixture(scope="module")
def trained():
    return TRANSFORMER.load()[0]


def _typed(run_page, sentence=SENTENCE, **query):
    at = run_page(PAGE, query)
    widget(at, "text_input", "English sentence (up to 200 characters)").input(sentence)
    at.run()
    assert not at.exception
    return at


def test_greedy_and_beam_match_the_engine(run_page, trained):
    at = _typed(run_page)
    expected = explain.trace(trained, SENTENCE).text
    assert expected in [t.value for t in at.text]
    widget(at, "slider", "Beam width").set_value(3)
    at.run()
    beams = explain.beams(trained, SENTENCE, 3, 0.6)
    assert list(at.dataframe[0].value["translation"]) == list(beams["translation"])


def test_layer_and_head_selectors_show_that_attention(run_page, trained):
    at = _typed(run_page, kind="encoder", layer="1", head="2")
    (chart,) = [c for c in charts(at) if c["title"] == "encoder self-attention, layer 1, head 2"]
    result = explain.trace(trained, SENTENCE)
    np.testing.assert_allclose(np.asarray(chart["data"][0]["z"], dtype=float), result.encoder[1][2], atol=1e-5)
    at.selectbox(key="mt.kind").set_value("cross")
    at.selectbox(key="mt.head").set_value(-1)
    at.run()
    (chart,) = [c for c in charts(at) if c["title"] == "decoder → encoder (cross), layer 1, mean of heads"]
    np.testing.assert_allclose(np.asarray(chart["data"][0]["z"], dtype=float), result.cross[1].mean(0), atol=1e-5)


def test_step_slider_shows_top_ten(run_page, trained):
    at = _typed(run_page)
    widget(at, "slider", "Decoding step").set_value(2)
    at.run()
    result = explain.trace(trained, SENTENCE)
    (chart,) = [c for c in charts(at) if c["title"].startswith("Top 10 next pieces")]
    assert chart["title"] == f"Top 10 next pieces (chosen: {plain(result.output[1])})"
    top = explain.top_next(trained.tokenizer, result.next_probs[1])
    assert list(chart["data"][0]["y"]) == [plain(t) for t in top["token"]]
    np.testing.assert_allclose(np.asarray(chart["data"][0]["x"], dtype=float), top["prob"], atol=1e-6)


def test_reference_scores_equal_sacrebleu(run_page, trained):
    at = _typed(run_page)
    widget(at, "text_input", "Your reference translation (German)").input("Mein Bruder liest die Zeitung.")
    at.run()
    hyp = explain.trace(trained, SENTENCE).text
    expected = sacrebleu.sentence_bleu(hyp, ["Mein Bruder liest die Zeitung."]).score
    metric = next(m for m in at.metric if m.label == "Sentence BLEU")
    assert metric.value == f"{expected:.1f}"


def test_uploaded_pairs_get_corpus_bleu(run_page, trained):
    at = _typed(run_page)
    pairs = [("I have a cat.", "Ich habe eine Katze."), ("The dog is hungry.", "Der Hund ist hungrig.")]
    at.file_uploader(key="mt.upload").set_value(
        ("pairs.tsv", "".join(f"{e}\t{d}\n" for e, d in pairs).encode(), "text/tab-separated-values")
    )
    at.run()
    assert not at.exception
    hyps = TRANSFORMER.translate(trained, [e for e, _ in pairs])
    expected = sacrebleu.corpus_bleu(hyps, [[d for _, d in pairs]]).score
    assert next(m for m in at.metric if m.label == "Corpus BLEU").value == f"{expected:.2f}"


def test_bad_tsv_and_empty_sentence_get_messages(run_page):
    at = _typed(run_page)
    at.file_uploader(key="mt.upload").set_value(("pairs.tsv", b"no tab here\n", "text/plain"))
    at.run()
    assert any("Line 1" in e.value for e in at.error)
    at = _typed(run_page, "   ")
    assert any("Type an English sentence" in e.value for e in at.error)


def test_shipped_bleu_is_reported_with_how_it_was_measured(run_page):
    at = _typed(run_page)
    meta = TRANSFORMER.load()[1]
    assert f"BLEU {meta['metrics']['bleu']:.2f}" in texts(at)
    assert "28.4" in texts(at)


def test_downloaded_frames_are_the_charts_data(run_page, trained):
    """What each download button writes is the frame its chart or table draws (built once, passed to both)."""
    at = _typed(run_page, kind="decoder", layer="0", head="1")
    result = explain.trace(trained, SENTENCE)
    frame = explain.attention_of(result, "decoder")  # the attention CSV
    (chart,) = [c for c in charts(at) if c["title"] == "decoder self-attention (masked), layer 0, head 1"]
    shown = frame[(frame["layer"] == 0) & (frame["head"] == 1)].pivot(index="query_pos", columns="key_pos")
    np.testing.assert_allclose(np.asarray(chart["data"][0]["z"], dtype=float), shown["weight"].to_numpy(), atol=1e-6)
    np.testing.assert_allclose(shown["weight"].to_numpy(), result.decoder[0][1], atol=1e-6)  # and the model's
    shipped = load_shipped()
    curves = explain.training_curves(
        {"Transformer": shipped.meta["history"], "GRU + attention": shipped.gru_meta["history"]}
    )  # the training-curves CSV
    (bleu,) = [c for c in charts(at) if c["title"] == "Validation BLEU during training"]
    for trace in bleu["data"]:
        rows = curves[curves["model"] == trace["name"]]
        assert list(trace["x"]) == list(rows["seconds"]) and list(trace["y"]) == list(rows["val_bleu"])
    assert list(curves[curves["model"] == "Transformer"]["val_bleu"]) == shipped.meta["history"]["val_bleu"]
    table = at.dataframe[1].value  # the comparison table, against a direct parameter count
    assert list(table["parameters"]) == [
        sum(p.numel() for p in shipped.transformer.model.parameters()),
        sum(p.numel() for p in shipped.gru.model.parameters()),
    ]


def test_numbers_in_the_prose_come_from_the_checkpoint(run_page, trained):
    at = _typed(run_page)
    meta = TRANSFORMER.load()[1]
    assert f"label smoothing {meta['training']['label_smoothing']}" in texts(at)
    assert f"the last {meta['history']['averaged_checkpoints']} checkpoints averaged" in texts(at)
    ratio = 65_000_000 / sum(p.numel() for p in trained.model.parameters())
    assert f"about {ratio:.0f}x smaller" in texts(at)
