"""The translator page driven through AppTest; translations, attention and scores checked against the engine."""

import numpy as np
import pytest
import sacrebleu

from engine.translator import evaluation, explain, vocabulary
from engine.translator.data import bpe
from engine.translator.guards import Guards
from engine.translator.scores import corpus_scores
from engine.translator.train import TRANSFORMER, load_shipped
from tests.pages.conftest import charts, texts, widget
from ui.charts import plain

PAGE = "pages/transformer.py"
SENTENCE = "My brother reads the newspaper."


@pytest.fixture(scope="module")
def trained():
    return TRANSFORMER.load()[0]


@pytest.fixture(scope="module")
def result(trained):
    """The traced shipped decoding of SENTENCE, computed here from the engine (not read from the page)."""
    return explain.trace(trained, SENTENCE, TRANSFORMER.best_ids(trained, SENTENCE))


def frame_with(at, *columns: str):
    """The one dataframe on the page with these columns."""
    (frame,) = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    return frame


def _typed(run_page, sentence=SENTENCE, **query):
    at = run_page(PAGE, query)
    widget(at, "text_input", "English sentence (up to 200 characters)").input(sentence)
    at.run()
    assert not at.exception
    return at


def test_shipped_translation_then_beams_and_guards_match_the_engine(run_page, trained, result):
    at = _typed(run_page)
    src = [bpe.decode(trained.tokenizer, TRANSFORMER.best_ids(trained, SENTENCE))]
    assert result.text == src[0] and result.text in [t.value for t in at.text]
    assert TRANSFORMER.translate(trained, [SENTENCE])[0] in [t.value for t in at.text]  # greedy, next to it
    widget(at, "slider", "Beam width").set_value(3)
    at.run()
    guards = TRANSFORMER.guards
    beams = explain.beams(trained, SENTENCE, 3, 0.6, guards)
    assert list(frame_with(at, "log_prob")["translation"]) == list(beams["translation"])
    # Every guard off and coverage on: the beams and the effects table follow the new setting.
    for key in ("mt.norepeat", "mt.notri"):
        at.checkbox(key=key).set_value(False)
    widget(at, "slider", "Coverage penalty β (0 = off)").set_value(0.4)
    widget(at, "slider", "Minimum length (output tokens per source token)").set_value(0.0)
    at.run()
    chosen = Guards(coverage=0.4)
    expected = explain.beams(trained, SENTENCE, 3, 0.6, chosen)
    assert list(frame_with(at, "log_prob")["score"]) == pytest.approx(list(expected["score"]), abs=1e-3)
    effects = frame_with(at, "decoding", "translation")
    assert list(effects["decoding"]) == [
        "plain beam search",
        "only: coverage penalty beta 0.4",
        "all the guards chosen",
    ]
    assert effects["translation"].iloc[0] == explain.beams(trained, SENTENCE, 3, 0.6)["translation"].iloc[0]


def test_what_the_model_has_seen(run_page, trained):
    sentence = "My brother reads the zyxqwv newspaper."
    at = _typed(run_page, sentence)
    table = frame_with(at, "pieces")
    assert table.equals(vocabulary.seen_table(sentence, trained.words, trained.tokenizer))
    counts = trained.words
    assert list(table["everyday"]) == [counts.get(w, [0, 0, 0])[0] for w in vocabulary.words(sentence)]
    assert any("'zyxqwv' never appeared in training: expect a guess" in w.value for w in at.warning)


def test_layer_and_head_selectors_show_that_attention(run_page, result):
    at = _typed(run_page, kind="encoder", layer="1", head="2")
    (chart,) = [c for c in charts(at) if c["title"] == "encoder self-attention, layer 1, head 2"]
    np.testing.assert_allclose(np.asarray(chart["data"][0]["z"], dtype=float), result.encoder[1][2], atol=1e-5)
    at.selectbox(key="mt.kind").set_value("cross")
    at.selectbox(key="mt.head").set_value(-1)
    at.run()
    (chart,) = [c for c in charts(at) if c["title"] == "decoder → encoder (cross), layer 1, mean of heads"]
    np.testing.assert_allclose(np.asarray(chart["data"][0]["z"], dtype=float), result.cross[1].mean(0), atol=1e-5)


def test_step_slider_shows_top_ten(run_page, trained, result):
    at = _typed(run_page)
    widget(at, "slider", "Decoding step").set_value(2)
    at.run()
    (chart,) = [c for c in charts(at) if c["title"].startswith("Top 10 next pieces")]
    assert chart["title"] == f"Top 10 next pieces (chosen: {plain(result.output[1])})"
    top = explain.top_next(trained.tokenizer, result.next_probs[1])
    assert list(chart["data"][0]["y"]) == [plain(t) for t in top["token"]]
    np.testing.assert_allclose(np.asarray(chart["data"][0]["x"], dtype=float), top["prob"], atol=1e-6)


