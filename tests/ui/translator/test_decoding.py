"""The translation's word chips, the colours of confidence and of matching n-grams, and model output kept inert."""

import re

import pandas as pd

from ui.translator.decoding import literal, unsure_colour, word_chips
from ui.translator.sections import match_colour


def _alpha(css: str) -> float:
    return float(re.findall(r"[\d.]+", css)[-1])


def test_unsure_colour_grows_as_probability_falls():
    alphas = [_alpha(unsure_colour(p)) for p in (1.0, 0.9, 0.5, 0.1, 0.0)]
    assert alphas[0] == 0 and alphas == sorted(alphas) and alphas[-1] == 0.8


def test_match_colour_deepens_with_the_match_and_needs_no_matplotlib():
    alphas = [_alpha(match_colour(n)) for n in range(5)]
    assert alphas[0] == 0 and alphas == sorted(alphas) and len(set(alphas)) == 5
    assert match_colour(7) == match_colour(4)


def test_word_chips_show_each_word_and_its_probability():
    words = pd.DataFrame({"word": ["Das", "Buch."], "prob": [0.51, 0.812]})
    chips = word_chips(words)
    assert chips.count("<small>") == 2 and "<small>0.51</small>" in chips and "<small>0.81</small>" in chips
    assert "Das" in chips and "Buch&#46;" in chips and unsure_colour(0.51) in chips


def test_literal_leaves_no_markup_to_interpret():
    text = literal("<b>*fett*</b> _x_ $a$ [l](u) & ok")
    assert not set("<>*_$[]()") & set(text.replace("&#", "").replace(";", ""))
    assert "&#38;" in text and text.endswith(" ok")
