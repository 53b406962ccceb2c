"""The shipped sub-word GPT and the classifier fine-tuned from it: their recorded figures, recomputed.

Every reference here is computed independently of the code that recorded it: one sentence at a time with
direct forward passes (no batching, no padding), scikit-learn called directly, and one curve run retrained
from its recorded label subset.
"""

import json
import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from engine.common import corpora
from engine.gpt import curve as gpt_curve
from engine.gpt import finetune as gpt_finetune
from engine.gpt import pretrain
from engine.gpt.data import modern_text


@pytest.fixture(scope="module")
def shipped():
    return pretrain.load(), gpt_finetune.load()


def _ids(pieces, text: str, room: int) -> torch.Tensor:
    ids = pieces.encode("\n" + text)
    return ids if len(ids) <= room else torch.cat([ids[:1], ids[len(ids) - room + 1 :]])


def _recorded(history: dict, start: str, size: int, seed: int) -> float:
    rows = zip(history["start"], history["size"], history["seed"], history["accuracy"], strict=True)
    return next(a for s, n, d, a in rows if (s, n, d) == (start, size, seed))


def test_held_out_bits_per_character_are_the_recorded_ones(shipped):
    (gpt, meta), _ = shipped
    text = modern_text("val")
    ids = gpt.vocab.encode("\n" + text)
    context, nats = gpt.model.cfg.context, 0.0
    with torch.no_grad():
        for at in range(0, len(ids) - 1, context):
            window = ids[at : at + context + 1]
            nats += float(F.cross_entropy(gpt.model(window[None, :-1]).logits[0], window[1:], reduction="sum"))
    assert nats / len(text) / math.log(2) == pytest.approx(meta["metrics"]["bits_per_char"], abs=1e-3)


def test_zero_shot_is_a_direct_forward_pass_per_sentence(shipped):
    (gpt, _), (_, meta) = shipped
    choice = meta["history"]["zero_shot_choice"]
    tails = [gpt.vocab.encode(ending) for ending in choice["pair"]]

    def log_p(text: str, tail: torch.Tensor) -> float:
        ids = torch.cat([_ids(gpt.vocab, text, gpt.model.cfg.context - len(tail)), tail])
        with torch.no_grad():
            lp = torch.log_softmax(gpt.model(ids[None, :-1]).logits[0], -1)
        first = len(ids) - len(tail)
        return sum(float(lp[i - 1, ids[i]]) for i in range(first, len(ids)))

    def margin(text: str) -> float:
        return log_p(text, tails[0]) - log_p(text, tails[1])

    offset = margin("") if choice["calibrated"] else 0.0
    test = corpora.movie_review_split("test")
    right = sum((margin(text) - offset > 0) == bool(label) for text, label in test)
    assert right / len(test) == pytest.approx(meta["history"]["zero_shot"], abs=1.5e-3)


def test_the_probe_and_tfidf_at_100_labels_match_scikit_learn_called_directly(shipped):
    (gpt, _), (_, meta) = shipped
    train, test = corpora.movie_review_split("train"), corpora.movie_review_split("test")
    subset = [train[i] for i in random.Random(0).sample(range(len(train)), 100)]  # seed 0's recorded subset

    def features(texts):
        with torch.no_grad():
            return np.stack(
                [gpt.model(_ids(gpt.vocab, t, gpt.model.cfg.context)[None]).hidden[0].mean(0).numpy() for t in texts]
            )

    x, y = features([t for t, _ in subset]), [label for _, label in subset]
    scaler = StandardScaler().fit(x)
    fitted = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(x), y)
    probe = float((fitted.predict(scaler.transform(features([t for t, _ in test]))) == [v for _, v in test]).mean())
    assert probe == pytest.approx(_recorded(meta["history"], "probe", 100, 0), abs=2e-3)
    vectoriser = TfidfVectorizer(ngram_range=(1, 2))
    words = LogisticRegression(max_iter=1000).fit(vectoriser.fit_transform([t for t, _ in subset]), y)
    tfidf = float((words.predict(vectoriser.transform([t for t, _ in test])) == [v for _, v in test]).mean())
    assert tfidf == pytest.approx(_recorded(meta["history"], "tfidf", 100, 0), abs=6e-5)  # recorded to 4 places


def test_one_fine_tuning_run_of_the_curve_is_reproduced_from_its_recorded_subset(shipped):
    (gpt, _), (_, meta) = shipped
    cfg = gpt_finetune.FinetuneConfig(**meta["config"])
    train, test = corpora.movie_review_split("train"), corpora.movie_review_split("test")
    subset = [train[i] for i in random.Random(0).sample(range(len(train)), 50)]
    model, _steps = gpt_curve.one_run(gpt.model, gpt.vocab, "pretrained", subset, cfg, 0)
    predicted = [bool(p > 0.5) for p in gpt_finetune.predict_positive(model, gpt.vocab, [t for t, _ in test])]
    accuracy = sum(p == bool(label) for p, (_, label) in zip(predicted, test, strict=True)) / len(test)
    assert accuracy == pytest.approx(_recorded(meta["history"], "pretrained", 50, 0), abs=0.01)


def test_the_pre_training_record_shows_its_curve_and_the_guard(shipped):
    (_, meta), (_, classifier_meta) = shipped
    history = meta["history"]
    curve = history["pretrain_curve"]
    assert curve[0]["step"] == 0 and curve[-1]["step"] == history["steps"]
    assert sum(r.get("best", False) for r in curve) >= 1
    assert history["leakage_dropped"]["imdb"] > 0  # IMDB reviews quoting a guarded test sentence were dropped
    assert classifier_meta["history"]["pretrain_curve"] == curve  # the classifier records the start it came from


def test_the_curve_cli_prints_the_recorded_curve_as_json(shipped, capsys):
    from engine import evaluate

    (_, _), (_, meta) = shipped
    assert evaluate.main(["gpt_sentiment", "--curve", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"curve", "tfidf", "zero_shot", "accuracy", "n"}
    assert {row["start"] for row in out["curve"]} == {"pretrained", "scratch"}
    history = meta["history"]
    for row in out["curve"]:
        start = (
            "scratch" if row["start"] == "scratch" else {"fine-tuned": "pretrained", "probe": "probe"}[row["method"]]
        )
        accs = [
            a
            for n, s, a in zip(history["size"], history["start"], history["accuracy"], strict=True)
            if (n, s) == (row["labels"], start)
        ]
        assert row["mean"] == pytest.approx(sum(accs) / len(accs)) and (row["min"], row["max"]) == (
            min(accs),
            max(accs),
        )
        assert row["runs"] == len(accs) == (1 if row["labels"] == max(history["size"]) else meta["config"]["seeds"])
    assert out["zero_shot"] == history["zero_shot"] and out["n"] == 1067
    with pytest.raises(SystemExit):
        evaluate.main(["gpt", "--curve"])  # the curve is the classifier's
