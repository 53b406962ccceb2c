"""The Convolution & FCN page in Korean (?lang=ko): it runs, it reads mostly in Hangul, no English sentence
of the tables is left on it, and the controls keep their stable values (the URL's and the CSV files' English)."""

import json

import pytest

from tests.korean import english_sentences, hangul_share, visible_text
from tests.pages.conftest import keep_downloads

PAGE = "pages/convolution.py"
KO = {"lang": "ko"}
# The page at its defaults (a confident misread on the canvas), a canvas read right, a kernel that fits
# nowhere with one output unit, and the drawing canvas waiting for digits: every message the page can show.
VIEWS = {
    "defaults": {},
    "read right": {"digits": "5", "cseed": "0"},
    "no fit": {"n": "4", "dil": "4", "k": "1"},
    "draw": {"fcn": "draw"},
}


def _visible(at) -> str:
    return "\n".join(visible_text(at))


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_page_reads_in_korean(run_page, view):
    at = run_page(PAGE, KO | VIEWS[view])
    text = _visible(at)
    assert hangul_share(text) >= 0.6, (round(hangul_share(text), 2), text)
    left = sorted(s for s in english_sentences() if s in text)
    assert not left, left


def test_the_views_show_their_messages_in_korean(run_page):
    assert "합성곱(convolution)" in _visible(run_page(PAGE, KO))
    no_fit = run_page(PAGE, KO | VIEWS["no fit"])
    assert any("들어맞는 위치가 하나도 없습니다" in w.value for w in no_fit.warning)
    assert any("유닛이 하나뿐입니다" in c.value for c in no_fit.caption)
    right = run_page(PAGE, KO | VIEWS["read right"])
    assert any("모두 맞게 읽었습니다" in s.value for s in right.success)
    misread = run_page(PAGE, KO)
    (warning,) = misread.warning
    assert warning.value.startswith("빨간색 표시: 놓인 숫자 ")


def test_charts_tables_and_options_are_korean_but_the_values_stay(run_page):
    at = run_page(PAGE, KO)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    names = {trace.get("name") for spec in specs for trace in spec["data"]} - {None, ""}
    assert {"윈도우 안", "입력", "이번 단계", "완전 연결", "합성곱"} <= names, names
    assert {"in window", "this step", "dense"}.isdisjoint(names)
    hovers = " ".join(trace.get("hovertemplate", "") for spec in specs for trace in spec["data"])
    assert "가중치 수=" in hovers and "weights=" not in hovers
    table = at.dataframe[0].value
    assert list(table.columns) == ["층", "가중치 모양", "가중치", "편향", "합계"]
    assert list(table["층"]) == ["완전 연결 (nn.Linear)", "합성곱 (nn.Conv2d)"]
    assert "판정" in at.dataframe[-1].value.columns
    kernel = at.selectbox(key="conv.kernel")
    assert kernel.value == "smoothing (mean of 3)" and kernel.options[0] == "평활화 (3개 평균)"
    assert at.selectbox(key="conv.map_class").options[0] == "아무 숫자 (1 − P(배경))"
    assert at.selectbox(key="conv.map_class").options[-1] == "배경"
    kernel.set_value("custom")
    at.selectbox(key="conv.map_class").set_value("background")
    at.run()
    assert not at.exception and at.text_input(key="conv.custom").label == "커널 가중치 (최대 15개)"
    assert at.query_params["kernel"] == "custom"  # the link carries the stable value, not the Korean text
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(title.startswith("점수 맵 ") and title.endswith(": 배경") for title in titles), titles


def test_downloads_keep_their_english_columns(run_page, monkeypatch):
    from ui.convolution import detector, sections

    files = keep_downloads(monkeypatch, sections, detector)
    run_page(PAGE, KO)
    assert list(files["parameter_counts.csv"].columns) == ["input_length", "output_length", "layer", "weights"]
    assert files["parameter_counts.csv"]["layer"].iloc[0] == "dense (one weight row per output)"
    assert "background" in set(files["score_map.csv"]["class"])
