"""The translator page driven through AppTest; translations, attention and scores checked against the engine."""

import html
import itertools
import math
import re
import sys

import numpy as np
import pytest
import sacrebleu
import torch
import torch.nn.functional as F

from engine.translator import evaluation, explain, vocabulary
from engine.translator.data import bpe
from engine.translator.decode import beam_search, source_ids
from engine.translator.guards import EXAMPLE, Guards
from engine.translator.scores import corpus_scores
from engine.translator.train import BEAM_ALPHA, TRANSFORMER, load_shipped
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


def test_reference_scores_equal_sacrebleu_without_matplotlib(run_page, result, monkeypatch):
    """A typed reference is scored, in the dependency set `make run` installs (matplotlib is not in it)."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # any import of it now fails, as on a fresh install
    at = _typed(run_page)
    reference = "Mein Bruder liest die Zeitung."
    widget(at, "text_input", "Your reference translation (German)").input(reference)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Sentence BLEU"] == f"{sacrebleu.sentence_bleu(result.text, [reference]).score:.1f}"
    assert shown["chrF"] == f"{sacrebleu.sentence_chrf(result.text, [reference]).score:.1f}"
    assert list(frame_with(at, "longest_match")["word"])[:4] == ["Mein", "Bruder", "liest", "die"]
    # The translation itself as the reference: BLEU 100, and every word inside a matching 4-gram.
    widget(at, "text_input", "Your reference translation (German)").input(result.text)
    at.run()
    assert not at.exception and {m.label: m.value for m in at.metric}["Sentence BLEU"] == "100.0"
    words = frame_with(at, "longest_match")
    assert len(words) >= 4 and set(words["longest_match"]) == {4}


def _chips(at) -> list[tuple[str, float]]:
    """(word, probability) of each word chip of the shown translation."""
    (chips,) = [m.value for m in at.markdown if "<small>" in m.value]
    found = re.findall(r'font-weight:600">(.*?)</span><br><small>([\d.]+)</small>', chips)
    return [(html.unescape(w), float(p)) for w, p in found]


@pytest.mark.parametrize("sentence", [SENTENCE, "My brother bought a new car last week."])
def test_each_word_shows_its_probability_from_a_direct_forward_pass(run_page, trained, sentence):
    at = _typed(run_page, sentence)
    out_ids = TRANSFORMER.best_ids(trained, sentence)
    src = torch.tensor([source_ids(trained.tokenizer, sentence)])
    with torch.no_grad():
        logits = trained.model(src, torch.tensor([[bpe.BOS, *out_ids[:-1]]])).logits[0]
    probs = F.softmax(logits, -1)[torch.arange(len(out_ids)), torch.tensor(out_ids)].tolist()
    pieces = [trained.tokenizer.id_to_token(i) for i in out_ids[:-1]]  # the last is </s>
    starts = [i for i, p in enumerate(pieces) if p.startswith("▁")] + [len(pieces)]
    expected = [("".join(pieces[a:b])[1:], math.prod(probs[a:b])) for a, b in itertools.pairwise(starts)]
    shown = _chips(at)
    assert [w for w, _ in shown] == [w for w, _ in expected] == bpe.decode(trained.tokenizer, out_ids).split()
    assert [p for _, p in shown] == pytest.approx([p for _, p in expected], abs=0.005)  # shown to 2 decimals
    m = TRANSFORMER.load()[1]["metrics"]
    line = f"It gets {m['exact']:.0%} of {m['n']:,} unseen everyday sentences exactly right (chrF {m['chrf']:.1f})."
    assert any(line in c.value for c in at.caption)


def _lcs(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two word lists (dynamic programming)."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


def test_greedy_disagreement_points_at_the_words_that_differ(run_page, trained):
    sentence = "My brother bought a new car last week."
    at = _typed(run_page, sentence)
    beam, greedy = TRANSFORMER.best(trained, [sentence])[0], TRANSFORMER.translate(trained, [sentence])[0]
    assert beam != greedy
    (line,) = [m.value for m in at.markdown if m.value.startswith("Greedy decoding disagrees")]
    quoted = html.unescape(line[line.index("“") + 1 : line.index("”")])
    assert quoted.replace("**", "") == greedy
    bold = re.findall(r"\*\*(.*?)\*\*", quoted)
    kept = [w for w in quoted.split() if not w.startswith("**")]
    assert bold and _lcs(kept, beam.split()) == len(kept) == _lcs(greedy.split(), beam.split())
    at = _typed(run_page, "The book is on the table.")  # greedy agrees: no line
    assert not [m for m in at.markdown if m.value.startswith("Greedy decoding disagrees")]


@pytest.mark.parametrize(
    ("sentence", "counted"),
    [("나는 학교에 간다", "3 of 3 words are Korean (Hangul)"), ("😀 🎉 🚀 ok", "3 of 4 words are emoji")],
)
def test_foreign_input_gets_one_line_and_no_translation(run_page, sentence, counted):
    at = _typed(run_page, sentence)
    assert [w.value for w in at.warning] == [
        f"This translator reads English only: {counted}. No result is shown, since it would mean nothing."
    ]
    assert not [m for m in at.markdown if "<small>" in m.value]  # no translation
    assert "1. Translate" not in [h.value for h in at.header] and not at.text


def test_a_few_foreign_words_keep_the_translation_and_per_word_warnings(run_page):
    at = _typed(run_page, "I love 김치 very much.")
    assert [w.value for w in at.warning] == ["'김치' never appeared in training: expect a guess"]
    assert _chips(at)


def test_beams_spelled_alike_are_merged_and_an_unchanging_guard_table_says_where_guards_act(run_page, trained):
    sentence = "The book is on the table."
    at = _typed(run_page, sentence)
    guards, width = TRANSFORMER.guards, TRANSFORMER.beam
    src = torch.tensor([source_ids(trained.tokenizer, sentence)])
    raw = beam_search(trained.model, src, width, BEAM_ALPHA, guards=guards, pieces=trained.pieces)
    texts_ = [bpe.decode(trained.tokenizer, h.tokens) for h in raw]
    table = frame_with(at, "spellings")
    assert sorted(table["translation"]) == sorted(set(texts_))
    merged = len(texts_) - len(set(texts_))
    assert merged > 0
    assert any(c.value.startswith(f"{merged} of {len(texts_)} hypotheses spelled") for c in at.caption)
    # No guard changes this sentence: one line, with a sentence where they do, decoded here directly.
    plain_best = beam_search(trained.model, src, width, BEAM_ALPHA, pieces=trained.pieces)[0]
    assert bpe.decode(trained.tokenizer, plain_best.tokens) == texts_[0]
    ex = torch.tensor([source_ids(trained.tokenizer, EXAMPLE)])
    before = beam_search(trained.model, ex, width, BEAM_ALPHA, pieces=trained.pieces)[0]
    after = beam_search(trained.model, ex, width, BEAM_ALPHA, guards=guards, pieces=trained.pieces)[0]
    (line,) = [html.unescape(m.value) for m in at.markdown if m.value.startswith("No guard changed this sentence")]
    assert EXAMPLE in line
    assert f"“{bpe.decode(trained.tokenizer, before.tokens)}”" in line
    assert f"“{bpe.decode(trained.tokenizer, after.tokens)}”" in line


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
    # The chrF-by-CPU-time chart (section 6), found by its y-axis values, not its title (which that section owns).
    history = shipped.meta["history"]
    (chrf,) = [
        c
        for c in charts(at)
        if any(t.get("name") == "Transformer" and list(t.get("y", [])) == history["val_chrf"] for t in c["data"])
    ]
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
