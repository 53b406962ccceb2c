"""The label-count curve: its fair baselines against independent references, its bookkeeping, and the CLI summary."""

import dataclasses
import json
import random
from typing import ClassVar

import numpy as np
import pytest
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from engine.gpt import curve as gpt_curve
from engine.gpt import model as gpt
from engine.gpt.finetune import Classifier, FinetuneConfig, accuracy, fine_tune, split_examples
from engine.gpt.pieces import train_pieces

FILLER = ["the", "film", "plot", "was", "and", "it", "acting", "ending", "very", "this", "story", "cast", "music"]


def synthetic(n: int, seed: int) -> list[tuple[str, int]]:
    """Sentences of filler words with one 'good' (label 1) or 'bad' (label 0) somewhere in them."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        y = rng.randint(0, 1)
        words = rng.sample(FILLER, rng.randint(3, 8))
        words.insert(rng.randint(0, len(words)), "good" if y else "bad")
        out.append((" ".join(words) + ".", y))
    return out


@pytest.fixture(scope="module")
def pieces():
    return train_pieces([t for t, _ in synthetic(200, 99)], 300)


def tiny_gpt(pieces, seed=0):
    torch.manual_seed(seed)
    return gpt.GPT(len(pieces), gpt.GPTConfig(n_layer=1, n_head=2, d_model=16, context=32))


# ---- tf-idf -----------------------------------------------------------------------------------------------------


def negations(n: int, seed: int) -> list[tuple[str, int]]:
    """'good' / 'bad', half of them after 'not' (which flips the label): 2-grams see what 1-grams cannot."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        word, negated = rng.choice(["good", "bad"]), rng.random() < 0.5
        filler = rng.sample(["the", "film", "was", "plot", "acting", "really", "quite", "story"], 3)
        words = [*filler[:2], *(["not"] if negated else []), word, filler[2]]
        out.append((" ".join(words), int((word == "good") != negated)))
    return out


def sklearn_tfidf(train, evals, ngrams=(1, 2)) -> list[float]:
    vectoriser = TfidfVectorizer(ngram_range=ngrams)
    x = vectoriser.fit_transform([t for t, _ in train])
    fitted = LogisticRegression(max_iter=1000).fit(x, [y for _, y in train])
    return [float(np.mean(fitted.predict(vectoriser.transform([t for t, _ in e])) == [y for _, y in e])) for e in evals]


def test_tfidf_accuracies_equal_scikit_learn_called_directly():
    train, evals = negations(40, 0), [negations(30, 1), negations(40, 2)]
    expected = sklearn_tfidf(train, evals)
    assert gpt_curve.tfidf_accuracies(train, evals) == pytest.approx(expected)
    assert sklearn_tfidf(train, evals, (1, 1)) != pytest.approx(expected)  # the comparison can see the 2-grams
    assert all(0.5 < a < 1 for a in expected)


TOY_TRAIN = [("a great film", 1), ("great acting", 1), ("a dull film", 0), ("boring", 0), ("funny", 1)]
TOY_EVALS = [
    [("great film", 1), ("boring plot", 0), ("a joy, moving", 1), ("a waste of a film", 0), ("not funny", 0)],
    [("dull", 0), ("great and funny", 1), ("bad acting", 0)],
]


def test_tfidf_of_one_class_answers_that_class():
    positives = [(t, 1) for t, _ in TOY_TRAIN]
    assert gpt_curve.tfidf_accuracies(positives, TOY_EVALS) == pytest.approx([2 / 5, 1 / 3])
    negatives = [(t, 0) for t, _ in TOY_TRAIN[:3]]
    assert gpt_curve.tfidf_accuracies(negatives, TOY_EVALS) == pytest.approx([3 / 5, 2 / 3])


# ---- the validation halves --------------------------------------------------------------------------------------


