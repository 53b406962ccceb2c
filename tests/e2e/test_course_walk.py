"""The whole course walked in a real browser, in order, as a new learner meets it, on a desktop and a phone.

Home first, then every explainer in the order the navigation gives: no exception box, nothing wider than
the window (the document, the main block, every table, data frame and chart), the page's claim and its
first picture on the first desktop screen. Then the inputs a learner tries: a Korean and an emoji sentence
on the RNN and Transformer pages get a one-line "trained on English only" message and no result, and
"Score it" scores a typed German reference with sacrebleu's numbers.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest
import sacrebleu
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import (
    OVERFLOWING,
    SCREENSHOTS,
    TOOLBARS,
    full_screenshot,
    outside_requests,
    settle,
    wait_for_app,
)
from ui.navigation import EXPLAINERS

SLOW = 180_000  # ms: two cores shared by a server, a browser and the test
VIEWPORTS = {"desktop": (1400, 1000), "phone": (390, 844)}
COURSE = [("home", "")] + [(e.path.split("/")[-1][:-3],) * 2 for e in EXPLAINERS]
FOREIGN = {
    "Korean": "나는 어제 학교에서 친구를 만났다",  # "I met a friend at school yesterday"
    "emoji": "😀 🎉 👍 🐶 🌧️",
}
SENTENCE_BOX = {
    "rnn": re.compile(r"^Your sentence"),
    "transformer": re.compile(r"^English sentence"),
}
ENGLISH_ONLY = re.compile(r"(trained on|reads) English( text)? only", re.IGNORECASE)
REFERENCE = "Das Buch liegt auf dem Tisch."

OVERFLOW = """() => {
  const width = window.innerWidth, out = [];
  const doc = document.documentElement.scrollWidth;
  if (doc > width) out.push(`the document is ${doc} px wide in a ${width} px window`);
  const main = document.querySelector('[data-testid="stMain"]');
  if (main && main.scrollWidth > main.clientWidth + 1)
    out.push(`the main block scrolls sideways: ${main.scrollWidth} > ${main.clientWidth} px`);
  for (const kind of ['stTable', 'stDataFrame', 'stPlotlyChart']) {
    document.querySelectorAll(`[data-testid="${kind}"]`).forEach((el, i) => {
      const box = el.getBoundingClientRect();
      if (box.width === 0) return;  // folded away (a closed expander)
      if (box.left < -1 || box.right > width + 1)
        out.push(`${kind} #${i + 1} spans ${Math.round(box.left)}..${Math.round(box.right)} px of ${width}`);
      const svg = el.querySelector('.main-svg');
      if (svg && svg.getBoundingClientRect().right > box.right + 1)
        out.push(`${kind} #${i + 1}'s plot is cut at its right edge`);
    });
  }
  return out;
}"""

# A page's live picture: a drawn chart, an image, the GPT's samples (code blocks) or the translator's coloured
# word chips (spans with a background, written by ui/translator/decoding.py's word_chips).
PICTURE = (
    '[data-testid="stPlotlyChart"] .main-svg, [data-testid="stImage"] img, [data-testid="stCode"], '
    '[data-testid="stMarkdown"] span[style*="background"]'
)
FIRST_SCREEN = """(PICTURE) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const top = (sel) => {
    const el = [...main.querySelectorAll(sel)].find(e => e.getBoundingClientRect().height > 0);
    return el ? Math.round(el.getBoundingClientRect().top) : null;
  };
  return {
    claim: top('[data-testid="stMarkdown"] p'),
    picture: top(PICTURE),
    height: window.innerHeight,
  };
}"""


DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]')
  && document.querySelector('[data-testid="stPlotlyChart"] .main-svg') !== null"""


def visit(page, url: str, charts: bool = True) -> None:
    """Open a page and wait until its script has run and (an explainer) its charts are drawn: plotly's code
    loads after the script ends, and a skeleton stands in for each chart until then."""
    page.goto(url)
    wait_for_app(page, SLOW)
    settle(page, SLOW)
    if charts:
        page.wait_for_function(DRAWN, timeout=SLOW)
    page.wait_for_timeout(1000)  # plotly's last relayout


