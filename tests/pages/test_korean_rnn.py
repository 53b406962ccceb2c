"""The Sequences & RNNs page in Korean (?lang=ko): it renders, what a learner reads is Korean, none of the English
tables' sentences slips through, and the notes for text the models cannot read say, in Korean, that they read
English. Model outputs (tags, P(pos), the typed sentence) stay as they are."""

import re

import pytest

from engine.rnn.text import tokenize
from tests.korean import english_sentences, hangul_share, visible_text
from ui.text import t_in

PAGE = "pages/rnn.py"
KO = {"lang": "ko"}
ENGLISH = "The children were playing in the park after school."
KOREAN = "나는 어제 학교에서 친구를 만났다"  # "I met a friend at school yesterday"


def _leaked(at) -> list[str]:
    text = "\n".join(visible_text(at))
    return sorted(s for s in english_sentences() if s in text)


@pytest.fixture(scope="module")
def korean_page():
    """The page at its defaults, in Korean (one run shared by the checks that only read it)."""
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import ROOT

    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)
    at.query_params.update(KO)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_reads_in_korean(korean_page):
    at = korean_page
    text = "\n".join(visible_text(at))
    # every section at its defaults renders: seven headers, charts with titles, the survey note
    assert len(at.header) == 7 and at.title[0].value == t_in("ko", "rnn.page.title")
    # the prose is Korean; what stays Latin is notation (h_t, W_hh, tanh), tags and P(pos) read from the models
    assert hangul_share(text) >= 0.6, hangul_share(text)
    assert not _leaked(at)


def test_korean_tables_widgets_and_charts(korean_page):
    at = korean_page
    assert list(at.dataframe[0].value.columns) == [t_in("ko", f"rnn.heads.{c}") for c in ("word", "tag", "probability")]
    assert at.metric[0].value in (t_in("ko", "rnn.heads.positive"), t_in("ko", "rnn.heads.negative"))
    assert at.radio(key="rnn.net").options == [t_in("ko", "rnn.nets.tagger"), t_in("ko", "rnn.nets.sentiment")]
    assert at.radio(key="rnn.edit_action").options == [t_in("ko", "rnn.memory.drop"), t_in("ko", "rnn.memory.replace")]
    titles = [c for c in visible_text(at) if c.startswith("|∂ log p(")]
    assert titles == [t_in("ko", "rnn.memory.grads_title", scale=1.0)]
    survey = [m.value for m in at.markdown if m.value.startswith("이 페이지에 고정된 문장")]
    assert len(survey) == 1 and survey[0].endswith(".")


def test_an_english_sentence_is_read_in_korean_mode(run_page):
    at = run_page(PAGE, KO)
    at.text_input(key="rnn.sentence").input(ENGLISH).run()
    assert not at.exception and not at.warning and not at.error
    table = at.dataframe[0].value
    assert list(table[t_in("ko", "rnn.heads.word")]) == tokenize(ENGLISH)  # the model's words stay English
    (p,) = re.findall(r"= (\d\.\d\d)", at.metric[0].delta)
    verdict = "rnn.heads.positive" if float(p) >= 0.5 else "rnn.heads.negative"
    assert at.metric[0].value == t_in("ko", verdict)
    assert hangul_share("\n".join(visible_text(at))) >= 0.6 and not _leaked(at)


def test_a_korean_sentence_gets_the_korean_reads_english_note(run_page):
    at = run_page(PAGE, KO)
    at.text_input(key="rnn.sentence").input(KOREAN).run()
    assert not at.exception and not at.error
    (warning,) = at.warning
    assert t_in("ko", "rnn.sentence.reader") in warning.value and "영어" in warning.value
    assert hangul_share(warning.value) >= 0.6 and not _leaked(at)
    assert not at.metric and not any(t_in("ko", "rnn.heads.tag") in d.value.columns for d in at.dataframe)


def test_an_edit_chosen_in_english_stays_in_korean(run_page):
    at = run_page(PAGE)
    at.radio(key="rnn.edit_action").set_value("replace").run()
    at.session_state["lang"] = "ko"
    at.run()
    assert not at.exception
    assert at.radio(key="rnn.edit_action").value == "replace"
    assert at.text_input(key="rnn.replacement").label == t_in("ko", "rnn.memory.replacement")


def _upload(at, data: bytes):
    at.file_uploader(key="rnn.upload").set_value(("mine.txt", data, "text/plain"))
    at.run()
    assert not at.exception
    return at.dataframe[-1].value


# 501 sentences, one of them Korean: the page shows the first 500 and says so, and does not tag the Korean one.
LONG_TEXT = "\n".join(["What a good film."] * 499 + ["나는 학교에 간다", "The ending was awful."]).encode()


def test_an_uploaded_text_is_shown_in_korean(run_page):
    at = run_page(PAGE, KO)
    table = _upload(at, LONG_TEXT)
    assert list(table.columns) == [t_in("ko", f"rnn.own.{c}") for c in ("sentence", "tagged", "p_positive", "label")]
    labels = table[t_in("ko", "rnn.own.label")]
    assert set(labels[:499]) <= {"pos", "neg"}  # the model's own labels stay as they are
    not_read = t_in("ko", "rnn.own.not_read", counted="")
    assert labels[499].startswith(not_read) and hangul_share(labels[499]) >= 0.6
    assert [i.value for i in at.info] == [t_in("ko", "rnn.own.note", n=501, most=500)]
    assert not _leaked(at)


def test_an_uploaded_text_in_english_is_the_engines_table(run_page):
    """The translation leaves English as it was: the table shown is the engine's, cell for cell."""
    from engine.rnn import explain as unroll
    from engine.rnn import sentiment, tagger

    at = run_page(PAGE)
    shown = _upload(at, LONG_TEXT)
    table, note, _ = unroll.own_text_table(LONG_TEXT, tagger.load()[0], sentiment.load()[0])
    assert shown.fillna(-1).equals(table.fillna(-1)) and table["label"][499].startswith("not read: ")
    assert [i.value for i in at.info] == [note]