def test_checked_split_shuffles_the_validation_split_before_cutting_it():
    val = split_examples("val")
    labels = [y for _, y in val]
    assert np.mean(labels[:300]) > 0.8  # the raw split comes (nearly) sorted by label: a plain cut is one class
    cfg = FinetuneConfig()
    stop, check = gpt_curve.checked_split(cfg)
    assert len(stop) == cfg.val_sentences and len(stop) + len(check) == len(val)
    assert sorted(stop + check) == sorted(val)  # disjoint halves that cover the split
    assert not {t for t, _ in stop} & {t for t, _ in check}
    for half in (stop, check):
        assert 0.35 <= np.mean([y for _, y in half]) <= 0.65
    assert gpt_curve.checked_split(cfg) == (stop, check)  # the same halves every time


# ---- the curve, the preferred way, the CLI's summary --------------------------------------------------------------


HISTORY = {
    "size": [50, 50, 50, 50, 50, 50, 50, 100, 100, 100, 100],
    "seed": [0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0],
    "start": [
        *("pretrained", "pretrained", "scratch", "scratch", "probe", "probe", "tfidf"),  # 50 labels
        *("pretrained", "scratch", "probe", "tfidf"),  # 100 labels
    ],
    "accuracy": [0.6, 0.7, 0.5, 0.52, 0.66, 0.62, 0.57, 0.8, 0.55, 0.75, 0.65],
    "val_accuracy": [0.61, 0.63, 0.5, 0.5, 0.70, 0.68, 0.58, 0.82, 0.56, 0.74, 0.66],
}


def test_the_curve_has_the_mean_min_and_max_of_each_size_and_start():
    rows = {(r["labels"], r["start"]): r for r in gpt_curve.curve(HISTORY)}
    assert set(rows) == {(50, s) for s in ("pretrained", "scratch", "probe", "tfidf")} | {
        (100, s) for s in ("pretrained", "scratch", "probe", "tfidf")
    }
    r = rows[(50, "pretrained")]  # by hand: (0.6 + 0.7) / 2, min 0.6, max 0.7; validation (0.61 + 0.63) / 2
    assert (r["mean"], r["min"], r["max"], r["runs"], r["val_mean"]) == pytest.approx((0.65, 0.6, 0.7, 2, 0.62))
    r = rows[(50, "scratch")]
    assert (r["mean"], r["min"], r["max"], r["runs"]) == pytest.approx((0.51, 0.5, 0.52, 2))
    r = rows[(100, "probe")]
    assert (r["mean"], r["min"], r["max"], r["runs"], r["val_mean"]) == pytest.approx((0.75, 0.75, 0.75, 1, 0.74))


def test_preferred_takes_the_pretrained_way_validation_likes_better():
    chosen = {p["labels"]: p for p in gpt_curve.preferred(gpt_curve.curve(HISTORY))}
    # 50 labels: the probe's validation mean 0.69 beats fine-tuning's 0.62 (its test mean 0.64 is what is shown)
    assert chosen[50]["method"] == "probe" and chosen[50]["mean"] == pytest.approx(0.64)
    # 100 labels: fine-tuning's 0.82 beats the probe's 0.74
    assert chosen[100]["method"] == "fine-tuned" and chosen[100]["mean"] == pytest.approx(0.8)
    assert {p["start"] for p in chosen.values()} == {"pretrained"}
    # the choice reads validation only: a better test score of the other way changes nothing
    pairs = zip(HISTORY["start"], HISTORY["accuracy"], strict=True)
    flipped = {**HISTORY, "accuracy": [0.99 if s == "pretrained" else a for s, a in pairs]}
    assert gpt_curve.preferred(gpt_curve.curve(flipped))[0]["method"] == "probe"


