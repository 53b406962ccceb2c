"""The GPT page in Korean (?lang=ko): it runs, its prose is Korean, the English tables' sentences are absent,
its charts and its table are labelled in Korean, and a Korean text gets the note, in Korean, that this GPT reads
English. The samples the GPT draws are English (model output): they sit in code boxes, which `visible_text`
does not read, so the prose is judged without them."""

from engine.gpt.train import MIN_ADAPT_CHARS
from tests.korean import english_sentences, hangul_share, visible_text
from tests.pages.conftest import charts
from ui.gpt import likelihood
from ui.text import t_in

PAGE = "pages/gpt.py"
KO = {"lang": "ko", "n": "20"}  # 20 characters per sample, as tests/pages/test_every_control.py opens the page
KOREAN = "나는 학교에 간다"


def ko(key: str, **params) -> str:
    return t_in("ko", f"gpt.{key}", **params)


def test_the_page_reads_in_korean(run_page):
    at = run_page(PAGE, KO)
    shown = visible_text(at)
    assert ko("page.title") in shown and ko("ladder.header") in shown
    prose = "\n".join(shown)
    assert hangul_share(prose) > 0.75, hangul_share(prose)  # 0.81 today; English in brackets, GPT, top-k, UTF-8
    leaked = sorted(s for s in english_sentences() if s in prose)
    assert not leaked, leaked
    assert len(at.code) == 2  # the two samples are drawn, as in English


def test_charts_and_the_table_are_labelled_in_korean(run_page):
    at = run_page(PAGE, KO)
    drawn = {c["title"]: c for c in charts(at)}
    ladder = drawn[ko("ladder.title")]
    assert [trace["name"] for trace in ladder["data"]] == [ko("texts.held_out"), ko("texts.your_text")]
    rungs = list(ladder["data"][0]["y"])
    assert rungs[:3] == [ko("rungs.unigram"), ko("rungs.bigram"), ko("rungs.rnn")]
    assert rungs[3] == ko("rungs.gpt", context=128)  # the shipped GPT reads 128 characters
    compare = drawn[ko("score.compare_title")]
    assert ko("texts.shuffled") in list(compare["data"][0]["y"])
    curve = drawn[ko("chart.curve_title")]
    assert {trace.get("name") for trace in curve["data"]} >= {ko("start.pretrained"), ko("start.scratch")}
    assert ko("chart.surprisal_title") in drawn
    (table,) = at.dataframe
    assert list(table.value.columns) == [ko("pays.labels")] + [
        ko(f"start.{s}") for s in ("pretrained", "probe", "scratch", "tfidf")
    ]
    says = next(m for m in at.metric if m.label == ko("pays.says"))
    assert says.value in (ko("pays.positive"), ko("pays.negative"))


def test_a_korean_text_gets_the_korean_note_that_this_gpt_reads_english(run_page):
    at = run_page(PAGE, KO | {"text": KOREAN})
    notes = [w.value for w in at.warning if ko("page.reader") in w.value]
    assert len(notes) == 1, [w.value for w in at.warning]
    assert "영어" in notes[0] and hangul_share(notes[0]) > 0.6, notes[0]
    assert t_in("en", "gpt.page.reader") not in notes[0]
    assert ko("score.bits_per_char") not in {m.label for m in at.metric}  # nothing is scored


def test_a_refused_and_a_cut_upload_are_explained_in_korean(run_page, monkeypatch):
    monkeypatch.setattr(likelihood, "MAX_SCORE_CHARS", 100)  # scoring 20,000 characters is not what is tested here
    at = run_page(PAGE, KO)
    at.file_uploader(key="gpt.adapt_upload").set_value(("s.txt", b"tiny", "text/plain")).run()
    refused = ko("errors.upload_too_short", n=4, least=MIN_ADAPT_CHARS)
    assert any(refused in e.value for e in at.error), [e.value for e in at.error]
    at.file_uploader(key="gpt.score_upload").set_value(("long.txt", b"To be. " * 30, "text/plain")).run()
    assert [i.value for i in at.info] == [ko("score.cut", n=210, cap=100)]
    assert not at.exception
