"""What a pre-trained GPT knows before fine-tuning: frozen features, zero-shot, against direct forward passes."""

import random

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from engine.gpt import model as gpt
from engine.gpt import probe
from engine.gpt.data import START
from engine.gpt.pieces import train_pieces

CONTEXT = 32
SENTENCES = [
    "The film was good and the acting was great.",
    "A bad movie with a terrible plot and dull actors.",
    "I loved it, and my friends loved it too!",
    "Nothing happens for two hours; the ending is worse.",
    "It was great. It was terrible. I hated it. Highly recommended. Not recommended.",
]
TEXTS = [
    "Good.",
    "",
    "A bad movie with a terrible plot.",
    "I loved it, and my friends loved it too, but the ending was dull and the plot was thin and slow. " * 3,  # long
    "The acting was great!",
]


@pytest.fixture(scope="module")
def pieces():
    return train_pieces(SENTENCES * 3, 300)


@pytest.fixture(scope="module")
def tiny(pieces):
    torch.manual_seed(0)
    model = gpt.GPT(len(pieces), gpt.GPTConfig(n_layer=1, n_head=2, d_model=16, context=CONTEXT)).eval()
    with torch.no_grad():  # larger weights than the init, so that predictions depend on what was read
        for p in model.parameters():
            p.mul_(4)
    return model.requires_grad_(False)


def direct_mean(model, pieces, text):
    ids = probe.fit_ids(pieces.encode(START + text), model.cfg.context)
    with torch.no_grad():
        return model(ids.unsqueeze(0)).hidden[0].mean(0).numpy()


def direct_log_prob(model, pieces, ids_before: list[int], ending: str) -> float:
    """log p(ending | ids_before) from one forward pass, summed position by position."""
    tail = pieces.encode(ending).tolist()
    ids = torch.tensor(ids_before + tail)
    with torch.no_grad():
        logp = torch.log_softmax(model(ids[:-1].unsqueeze(0)).logits[0], -1)
    return sum(float(logp[len(ids_before) - 1 + k, tail[k]]) for k in range(len(tail)))


def test_fit_ids_keeps_the_start_and_the_last_ids():
    ids = torch.arange(10)
    assert probe.fit_ids(ids, 4).tolist() == [0, 7, 8, 9]
    assert probe.fit_ids(ids, 10).tolist() == list(range(10))
    assert probe.fit_ids(ids, 30).tolist() == list(range(10))
    assert probe.fit_ids(ids, 1).tolist() == [0]


def test_mean_hidden_in_batches_equals_one_sentence_at_a_time(tiny, pieces, monkeypatch):
    assert len(pieces.encode(START + TEXTS[3])) > CONTEXT  # one sentence is cut to the context
    expected = np.stack([direct_mean(tiny, pieces, t) for t in TEXTS])
    for batch in (64, 2):  # one batch (padded to the longest) and several
        monkeypatch.setattr(probe, "BATCH", batch)
        got = probe.mean_hidden(tiny, pieces, TEXTS)
        assert got.shape == (len(TEXTS), 16)
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_a_long_sentence_is_read_as_start_then_its_last_pieces(tiny, pieces):
    long = TEXTS[3]
    ids = pieces.encode(START + long).tolist()
    kept = [ids[0], *ids[-(CONTEXT - 1) :]]
    assert kept[0] == pieces.encode(START).tolist()[0]
    with torch.no_grad():
        by_hand = tiny(torch.tensor([kept])).hidden[0].mean(0).numpy()
    np.testing.assert_allclose(probe.mean_hidden(tiny, pieces, [long])[0], by_hand, atol=1e-5)
    ending = " It was great."
    room = CONTEXT - len(pieces.encode(ending))
    cut = [ids[0], *ids[-(room - 1) :]]
    got = probe.continuation_log_probs(tiny, pieces, [long], ending)[0]
    assert got == pytest.approx(direct_log_prob(tiny, pieces, cut, ending), abs=1e-4)


@pytest.mark.parametrize("ending", [" It was great.", " I hated it.", "!"])
def test_continuation_log_probs_equal_a_direct_forward_pass(tiny, pieces, ending, monkeypatch):
    short = [t for t in TEXTS if len(pieces.encode(START + t)) + len(pieces.encode(ending)) <= CONTEXT]
    assert len(short) == 4
    expected = [direct_log_prob(tiny, pieces, pieces.encode(START + t).tolist(), ending) for t in short]
    assert all(e < 0 for e in expected)
    for batch in (64, 1):
        monkeypatch.setattr(probe, "BATCH", batch)
        np.testing.assert_allclose(probe.continuation_log_probs(tiny, pieces, short, ending), expected, atol=1e-4)


def test_zero_shot_margins_and_the_prior_are_differences_of_direct_log_probs(tiny, pieces):
    pair = probe.PAIRS[0]
    texts = TEXTS[:3]
    start = pieces.encode(START).tolist()
    margins = probe.zero_shot_margins(tiny, pieces, texts, pair)
    for text, margin in zip(texts, margins, strict=True):
        before = pieces.encode(START + text).tolist()
        by_hand = direct_log_prob(tiny, pieces, before, pair[0]) - direct_log_prob(tiny, pieces, before, pair[1])
        assert margin == pytest.approx(by_hand, abs=1e-4)
    prior = direct_log_prob(tiny, pieces, start, pair[0]) - direct_log_prob(tiny, pieces, start, pair[1])
    assert probe.prior_margin(tiny, pieces, pair) == pytest.approx(prior, abs=1e-4)