def test_the_curve_summary_has_the_keys_the_cli_promises():
    meta = {"history": {**HISTORY, "zero_shot": 0.61}, "metrics": {"accuracy": 0.81, "n": 1067}}
    summary = gpt_curve.curve_summary(meta)
    assert set(summary) == {"curve", "tfidf", "zero_shot", "accuracy", "n"}
    assert (summary["zero_shot"], summary["accuracy"], summary["n"]) == (0.61, 0.81, 1067)
    for row in summary["curve"]:
        assert set(row) - {"method"} == {"labels", "start", "mean", "min", "max", "runs"}
        assert row["start"] in ("pretrained", "scratch")
    starts = sorted((r["labels"], r["start"]) for r in summary["curve"])
    assert starts == [(50, "pretrained"), (50, "scratch"), (100, "pretrained"), (100, "scratch")]
    assert summary["tfidf"] == [{"labels": 50, "mean": pytest.approx(0.57)}, {"labels": 100, "mean": 0.65}]
    json.dumps(summary)  # plain JSON: the CLI prints it


# ---- fine-tuning from a random start is a fair baseline ----------------------------------------------------------


def test_a_random_start_learns_an_easy_task_with_early_stopping_but_not_when_starved(pieces):
    train, val, test = synthetic(200, 0), synthetic(100, 1), synthetic(200, 2)
    assert not {t for t, _ in test} & {t for t, _ in train}
    results = {}
    for name, changes in (("converged", {}), ("starved", {"max_steps": 5, "max_epochs": 0})):
        cfg = dataclasses.replace(FinetuneConfig(), **changes)
        model, steps = fine_tune(Classifier(tiny_gpt(pieces)), pieces, train, cfg, cfg.scratch_lr, 0, val)
        results[name] = (accuracy(model, pieces, test), steps)
    assert results["converged"][0] >= 0.9, results
    assert results["starved"][1] == 5 and results["starved"][0] < 0.75, results


def test_one_run_from_the_pretrained_start_leaves_the_base_model_alone(pieces):
    base = tiny_gpt(pieces, seed=5).eval().requires_grad_(False)
    before = {k: v.clone() for k, v in base.state_dict().items()}
    cfg = FinetuneConfig(max_steps=4, max_epochs=0, eval_every=2, val_sentences=20, batch_size=4)
    model, steps = gpt_curve.one_run(base, pieces, "pretrained", synthetic(16, 0), cfg, seed=0)
    assert steps == 4
    assert all(torch.equal(v, base.state_dict()[k]) for k, v in before.items())
    assert model.body is not base
    assert any(not torch.equal(v, model.body.state_dict()[k]) for k, v in before.items())  # the copy trained


def test_one_run_starts_from_the_pretrained_weights_or_from_a_seeded_random_start(pieces, monkeypatch):
    base = tiny_gpt(pieces, seed=5)
    starts = {}

    def capture(model, vocab, examples, cfg, lr, seed, val):
        starts[len(starts)] = ({k: v.clone() for k, v in model.body.state_dict().items()}, lr, seed, len(val))
        return model, 0

    monkeypatch.setattr(gpt_curve, "fine_tune", capture)
    cfg = FinetuneConfig(val_sentences=20)
    for start in ("pretrained", "scratch", "scratch"):
        gpt_curve.one_run(base, pieces, start, synthetic(8, 0), cfg, seed=3)
    (pre, pre_lr, *_), (scratch, scratch_lr, seed, n_val), (again, *_) = starts.values()
    assert all(torch.equal(v, base.state_dict()[k]) for k, v in pre.items())
    assert not torch.equal(scratch["embed.weight"], base.embed.weight)
    assert all(torch.equal(v, again[k]) for k, v in scratch.items())  # the seed decides the random start
    assert all(torch.equal(v, tiny_gpt(pieces, seed=3).state_dict()[k]) for k, v in scratch.items())
    assert (pre_lr, scratch_lr, seed, n_val) == (cfg.lr, cfg.scratch_lr, 3, 20)


# ---- recorded runs are reused only under the same recipe ---------------------------------------------------------


