"""The toy tasks of the live race, against answers written out by hand."""

import pytest
import torch

from engine.translator import toy


@pytest.mark.parametrize(
    ("task", "letters", "answer"),
    [
        ("reverse", "abcd", "dcba"),
        ("reverse", "hello", "olleh"),
        ("sort", "dbca", "abcd"),
        ("sort", "banana", "aaabnn"),
        ("rotate", "abcdef", "defabc"),
        ("rotate", "xyzw", "wxyz"),
        ("rotate", "ab", "ba"),  # shorter than the shift: it wraps round
    ],
)
def test_solve_matches_hand_answers(task, letters, answer):
    assert toy.solve(task, letters) == answer


def test_reads_names_the_source_of_each_output_letter():
    assert toy.reads("reverse", "abc") == [2, 1, 0]
    assert toy.reads("sort", "cab") == [1, 2, 0]
    assert toy.reads("sort", "bab") == [1, 0, 2]  # ties keep their order: each position is read once
    assert toy.reads("rotate", "abcde") == [3, 4, 0, 1, 2]
    with pytest.raises(ValueError, match="unknown task"):
        toy.reads("shuffle", "abc")


def test_ids_and_text_round_trip_and_stop_at_the_end_symbol():
    assert toy.ids("abz") == [3, 4, 28]
    assert toy.text([3, 4, 28]) == "abz"
    assert toy.text([toy.BOS, 5, toy.PAD, 6, toy.EOS, 7]) == "cd"  # specials dropped, nothing after EOS


def test_batch_of_pads_sources_and_shifts_targets():
    b = toy.batch_of("reverse", ["abc", "de"])
    a, c, d, e = (toy.OFFSET + toy.ALPHABET.index(x) for x in "acde")
    bb = a + 1
    assert b.src.tolist() == [[a, bb, c, toy.EOS], [d, e, toy.EOS, toy.PAD]]
    assert b.tgt_out.tolist() == [[c, bb, a, toy.EOS], [e, d, toy.EOS, toy.PAD]]
    assert b.tgt_in.tolist() == [[toy.BOS, c, bb, a], [toy.BOS, e, d, toy.PAD]]


def test_random_strings_respect_the_lengths_and_the_seed():
    got = toy.random_strings(500, 3, 7, torch.Generator().manual_seed(1))
    assert {len(s) for s in got} == {3, 4, 5, 6, 7}
    assert set("".join(got)) <= set(toy.ALPHABET) and len(set("".join(got))) == 26
    assert got == toy.random_strings(500, 3, 7, torch.Generator().manual_seed(1))
    assert got != toy.random_strings(500, 3, 7, torch.Generator().manual_seed(2))
    for lo, hi in [(1, 5), (6, 5), (2, 31)]:
        with pytest.raises(ValueError, match="lengths"):
            toy.random_strings(3, lo, hi, torch.Generator())


def test_probe_string_has_distinct_letters_at_a_long_length():
    assert len(toy.probe_string(4, 12)) == 12
    assert len(toy.probe_string(2, 5)) == 5
    assert len(toy.probe_string(20, 30)) == 20
    probe = toy.probe_string(4, 12)
    assert len(set(probe)) == len(probe)  # one source for every output letter
