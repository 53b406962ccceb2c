"""The translator page in a real browser: the URL sets the widgets, changed controls show the engine's
numbers for the new setting, and the beam download holds the table's rows."""

import io

import pandas as pd
import pytest
import sacrebleu

from engine.translator import explain
from engine.translator.guards import Guards
from engine.translator.train import TRANSFORMER
from tests.e2e.conftest import assert_clean, settle, wait_for_app, wait_for_metric

FIRST, SECOND = "I have a dog.", "The book is on the table."


@pytest.fixture(scope="module")
def trained():
    return TRANSFORMER.load()[0]


def _texts(page) -> list[str]:
    return [t.strip() for t in page.locator('[data-testid="stText"]').all_inner_texts()]


def _chip_words(page) -> list[str]:
    """The words of the shipped translation, as drawn (each with its probability beneath it)."""
    return [t.split("\n")[0].strip() for t in page.locator("span:has(> small)").all_inner_texts()]


def _beam_csv(page) -> pd.DataFrame:
    with page.expect_download() as download:
        page.get_by_role("button", name="Beam hypotheses (CSV)").click()
    return pd.read_csv(io.BytesIO(open(download.value.path(), "rb").read()), keep_default_na=False)


def test_url_controls_and_download(page, server_url, trained):
    query = "w=3&alpha=1.0&kind=encoder&layer=1&head=2&norep=1&notri=0&ratio=0.5&beta=0.3"
    page.goto(f"{server_url}/transformer?en={FIRST.replace(' ', '%20')}&{query}")
    wait_for_app(page, 180_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=60_000)
    # The URL's settings reached the widgets.
    assert page.get_by_label("English sentence (up to 200 characters)").input_value() == FIRST
    assert page.get_by_role("slider", name="Beam width").input_value() == "3"
    assert page.get_by_text("encoder self-attention, layer 1, head 2").count() >= 1
    assert page.get_by_role("checkbox", name="No word repeated back to back").is_checked()
    assert not page.get_by_role("checkbox", name="No repeated word trigram").is_checked()
    assert page.get_by_role("slider", name="Coverage penalty β (0 = off)").input_value() == "0.3"
    chosen = Guards(no_repeat=True, min_ratio=0.5, coverage=0.3)
    beams = explain.beams(trained, FIRST, 3, 1.0, chosen)
    assert page.get_by_text("Beam search, width 3").count() == 1
    assert beams["translation"].iloc[0] in _texts(page)
    assert explain.trace(trained, FIRST).text in _texts(page)  # greedy
    shipped = explain.trace(trained, FIRST, TRANSFORMER.best_ids(trained, FIRST)).text
    assert _chip_words(page) == shipped.split()  # the shipped decoding, whatever the controls say
    # The download holds the beam table's rows, as the engine computes them.
    csv = _beam_csv(page)
    assert list(csv["translation"]) == list(beams["translation"])
    pd.testing.assert_series_equal(csv["score"], beams["score"], check_names=False, atol=1e-3)

    # Control 1: the beam width slider, one step right -> the engine's width-4 beams.
    page.get_by_role("slider", name="Beam width").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("text=Beam search, width 4", timeout=60_000)
    settle(page)
    wider = explain.beams(trained, FIRST, 4, 1.0, chosen)
    assert list(_beam_csv(page)["translation"]) == list(wider["translation"])

    # Control 2: a new sentence -> the engine's greedy and beam translations of it.
    box = page.get_by_label("English sentence (up to 200 characters)")
    box.fill(SECOND)
    box.press("Enter")
    settle(page)
    page.wait_for_function(f"() => document.body.innerText.includes({explain.trace(trained, SECOND).text!r})")
    assert explain.trace(trained, SECOND).text in _texts(page)
    assert explain.beams(trained, SECOND, 4, 1.0, chosen)["translation"].iloc[0] in _texts(page)
    # Control 3: a guard switched off -> the URL and the beams follow.
    page.get_by_text("No word repeated back to back", exact=True).click()
    page.wait_for_function("() => location.search.includes('norep=0')", timeout=60_000)
    settle(page)
    plainer = explain.beams(trained, SECOND, 4, 1.0, Guards(min_ratio=0.5, coverage=0.3))
    assert list(_beam_csv(page)["translation"]) == list(plainer["translation"])
    assert "en=The+book" in page.url or "en=The%20book" in page.url
    assert_clean(page, server_url)


def test_korean_gets_one_line_a_reference_is_scored_and_a_phone_sees_it_all(page, server_url, trained):
    page.goto(f"{server_url}/transformer?en=%EB%82%98%EB%8A%94%20%ED%95%99%EA%B5%90%EC%97%90%20%EA%B0%84%EB%8B%A4")
    wait_for_app(page, 180_000)
    page.wait_for_selector("text=This translator reads English only: 3 of 3 words are Korean (Hangul).")
    assert _chip_words(page) == [] and page.get_by_text("1. Translate").count() == 0
    # An English sentence, on a 390 px phone: the translation first, then a typed reference is scored.
    page.set_viewport_size({"width": 390, "height": 844})
    box = page.get_by_label("English sentence (up to 200 characters)")
    box.fill(SECOND)
    box.press("Enter")
    settle(page)
    shipped = explain.trace(trained, SECOND, TRANSFORMER.best_ids(trained, SECOND)).text
    page.wait_for_function("() => document.querySelectorAll('span > small').length > 0", timeout=60_000)
    assert _chip_words(page) == shipped.split()
    chips = page.locator("span:has(> small)").first.bounding_box()
    assert chips["y"] + chips["height"] < 844  # on the first screen
    reference = "Das Buch liegt auf dem Tisch."
    field = page.get_by_label("Your reference translation (German)")
    field.fill(reference)
    field.press("Enter")
    wait_for_metric(page, "Sentence BLEU", f"{sacrebleu.sentence_bleu(shipped, [reference]).score:.1f}")
    wait_for_metric(page, "chrF", f"{sacrebleu.sentence_chrf(shipped, [reference]).score:.1f}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert_clean(page, server_url)
