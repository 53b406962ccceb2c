"""Fine-tuning the GPT for sentiment: padding, data, the curve's bookkeeping, bad labelled files."""

import pytest
import torch

from engine.common.charvocab import CharVocab
from engine.common.inputs import InputError
from engine.gpt import finetune as gpt_finetune
from engine.gpt import model as gpt
from engine.rnn import sentiment


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    vocab = CharVocab.from_text("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,!'\n")
    body = gpt.GPT(len(vocab), gpt.GPTConfig(n_layer=1, n_head=2, d_model=32, context=64))
    return gpt.Trained(gpt_finetune.Classifier(body).eval(), vocab)


def test_a_sentence_scores_the_same_alone_and_padded_in_a_batch(tiny):
    model, vocab = tiny.model, tiny.vocab
    short, long = "A joy.", "A long and rather tedious film that never finds its feet, sadly."
    alone = gpt_finetune.predict_positive(model, vocab, [short])
    batched = gpt_finetune.predict_positive(model, vocab, [long, short, long[:30]])
    assert torch.allclose(alone[0], batched[1], atol=1e-6)
    _ids, mask = gpt_finetune.encode_batch(vocab, [short, long], 64)
    assert mask.sum(1).tolist() == [len(short) + 1, min(len(long) + 1, 64)]


def test_long_sentences_keep_their_last_characters(tiny):
    vocab = tiny.vocab
    sentence = "x" * 100 + "the end."
    ids, _mask = gpt_finetune.encode_batch(vocab, [sentence], 16)
    assert ids.shape == (1, 16)
    assert "".join(vocab.chars[i] for i in ids[0, 1:]) == sentence[-15:]


def test_splits_are_disjoint_and_match_the_rnn_sentiment_model():
    splits = {name: gpt_finetune.split_examples(name) for name in ("train", "val", "test")}
    texts = {name: {t for t, _ in rows} for name, rows in splits.items()}
    assert not texts["train"] & texts["test"] and not texts["val"] & texts["test"]
    assert len(splits["test"]) == len(sentiment.split_items("test"))
    assert [y for _, y in splits["test"]] == [y for _, y in sentiment.split_items("test")]
    assert 0.3 < sum(y for _, y in splits["train"]) / len(splits["train"]) < 0.7


def test_the_curve_averages_runs_by_size_and_start():
    history = {
        "size": [50, 50, 50, 50, 100, 100],
        "start": ["pretrained", "scratch", "pretrained", "scratch", "pretrained", "scratch"],
        "accuracy": [0.6, 0.5, 0.7, 0.52, 0.8, 0.55],
    }
    rows = {(r["labels"], r["start"]): r for r in gpt_finetune.curve(history)}
    assert rows[(50, "pretrained")]["mean"] == pytest.approx(0.65)
    assert (rows[(50, "scratch")]["min"], rows[(50, "scratch")]["max"]) == (0.5, 0.52)
    assert rows[(100, "pretrained")]["runs"] == 1


def test_a_tiny_curve_records_every_run(tiny):
    model, vocab = tiny.model, tiny.vocab
    cfg = gpt_finetune.FinetuneConfig(sizes="20,40,all", seeds=2, min_examples=16, max_examples=32, final_epochs=0)
    small_train = gpt_finetune.split_examples("train")
    before = _weights(model.body)
    pretrained = gpt.Loaded(gpt.Trained(model.body, vocab), {"metrics": {"command": "x"}})
    final, history = gpt_finetune.train(cfg, None, pretrained)
    assert len(history["accuracy"]) == 3 * 2 * 2
    assert set(history["size"]) == {20, 40, len(small_train)}
    assert all(0 <= a <= 1 for a in history["accuracy"])
    assert final.model.body is not model.body  # the pre-trained body was copied, not changed
    assert all(torch.equal(a, b) for a, b in zip(before, _weights(model.body), strict=True))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"pos\tfine\nthis line has no tab\n", "Line 2"),
        (b"\n\nmeh\tfine\n", "Line 3"),
        (b"neg\t   \n", "Line 1"),
        (b"\n \n", "white space"),
        (b"\n#\n", "Line 2"),
        (b"\xff\xfe\x00\x00\x00bin", None),
    ],
)
def test_bad_labelled_files_are_refused_with_the_line(tiny, data, message):
    with pytest.raises(InputError, match=message):
        gpt_finetune.evaluate(tiny, data)


def test_a_labelled_file_is_scored(tiny):
    out = gpt_finetune.evaluate(tiny, b"pos\tLovely.\n\nNEG\tDull.\n")
    assert out["n"] == 2 and out["accuracy"] in (0.0, 0.5, 1.0)
    p = gpt_finetune.predict_positive(tiny.model, tiny.vocab, ["Lovely.", "Dull."])
    assert out["accuracy"] == (int(p[0] > 0.5) + int(p[1] <= 0.5)) / 2  # by hand from the two predictions


def test_the_shipped_classifier_gets_clear_sentences_right():
    shipped = gpt_finetune.load().trained
    out = gpt_finetune.evaluate(
        shipped, b"pos\tA wonderful, moving and beautifully acted film.\nneg\tA dreadful, boring, lifeless mess.\n"
    )
    assert out == {"accuracy": 1.0, "n": 2}


def _weights(model):
    return [p.detach().clone() for p in model.parameters()]


def test_a_classifier_learns_an_easy_task_and_leaves_its_start_alone(tiny):
    start = tiny.model.body
    before = _weights(start)
    words = {1: ("lovely", "great", "superb"), 0: ("awful", "dull", "bad")}
    examples = [(f"{a} and {b}.", y) for y, ws in words.items() for a in ws for b in ws]
    body = gpt.GPT(len(tiny.vocab), start.cfg)
    body.load_state_dict(start.state_dict())
    cfg = gpt_finetune.FinetuneConfig(batch_size=6, lm_weight=0.0)
    torch.manual_seed(0)
    model = gpt_finetune.fine_tune(gpt_finetune.Classifier(body), tiny.vocab, examples, 360, cfg, 1e-2, 0)
    assert gpt_finetune.accuracy(model, tiny.vocab, examples) == 1.0
    assert gpt_finetune.accuracy(model, tiny.vocab, [("superb.", 1), ("awful.", 0)]) == 1.0
    assert all(torch.equal(a, b) for a, b in zip(before, _weights(start), strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(before, _weights(model.body), strict=True))


def test_the_readme_claim_pre_trained_ahead_at_every_size_holds_in_the_stored_history():
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    history = json.loads((root / "assets" / "gpt_sentiment.json").read_text())["history"]
    rows = {(r["labels"], r["start"]): r for r in gpt_finetune.curve(history)}
    sizes = sorted({size for size, _ in rows})
    for size in sizes:
        runs = [a for n, s, a in zip(history["size"], history["start"], history["accuracy"], strict=True) if n == size]
        assert len(runs) == 6
        assert rows[(size, "pretrained")]["mean"] > rows[(size, "scratch")]["mean"], size
        if size >= 100:  # "its worst run beats scratch's best from 100 labels up"
            assert rows[(size, "pretrained")]["min"] > rows[(size, "scratch")]["max"], size
    readme = (root / "docs" / "models.md").read_text()  # the recorded figures the README once held
    assert "The pre-trained start is ahead at every size" in readme
    for start, name in (("pretrained", "pre-trained"), ("scratch", "from scratch")):
        line = re.search(rf"^\| {name} \|(.*)\|$", readme, re.M).group(1)
        assert [float(x) for x in line.split("|")] == [round(rows[(n, start)]["mean"], 3) for n in sizes]
