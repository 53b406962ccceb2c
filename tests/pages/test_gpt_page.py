"""The GPT page driven as a user would: sampling, one step, scoring, uploads, a tiny fine-tune."""

import math

import pytest
import torch
import torch.nn.functional as F

from engine.gpt import model as gpt
from tests.pages.conftest import charts, widget
from ui import loaders

PAGE = "pages/gpt.py"


@pytest.fixture(scope="module")
def shipped():
    return gpt.load_gpt()[0]


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
    generated = at.session_state["gpt.samples"][1]
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
    model, vocab = shipped
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


def test_scoring_matches_a_direct_forward_pass(run_page, shipped):
    text = "Good morrow, sweet lady."
    at = run_page(PAGE)
    widget(at, "text_area", "Text to score").input(text)
    at.run()
    model, vocab = shipped
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


def test_the_model_ladder_lists_four_models(run_page):
    at = run_page(PAGE)
    ladder = next(c for c in charts(at) if c["title"].startswith("Bits per character, by how much"))
    held_out = next(t for t in ladder["data"] if t["name"] == "held-out Shakespeare scenes")
    values = dict(zip(held_out["y"], held_out["x"], strict=True))
    assert len(values) == 4
    ordered = [values[k] for k in values]
    assert ordered[0] > ordered[1] > ordered[-1]  # unigram worst, GPT best


def test_the_classifier_reads_the_users_sentence(run_page):
    at = run_page(PAGE, {"review": "An utterly dreadful, boring mess."})
    assert metric(at, "Fine-tuned GPT says") in ("positive", "negative")
    curve = next(c for c in charts(at) if c["title"].startswith("Accuracy against labels"))
    assert {t.get("name") for t in curve["data"]} >= {"pre-trained", "from scratch"}


def test_a_tiny_fine_tune_runs_and_leaves_the_shared_model_alone(run_page):
    at = run_page(PAGE)
    at.file_uploader(key="gpt.adapt_upload").set_value(
        ("mine.txt", ("The cat sat on the mat. " * 40).encode(), "text/plain")
    ).run()
    widget(at, "slider", "Fine-tuning steps (16 windows of 128 characters each)").set_value(10)
    at.button(key="gpt.adapt_go").click().run()
    assert not at.exception
    assert any("bits per character before" in m.value for m in at.markdown)
    assert len(at.code) >= 4  # two samples above, original and fine-tuned copy below
    served = loaders.gpt_model()[0][0]  # the one object every session of this process shares
    fresh = gpt.load_gpt()[0][0]
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
    real = gpt.sample
    monkeypatch.setattr(gpt, "sample", lambda *a, **k: calls.append(a) or real(*a, **k))
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
