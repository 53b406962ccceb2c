"""The word-count table against a direct count, and its plain warnings."""

import re

from engine.translator import vocabulary
from engine.translator.data import bpe, mix


def test_word_counts_equal_a_direct_count_and_the_table_warns():
    src = mix.Sources(
        tatoeba=[("Tom's dog barks.", "x"), ("The dog, the DOG!", "x")],
        auf=[("I don't know.", "x")],
        ding_sentences=[("A dog.", "x")],
        ding_phrases=[("umbrella stand", "x")],
        grammar=[("The cat sleeps.", "x")],
        val=[],
        test=[],
        held_out=set(),
    )
    counts = vocabulary.word_counts(src)
    direct = {}
    for source, pool in enumerate(([*src.tatoeba, *src.auf], [*src.ding_sentences, *src.ding_phrases], src.grammar)):
        for english, _ in pool:
            for w in re.findall(r"[a-z']+", english.lower()):
                direct.setdefault(w, [0, 0, 0])[source] += 1
    assert counts == direct
    assert vocabulary.unpack(vocabulary.pack(counts)) == counts
    assert counts["dog"] == [3, 1, 0] and counts["tom's"] == [1, 0, 0] and counts["don't"] == [1, 0, 0]
    tokenizer = bpe.train_bpe(["The dog barks.", "Der Hund bellt."] * 5, 60)
    table = vocabulary.seen_table("The DOG saw an umbrella, the dog!", counts, tokenizer)
    assert table["word"].tolist() == ["the", "dog", "saw", "an", "umbrella"]
    assert table.set_index("word").loc["dog", ["everyday", "dictionary", "generated"]].tolist() == [3, 1, 0]
    notes = dict(zip(table["word"], table["note"], strict=True))
    assert notes["dog"] == "" and "never appeared in training" in notes["saw"]
    assert "only in dictionary" in notes["umbrella"]
    assert table.set_index("word").loc["dog", "pieces"] == " ".join(tokenizer.encode("DOG").tokens)
