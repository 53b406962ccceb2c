"""The language switch, through app.py as a learner meets it: English | 한국어 in the sidebar, kept across pages
and in the URL (?lang=ko), chosen from the URL on a first visit, and switching keeps every widget's value."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import ROOT
from ui.text import t_in

TIMEOUT = 180


def app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def go(at: AppTest, path: str) -> AppTest:
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def switch(at: AppTest, lang: str) -> AppTest:
    """Press one side of the sidebar's switch."""
    at.sidebar.button_group(key="lang.switch").set_value(lang).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def lang_in_url(at: AppTest) -> str:
    value = at.query_params.get("lang")
    return value[0] if isinstance(value, list) else value


def link_labels(at: AppTest) -> list[str]:
    return [el.proto.label for el in at.main.get("page_link")]


def headings(at: AppTest) -> list[str]:
    return [e.value for kind in ("title", "header", "subheader") for e in at.get(kind)]


def test_switching_keeps_every_widgets_value_and_the_language_follows_across_pages():
    at = app()
    assert at.sidebar.button_group(key="lang.switch").value == "en" and lang_in_url(at) == "en"
    assert t_in("en", "home.page.path") in headings(at)

    # the RNN page, in English: a sentence typed, the other network, a slider moved
    go(at, "pages/rnn.py")
    sentence = "the film was slow but the ending was good"
    at.text_input(key="rnn.sentence").set_value(sentence)
    at.radio(key="rnn.net").set_value("tagger")
    at.slider(key="rnn.scale").set_value(1.3)
    at.run()
    set_before = {k: at.session_state[k] for k in ("rnn.sentence", "rnn.net", "rnn.scale")}
    assert set_before == {
        "rnn.sentence": "the film was slow but the ending was good",
        "rnn.net": "tagger",
        "rnn.scale": 1.3,
    }

    switch(at, "ko")
    assert lang_in_url(at) == "ko"
    assert {k: at.session_state[k] for k in set_before} == set_before  # nothing reset by the new labels
    assert at.text_input(key="rnn.sentence").value == set_before["rnn.sentence"]
    assert at.radio(key="rnn.net").value == "tagger" and at.slider(key="rnn.scale").value == 1.3
    assert at.radio(key="rnn.net").label == t_in("ko", "rnn.sentence.net")  # the page itself is now Korean
    assert t_in("ko", "nav.links.before_home") in link_labels(at)

    # the Convolution page: still Korean, still in the URL; its own widgets keep their values when switching back
    go(at, "pages/convolution.py")
    assert lang_in_url(at) == "ko" and at.sidebar.button_group(key="lang.switch").value == "ko"
    assert t_in("ko", "nav.links.next_home") in link_labels(at)
    at.slider(key="conv.stride").set_value(2)
    at.selectbox(key="conv.kernel").set_value("custom").run()  # its weights box appears
    at.text_input(key="conv.custom").set_value("1, -2, 1").run()
    set_here = {k: at.session_state[k] for k in ("conv.stride", "conv.kernel", "conv.custom")}
    assert set_here == {"conv.stride": 2, "conv.kernel": "custom", "conv.custom": "1, -2, 1"}
    switch(at, "en")
    assert lang_in_url(at) == "en"
    assert {k: at.session_state[k] for k in set_here} == set_here
    assert at.selectbox(key="conv.kernel").label == t_in("en", "convolution.kernel.label")
    assert t_in("en", "nav.links.next_home") in link_labels(at)

    go(at, "pages/home.py")  # and home follows the switch too
    assert lang_in_url(at) == "en" and t_in("en", "home.page.path") in headings(at)


def test_a_shared_link_with_lang_ko_opens_in_korean():
    at = app({"lang": "ko"})
    assert at.sidebar.button_group(key="lang.switch").value == "ko" and lang_in_url(at) == "ko"
    assert t_in("ko", "home.page.path") in headings(at)
    assert link_labels(at)[0] == t_in("ko", "home.page.step", number=1, title=t_in("ko", "nav.rnn.title"))


def test_an_unknown_language_in_the_url_falls_back_to_english():
    at = app({"lang": "xx"})
    assert at.sidebar.button_group(key="lang.switch").value == "en"
    assert lang_in_url(at) == "en"  # the URL is corrected, so a copied link is valid
    assert t_in("en", "home.page.path") in headings(at)


def test_the_session_keeps_its_language_across_page_switches():
    at = switch(app(), "ko")
    for path in ("pages/convolution.py", "pages/home.py"):
        go(at, path)
        assert lang_in_url(at) == "ko" and at.session_state["lang"] == "ko"
    assert t_in("ko", "home.page.path") in headings(at)
