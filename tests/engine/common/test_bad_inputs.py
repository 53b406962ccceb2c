"""Every hostile or odd file in tests/bad_inputs.py against the validation layer and the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from engine import evaluate
from engine.common.inputs import InputError, decode_text, load_image, parse_labelled_lines
from engine.translator.data.pairs import parse_pairs_tsv
from tests.bad_inputs import BAD_LINE, image_cases, labels_cases, pairs_cases, text_cases

TEXT, IMAGES, PAIRS, LABELS = text_cases(), image_cases(), pairs_cases(), labels_cases()


def test_the_corpus_is_large_and_mixed():
    cases = TEXT + IMAGES + PAIRS + LABELS
    assert sum(c.refuse for c in cases) >= 30
    assert sum(not c.refuse for c in cases) >= 10


def test_every_case_says_what_to_expect():
    for case in TEXT + IMAGES + PAIRS + LABELS:
        assert case.expect is not None, case.id


def _refused(fn, case) -> str:
    with pytest.raises(InputError) as info:
        fn(case.data)
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 300
    assert case.expect in message, f"{case.id}: {message!r} does not say {case.expect!r}"
    return message


@pytest.mark.parametrize("case", TEXT, ids=[c.id for c in TEXT])
def test_text_validation(case):
    if case.refuse:
        _refused(decode_text, case)
    else:
        text = decode_text(case.data)
        assert text == case.expect  # the byte-order mark is not text; line ends are kept as sent
        assert not text.startswith("\ufeff") and "\x00" not in text


@pytest.mark.parametrize("case", IMAGES, ids=[c.id for c in IMAGES])
def test_image_validation(case):
    if case.refuse:
        _refused(load_image, case)
    else:
        image = load_image(case.data)
        want = case.expect
        assert (image.mode, image.size) == (want.mode, want.size)
        pixels = np.asarray(image).astype(int).reshape(image.size[1], image.size[0], -1)
        assert np.abs(pixels - np.array(want.value).reshape(1, 1, -1)).max() <= want.tolerance


@pytest.mark.parametrize(
    ("case", "parse"),
    [(c, parse_pairs_tsv) for c in PAIRS] + [(c, parse_labelled_lines) for c in LABELS],
    ids=[f"pairs-{c.id}" for c in PAIRS] + [f"labels-{c.id}" for c in LABELS],
)
def test_tsv_validation_names_the_first_bad_line(case, parse):
    if case.refuse:
        message = _refused(lambda data: parse(decode_text(data)), case)
        if case.id in BAD_LINE:
            assert message.startswith(f"Line {BAD_LINE[case.id]}:")
    else:
        assert parse(decode_text(case.data)) == case.expect


# Which models read which kind of file with --data (accepted large texts are left to the page tests,
# which apply the page's cap; the CLI scores every character).
CLI = [("gpt", c) for c in TEXT if c.refuse or len(c.data) < 50_000] + [("char_rnn", c) for c in TEXT if c.refuse]
CLI += [("density", c) for c in IMAGES] + [("translator", c) for c in PAIRS]
CLI += [("sentiment", c) for c in LABELS] + [("gpt_sentiment", c) for c in LABELS]


@pytest.mark.parametrize(("name", "case"), CLI, ids=[f"{n}-{c.id}" for n, c in CLI])
def test_evaluate_data_answers_every_file_in_one_line(tmp_path, capsys, name, case):
    path = tmp_path / "upload.bin"  # the user's file name is never a path; here the content is what matters
    path.write_bytes(case.data)
    code = evaluate.main([name, "--data", str(path), "--json"])
    out, err = capsys.readouterr()
    if case.refuse:
        assert code == 2
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
        assert out == ""
    else:
        assert code == 0, err
        assert out.startswith("{") and err == ""
