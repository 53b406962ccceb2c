"""Modern English from the registry wheels, and the guard that keeps the sentiment test out of pre-training."""

from engine.common import corpora, modern_corpora
from engine.gpt import pretrain_data

TEST_SENTENCE = "A thoughtful, provocative, insistently humanizing film."
SHORT_SENTENCE = "Bad movie."


def test_normalising_ignores_case_spacing_and_punctuation():
    assert modern_corpora.normalise("  A  Thoughtful,\nprovocative -- FILM!") == "a thoughtful provocative film"


def test_the_guard_drops_documents_holding_a_guarded_sentence_however_it_is_written():
    docs = [
        "Clean review about a dull film.",
        "I thought: a THOUGHTFUL , provocative,   insistently humanizing film . Loved it.",  # the test sentence
        "Half of it only: a thoughtful, provocative film.",  # not the whole sentence: kept
        "It was a bad movie. Bad movie.",  # a short guarded sentence as a whole sentence of its own
        "What a bad movie producer he was.",  # the short one inside a longer sentence: kept
    ]
    out = modern_corpora.guard(docs, [TEST_SENTENCE, SHORT_SENTENCE])
    assert out.kept == (docs[0], docs[2], docs[4])
    assert (out.dropped_substring, out.dropped_sentence) == (1, 1)
    assert modern_corpora.is_clean(docs[0], [TEST_SENTENCE]) and not modern_corpora.is_clean(docs[1], [TEST_SENTENCE])


def test_every_validation_and_test_sentence_is_guarded():
    guarded = set(modern_corpora.guarded_sentences())
    for split in ("val", "test"):
        assert {t for t, _ in corpora.movie_review_split(split)} <= guarded
    assert not guarded & {t for t, _ in corpora.movie_review_split("train")}


def test_the_imdb_reader_keeps_only_the_imdb_rows():
    reviews = modern_corpora.imdb_reviews()
    assert len(reviews) == 25_000  # the imdb rows; the 8,530 Rotten Tomatoes rows (the test sentences) are left out
    assert not any("<br" in r for r in reviews)
    sample = " " + " ".join(modern_corpora.normalise(r) for r in reviews[:2000]) + " "
    test = [modern_corpora.normalise(t) for t, _ in corpora.movie_review_split("test")]
    assert not any(f" {t} " in sample for t in test if len(t.split()) >= 8)


def test_pre_training_text_goes_through_the_guard(monkeypatch):
    docs = ("A fine review of a fine film.", f"Quoting a critic: {TEST_SENTENCE}", "Another clean one.")
    monkeypatch.setitem(modern_corpora.READERS, "bbc", lambda: docs)
    modern_corpora.modern_documents.cache_clear()
    try:
        docs, dropped, _ = pretrain_data.training_documents({"bbc": 1.0})
        texts = {k: "\n\n".join(v) for k, v in docs.items()}
    finally:
        modern_corpora.modern_documents.cache_clear()
    assert dropped == {"bbc": 1}
    assert modern_corpora.normalise(TEST_SENTENCE) not in modern_corpora.normalise(texts["bbc"])
    assert modern_corpora.is_clean(texts["bbc"], modern_corpora.guarded_sentences())


def test_the_bbc_reader_reads_plain_text():
    docs = modern_corpora.bbc_news()
    assert len(docs) == 2225 and all(d.strip() for d in docs)
    assert "Â" not in "".join(docs[:100])  # UTF-8, not Latin-1 mojibake
