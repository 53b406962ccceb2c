"""The gradient-fade line under the memory chart, for every kind of gradient the scale slider can give."""

import pandas as pd

from ui.rnn.sections import fade_note


def _grads(norms: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"step": range(1, len(norms) + 1), "grad_norm": norms})


def test_a_gradient_that_falls_by_hand():
    assert "1/100 of the gradient at word 3" in fade_note(_grads([0.01, 0.1, 1.0]))


def test_w_hh_scaled_to_zero_leaves_word_1_no_gradient():
    note = fade_note(_grads([0.0, 0.0, 3.41]))  # what scale 0 gives: only the last step reaches the output
    assert "No gradient reaches word 1" in note and "word 3" in note


def test_no_gradient_at_all_is_said_not_divided():
    assert "No gradient here" in fade_note(_grads([0.0, 0.0, 0.0]))


def test_a_gradient_that_grows_is_not_called_fading():
    assert "does not fade" in fade_note(_grads([2.0, 1.0, 1.0]))
