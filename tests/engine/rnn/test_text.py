"""Tokenizer and sentence splitter, on hand-written examples."""

from engine.rnn.text import UPOS, Vocab, split_sentences, tokenize


def test_tokenize_splits_clitics_and_punctuation_like_spacy():
    assert tokenize("I don't think it's bad, Mr. Smith!") == [
        "I",
        "do",
        "n't",
        "think",
        "it",
        "'s",
        "bad",
        ",",
        "Mr.",
        "Smith",
        "!",
    ]
    assert tokenize("Can't stop -- won't stop... cannot") == [
        "Ca",
        "n't",
        "stop",
        "--",
        "wo",
        "n't",
        "stop",
        "...",
        "can",
        "not",
    ]
    assert tokenize("the U.S. in the 80s: 3.5 stars") == ["the", "U.S.", "in", "the", "80s", ":", "3.5", "stars"]
    assert tokenize("co-writer café") == ["co", "-", "writer", "café"]
    assert tokenize("   ") == []


def test_split_sentences():
    text = 'It rained. "Really?" she asked. Yes!\n\nA new line\nand another 2 things. 3 more.'
    assert split_sentences(text) == [
        "It rained.",
        '"Really?" she asked.',
        "Yes!",
        "A new line",
        "and another 2 things.",
        "3 more.",
    ]


def test_vocab_reserves_padding_and_unknown():
    from collections import Counter

    vocab = Vocab.build(Counter({"a": 3, "b": 1, "c": 2}), min_count=2, max_size=10)
    assert vocab.items == ("<pad>", "<unk>", "a", "c")
    assert vocab.encode(["a", "b", "c"]) == [2, Vocab.UNK, 3]


def test_seventeen_universal_tags():
    assert len(UPOS) == 17 == len(set(UPOS))
