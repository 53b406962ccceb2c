"""The density page in Korean (?lang=ko): it runs, it reads mostly in Hangul, no English sentence of the tables
is left on it, and its controls, links and downloads keep their stable English values."""

import json

import pytest

from tests.korean import english_sentences, hangul_share, visible_text
from tests.pages.conftest import keep_downloads
from ui.text import t_in

PAGE = "pages/density.py"
KO = {"lang": "ko"}
# The defaults (the shipped grid, a held-out digit), a grid drawn at the lowest temperature with blank samples
# and the blank image's warning, the cat photo's preprocessing, and the canvas waiting for a digit.
VIEWS = {
    "defaults": {},
    "blank": {"temp": "0.3", "image": "a blank image"},
    "cat": {"image": "scikit-image's cat photo"},
    "draw": {"image": "draw one"},
}


def _visible(at) -> str:
    return "\n".join(visible_text(at))


def _specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_page_reads_in_korean(run_page, view):
    at = run_page(PAGE, KO | VIEWS[view])
    text = _visible(at)
    assert hangul_share(text) >= 0.6, (round(hangul_share(text), 2), text)
    left = sorted(s for s in english_sentences() if s in text)
    assert not left, left
    assert at.title[0].value == "이미지 생성 모델"


def test_the_blank_view_says_its_verdicts_and_warning_in_korean(run_page):
    at = run_page(PAGE, KO | VIEWS["blank"])
    grid = next(s for s in _specs(at) if s["layout"]["title"]["text"] == "아무 숫자의 샘플 16개")
    captions = [a["text"] for a in grid["layout"]["annotations"]]
    assert "숫자 없음" in captions and not {"no digit", "no clear digit"} & set(captions)
    assert grid["layout"]["title"]["subtitle"]["text"] == "시드 0, 온도 0.3"
    (reads,) = [m.value for m in at.metric if m.label == "판정기의 판독"]
    assert reads == "숫자 없음"
    (warning,) = at.warning
    opening = t_in("ko", "density.estimation.blank_warning", bpd=0.0, share=0.0, median=0.0).split("0.000")[0]
    assert warning.value.startswith(opening) and "비트" in warning.value  # the table's own opening, in Korean
    assert "2. 밀도 추정(density estimation)" in [h.value for h in at.header]


def test_charts_and_options_are_korean_but_the_values_stay(run_page):
    at = run_page(PAGE, KO)
    specs = _specs(at)
    names = {trace.get("name") for spec in specs for trace in spec["data"]} - {None, ""}
    assert {"뽑힌 값", "테스트 숫자", "균일 노이즈"} <= names, names
    assert {"drawn", "not drawn", "test digits", "uniform noise"}.isdisjoint(names)
    hovers = " ".join(trace.get("hovertemplate") or "" for spec in specs for trace in spec["data"])
    assert "%{y}행, %{x}열: p(on) %{z:.3f}" in hovers and "row " not in hovers
    assert "차원당 비트=%{x}" in hovers and "개수=%{y}" in hovers
    marks = {a["text"] for spec in specs for a in spec["layout"].get("annotations", [])}
    assert {"이 이미지", "테스트 숫자의 중앙값"} <= marks
    probes = next(s for s in specs if s["layout"]["title"]["text"] == "테스트 숫자에 대한 선형 프로브 정확도")
    assert list(probes["data"][0]["y"]) == ["모델의 은닉 특징", "원시 픽셀"]
    draw, image = at.selectbox(key="den.label"), at.radio(key="den.choice")
    assert draw.options[0] == "아무 숫자: p(x)" and draw.options[9] == "숫자 8: p(x | y = 8)"
    assert image.options[:2] == ["테스트 숫자", "직접 그리기"] and image.value == "a held-out digit"
    draw.set_value("3")
    image.set_value("noise")
    at.run()
    assert not at.exception
    assert at.query_params["draw"] == "3" and at.query_params["image"] == "noise"  # links keep the stable ids
    titles = [s["layout"]["title"]["text"] for s in _specs(at)]
    assert "숫자 3의 샘플 16개" in titles and "균일 노이즈" in titles, titles


def test_switching_to_korean_keeps_the_choices(run_page):
    at = run_page(PAGE, {"draw": "3", "image": "noise", "seed": "5"})
    assert at.selectbox(key="den.label").options[3] == "a 2: p(x | y = 2)"
    at.session_state["lang"] = "ko"  # what the sidebar's switch sets
    at.run()
    assert not at.exception
    assert at.selectbox(key="den.label").value == "3" and at.radio(key="den.choice").value == "noise"
    assert at.number_input(key="den.seed").value == 5
    assert at.selectbox(key="den.label").label == "그릴 숫자"


def test_downloads_keep_their_english_columns(run_page, monkeypatch):
    from ui.density import generation, sections

    files = keep_downloads(monkeypatch, generation, sections)
    at = run_page(PAGE, KO | {"temp": "0.3"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert "판정기의 판정 (CSV)" in labels and "The judge's verdicts (CSV)" not in labels
    verdicts = files["verdicts.csv"]
    assert list(verdicts.columns) == ["sample", "digit", "probability", "ink", "reading", "recognisable"]
    assert "no digit" in set(verdicts["reading"])
    assert list(files["per_pixel.csv"].columns)[:4] == ["pixel", "row", "column", "on"]
    assert list(files["feature_map.csv"].columns) == ["x", "y", "digit"]
