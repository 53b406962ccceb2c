"""Every page in Korean in a real browser: a shared `?lang=ko` link opens it in Korean (in an English browser),
its title and the navigation are Korean, Hangul is drawn with a real font (no boxes), and full-page pictures
at desktop and phone widths are saved in build/screens-ko/ to look at."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import ROOT, assert_clean, full_screenshot, settle, wait_for_app
from ui.navigation import EXPLAINERS
from ui.text import FONT_STACK, t_in

SCREENS = ROOT / "build" / "screens-ko"
WIDTHS = (1400, 390)
PAGES = [("home", "", t_in("ko", "home.page.path"))] + [
    (e.name, e.name, t_in("ko", f"nav.{e.name}.title")) for e in EXPLAINERS
]
NAV = [t_in("ko", "nav.sections.home")] + [t_in("ko", f"nav.{e.name}.title") for e in EXPLAINERS]

# Widths at 40 px of a Hangul syllable and of a private-use character (which no font draws: its box) in a font
# stack. Where no font has Hangul, 가 is drawn as the same box and both widths are equal.
GLYPHS = """(stack) => {
  const width = (ch) => {
    const span = document.createElement('span');
    span.style.cssText = `font: 40px ${stack}; position: absolute; visibility: hidden; white-space: pre`;
    span.textContent = ch;
    document.body.appendChild(span);
    const w = span.getBoundingClientRect().width;
    span.remove();
    return w;
  };
  return {hangul: width('가'), box: width('\\uE000')};
}"""
TEXT_FONT = "() => getComputedStyle(document.querySelector('[data-testid=\"stMain\"] h1')).fontFamily"
HEADING_IS = """(title) => [...document.querySelectorAll('[data-testid="stMain"] h1')]
  .some(h => h.innerText.includes(title))"""
CHART_TITLE_FONTS = """() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]
  .filter(t => /[가-힣]/.test(t.textContent)).map(t => t.style.fontFamily || getComputedStyle(t).fontFamily)"""


def drawn(widths: dict) -> bool:
    """Hangul is drawn by a font that has it: its width differs from the box's and is about a full em."""
    return abs(widths["hangul"] - widths["box"]) > 2 and widths["hangul"] > 0.8 * 40


def test_the_glyph_check_fails_where_hangul_is_a_box():
    """Measured in the design spike (Chromium, 40 px): with fonts-noto-cjk 가 is 36.8 px and the box 26.1 px;
    with a fontconfig of DejaVu only, 가 is the box, 26.0 px both."""
    assert drawn({"hangul": 36.8, "box": 26.1})
    assert not drawn({"hangul": 26.0, "box": 26.0})
    assert not drawn({"hangul": 0.0, "box": 0.0})  # nothing drawn at all


@pytest.mark.parametrize(("name", "path", "heading"), PAGES)
def test_every_page_opens_in_korean_from_a_shared_link(page, server_url, name, path, heading):
    page.goto(f"{server_url}/{path}?lang=ko")
    wait_for_app(page, 120_000)
    if path:
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0", timeout=120_000
        )
        settle(page)
    headings = page.locator('[data-testid="stMain"] h1, [data-testid="stMain"] h3').all_inner_texts()
    assert heading in [h.strip() for h in headings], headings
    nav = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"] a').all_inner_texts()
    assert [text.strip().splitlines()[-1].strip() for text in nav] == NAV  # each link: its icon's name, its title
    assert parse_qs(urlsplit(page.url).query).get("lang") == ["ko"]
    assert_clean(page, server_url)

    for stack in (page.evaluate(TEXT_FONT), FONT_STACK):  # the page's own text, and every chart's
        widths = page.evaluate(GLYPHS, stack)
        assert drawn(widths), f"Hangul drawn as boxes in {stack}: {widths}"
    for family in page.evaluate(CHART_TITLE_FONTS):  # Korean chart titles keep the stack, not the theme's font
        assert "Noto Sans CJK KR" in family, family

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        settle(page)
        full_screenshot(page, SCREENS / f"{name}-{width}.png")


def test_the_switch_sits_on_top_and_rewrites_the_link(page, server_url):
    """The switch is the sidebar's first control, above the course's pages; pressing it turns the page's prose and
    the URL's ?lang= together (so a link copied afterwards opens in the language on screen), and the page's other
    parameters stay."""
    page.goto(f"{server_url}/convolution?lang=ko")
    wait_for_app(page, 120_000)
    settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    switch_top = sidebar.locator("button", has_text="English").bounding_box()["y"]
    assert switch_top < sidebar.locator('[data-testid="stPageLink"]').first.bounding_box()["y"]
    for lang, label in (("en", "English"), ("ko", "한국어")):
        sidebar.locator("button", has_text=label).click()
        title = t_in(lang, "nav.convolution.title")
        page.wait_for_function(HEADING_IS, arg=title, timeout=60_000)
        settle(page)
        query = parse_qs(urlsplit(page.url).query)
        assert query.get("lang") == [lang], page.url
        assert "kernel" in query  # the page's own parameters are kept beside it
