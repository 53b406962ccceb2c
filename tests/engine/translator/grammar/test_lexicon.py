"""Every form the generator can write, checked against Ding and german-nouns."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from engine.translator.data.grammar import constructions as c
from engine.translator.data.grammar import english as en
from engine.translator.data.grammar import german as de
from engine.translator.data.grammar import lexicon, synthetic_pairs
from engine.translator.data.grammar import templates as t
from engine.translator.data.grammar.builder import sources
from engine.translator.data.grammar.builder.build_verbs import english_candidates
from engine.translator.data.grammar.phrases import POSSESSIVES, PREPOSITIONS
from tests.engine.translator.grammar.lexicon_rows import rows

ROOT = Path(__file__).resolve().parents[4]  # the repo (the child process imports engine from there)


def test_counts() -> None:
    lex = lexicon.load()
    assert len(lex.nouns) >= 250 and len(lex.verbs) >= 120 and len(lex.adjectives) >= 80


def test_nouns_gender_plural_and_gloss_are_dings(ding: dict[int, sources.DingLine]) -> None:
    for row in rows("nouns.tsv"):
        entries = list(sources.nouns_of_line(ding[int(row["line"])]))
        assert entries, row
        entry = entries[0]
        got = (entry.lemma, entry.gender, entry.plural, entry.english, entry.english_plural)
        assert got == (row["lemma"], row["gender"], row["plural"], row["english"], row["english_plural"])


def test_noun_case_forms_are_wiktionarys(german_nouns: dict[str, dict[str, str]]) -> None:
    for row in rows("nouns.tsv"):
        source = german_nouns[row["lemma"]]
        assert source["genus"] == row["gender"]
        assert (source["akkusativ singular"], source["dativ singular"]) == (row["acc"], row["dat"])
        pairs = {(source.get(f"nominativ plural{k}"), source.get(f"dativ plural{k}")) for k in ("", "*", " 1", " 2")}
        assert (row["plural"], row["dat_plural"]) in pairs, row["lemma"]


def _stated(verb: dict[str, str], ding: dict[int, sources.DingLine]) -> list[sources.VerbEntry]:
    entries = [e for n in verb["lines"].split(",") for e in sources.verbs_of_line(ding[int(n)])]
    return [e for e in entries if e.infinitive == verb["infinitive"]]


def test_verb_principal_parts_are_dings(ding: dict[int, sources.DingLine]) -> None:
    for verb in rows("verbs.tsv"):
        entries = _stated(verb, ding)
        for key in ("er", "past", "participle", "du", "imp"):
            if verb[key]:
                assert verb[key] in {e.forms.get(key) for e in entries}, (verb["infinitive"], key)
        stated = {e.forms["aux"] for e in entries if "aux" in e.forms}
        if verb["valency"] == "none" and stated:
            assert verb["aux"] in stated, verb["infinitive"]
        else:
            assert verb["aux"] == "haben"  # with an object, or where Ding names no auxiliary


def test_verb_english_is_dings_or_regular(ding: dict[int, sources.DingLine]) -> None:
    for verb in rows("verbs.tsv"):
        entries = _stated(verb, ding)
        assert verb["en_base"] in {e.english["base"] for e in entries}, verb["infinitive"]
        regular = english_candidates(verb["en_base"])
        stated = {e.english.get(k) for e in entries for k in ("past", "pp")}
        for key in ("en_past", "en_pp"):
            assert verb[key] in stated | set(regular["past"]), (verb["infinitive"], key, verb[key])
        assert verb["en_s"] in {e.english.get("s") for e in entries} | set(regular["s"]) | {"has"}


def test_adjectives_are_dings(ding: dict[int, sources.DingLine]) -> None:
    for row in rows("adjectives.tsv"):
        assert (row["german"], row["english"]) in {
            (g, e) for g, e, _ in sources.adjectives_of_line(ding[int(row["line"])])
        }
        assert row["german"].startswith(row["stem"][:-1])


@pytest.mark.parametrize("verb", lexicon.load().verbs, ids=lambda v: v.infinitive)
def test_generated_person_forms_agree_with_ding(verb: lexicon.Verb) -> None:
    """The forms Ding states for a person are the ones the conjugation writes."""
    assert de.present(verb, 2) == verb.er.split(" ")[0]
    assert de.past(verb, 0) == de.past(verb, 2) == verb.past.split(" ")[0]
    if verb.du:
        assert de.present(verb, 1) == verb.du.split(" ")[0]
    if verb.imp:
        assert de.imperative(verb, 1) == verb.imp.split(" ")[0]
    assert de.present(verb, 3) == de.present(verb, 5) == verb.base


def _closed_class_words() -> tuple[set[str], set[str]]:
    """(German, English) words of the grammar itself: articles, pronouns, auxiliaries, adjuncts ..."""
    german = {w for case in de.PRONOUNS.values() for w in case} | {"nicht", "dass", "sehr", "Kinder", "bitte"}
    german |= {w for table in (de.DEFINITE, de.DIES) for forms in table.values() for w in forms.values()}
    for stem in ("ein", "kein", *(stem for _, stem in POSSESSIVES)):
        german |= {de.determiner("ein", c, g, p, stem) for c in de.CASES for g in "mfn" for p in (False, True)}
    german |= set(de.HABEN + de.SEIN + de.SEIN_PAST + de.NUMBERS + list(de.CONTRACTIONS.values()))
    german |= {w for forms in de.MODALS.values() for w in forms} | set(de.MODALS) | {"gewesen"}
    german |= set(c.WHO.de.values()) | {"um", "halb", "Viertel", "nach", "vor", "Warum", "Wann", "Wo", "Wohin", "Was"}
    pairs = [*t.TIMES, *t.PAST_TIMES, *c.ADVERBS.values(), *((e, g) for e, g, _ in PREPOSITIONS.values())]
    pairs += [(e, g) for e, g, _ in c.MAIN_CLAUSES] + [(e, "") for e, _ in POSSESSIVES]
    german |= {w for _, g in pairs for w in g.split()}
    english = {w for e, _ in pairs for w in e.split()} | set(en.SUBJECT + en.OBJECT + en.NUMBERS)
    english |= {w for forms in en.BE.values() for w in forms} | {w for m in en.MODALS.values() for w in _words(m)}
    english |= {"the", "a", "an", "this", "these", "that", "not", "do", "does", "did", "has", "have", "been", "be"}
    english |= {"very", "please", "children", "who", "what", "where", "when", "why", "at", "half", "past", "quarter"}
    return german, english


def _words(value: object) -> set[str]:
    if isinstance(value, str):
        return {w.lower() for w in value.split()}
    return {w for item in value for w in _words(item)}  # type: ignore[attr-defined]


def _known_words() -> tuple[set[str], set[str]]:
    """(German, English) words the lexicon and the closed classes allow, lower case."""
    lex = lexicon.load()
    german, english = _closed_class_words()
    for n in lex.nouns:
        german |= {n.lemma, n.acc, n.dat, n.plural, n.dat_plural}
        english |= {n.english, n.english_plural}
    for a in lex.adjectives:
        german |= {a.german} | {a.stem + e for e in ("e", "en", "er", "es", "em")}
        english.add(a.english)
    for v in lex.verbs:
        finite = {de.present(v, p) for p in range(6)} | {de.past(v, p) or "" for p in range(6)}
        german |= {v.infinitive, v.participle, v.prefix} | finite | {v.prefix + f for f in finite}
        german |= {de.imperative(v, p) or "" for p in (1, 4, 6)}
        english |= {w for form in (v.en_base, v.en_s, v.en_past, v.en_pp) for w in form.split()}
    return {w.lower() for w in german if w}, {w.lower() for w in english if w}


@cache
def _pairs() -> list[tuple[str, str]]:
    return synthetic_pairs(3000, seed=7)


def test_every_generated_word_is_known() -> None:
    """Each word of 3000 pairs, on both sides, is a lexicon form or a closed-class word."""
    german_words, english_words = _known_words()
    for english, german in _pairs():
        for word in re.findall(r"[A-Za-zÄÖÜäöüß]+", german):
            assert word.lower() in german_words, (word, german)
        for word in re.findall(r"[A-Za-z']+", english):
            assert word.lower() in english_words, (word, english)
        assert english[0].isupper() and english[-1] in ".?!" and german[0].isupper() and german[-1] in ".?!"


def test_deterministic_and_lengths() -> None:
    first, again = synthetic_pairs(400, seed=3), synthetic_pairs(400, seed=3)
    assert first == again and first != synthetic_pairs(400, seed=4)
    assert len(set(first)) == 400
    for english, german in first:
        assert 4 <= len(english.split()) <= 14 and 4 <= len(german.split()) <= 14


def test_same_pairs_in_another_process() -> None:
    """No set or hash order leaks into the output: PYTHONHASHSEED does not change it."""
    code = "from engine.translator.data.grammar import synthetic_pairs; print('pairs', synthetic_pairs(300, 5))"
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout.split(" ", 1)[1])
    assert len(outputs) == 1


def test_every_construction_is_generated() -> None:
    pairs = _pairs()
    german = "\n".join(g for _, g in pairs)
    for marker in (", dass ", "?", "Kinder, ", " Sie bitte ", "Um ", "Um halb ", " kein", " nicht", " im ", " ins ",
                   " zum ", "mit ", "für ", "ohne ", " möchte", " muss", " kann", " darf", " soll", " will", "Wo ",
                   "Wohin ", "Was ", "Wer ", "Warum ", " sehr ", "euer", "unser", "Das ist ", " war "):  # fmt: skip
        assert marker in german, marker
    separable = [v for v in lexicon.load().verbs if v.prefix]
    assert any(g.endswith(f" {v.prefix}.") for _, g in pairs for v in separable)
    assert any(e.endswith(" not have to " + e.split(" not have to ")[-1]) for e, _ in pairs if " not have to " in e)
