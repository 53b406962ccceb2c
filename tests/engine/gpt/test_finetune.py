"""Fine-tuning the GPT for sentiment: padding, data, early stopping, save and load, bad labelled files."""

import dataclasses

import pytest
import torch

from engine.common.inputs import InputError
from engine.gpt import finetune as gpt_finetune
from engine.gpt import model as gpt
from engine.gpt.data import START
from engine.gpt.pieces import train_pieces
from engine.rnn import sentiment

SENTENCES = [
    "A joy. A long and rather tedious film that never finds its feet, sadly.",
    "lovely and great and superb, awful and dull and bad.",
    "Lovely. Dull. The end.",
]


@pytest.fixture(scope="module")
def tiny():
    pieces = train_pieces(SENTENCES * 3, 300)
    torch.manual_seed(0)
    body = gpt.GPT(len(pieces), gpt.GPTConfig(n_layer=1, n_head=2, d_model=16, context=64))
    return gpt.Trained(gpt_finetune.Classifier(body).eval(), pieces)


def _weights(model):
    return [p.detach().clone() for p in model.parameters()]


def test_a_sentence_scores_the_same_alone_and_padded_in_a_batch(tiny):
    model, pieces = tiny.model, tiny.vocab
    short, long = "A joy.", "A long and rather tedious film that never finds its feet, sadly."
    alone = gpt_finetune.predict_positive(model, pieces, [short])
    batched = gpt_finetune.predict_positive(model, pieces, [long, short, long[:30]])
    assert torch.allclose(alone[0], batched[1], atol=1e-6)
    _ids, mask = gpt_finetune.encode_batch(pieces, [short, long], 64)
    assert mask.sum(1).tolist() == [len(pieces.encode(START + short)), len(pieces.encode(START + long))]


def test_the_language_model_head_is_skipped_when_only_the_label_is_wanted(tiny):
    ids, mask = gpt_finetune.encode_batch(tiny.vocab, ["A joy.", "Dull."], 64)
    logits, lm_logits = tiny.model(ids, mask, lm=False)
    assert lm_logits is None and logits.shape == (2, 2)
    with_lm, lm_logits = tiny.model(ids, mask)
    assert torch.equal(logits, with_lm) and lm_logits.shape == (*ids.shape, len(tiny.vocab))


def test_long_sentences_keep_the_start_and_their_last_pieces(tiny):
    pieces = tiny.vocab
    sentence = "x" * 100 + " the end."
    ids, mask = gpt_finetune.encode_batch(pieces, [sentence, "short"], 16)
    assert ids.shape == (2, 16) and mask[0].all()
    full = pieces.encode(START + sentence).tolist()
    assert ids[0].tolist() == [full[0], *full[-15:]]
    assert pieces.decode(ids[0, 1:].tolist()).endswith(" the end.")


def test_splits_are_disjoint_and_match_the_rnn_sentiment_model():
    splits = {name: gpt_finetune.split_examples(name) for name in ("train", "val", "test")}
    texts = {name: {t for t, _ in rows} for name, rows in splits.items()}
    assert not texts["train"] & texts["test"] and not texts["val"] & texts["test"]
    assert len(splits["test"]) == len(sentiment.split_items("test"))
    assert [y for _, y in splits["test"]] == [y for _, y in sentiment.split_items("test")]
    assert 0.3 < sum(y for _, y in splits["train"]) / len(splits["train"]) < 0.7


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


def test_step_cap_and_patience_grow_with_the_labels():
    cfg = gpt_finetune.FinetuneConfig()  # 300 steps, 1.5 passes, batch 16, a check every 50 steps, patience 2
    assert gpt_finetune.step_cap(cfg, 100) == 300
    assert gpt_finetune.step_cap(cfg, 7994) == 750  # 1.5 * 7,994 / 16 = 749.4, rounded up
    assert gpt_finetune.patience_checks(cfg, 100) == 2
    assert gpt_finetune.patience_checks(cfg, 7994) == 10  # one pass: 7,994 / 16 / 50 = 9.99, rounded up