def test_reference_scores_equal_sacrebleu(run_page, result):
    at = _typed(run_page)
    widget(at, "text_input", "Your reference translation (German)").input("Mein Bruder liest die Zeitung.")
    at.run()
    hyp = result.text
    expected = sacrebleu.sentence_bleu(hyp, ["Mein Bruder liest die Zeitung."]).score
    metric = next(m for m in at.metric if m.label == "Sentence BLEU")
    assert metric.value == f"{expected:.1f}"


def test_uploaded_pairs_with_several_references_are_scored(run_page, trained):
    at = _typed(run_page)
    pairs = [
        ("I have a cat.", ["Ich habe eine Katze.", "Ich hab eine Katze."]),
        ("The dog is hungry.", ["Der Hund hat Hunger."]),
    ]
    data = "".join(f"{e}\t" + "\t".join(refs) + "\n" for e, refs in pairs).encode()
    at.file_uploader(key="mt.upload").set_value(("pairs.tsv", data, "text/tab-separated-values"))
    at.run()
    assert not at.exception
    hyps = TRANSFORMER.best(trained, [e for e, _ in pairs])
    streams = [[r[0] for _, r in pairs], [r[-1] for _, r in pairs]]
    assert (
        next(m for m in at.metric if m.label == "Corpus BLEU").value
        == f"{sacrebleu.corpus_bleu(hyps, streams).score:.2f}"
    )
    assert (
        next(m for m in at.metric if m.label == "Corpus chrF").value
        == f"{sacrebleu.corpus_chrf(hyps, streams).score:.2f}"
    )
    exact = corpus_scores(hyps, [r for _, r in pairs])["exact"]
    assert next(m for m in at.metric if m.label == "Exact").value == f"{exact:.0%}"
    table = frame_with(at, "sentence_chrf")
    assert (
        list(table["translation"]) == hyps
        and table["references"].iloc[0] == "Ich habe eine Katze. | Ich hab eine Katze."
    )
    assert table.equals(explain.scored_rows(evaluation.score(lambda xs: hyps, pairs, True)["rows"]))


def test_bad_tsv_and_empty_sentence_get_messages(run_page):
    at = _typed(run_page)
    at.file_uploader(key="mt.upload").set_value(("pairs.tsv", b"no tab here\n", "text/plain"))
    at.run()
    assert any("Line 1" in e.value for e in at.error)
    at = _typed(run_page, "   ")
    assert any("Type an English sentence" in e.value for e in at.error)


def test_shipped_figures_are_reported_with_how_they_were_measured(run_page):
    at = _typed(run_page)
    m = TRANSFORMER.load()[1]["metrics"]
    shown = texts(at)
    assert f"{m['exact']:.0%} exact, chrF {m['chrf']:.1f}, BLEU {m['bleu']:.1f}" in shown
    assert f"chrF {m['ding']['chrf']:.1f}" in shown and m["decoding"] in shown and "28.4" in shown
    assert "Tatoeba Project (tatoeba.org), CC BY 2.0 FR" in shown


def test_downloaded_frames_are_the_charts_data(run_page, result):
    """What each download button writes is the frame its chart or table draws (built once, passed to both)."""
    at = _typed(run_page, kind="decoder", layer="0", head="1")
    frame = explain.attention_of(result, "decoder")  # the attention CSV
    (chart,) = [c for c in charts(at) if c["title"] == "decoder self-attention (masked), layer 0, head 1"]
    shown = frame[(frame["layer"] == 0) & (frame["head"] == 1)].pivot(index="query_pos", columns="key_pos")
    np.testing.assert_allclose(np.asarray(chart["data"][0]["z"], dtype=float), shown["weight"].to_numpy(), atol=1e-6)
    np.testing.assert_allclose(shown["weight"].to_numpy(), result.decoder[0][1], atol=1e-6)  # and the model's
    shipped = load_shipped()
    curves = explain.training_curves(
        {"Transformer": shipped.meta["history"], "GRU + attention": shipped.gru_meta["history"]}
    )  # the training-curves CSV
    (chrf,) = [c for c in charts(at) if c["title"] == "Everyday validation chrF (greedy) during training"]
    for trace in chrf["data"]:
        rows = curves[curves["model"] == trace["name"]]
        assert list(trace["x"]) == list(rows["cpu_seconds"]) and list(trace["y"]) == list(rows["val_chrf"])
    assert list(curves[curves["model"] == "Transformer"]["val_chrf"]) == shipped.meta["history"]["val_chrf"]
    table = frame_with(at, "parameters")  # the comparison table, against a direct parameter count
    assert list(table["parameters"]) == [
        sum(p.numel() for p in shipped.transformer.model.parameters()),
        sum(p.numel() for p in shipped.gru.model.parameters()),
    ]


def test_numbers_in_the_prose_come_from_the_checkpoint(run_page, trained):
    at = _typed(run_page)
    meta = TRANSFORMER.load()[1]
    assert f"label smoothing {meta['training']['label_smoothing']}" in texts(at)
    assert f"{meta['history']['averaged_checkpoints']} final-phase snapshots averaged" in texts(at)
    ratio = 65_000_000 / sum(p.numel() for p in trained.model.parameters())
    assert f"about {ratio:.0f}x smaller" in texts(at)