def said_english_only(page) -> str:
    """The one-line 'trained on English only' message, waited for; '' if none comes."""
    try:
        page.wait_for_function(
            """(pattern) => [...document.querySelectorAll('[data-testid="stAlertContainer"]')]
                 .some(a => new RegExp(pattern, 'i').test(a.innerText))""",
            arg=ENGLISH_ONLY.pattern,
            timeout=60_000,
        )
    except PlaywrightTimeout:
        return ""
    return next(a for a in alerts(page) if ENGLISH_ONLY.search(a))


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def alerts(page) -> list[str]:
    return [t.strip() for t in page.locator('[data-testid="stAlertContainer"]').all_inner_texts()]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_course_in_order_raises_nothing_and_fits_the_window(browser, server_url, viewport):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        problems = []
        for name, path in COURSE:
            visit(page, f"{server_url}/{path}", charts=bool(path))
            if page.locator('[data-testid="stException"]').count():
                first = page.locator('[data-testid="stException"]').first.inner_text().splitlines()[:2]
                problems.append(f"[{name}] an exception: {' '.join(first)}")
            problems += [f"[{name}] {line}" for line in page.evaluate(OVERFLOW)]
            problems += [f"[{name}] cut at the right edge: {el}" for el in page.evaluate(OVERFLOWING)]
            if viewport == "phone":  # the shared layout rules arrive with each run; then no toolbar may show
                page.wait_for_selector('[data-testid="stHtml"] style', state="attached", timeout=SLOW)
                shown = [display for display in page.evaluate(TOOLBARS) if display != "none"]
                problems += [f"[{name}] {len(shown)} plotly toolbar(s) shown on a phone"] if shown else []
            if os.environ.get("UNROLLED_SCREENSHOTS"):  # whole pages cost seconds: asked for, not by default
                full_screenshot(page, SCREENSHOTS / "walk" / f"{viewport}-{name or 'home'}.png")
        # every request (favicon, fonts, icons, the home page's pictures) stays on 127.0.0.1
        assert any(urlsplit(url).path.startswith("/media/") for url in asked), "no picture served by the app"
        problems += [f"a request left this machine: {url}" for url in outside_requests(asked)]
        assert problems == [], "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize(("name", "path"), COURSE[1:])
def test_the_claim_and_the_live_picture_are_on_the_first_screen(page, server_url, name, path):
    """At 1400x1000, before any scrolling: the page's first paragraph (its claim) and its first picture."""
    visit(page, f"{server_url}/{path}")
    where = page.evaluate(FIRST_SCREEN, PICTURE)
    assert where["claim"] is not None and where["claim"] < where["height"], f"{name}: claim at {where}"
    assert where["picture"] is not None and where["picture"] < where["height"], f"{name}: first picture at {where}"


def type_sentence(page, name: str, text: str) -> None:
    box = page.get_by_label(SENTENCE_BOX[name])
    box.fill(text)
    box.press("Enter")
    settle(page, SLOW)
    page.wait_for_timeout(500)


@pytest.mark.parametrize("script", list(FOREIGN))
def test_the_rnn_page_says_it_cannot_read_foreign_input_and_judges_nothing(page, server_url, script):
    visit(page, f"{server_url}/rnn")
    type_sentence(page, "rnn", FOREIGN[script])
    said = said_english_only(page)
    assert said, f"no 'English only' message; alerts: {alerts(page)}"
    assert script.lower() in said.lower(), said  # it names the script it saw
    assert page.locator('[data-testid="stException"]').count() == 0
    verdicts = [v.strip() for v in page.locator('[data-testid="stMetricValue"]').all_inner_texts()]
    assert not {"positive", "negative"} & set(verdicts), verdicts  # no sentiment judged
    assert "P(positive)" not in main_text(page)


@pytest.mark.parametrize("script", list(FOREIGN))
def test_the_transformer_page_says_it_cannot_read_foreign_input_and_translates_nothing(page, server_url, script):
    from ui import loaders  # the engine's shipped decoding of the same sentence, outside Streamlit

    visit(page, f"{server_url}/transformer")
    before = main_text(page)
    type_sentence(page, "transformer", FOREIGN[script])
    said = said_english_only(page)
    assert said, f"no 'English only' message; alerts: {alerts(page)}"
    assert script.lower() in said.lower(), said
    assert page.locator('[data-testid="stException"]').count() == 0
    guess = loaders.translation(FOREIGN[script]).text  # what the model would write for it
    # Its words that the default page does not show anyway must not appear: no translation is offered.
    telling = {w for w in re.findall(r"\w{4,}", guess) if w not in before}
    shown = sorted(w for w in telling if re.search(rf"\b{re.escape(w)}\b", main_text(page)))
    assert shown == [], f"the model's guess {guess!r} is shown: {shown}"


def test_score_it_scores_a_typed_german_reference(page, server_url):
    from ui import loaders

    visit(page, f"{server_url}/transformer")
    box = page.get_by_label("Your reference translation (German)")
    box.fill(REFERENCE)
    box.press("Enter")
    page.wait_for_selector('[data-testid="stMetricLabel"]:has-text("Sentence BLEU")', timeout=SLOW)
    settle(page, SLOW)
    assert page.locator('[data-testid="stException"]').count() == 0
    sentence = page.get_by_label(SENTENCE_BOX["transformer"]).input_value()
    hypothesis = loaders.translation(sentence).text
    expected = {
        "Sentence BLEU": f"{sacrebleu.sentence_bleu(hypothesis, [REFERENCE]).score:.1f}",
        "chrF": f"{sacrebleu.sentence_chrf(hypothesis, [REFERENCE]).score:.1f}",
    }
    shown = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
            m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))"""
    )
    assert {k: shown.get(k) for k in expected} == expected
