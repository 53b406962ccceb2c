"""The home page in Korean: it runs, its prose is Korean, and no sentence of the English tables is left on it."""

from tests.korean import english_sentences, hangul_share, visible_text
from ui.text import t_in


def test_home_in_korean_reads_korean(run_page):
    at = run_page("app.py", {"lang": "ko"})
    shown = visible_text(at) + [el.proto.label for el in at.main.get("page_link")]
    assert hangul_share(" ".join(shown)) >= 0.6, shown
    left = sorted(s for s in english_sentences() if any(s in text for text in shown))
    assert left == [], left
    assert t_in("ko", "home.page.intro") in shown  # the Korean intro itself, not only some Hangul
    first = next(el.proto.label for el in at.main.get("page_link"))
    assert first == "1. " + t_in("ko", "nav.rnn.title")


def test_home_in_english_is_todays_english(run_page):
    """The same checks on the English home fail: the Korean checks can tell the languages apart."""
    at = run_page("app.py", {"lang": "en"})
    shown = visible_text(at)
    assert hangul_share(" ".join(shown)) == 0.0
    assert any(s in text for s in english_sentences() for text in shown)
