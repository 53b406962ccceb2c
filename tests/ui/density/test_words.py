"""The density page's words made from the engine's ids, in English and Korean, and the engine's keyed errors."""

import pytest

from engine.common.inputs import InputError
from engine.density import judge
from ui.density import words
from ui.text import t_in


@pytest.fixture(params=["en", "ko"])
def lang(request, monkeypatch):
    monkeypatch.setattr(words, "t", lambda key, /, **params: t_in(request.param, key, **params))
    return request.param


def test_captions_name_a_digit_by_number_and_the_rest_in_words(lang):
    no_digit, unclear = {"en": ("no digit", "no clear digit"), "ko": ("숫자 없음", "뚜렷한 숫자 없음")}[lang]
    assert words.caption(judge.NO_DIGIT, 1, 0.67) == no_digit
    assert words.caption(judge.NO_CLEAR_DIGIT, 9, 0.44) == unclear
    assert words.caption(judge.DIGIT, 0, 0.7964) == "0 · 0.79"  # cut, never rounded up past RECOGNISED


def test_digits_carry_their_english_article(lang):
    named = [words.digit(d) for d in range(10)]
    if lang == "en":
        assert named == [f"{'an' if d == 8 else 'a'} {d}" for d in range(10)]
    else:
        assert named == [str(d) for d in range(10)]


@pytest.mark.parametrize(
    ("gain", "en", "ko"),
    [
        (-3.0, "worse than raw pixels", "원시 픽셀보다 못한 수준"),
        (0.65, "about the same as raw pixels", "원시 픽셀과 거의 같은 수준"),
        (2.0, "a little better than raw pixels", "원시 픽셀보다 조금 나은 수준"),
        (5.0, "clearly better than raw pixels", "원시 픽셀보다 확실히 나은 수준"),
    ],
)
def test_the_probe_comparison_reads_in_each_language(lang, gain, en, ko):
    study = {"probe_accuracy_features": 0.5 + gain / 100, "probe_accuracy_pixels": 0.5}
    assert words.comparison(study) == {"en": en, "ko": ko}[lang]


def test_the_engines_errors_have_their_english_in_the_table_and_a_korean_one():
    from engine.density.draw import draw
    from engine.density.explain import evaluate

    errors = []
    for call in (lambda: draw(None, 1, 0.0), lambda: evaluate(None, {"bad.png": b"not an image"})):
        with pytest.raises(InputError) as refused:
            call()
        errors.append(refused.value)
    assert [e.key for e in errors] == ["density.errors.temperature", "density.errors.no_readable_image"]
    for error in errors:
        assert t_in("en", error.key, **error.params) == str(error)
        assert t_in("ko", error.key, **error.params).endswith("니다.")
