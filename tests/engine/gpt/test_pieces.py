"""Byte-level BPE pieces: any text survives the round trip, and bits per character match a direct computation."""

import json
import math

import pytest
import torch
import torch.nn.functional as F

from engine.gpt import model as gpt
from engine.gpt.data import START
from engine.gpt.pieces import Pieces, train_pieces
from engine.gpt.probe import held_out_bits

TRAINING = [  # plain ASCII English only: no Korean, no emoji, no control character, no byte above 0x7f
    "The film was good and the acting was great.",
    "A bad movie with a terrible plot and dull actors.",
    "I loved it, and my friends loved it too!",
    "Nothing happens for two hours; the ending is worse.",
] * 4
TEXTS = [
    "The film was good.",
    "An unseen word: xylophone-quixotic, 1234567890.",
    "영화가 정말 좋았다",
    "😀🎬 émigré café – naïve “quotes” ½ ∑",
    "ctrl\x00\x01\x02\x1b\x7f\t\r\n\x0b\x0c end",
    b"\xff\xfe\x80 half \xc3 bytes \xed\xa0\x80".decode("utf-8", errors="replace"),
    "  leading, trailing and   inner spaces  ",
    "\n\nnew lines first",
    "",
    "".join(chr(c) for c in range(1, 0x800)),  # every one- and two-byte character: all continuation bytes
]


@pytest.fixture(scope="module")
def pieces():
    return train_pieces(TRAINING, 300)


def gpt2_byte_symbols() -> list[str]:
    """GPT-2's printable stand-in for each of the 256 bytes (written out here, not read from the library)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    symbols, extra = {b: chr(b) for b in printable}, 0
    for b in range(256):
        if b not in symbols:
            symbols[b], extra = chr(256 + extra), extra + 1
    return [symbols[b] for b in range(256)]


def test_the_vocabulary_has_the_asked_size(pieces):
    assert len(pieces) == 300


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_any_text_survives_the_round_trip(pieces, text):
    ids = pieces.encode(text)
    assert ids.dtype == torch.long and ids.dim() == 1
    assert all(0 <= i < len(pieces) for i in ids.tolist())
    assert pieces.decode(ids.tolist()) == text
    assert pieces.decode(ids) == text  # a tensor is an iterable of ids too
    assert len(ids) <= len(text.encode("utf-8"))  # never more pieces than bytes


def test_encode_many_gives_the_same_ids_as_encode(pieces):
    assert pieces.encode_many(TEXTS) == [pieces.encode(t).tolist() for t in TEXTS]


def test_all_256_bytes_are_pieces_though_the_training_text_lacks_most(pieces):
    seen = set("".join(TRAINING).encode())
    assert max(seen) < 0x80 and len(seen) < 60  # the training text is plain ASCII: most bytes never occur
    vocab = json.loads(pieces.spec)["model"]["vocab"]
    symbols = gpt2_byte_symbols()
    assert len(set(symbols)) == 256
    assert set(symbols) <= set(vocab)
    for b in range(0x80):  # each ASCII byte alone is one piece, a different one each
        assert pieces.encode(chr(b)).tolist() == [vocab[symbols[b]]]
    korean = pieces.encode("영화가").tolist()  # no merge was learnt for these bytes: one piece per byte
    assert korean == [vocab[symbols[b]] for b in "영화가".encode()]


def test_merges_are_learnt_from_the_training_text(pieces):
    common = pieces.encode(" the film was good")
    assert len(common) < len(" the film was good") / 2
    assert pieces.piece(int(common[0])) == " the"


def test_pieces_rebuilt_from_the_spec_give_identical_ids(pieces):
    again = Pieces(pieces.spec)
    assert len(again) == len(pieces)
    assert again.spec == pieces.spec
    for text in TEXTS:
        assert torch.equal(again.encode(text), pieces.encode(text))
    assert again.encode_many(TEXTS) == pieces.encode_many(TEXTS)
    assert [again.piece(i) for i in range(len(again))] == [pieces.piece(i) for i in range(len(pieces))]
    json.loads(pieces.spec)  # the spec is JSON text (it travels in a checkpoint's meta), not a pickle


@pytest.fixture(scope="module")
def tiny(pieces):
    torch.manual_seed(0)
    model = gpt.GPT(len(pieces), gpt.GPTConfig(n_layer=1, n_head=2, d_model=16, context=8)).eval()
    with torch.no_grad():  # larger weights than the init, so that the predictions are far from uniform
        for p in model.parameters():
            p.mul_(5)
    return model.requires_grad_(False)


def reference_bits(model, pieces, text):
    """Bits per character written out: windows of `context` inputs that move by the whole context."""
    ids = pieces.encode(START + text)
    inputs, targets = ids[:-1], ids[1:]
    context, nats = model.cfg.context, 0.0
    for start in range(0, len(inputs), context):
        x, y = inputs[start : start + context], targets[start : start + context]
        with torch.no_grad():
            logits = model(x.unsqueeze(0)).logits[0]
        nats += F.cross_entropy(logits, y, reduction="sum").item()
    assert sum(len(inputs[s : s + context]) for s in range(0, len(inputs), context)) == len(ids) - 1
    return nats / len(text) / math.log(2)


@pytest.mark.parametrize(
    "text",
    [
        "The film was good and the acting was great, but the ending was dull.",  # several windows, a partial last
        "short",  # fewer pieces than one window
        "영화가 정말 좋았다 😀",  # many pieces per character
        "\x01" * 8,  # 8 targets after START (no merge joins these bytes): exactly one window
        "\x01" * 16,  # exactly two windows
    ],
    ids=["several-windows", "short", "korean-emoji", "one-window", "two-windows"],
)
def test_held_out_bits_equal_a_direct_computation(tiny, pieces, text):
    if text.startswith("\x01"):
        assert len(pieces.encode(START + text)) - 1 == len(text)
    assert held_out_bits(tiny, pieces, text) == pytest.approx(reference_bits(tiny, pieces, text), rel=1e-5)


def test_a_model_that_knows_nothing_reads_log2_of_the_vocabulary_per_piece(tiny, pieces):
    blank = gpt.GPT(len(pieces), tiny.cfg).eval()
    with torch.no_grad():
        blank.embed.weight.zero_()  # the head is tied to the embedding: every logit is 0, every piece 1/V
    text = "The film was good and the acting was great, but the ending was dull."
    n_pieces = len(pieces.encode(START + text)) - 1  # START itself is given, never predicted
    assert held_out_bits(blank, pieces, text) == pytest.approx(n_pieces * math.log2(len(pieces)) / len(text))
