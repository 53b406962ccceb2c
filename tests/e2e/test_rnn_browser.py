"""The RNN page in a real browser: URL settings, three controls, a download, each checked against the engine."""

import csv
import io
from urllib.parse import quote

import pytest

from engine.rnn import explain as unroll
from engine.rnn import sentiment, tagger
from tests.e2e.conftest import assert_clean, settle, wait_for_app

SENTENCE = "The plot was thin but the actors were wonderful."
OTHER = "A dull, slow and boring film."
LABEL = f"Your sentence (up to {unroll.MAX_WORDS} words)"
CHART_Y = """(title) => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const t = el.layout && el.layout.title && el.layout.title.text;  // Streamlit wraps titles in <b>
    if (t && t.replace(/<[^>]+>/g, "") === title) return Array.from(el._fullData[0].y);  // decoded arrays
  }
  return null;
}"""


@pytest.fixture(scope="module")
def models():
    return {"tagger": tagger.load()[0], "sentiment": sentiment.load()[0]}


def chart_y(page, title: str) -> list[float]:
    page.wait_for_function(f"() => ({CHART_Y})({title!r}) !== null", timeout=120_000)
    return page.evaluate(CHART_Y, title)


def change(trained, words: list[str], scale: float) -> list[float]:
    return unroll.scale_change(trained.model, trained.encoder, words, scale)["change"].tolist()


def test_url_controls_and_download_follow_the_engine(page, server_url, models, tmp_path):
    page.goto(f"{server_url}/rnn?s={quote(SENTENCE)}&net=tagger&scale=1.5")
    wait_for_app(page)
    words = unroll.sentence_words(SENTENCE)
    assert chart_y(page, "|h_t(W_hh × 1.5) − h_t| at every step") == pytest.approx(
        change(models["tagger"], words, 1.5), abs=1e-5
    )
    # the URL's settings reached the widgets
    assert page.get_by_label(LABEL).input_value() == SENTENCE
    assert page.get_by_role("radio", name="POS tagger (many-to-many)").is_checked()
    scale = page.locator('input[type="range"][aria-label="Scale W_hh by"]')
    assert scale.input_value() == "1.5"
    # control 1, a slider: one step right is 1.6
    scale.focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    assert scale.input_value() == "1.6"
    expected = change(models["tagger"], words, 1.6)
    assert chart_y(page, "|h_t(W_hh × 1.6) − h_t| at every step") == pytest.approx(expected, abs=1e-5)
    # the download holds the chart's numbers; the slider reruns only its section, whose elements arrive one after
    # another, so the button may still hold the last run's file for a moment after the chart has changed
    for _ in range(10):
        with page.expect_download() as download:
            page.get_by_role("button", name="Change per step (CSV)").click()
        path = tmp_path / "change.csv"
        download.value.save_as(path)
        rows = list(csv.DictReader(io.StringIO(path.read_text())))
        if [float(r["change"]) for r in rows] == pytest.approx(expected, abs=1e-5):
            break
        page.wait_for_timeout(1000)
    assert [r["word"] for r in rows] == words
    assert [float(r["change"]) for r in rows] == pytest.approx(expected, abs=1e-5)
    # control 2, a radio: the sentiment network's output at the last step
    page.get_by_text("sentiment (many-to-one)").click()
    settle(page)
    p_last = sentiment.positive_after_each_word(models["sentiment"], words)[-1]
    page.get_by_text(f"Output at step {len(words)}: P(pos) {p_last:.2f}").wait_for(timeout=30_000)
    # control 3, the text input: a new sentence, a new judgement
    box = page.get_by_label(LABEL)
    box.fill(OTHER)
    box.press("Enter")
    settle(page)
    other = unroll.sentence_words(OTHER)
    p_other = sentiment.positive_after_each_word(models["sentiment"], other)[-1]
    metric = page.locator('[data-testid="stMetricValue"]').first
    metric.filter(has_text="positive" if p_other >= 0.5 else "negative").wait_for(timeout=30_000)
    page.get_by_text(f"P(positive) = {p_other:.2f}").wait_for(timeout=30_000)
    title = "P(positive) if the sentence stopped here"  # drawn after the metric: wait for the new sentence's points
    page.wait_for_function(f"() => (({CHART_Y})({title!r}) || []).length === {len(other)}", timeout=30_000)
    assert chart_y(page, title) == pytest.approx(
        sentiment.positive_after_each_word(models["sentiment"], other), abs=1e-5
    )
    assert_clean(page, server_url)


@pytest.mark.parametrize(
    ("typed", "counted"),
    [("나는 학교에 간다", "3 of 3 words are Korean (Hangul)"), ("😀 🎉 👍", "3 of 3 words are emoji")],
)
def test_foreign_input_gets_the_message_and_no_result_on_a_phone(browser, server_url, typed, counted):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{server_url}/rnn")
        wait_for_app(page)
        page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=120_000)  # the default sentence's result
        box = page.get_by_label(LABEL)
        box.fill(typed)
        box.press("Enter")
        settle(page)
        page.get_by_text(f"trained on English only: {counted}").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stMetricValue"]').count() == 0
        assert page.get_by_text("Output at step").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing pushes the page sideways
    finally:
        context.close()