def test_zero_shot_accuracy_counts_signs_after_the_offset():
    margins, labels = np.array([2.0, -1.0, 0.5, -3.0]), [1, 0, 0, 1]
    assert probe.zero_shot_accuracy(margins, labels) == 0.5  # right, right, wrong, wrong
    assert probe.zero_shot_accuracy(margins, labels, 1.0) == 0.75  # 1 > 0, -2, -0.5 < 0: right, right, right, wrong
    assert probe.zero_shot_accuracy(margins, labels, -5.0) == 0.5  # all called positive
    assert probe.zero_shot_accuracy(np.array([1.0]), [0], 1.0) == 1.0  # a margin equal to the offset is negative


def test_choose_zero_shot_picks_the_validation_best_pair_and_calibration(tiny, pieces, monkeypatch):
    val = [("a", 1), ("b", 1), ("c", 0), ("d", 0)]
    scripted = {  # pair -> (margins on val, prior margin after an empty sentence)
        probe.PAIRS[0]: ([1.0, 1.0, 1.0, 1.0], 1.0),  # 0.5 raw; calibrated: all 0 -> negative: 0.5
        probe.PAIRS[1]: ([3.0, 2.0, 1.0, 0.0], 1.5),  # 0.75 raw; calibrated 1.5, .5, -.5, -1.5: 1.0
        probe.PAIRS[2]: ([4.0, -1.0, -1.0, -1.0], 9.0),  # 0.75 raw; calibrated: all negative: 0.5
    }

    def margins(model, vocab, texts, pair):
        if texts == [""]:
            return np.array([scripted[pair][1]])
        return np.array(scripted[pair][0][: len(texts)])

    monkeypatch.setattr(probe, "zero_shot_margins", margins)
    choice = probe.choose_zero_shot(tiny, pieces, val)
    assert (choice["pair"], choice["calibrated"], choice["val_accuracy"]) == (list(probe.PAIRS[1]), True, 1.0)
    got = {(tuple(o["pair"]), o["calibrated"]): o["val_accuracy"] for o in choice["options"]}
    assert got == {
        (probe.PAIRS[0], False): 0.5,
        (probe.PAIRS[0], True): 0.5,
        (probe.PAIRS[1], False): 0.75,
        (probe.PAIRS[1], True): 1.0,
        (probe.PAIRS[2], False): 0.75,
        (probe.PAIRS[2], True): 0.5,
    }
    # the test split is scored with the chosen pair and its calibration: 3 - 1.5 > 0, 2 - 1.5 > 0, 1 - 1.5 < 0
    test = [("x", 1), ("y", 1), ("z", 1)]
    assert probe.zero_shot_test(tiny, pieces, test, choice) == pytest.approx(2 / 3)
    assert probe.zero_shot_test(tiny, pieces, test, {**choice, "calibrated": False}) == 1.0


def synthetic(n: int, seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    words = ["the", "film", "plot", "was", "and", "it", "acting", "ending", "very"]
    out = []
    for _ in range(n):
        y = rng.randint(0, 1)
        body = rng.sample(words, 4)
        body.insert(rng.randint(0, 4), "good" if y else "bad")
        out.append((" ".join(body) + ".", y))
    return out


def test_probe_accuracies_equal_scikit_learn_called_directly(tiny, pieces):
    train, val = synthetic(60, 0), synthetic(40, 1)
    sizes, seeds = [10, 30], [0, 1]
    got = probe.probe_accuracies(tiny, pieces, train, {"val": val}, sizes, seeds)
    features = {t: direct_mean(tiny, pieces, t) for t, _ in train + val}
    x_val, y_val = np.stack([features[t] for t, _ in val]), np.array([y for _, y in val])
    for n in sizes:
        expected = []
        for seed in seeds:
            index = random.Random(seed).sample(range(len(train)), n)
            x, y = np.stack([features[train[i][0]] for i in index]), [train[i][1] for i in index]
            scaler = StandardScaler().fit(x)
            fitted = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(x), y)
            expected.append(float((fitted.predict(scaler.transform(x_val)) == y_val).mean()))
        assert got["val"][n] == pytest.approx(expected)
    assert set(got) == {"val"} and set(got["val"]) == set(sizes)


def test_a_one_class_label_draw_is_skipped_not_fitted(tiny, pieces):
    train = synthetic(30, 0)
    got = probe.probe_accuracies(tiny, pieces, train, {"val": train[:5]}, [1], [0, 1, 2])
    assert got == {"val": {1: []}}


def test_the_validation_score_reads_the_validation_split_only(tiny, pieces, monkeypatch):
    splits = {"train": synthetic(40, 0), "val": synthetic(20, 1), "test": synthetic(20, 2)}
    monkeypatch.setattr(probe.corpora, "movie_review_split", lambda split: splits[split])
    record = probe.sentiment_evaluation("10,20", 2)(tiny, pieces)
    probe_val = np.mean([record["probe_val_10"], record["probe_val_20"]])
    assert record["val_score"] == pytest.approx(round((probe_val + record["zero_shot_val"]) / 2, 4))
    assert {"probe_test_10", "probe_test_20", "zero_shot_test", "zero_shot_pair"} <= set(record)
    splits["test"] = [(t, 1 - y) for t, y in splits["test"]]  # other test labels: the same choice and score
    again = probe.sentiment_evaluation("10,20", 2)(tiny, pieces)
    assert again["val_score"] == record["val_score"] and again["zero_shot_pair"] == record["zero_shot_pair"]
    assert again["zero_shot_test"] == pytest.approx(1 - record["zero_shot_test"])
