"""The GPT page in a real browser: a link sets its controls, moving them changes the engine's numbers, a download."""

import pandas as pd
import pytest

from engine.gpt.explain import candidates
from engine.gpt.sample import sample
from engine.gpt.score import score_text
from engine.gpt.train import load_gpt
from tests.e2e.conftest import assert_clean, settle, wait_for_app, wait_for_metric

SLOW = 180_000  # ms: two cores shared by a server, a browser and the test


@pytest.fixture(scope="module")
def shipped():
    return load_gpt().trained


def _metrics(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
            m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))"""
    )


def test_a_link_the_step_slider_the_scored_text_and_a_download(page, server_url, shipped, tmp_path):
    page.goto(f"{server_url}/gpt?n=40&seed=3&prompt=KING:&ka=5")
    wait_for_app(page, SLOW)
    page.wait_for_selector("text=Its probability", timeout=SLOW)
    settle(page, SLOW)
    assert page.get_by_label("Prompt (the model continues it)").input_value() == "KING:"
    drawn = list(sample(shipped, "KING:", 40, 0.8, 5, 1.0, seed=3, record=True))
    text_a = "KING:" + "".join(c for c, _ in drawn)
    assert page.locator('[data-testid="stCode"] code').first.inner_text().rstrip("\n") == text_a.rstrip("\n")

    steps = [s for _, s in drawn]
    assert _metrics(page)["Its probability"] == f"{float(steps[11].probs[steps[11].chosen]):.3f}"  # default: 12th
    thumb = page.locator('input[type="range"][aria-label="Generated character of sample A"]').first
    thumb.focus()
    thumb.press("ArrowRight")
    settle(page, SLOW)
    wait_for_metric(page, "Entropy", f"{steps[12].entropy_bits:.2f} bits", SLOW)
    assert _metrics(page)["Its probability"] == f"{float(steps[12].probs[steps[12].chosen]):.3f}"

    page.wait_for_timeout(2_000)  # the fragment's download button is replaced just after its metrics
    settle(page, SLOW)
    with page.expect_download(timeout=SLOW) as download:
        page.get_by_role("button", name="Candidates at this step (CSV)").click()
    path = tmp_path / "candidates.csv"
    download.value.save_as(path)
    rows = pd.read_csv(path, keep_default_na=False)
    chart = candidates(shipped, steps[12])  # the frame the candidates chart draws (tests/ui/gpt/test_downloads.py)
    assert rows["probability"].tolist() == pytest.approx(chart["probability"].tolist(), abs=1e-6)
    assert rows["status"].tolist() == chart["status"].tolist()
    assert rows["probability"].tolist() == pytest.approx(sorted(steps[12].probs.tolist(), reverse=True)[:15], abs=1e-6)

    box = page.get_by_label("Text to score")
    box.fill("To be, or not to be.")
    box.press("Control+Enter")
    settle(page, SLOW)
    expected = f"{score_text(shipped, 'To be, or not to be.').bits_per_char:.3f}"
    wait_for_metric(page, "Bits per character", expected, SLOW)
    assert _metrics(page)["Bits per character"] == expected
    assert "text=To+be" in page.url or "text=To%20be" in page.url
    assert_clean(page, server_url)


def test_korean_gets_one_line_no_score_and_a_phone_sees_every_chart_whole(page, server_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server_url}/gpt?n=20")
    wait_for_app(page, SLOW)
    page.wait_for_selector("text=Bits per character, by how much context", timeout=SLOW)
    settle(page, SLOW)
    claim = page.locator('[data-testid="stMain"] [data-testid="stMarkdown"]').first.inner_text()
    assert claim.startswith("GPT pre-trains a Transformer")
    box = page.get_by_label("Text to score")
    box.fill("나는 학교에 간다")
    box.press("Control+Enter")
    page.wait_for_selector("text=7 of 7 characters are Korean (Hangul)", timeout=SLOW)
    settle(page, SLOW)
    page.wait_for_selector("text=Bits per character, by how much context", timeout=SLOW)  # held-out bars only
    assert page.locator("text=Why the bigram wins here").count() == 0  # it explains bars not drawn for this text
    labels = set(_metrics(page))
    assert not labels & {"log p(text)", "Bits per character", "Perplexity"}  # no score as if it meant something
    # Nothing wider than the phone: tables and charts fit or scroll inside themselves.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    widths = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg.main-svg')]
                 .map(s => s.getBoundingClientRect().right)"""
    )
    assert widths and max(widths) <= 390
    assert_clean(page, server_url)
