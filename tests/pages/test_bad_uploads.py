"""Every uploader of every page against the hostile and odd files of tests/bad_inputs.py (AppTest).

A refused file gets an error message on the page and no exception; an odd but legitimate file is
processed without one; user text never reaches the page as HTML; the page keeps working after.
"""

from __future__ import annotations

import pytest

from tests.bad_inputs import PROSE, image_cases, pairs_cases, text_cases
from tests.pages.conftest import widget
from ui.gpt import likelihood

# (page, uploader key, what the uploader takes, radio to choose first (label, option) or None)
UPLOADERS = [
    ("pages/convolution.py", "conv.upload", "image", ("Picture", "upload")),
    ("pages/density.py", "den.upload", "image", ("Image", "upload my own")),
    ("pages/rnn.py", "rnn.upload", "text", None),
    ("pages/gpt.py", "gpt.score_upload", "text", None),
    ("pages/gpt.py", "gpt.adapt_upload", "text", None),
    ("pages/transformer.py", "mt.upload", "pairs", None),
]
CASES = {"image": image_cases(), "text": text_cases(), "pairs": pairs_cases()}
MIME = {"image": "image/png", "text": "text/plain", "pairs": "text/tab-separated-values"}
# The uploaders' `type` lists: the browser refuses other extensions before uploading (and Streamlit
# raises on them server-side), so a case with another extension arrives here renamed, e.g. a BMP
# as "old.bmp.png": the content, not the name, must decide.
EXTENSIONS = {"image": (".png", ".jpg", ".jpeg", ".webp", ".gif"), "text": (".txt",), "pairs": (".tsv", ".txt")}


def _upload_name(name: str, kind: str) -> str:
    return name if name.lower().endswith(EXTENSIONS[kind]) else name + EXTENSIONS[kind][0]


SCORED = 2_000  # characters of an upload the GPT page scores, in this test

GOOD = {
    "image": next(c for c in image_cases() if c.id == "png-named-jpg"),
    "text": next(c for c in text_cases() if c.id == "utf16-bom"),
    "pairs": next(c for c in pairs_cases() if c.id == "script-pair"),
}


def _html_leaks(at) -> list[str]:
    """Markdown rendered as HTML that carries script-like user content."""
    return [m.value for m in at.markdown if m.proto.allow_html and ("<script" in m.value or "onerror" in m.value)]


@pytest.mark.parametrize(("path", "key", "kind", "choose"), UPLOADERS, ids=[u[1] for u in UPLOADERS])
def test_every_bad_file_gets_a_message_and_the_page_survives(run_page, monkeypatch, path, key, kind, choose):
    if key == likelihood.UPLOAD_KEY:  # scoring 20,000 characters (and their shuffle) is not what is tested here
        monkeypatch.setattr(likelihood, "MAX_SCORE_CHARS", SCORED)
    at = run_page(path)
    if choose:
        widget(at, "radio", choose[0]).set_value(choose[1]).run()
    problems = []
    for case in CASES[kind]:
        name = _upload_name(case.name, kind)
        at.file_uploader(key=key).set_value((name, case.data, MIME[kind])).run()
        errors = [e.value for e in at.error]
        if at.exception:
            problems.append(f"{case.id}: exception {at.exception[0].value}")
        elif case.refuse and not errors:
            problems.append(f"{case.id}: refused file but no error message")
        elif not case.refuse and errors:
            problems.append(f"{case.id}: good file but error {errors}")
        if key == likelihood.UPLOAD_KEY and case.id == "one-long-line":
            cut = f"The file has {len(case.data):,} characters; only the first {SCORED:,} are used."
            if [i.value for i in at.info] != [cut]:
                problems.append(f"{case.id}: no note that the file was cut: {[i.value for i in at.info]}")
        if _html_leaks(at):
            problems.append(f"{case.id}: user content rendered as HTML")
        if name.startswith(("<", "../")) and not any(t.value == f"File: {name}" for t in at.text):
            problems.append(f"{case.id}: the file name is not shown as plain text")
    assert not problems, problems
    good = GOOD[kind]
    at.file_uploader(key=key).set_value((good.name, good.data, MIME[kind])).run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_the_text_corpus_has_enough_prose_for_fine_tuning():
    from engine.gpt.train import MIN_ADAPT_CHARS

    assert len(PROSE) >= MIN_ADAPT_CHARS  # so "accept" texts are also acceptable to the fine-tune uploader
