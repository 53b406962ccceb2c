"""The script check: which writing system an input is in, against hand-labelled examples."""

import pytest

from engine.common.scripts import check_characters, check_words, script_of


@pytest.mark.parametrize(
    ("ch", "script"),
    [
        ("a", "Latin"),
        ("ü", "Latin"),
        ("한", "Hangul"),
        ("学", "Han"),
        ("ひ", "Kana"),
        ("カ", "Kana"),
        ("ж", "Cyrillic"),
        ("λ", "Greek"),
        ("ب", "Arabic"),
        ("ש", "Hebrew"),
        ("😀", "emoji"),
        ("7", None),
        (".", None),
        (" ", None),
        ("\u0301", None),
        ("\ufe0f", None),  # a variation selector
        ("\u200d", None),  # a zero-width joiner
        ("ー", "Kana"),
        ("Ａ", "Latin"),
        ("ｶ", "Kana"),
        ("ª", "Latin"),
    ],
)
def test_script_of_each_character(ch, script):
    assert script_of(ch) == script


@pytest.mark.parametrize(
    ("text", "units", "foreign", "script"),
    [
        ("나는 학교에 간다", 3, 3, "Hangul"),
        ("The book is on the table.", 6, 0, None),
        ("I met Kim Jisoo 김지수 yesterday", 6, 1, "Hangul"),  # one foreign name: readable
        ("Привет мир", 2, 2, "Cyrillic"),
        ("😀 🎉 🚀", 3, 3, "emoji"),
        ("我爱你", 1, 1, "Han"),
        ("Müller isst Äpfel", 3, 0, None),
        ("42 !!", 0, 0, None),
        ("", 0, 0, None),
    ],
)
def test_check_words_counts_by_hand(text, units, foreign, script):
    report = check_words(text)
    assert (report.units, report.foreign, report.script) == (units, foreign, script)
    assert report.unreadable == (units > 0 and foreign * 2 > units)


def test_mixed_input_with_a_few_foreign_words_stays_readable():
    assert not check_words("the cat 고양이 sat on the mat").unreadable
    assert check_words("고양이 가 mat 에").unreadable


def test_the_message_names_the_count_and_the_script():
    assert check_words("나는 학교에 간다").counted() == "3 of 3 words are Korean (Hangul)"
    assert check_words("hello 世界").counted() == "1 of 2 words is Chinese characters (Han)"


def test_characters_against_a_models_alphabet():
    alphabet = set("abc ")
    report = check_characters("abcxyz", reads=alphabet.__contains__)
    assert (report.units, report.foreign, report.unit) == (6, 3, "character")
    assert not report.unreadable
    assert check_characters("안녕하세요 hi").unreadable


def test_a_mix_of_foreign_scripts_is_named_script_by_script():
    report = check_characters("안녕하세요 😀")
    assert report.by_script == (("Hangul", 5), ("emoji", 1))
    assert report.counted() == "6 of 6 characters are in other scripts (5 Korean (Hangul), 1 emoji)"


def test_variation_selectors_and_joiners_are_not_a_script():
    report = check_characters("I ❤️ it ❤️❤️")
    assert report.by_script == (("emoji", 3),)
    assert (report.units, report.foreign) == (6, 3)
