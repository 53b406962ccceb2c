"""Judging found digits against the placed ones: verdicts on hand-made frames, where the answer is known."""

import pandas as pd

from engine.convolution import detect


def _found(rows):
    return pd.DataFrame(rows, columns=["label", "prob", "top", "left"])


TRUTH = pd.DataFrame({"label": [4, 9, 2], "top": [3, 10, 0], "left": [2, 20, 40]})


def test_each_reading_gets_its_verdict():
    found = _found(
        [
            ("4", 0.999, 4, 3),  # at the 4 (1 px off each way): right
            ("4", 0.995, 10, 21),  # at the 9, read as 4, very sure: still wrong
            ("7", 0.97, 16, 30),  # where nothing was placed
            ("2", 0.62, 2, 38),  # at the 2 (2 px off each way), right but unsure
        ]
    )
    judged = detect.judge(found, TRUTH, unsure_below=0.9)
    assert list(judged["verdict"]) == ["right", "misread", "extra", "unsure"]
    assert list(judged["placed"]) == ["4", "9", "", "2"]
    assert list(judged["label"]) == list(found["label"])  # the readings themselves are kept


def test_without_truth_only_low_confidence_is_marked():
    judged = detect.judge(_found([("3", 0.95, 0, 0), ("8", 0.55, 0, 12)]), None, unsure_below=0.9)
    assert list(judged["verdict"]) == ["unchecked", "unsure"] and list(judged["placed"]) == ["", ""]


def test_a_reading_three_pixels_away_is_not_at_the_place():
    judged = detect.judge(_found([("4", 0.99, 3, 5)]), TRUTH)  # 3 px right of the 4: beyond TOLERANCE = 2
    assert detect.TOLERANCE == 2 and list(judged["verdict"]) == ["extra"]


def test_the_nearest_placed_digit_decides():
    truth = pd.DataFrame({"label": [1, 7], "top": [0, 0], "left": [0, 3]})
    judged = detect.judge(_found([("7", 0.99, 0, 2)]), truth)  # 2 px from the 1, 1 px from the 7
    assert list(judged["placed"]) == ["7"] and list(judged["verdict"]) == ["right"]


def test_missed_lists_placed_digits_nobody_found():
    found = _found([("4", 0.99, 3, 2), ("7", 0.97, 16, 30)])
    lost = detect.missed(found, TRUTH)
    assert list(lost["label"]) == [9, 2]
    assert detect.missed(_found([]), TRUTH).equals(TRUTH)
