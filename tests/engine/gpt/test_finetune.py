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
    return gpt_finetune.Classifier(body).eval(), vocab


def test_a_sentence_scores_the_same_alone_and_padded_in_a_batch(tiny):
    model, vocab = tiny
    short, long = "A joy.", "A long and rather tedious film that never finds its feet, sadly."
    alone = gpt_finetune.predict_positive(model, vocab, [short])
    batched = gpt_finetune.predict_positive(model, vocab, [long, short, long[:30]])
    assert torch.allclose(alone[0], batched[1], atol=1e-6)
    _ids, mask = gpt_finetune.encode_batch(vocab, [short, long], 64)
    assert mask.sum(1).tolist() == [len(short) + 1, min(len(long) + 1, 64)]


def test_long_sentences_keep_their_last_characters(tiny):
    _, vocab = tiny
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
    model, vocab = tiny
    cfg = gpt_finetune.FinetuneConfig(sizes="20,40,all", seeds=2, min_examples=16, max_examples=32, final_epochs=0)
    small_train = gpt_finetune.split_examples("train")
    (final, _), history = gpt_finetune.train(cfg, None, ((model.body, vocab), {"metrics": {"command": "x"}}))
    assert len(history["accuracy"]) == 3 * 2 * 2
    assert set(history["size"]) == {20, 40, len(small_train)}
    assert all(0 <= a <= 1 for a in history["accuracy"])
    assert final.body is not model.body  # the pre-trained body was copied, not changed


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
