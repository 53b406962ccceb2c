"""The GPT page driven as a user would: sampling, one step, scoring, uploads, a tiny fine-tune."""

import itertools
import json
import math

import pytest
import torch
import torch.nn.functional as F

from engine.gpt import finetune as gpt_finetune
from engine.gpt import sample as gpt_sample
from engine.gpt import train as gpt_train
from engine.gpt.train import load_gpt
from engine.rnn.charlm import load_markov
from tests.pages.conftest import ROOT, charts, widget
from ui import loaders
from ui.gpt import sections

PAGE = "pages/gpt.py"


@pytest.fixture(scope="module")
def shipped():
    return load_gpt().trained


def samples(at) -> list[str]:
    return [c.value for c in at.code][:2]


def metric(at, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert len(matches) == 1, label
    return matches[0]


def test_two_settings_are_sampled_with_the_same_seed(run_page):
    at = run_page(PAGE, {"n": "60", "seed": "4"})
    a, b = samples(at)
    prompt = widget(at, "text_area", "Prompt (the model continues it)").value
    generated = at.session_state["gpt.samples"].texts
    assert [len(t) for t in generated] == [60, 60]
    assert [a, b] == [(prompt + t).rstrip("\n") for t in generated]  # the code box drops a final newline
    assert generated[0] != generated[1]  # the settings differ, the seed does not
    loaders.shared_samples().entries.clear()  # draw again rather than reuse the shared copy
    again = run_page(PAGE, {"n": "60", "seed": "4"})
    assert samples(again) == [a, b]  # deterministic for a seed
    widget(at, "number_input", "Seed (the same seed draws the same text)").set_value(5)
    at.run()
    assert samples(at)[0] != a


def test_greedy_settings_from_the_url_match_an_independent_greedy_loop(run_page, shipped):
    at = run_page(PAGE, {"n": "30", "ka": "1", "prompt": "KING:"})
    model, vocab = shipped.model, shipped.vocab
    ids = vocab.encode("\nKING:").tolist()
    for _ in range(30):
        logits = model(torch.tensor([ids])).logits[0, -1]
        logits[0] = float("-inf")
        ids.append(int(logits.argmax()))
    assert samples(at)[0] == "KING:" + "".join(vocab.chars[i] for i in ids[6:])


def test_one_step_shows_candidates_rank_entropy_and_attention(run_page):
    at = run_page(PAGE, {"n": "40", "ka": "5"})
    widget(at, "slider", "Generated character of sample A").set_value(7)
    at.run()
    assert not at.exception
    assert int(metric(at, "Its rank")) <= 5  # top-k 5 never draws beyond rank 5
    assert 0 < float(metric(at, "Mass cut by top-k/top-p")) < 1
    cands = next(c for c in charts(at) if c["title"].startswith("The 15 most likely"))
    probs = [p for trace in cands["data"] for p in trace["y"]]
    assert 0.5 < sum(probs) <= 1.0 + 1e-6
    widget(at, "selectbox", "Layer").set_value(1)
    widget(at, "selectbox", "Head").set_value(3)
    at.run()
    attention = next(c for c in charts(at) if c["title"].startswith("Layer 1, head 3"))
    assert sum(attention["data"][0]["y"]) == pytest.approx(1.0, abs=1e-4)


def test_one_steps_numbers_are_the_samplers_recorded_distribution(run_page, shipped):
    at = run_page(PAGE, {"n": "40", "ka": "5", "prompt": "KING:", "seed": "3"})
    widget(at, "slider", "Generated character of sample A").set_value(9).run()
    steps = [s for _, s in gpt_sample.sample(shipped, "KING:", 40, 0.8, 5, 1.0, seed=3, record=True)]
    probs = steps[8].probs.double()
    chosen = steps[8].chosen
    ranked = sorted(range(len(probs)), key=lambda i: -float(probs[i]))  # by hand: position in a sorted list
    assert int(metric(at, "Its rank")) == ranked.index(chosen) + 1
    assert float(metric(at, "Its probability")) == pytest.approx(float(probs[chosen]), abs=5e-4)
    entropy = float(-(probs[probs > 0] * torch.log2(probs[probs > 0])).sum())
    assert metric(at, "Entropy") == f"{entropy:.2f} bits"
    assert float(metric(at, "Mass cut by top-k/top-p")) == pytest.approx(1 - sum(sorted(probs.tolist())[-5:]), abs=5e-4)


def test_scoring_matches_a_direct_forward_pass(run_page, shipped):
    text = "Good morrow, sweet lady."
    at = run_page(PAGE)
    widget(at, "text_area", "Text to score").input(text)
    at.run()
    model, vocab = shipped.model, shipped.vocab
    ids = vocab.encode("\n" + text)
    ll = F.log_softmax(model(ids[None, :-1]).logits[0], -1).gather(-1, ids[1:, None]).squeeze(-1)
    expected = float(-ll.double().mean() / math.log(2))
    assert float(metric(at, "Bits per character")) == pytest.approx(expected, abs=1e-3)
    assert float(metric(at, "Perplexity")) == pytest.approx(2**expected, rel=1e-3)
    compare = next(c for c in charts(at) if c["title"].startswith("Bits per character: your text"))
    bars = dict(zip(compare["data"][0]["y"], compare["data"][0]["x"], strict=True))
    assert bars["your text, shuffled"] > bars["your text"]  # order carries information


def test_an_uploaded_text_is_scored_and_a_bad_one_refused(run_page):
    at = run_page(PAGE)
    uploader = at.file_uploader(key="gpt.score_upload")
    uploader.set_value(("<b>play</b>.txt", "Thou art a villain.\n".encode("utf-16"), "text/plain")).run()
    assert not at.exception
    assert any(t.value == "File: <b>play</b>.txt" for t in at.text)
    assert metric(at, "Characters") == "20"
    at.file_uploader(key="gpt.score_upload").set_value(("x.txt", b"PK\x03\x04\x00\x00binary", "text/plain")).run()
    assert any("Cannot use this file" in e.value for e in at.error)
    assert not at.exception


def test_the_model_ladder_lists_four_models(run_page, shipped):
    at = run_page(PAGE)
    ladder = next(c for c in charts(at) if c["title"].startswith("Bits per character, by how much"))
    held_out = next(t for t in ladder["data"] if t["name"] == "held-out Shakespeare scenes")
    values = dict(zip(held_out["y"], held_out["x"], strict=True))
    assert len(values) == 4
    ordered = [values[k] for k in values]
    assert ordered[0] > ordered[1] > ordered[-1]  # unigram worst, GPT best
    gpt_meta = load_gpt().meta
    metas = [json.loads((ROOT / "assets" / f"{n}.json").read_text())["metrics"] for n in ("markov", "char_rnn")]
    assert ordered == pytest.approx(
        [
            gpt_meta["metrics"]["unigram_bits_per_char"],
            *(m["bits_per_char"] for m in metas),
            gpt_meta["metrics"]["bits_per_char"],
        ]
    )
    yours = dict(zip(*(next(t for t in ladder["data"] if t["name"] == "your text")[k] for k in "yx"), strict=True))
    text = widget(at, "text_area", "Text to score").value
    model, vocab = shipped.model, shipped.vocab
    ids = vocab.encode("\n" + text)
    direct = F.log_softmax(model(ids[None, :-1]).logits[0], -1).gather(-1, ids[1:, None]).squeeze(-1)
    assert next(v for k, v in yours.items() if k.startswith("GPT")) == pytest.approx(
        float(-direct.double().mean() / math.log(2)), abs=1e-4
    )
    unigram = torch.tensor(gpt_meta["history"]["unigram_log_probs"]).double()[vocab.encode(text)]
    assert next(v for k, v in yours.items() if k.startswith("unigram")) == pytest.approx(
        float(-unigram.mean() / math.log(2)), abs=1e-4
    )


def test_the_classifier_reads_the_users_sentence(run_page):
    classifier = gpt_finetune.load().trained
    negative, positive = "An utterly dreadful, boring mess.", "A wonderful, moving and beautifully acted film."
    p_negative, p_positive = gpt_finetune.predict_positive(classifier.model, classifier.vocab, [negative, positive])
    assert p_negative < 0.5 < p_positive  # the engine itself gets both clear sentences right
    at = run_page(PAGE, {"review": negative})
    assert metric(at, "Fine-tuned GPT says") == "negative"
    assert at.get("progress")[0].proto.text == f"P(positive) = {float(p_negative):.2f}"
    curve = next(c for c in charts(at) if c["title"].startswith("Accuracy against labels"))
    assert {t.get("name") for t in curve["data"]} >= {
        "pre-trained, fine-tuned",
        "from scratch",
        "bag of words (tf-idf)",
    }
    widget(at, "text_input", "A sentence for the fine-tuned classifier").input(positive).run()
    assert metric(at, "Fine-tuned GPT says") == "positive"
    assert at.get("progress")[0].proto.text == f"P(positive) = {float(p_positive):.2f}"


def test_the_claim_reads_the_recorded_curve_and_a_korean_review_gets_no_verdict(run_page):
    meta = gpt_finetune.load().meta
    history = meta["history"]
    means = {}
    for start in ("pretrained", "probe", "scratch", "tfidf"):
        accs = [
            a
            for n, s, a in zip(history["size"], history["start"], history["accuracy"], strict=True)
            if (n, s) == (100, start)
        ]
        means[start] = sum(accs) / len(accs)  # a mean by hand, at the claim's 100 labels
    pre = max(means["pretrained"], means["probe"])
    at = run_page(PAGE, {"review": "정말 지루하고 엉망인 영화였다"})
    claim = next(m.value for m in at.markdown if m.value.startswith("**With 100 labelled sentences"))
    for value in (pre, means["scratch"], means["tfidf"]):
        assert f"{value:.1%}" in claim
    if pre - means["scratch"] >= 0.05 and pre > means["tfidf"]:
        assert "pre-training pays" in claim
    elif pre - means["scratch"] < 0.05:
        assert "does not pay" in claim
    assert not [m for m in at.metric if m.label == "Fine-tuned GPT says"]  # no verdict on text it cannot read
    assert any("English movie reviews only" in w.value for w in at.warning)


def test_a_tiny_fine_tune_runs_and_leaves_the_shared_model_alone(run_page):
    at = run_page(PAGE)
    at.file_uploader(key="gpt.adapt_upload").set_value(
        ("mine.txt", ("The cat sat on the mat. " * 40).encode(), "text/plain")
    ).run()
    widget(at, "slider", "Fine-tuning steps (16 windows of 128 characters each)").set_value(10)
    at.button(key="gpt.adapt_go").click().run()
    assert not at.exception
    shown = next(m.value for m in at.markdown if "bits per character before" in m.value)
    adapted = gpt_train.adapt(load_gpt().trained, "The cat sat on the mat. " * 40, 10)  # the same fine-tune, directly
    assert f"{adapted.before_bpc:.3f} bits per character before, **{adapted.after_bpc:.3f}** after" in shown
    assert adapted.after_bpc < adapted.before_bpc
    assert len(at.code) >= 4  # two samples above, original and fine-tuned copy below
    original = "".join(c for c, _ in gpt_sample.sample(load_gpt().trained, "", 300, 0.8, seed=0))
    assert at.code[-2].value == original.rstrip("\n")
    served = loaders.gpt_model().trained.model  # the one object every session of this process shares
    fresh = load_gpt().trained.model
    assert all(
        torch.equal(a, b) for a, b in zip(served.state_dict().values(), fresh.state_dict().values(), strict=True)
    )


def test_a_too_short_file_cannot_be_fine_tuned_on(run_page):
    at = run_page(PAGE)
    at.file_uploader(key="gpt.adapt_upload").set_value(("s.txt", b"tiny", "text/plain")).run()
    assert any("at least" in e.value for e in at.error)
    assert not at.exception


def test_a_second_fine_tune_waits_for_the_first_with_a_message(run_page):
    at = run_page(PAGE)
    at.file_uploader(key="gpt.adapt_upload").set_value(
        ("mine.txt", ("The cat sat on the mat. " * 40).encode(), "text/plain")
    ).run()
    lock = loaders.finetune_lock()  # the server-wide lock every session shares: someone else holds it
    assert lock.acquire(blocking=False)
    try:
        at.button(key="gpt.adapt_go").click().run()
    finally:
        lock.release()
    assert any("Another visitor's fine-tune is running" in w.value for w in at.warning)
    assert not any("bits per character before" in m.value for m in at.markdown)
    assert not at.exception


def test_a_sample_another_visitor_drew_is_reused_not_redrawn(run_page, monkeypatch):
    first = run_page(PAGE, {"n": "40", "seed": "11"})
    calls = []
    real = gpt_sample.sample
    monkeypatch.setattr(sections, "sample", lambda *a, **k: calls.append(a) or real(*a, **k))
    second = run_page(PAGE, {"n": "40", "seed": "11"})  # another session, the same settings
    assert calls == [] and samples(second) == samples(first)
    third = run_page(PAGE, {"n": "40", "seed": "12"})  # new settings are drawn
    assert len(calls) == 2 and samples(third) != samples(first)


def test_shared_samples_keep_only_the_newest():
    store = loaders.SharedSamples(size=2)
    for key in "abc":
        store.put((key,), key.upper())
    assert store.get(("a",)) is None and store.get(("b",)) == "B" and store.get(("c",)) == "C"
    store.get(("b",))  # used: now the newest
    store.put(("d",), "D")
    assert store.get(("c",)) is None and store.get(("b",)) == "B"


KOREAN = "나는 학교에 간다"
CANNOT_READ = "No result is shown, since it would mean nothing."


def _cannot_read(at) -> list[str]:
    return [w.value for w in at.warning if CANNOT_READ in w.value]


def bpc(log_likelihoods: torch.Tensor) -> float:
    return float(-log_likelihoods.double().mean() / math.log(2))


def _why_bigram(at) -> list[str]:
    return [i.value for i in at.info if "Why the bigram wins here" in i.value]


def test_korean_text_gets_one_line_no_score_and_no_account_of_bars_it_does_not_show(run_page):
    at = run_page(PAGE, {"n": "20", "text": KOREAN})
    assert _cannot_read(at) == [
        f"This GPT was trained on English text only: 7 of 7 characters are Korean (Hangul). {CANNOT_READ}"
    ]
    assert not {"log p(text)", "Bits per character", "Perplexity"} & {m.label for m in at.metric}
    titles = [c["title"] for c in charts(at)]
    assert not any(t.startswith(("Surprisal", "Bits per character: your text")) for t in titles)
    ladder = next(c for c in charts(at) if c["title"].startswith("Bits per character, by how much"))
    assert [t["name"] for t in ladder["data"]] == ["held-out Shakespeare scenes"]  # the text is left out
    assert not _why_bigram(at)  # its bits/char would quote bars the page does not draw


def _bigram_reference(text: str) -> tuple[torch.Tensor, dict[str, int], torch.Tensor, int]:
    """The bigram's add-k log-probabilities of `text` by hand from its raw counts; its index, counts and size."""
    markov = json.loads((ROOT / "assets" / "markov.json").read_text())
    counts = load_markov()[0].counts.double()
    k, size = markov["k"], len(markov["chars"])
    index = {c: i for i, c in enumerate(markov["chars"])}
    pairs = itertools.pairwise(index.get(c, 0) for c in "\n" + text)
    lls = torch.tensor([math.log((counts[a, b] + k) / (counts[a].sum() + k * size)) for a, b in pairs])
    return lls, index, counts, size


def _gpt_reference(shipped, text: str) -> torch.Tensor:
    """A direct forward pass of the GPT over a text shorter than its context."""
    ids = shipped.vocab.encode("\n" + text)
    with torch.inference_mode():
        logits = shipped.model(ids[None, :-1]).logits[0].double()
    return F.log_softmax(logits, -1).gather(-1, ids[1:, None]).squeeze(-1)


def test_accents_the_bigram_never_counted_get_the_reason_the_bigram_wins(run_page, shipped):
    text = "ééééé the end"
    at = run_page(PAGE, {"n": "20", "text": text})
    assert not _cannot_read(at)
    bigram, index, counts, size = _bigram_reference(text)
    gpt = _gpt_reference(shipped, text)
    assert "é" not in index and float(counts[0].sum()) == 0  # the bigram has no counts after é
    accents = torch.tensor([c == "é" for c in text])
    (why,) = _why_bigram(at)
    assert f"({bpc(bigram):.1f} against {bpc(gpt):.1f} bits/char): 5 characters neither model saw much." in why
    assert f"({bpc(gpt[accents]):.1f} bits each)" in why
    assert f"cost the same {math.log2(size):.1f} bits." in why  # a uniform row over the bigram's characters


def test_dashes_the_bigram_counted_get_no_no_counts_account(run_page, shipped):
    text = "the end —— ——— —— ———— ——"
    at = run_page(PAGE, {"n": "20", "text": text})
    bigram, index, counts, _ = _bigram_reference(text)
    assert bpc(bigram) < bpc(_gpt_reference(shipped, text))  # the bigram wins, but not for want of counts:
    assert float(counts[index["—"]].sum()) > 0  # it counted pairs after a dash
    assert not _cannot_read(at) and not _why_bigram(at)


def test_english_and_mixed_text_are_scored_with_no_such_lines(run_page):
    at = run_page(PAGE, {"n": "20"})  # the default English sentence
    assert not _cannot_read(at) and not _why_bigram(at)
    mixed = "My friend 김민준 said hello to everyone at the party."
    widget(at, "text_area", "Text to score").input(mixed).run()
    assert not _cannot_read(at) and not _why_bigram(at)
    assert metric(at, "Characters") == str(len(mixed))
    assert any("3 character(s) never appeared in training" in c.value for c in at.caption)  # today's per-character note


def test_a_korean_prompt_draws_nothing(run_page):
    at = run_page(PAGE, {"n": "20", "prompt": KOREAN})
    assert _cannot_read(at) == [
        f"This GPT was trained on English text only: 7 of 7 characters are Korean (Hangul). {CANNOT_READ}"
    ]
    assert len(at.code) == 0 and "gpt.samples" not in at.session_state
    assert "Its rank" not in {m.label for m in at.metric}


def test_korean_uploads_are_neither_scored_nor_fine_tuned_on(run_page):
    at = run_page(PAGE, {"n": "20"})
    at.file_uploader(key="gpt.score_upload").set_value(("k.txt", (KOREAN * 3).encode(), "text/plain")).run()
    assert any("21 of 21 characters are Korean (Hangul)" in w for w in _cannot_read(at))
    assert "Bits per character" not in {m.label for m in at.metric}
    at.file_uploader(key="gpt.adapt_upload").set_value(("k.txt", (KOREAN * 80).encode(), "text/plain")).run()
    assert any("560 of 560 characters are Korean (Hangul)" in w for w in _cannot_read(at))
    assert not any(b.key == "gpt.adapt_go" for b in at.button)
    assert not at.exception
