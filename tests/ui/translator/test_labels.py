"""What the engine writes in English, shown in Korean: headers, model names, decodings, guard rows, errors.

In English every lookup gives back the engine's own text (so the English page is unchanged); in Korean the
expected strings are written out here, not read from the tables.
"""

import pytest

import ui.text
from engine import evaluate
from engine.translator import explain, vocabulary
from engine.translator.data.pairs import parse_pairs_tsv
from engine.translator.train import BEAM_ALPHA, GRU, TRANSFORMER
from ui.text import say
from ui.translator import labels

COLUMNS = [
    *explain.BEAM_COLUMNS,
    *explain.COMPARISON,
    "word",
    *vocabulary.SOURCES,
    "pieces",
    "note",
    "decoding",
    "longest_match",
    "english",
    "references",
    "sentence_chrf",
    "exact",
    "final accuracy",
    "seconds to 90%",
    "steps to 90%",
    "steps per second",
]
EFFECTS = [
    "plain beam search",
    "only: no word repeated back to back",
    "only: no repeated word trigram",
    "only: minimum length 0.5 x source",
    "only: coverage penalty beta 0.2",
    "all the guards chosen",
]


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setattr(ui.text, "current_lang", lambda: "ko")


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr(ui.text, "current_lang", lambda: "en")


def test_in_english_everything_is_the_engines_own_text(english):
    assert [labels.header(c) for c in COLUMNS] == COLUMNS
    assert [labels.effect(name) for name in EFFECTS] == EFFECTS
    for decoding in (TRANSFORMER.decoding, GRU.decoding, f"beam 3, length penalty α {BEAM_ALPHA}, guards: none"):
        assert labels.decoding(decoding) == decoding
    assert [labels.model(m) for m in ("transformer", "gru", "Transformer", "GRU + attention", "Other")] == [
        "Transformer",
        "GRU + attention",
        "Transformer",
        "GRU + attention",
        "Other",
    ]


def test_in_korean_the_shipped_decoding_and_the_guard_rows_are_korean(korean):
    assert labels.decoding(TRANSFORMER.decoding) == (
        "빔 4, 길이 페널티 α 0.6, 안전장치: 같은 단어 연속 반복 금지; 같은 세 단어 묶음 반복 금지; "
        "최소 길이 원문의 0.5배; 커버리지 페널티 β 0.2"
    )
    assert labels.decoding("greedy") == "그리디"
    assert labels.decoding("beam 2, length penalty α 1.0, guards: none") == "빔 2, 길이 페널티 α 1.0, 안전장치: 없음"
    assert labels.decoding("something new") == "something new"  # an unknown description is shown as it is
    assert labels.effect("only: minimum length 0.5 x source") == "이것만: 최소 길이 원문의 0.5배"
    assert labels.effect("plain beam search") == "일반 빔 서치"
    assert [labels.model(m) for m in ("gru", "GRU + attention", "Other")] == ["GRU + 어텐션", "GRU + 어텐션", "Other"]


def test_in_korean_every_header_changes_except_names(korean):
    shown = {c: labels.header(c) for c in COLUMNS}
    assert shown["log_prob"] == "로그 확률" and shown["seconds to 90%"] == "90%까지 초"
    unchanged = {c for c, h in shown.items() if h == c}
    assert unchanged == {"Ding chrF", "Ding BLEU"}  # a corpus's name and a metric's name


def test_a_bad_pairs_file_is_said_in_korean(korean):
    with pytest.raises(Exception) as caught:
        parse_pairs_tsv("The house.\tDas Haus.\nA dog.\t \n")
    assert str(caught.value) == "Line 2: the German side is empty."  # the engine and the CLI: English
    assert say(caught.value) == "2번째 줄: 독일어 쪽이 비어 있습니다."
    with pytest.raises(Exception) as caught:
        parse_pairs_tsv(" \n\n")
    assert say(caught.value) == "파일에 문장 쌍이 없습니다."


def _refusal(read, *args):
    with pytest.raises(Exception) as caught:
        read(*args)
    return caught.value


def test_every_keyed_error_says_in_english_what_the_engine_says(tmp_path, english):
    """The English table holds each error's own template: say() in English is str(error), field for field."""
    (tmp_path / "empty").mkdir()
    errors = [
        _refusal(parse_pairs_tsv, "A dog.\t \n"),
        _refusal(parse_pairs_tsv, "\tDer Hund.\n"),
        _refusal(parse_pairs_tsv, "\n"),
        _refusal(evaluate._read_data, tmp_path / "missing.tsv"),
        _refusal(evaluate._read_data, tmp_path / "empty"),
        _refusal(evaluate._read_data, tmp_path / "empty", True),
    ]
    assert [e.key.split(".")[-1] for e in errors] == [
        "side",
        "side",
        "no_pairs",
        "no_such_file",
        "not_a_file",
        "no_files",
    ]
    assert [say(e) for e in errors] == [str(e) for e in errors]
    assert str(errors[1]) == "Line 1: the English side is empty."