def test_the_recipe_key_names_what_a_recorded_run_depends_on(pieces):
    base, cfg = tiny_gpt(pieces), FinetuneConfig()
    key = {s: gpt_curve.recipe_key(cfg, base, pieces, s) for s in gpt_curve.STARTS}
    assert key["pretrained"] != key["scratch"]
    other = dataclasses.replace(cfg, workers=7, runs_file="x.jsonl", sizes="50", seeds=2, pretrained="p")
    assert {s: gpt_curve.recipe_key(other, base, pieces, s) for s in gpt_curve.STARTS} == key
    assert gpt_curve.recipe_key(dataclasses.replace(cfg, lr=1e-3), base, pieces, "pretrained") != key["pretrained"]
    moved = tiny_gpt(pieces, seed=1)  # other pre-trained weights: only the pre-trained start's runs are stale
    assert gpt_curve.recipe_key(cfg, moved, pieces, "pretrained") != key["pretrained"]
    assert gpt_curve.recipe_key(cfg, moved, pieces, "scratch") == key["scratch"]


class InlinePool:
    """ProcessPoolExecutor's part that run_tasks uses, run here in this process."""

    mapped: ClassVar[list] = []

    def __init__(self, workers, context, initializer, initargs):
        initializer(*initargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, fn, tasks):
        tasks = list(tasks)
        InlinePool.mapped.append(tasks)
        return [fn(t) for t in tasks]


def test_run_tasks_reuses_recorded_runs_and_reruns_stale_ones_and_the_shipped_one(pieces, tmp_path, monkeypatch):
    monkeypatch.setattr(gpt_curve, "ProcessPoolExecutor", InlinePool)
    monkeypatch.setattr(InlinePool, "mapped", [])
    base = tiny_gpt(pieces).eval()
    runs = tmp_path / "runs.jsonl"
    cfg = FinetuneConfig(max_steps=2, max_epochs=0, eval_every=1, val_sentences=10, batch_size=4, runs_file=str(runs))
    keys = {s: gpt_curve.recipe_key(cfg, base, pieces, s) for s in gpt_curve.STARTS}
    n_train = len(split_examples("train"))
    recorded = [
        {"size": 10, "seed": 0, "start": "scratch", "accuracy": 0.123, "recipe": keys["scratch"]},  # reused
        {"size": 10, "seed": 0, "start": "pretrained", "accuracy": 0.999, "recipe": "stale"},  # another recipe
        {"size": n_train, "seed": 0, "start": "pretrained", "accuracy": 0.5, "recipe": keys["pretrained"]},  # shipped
    ]
    runs.write_text("".join(json.dumps(r) + "\n" for r in recorded))
    tasks = [(10, 0, "pretrained"), (10, 0, "scratch"), (n_train, 0, "pretrained")]
    rows, extra = gpt_curve.run_tasks(base, pieces, cfg, tasks, meanwhile=lambda: "baselines")
    assert extra == "baselines"
    assert InlinePool.mapped == [[(n_train, 0, "pretrained"), (10, 0, "pretrained")]]  # largest first
    by = {(r["size"], r["start"]): r for r in rows}
    assert by[(10, "scratch")]["accuracy"] == 0.123
    assert by[(10, "pretrained")]["accuracy"] != 0.999 and by[(10, "pretrained")]["recipe"] == keys["pretrained"]
    assert "state" in by[(n_train, "pretrained")]  # the shipped classifier's weights come back
    lines = [json.loads(line) for line in runs.read_text().splitlines()]
    assert len(lines) == 5 and not any("state" in line for line in lines)
    # the recomputed point, recomputed once more by hand from its recorded subset and seed
    train, test = split_examples("train"), split_examples("test")
    subset = [train[i] for i in random.Random(0).sample(range(n_train), 10)]
    model, _ = gpt_curve.one_run(base, pieces, "pretrained", subset, cfg, 0)
    assert by[(10, "pretrained")]["accuracy"] == round(accuracy(model, pieces, test), 4)