def test_a_classifier_learns_an_easy_task_and_leaves_its_start_alone(tiny):
    start = tiny.model.body
    before = _weights(start)
    words = {1: ("lovely", "great", "superb"), 0: ("awful", "dull", "bad")}
    examples = [(f"{a} and {b}.", y) for y, ws in words.items() for a in ws for b in ws]
    body = gpt.GPT(len(tiny.vocab), start.cfg)
    body.load_state_dict(start.state_dict())
    cfg = gpt_finetune.FinetuneConfig(batch_size=6, lm_weight=0.0, max_steps=300, warmup=10)
    torch.manual_seed(0)
    model, steps = gpt_finetune.fine_tune(gpt_finetune.Classifier(body), tiny.vocab, examples, cfg, 1e-2, 0)
    assert steps == 300  # without validation sentences a run goes to its cap
    assert not model.training
    assert gpt_finetune.accuracy(model, tiny.vocab, examples) == 1.0
    assert gpt_finetune.accuracy(model, tiny.vocab, [("superb.", 1), ("awful.", 0)]) == 1.0
    assert all(torch.equal(a, b) for a, b in zip(before, _weights(start), strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(before, _weights(model.body), strict=True))


def test_early_stopping_keeps_the_state_with_the_lowest_validation_loss(tiny, monkeypatch):
    losses, snapshots = [0.5, 0.3, 0.4, 0.45, 0.2], []

    def scripted(model, vocab, val):
        snapshots.append({k: v.clone() for k, v in model.state_dict().items()})
        return losses[len(snapshots) - 1]

    monkeypatch.setattr(gpt_finetune, "validation_loss", scripted)
    body = gpt.GPT(len(tiny.vocab), tiny.model.body.cfg)
    examples = [("lovely.", 1), ("awful.", 0)] * 4
    # a check every step; patience 2 (8 labels / batch 4 / 1 step = 2 checks per pass): stops at the 4th check
    cfg = gpt_finetune.FinetuneConfig(batch_size=4, eval_every=1, patience=2, max_steps=50, warmup=1)
    model, steps = gpt_finetune.fine_tune(gpt_finetune.Classifier(body), tiny.vocab, examples, cfg, 1e-2, 0, examples)
    assert steps == 4 and len(snapshots) == 4  # 0.4 and 0.45 are no better than 0.3: two checks without a new best
    state = model.state_dict()
    assert all(torch.equal(state[k], v) for k, v in snapshots[1].items())  # the weights of the 0.3 check
    assert not all(torch.equal(state[k], v) for k, v in snapshots[3].items())


def test_a_saved_classifier_loads_and_scores_the_same(tiny, tmp_path):
    cfg = dataclasses.replace(gpt_finetune.FinetuneConfig(), seeds=1)
    path = gpt_finetune.save(tiny, cfg, {"size": []}, {"accuracy": 0.5, "n": 2}, tmp_path / "gpt_sentiment.safetensors")
    loaded = gpt_finetune.load(path)
    assert loaded.meta["config"] == dataclasses.asdict(cfg) and loaded.meta["metrics"] == {"accuracy": 0.5, "n": 2}
    assert loaded.trained.vocab.spec == tiny.vocab.spec
    sentences = ["Lovely.", "A long and rather tedious film that never finds its feet, sadly."]
    half = gpt_finetune.Classifier(gpt.GPT(len(tiny.vocab), tiny.model.body.cfg))
    half.load_state_dict({k: v.half().float() for k, v in tiny.model.state_dict().items()})  # saved in half precision
    assert torch.allclose(
        gpt_finetune.predict_positive(loaded.trained.model, loaded.trained.vocab, sentences),
        gpt_finetune.predict_positive(half.eval(), tiny.vocab, sentences),
        atol=1e-6,
    )
